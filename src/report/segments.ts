import type { Interval } from '../evaluate/bootstrap.ts';
import type { Block, Section } from './document.ts';
import type { RunReport } from './run-report.ts';

/** The methods the segment tables show, when run (the full set is in report.json). */
const SHOWN = ['blend', 'lstm', 'topic_forecast', 'topic_recent', 'item_knn', 'most_popular', 'oracle'];

const est = (e: Interval | undefined) =>
  e && Number.isFinite(e.mean) ? `${e.mean.toFixed(4)} [${e.lo.toFixed(4)}, ${e.hi.toFixed(4)}]` : '—';

function table(label: string, rows: { name: string; methods: Record<string, Interval> }[]): Block {
  const shown = SHOWN.filter((m) => rows.some((r) => r.methods[m]));
  return {
    kind: 'table',
    head: [label, ...shown],
    align: ['l', ...shown.map(() => 'r' as const)],
    rows: rows.map((r) => [r.name, ...shown.map((m) => est(r.methods[m]))]),
  };
}

function kindBlocks(k: NonNullable<RunReport['kinds']>): Block[] {
  const pooled = k.crossPooled;
  return [
    {
      kind: 'text',
      text: `${k.metric} per target kind: each user's targets of that kind only, every method ranking only items of that kind (so most_popular is the most popular items of the kind). Cells: mean [95% bootstrap CI over users].`,
    },
    table(
      'target kind (users)',
      k.perKind.map((r) => ({ name: `${r.target} (${r.users})`, methods: r.methods })),
    ),
    {
      kind: 'text',
      text: 'Cross-kind: users grouped by the kind of most of their history (A), scored on their next targets of kind B as above.',
    },
    table(
      'history → target (users)',
      k.cross.map((c) => ({ name: `${c.history} → ${c.target} (${c.users})`, methods: c.methods })),
    ),
    table('every A → other B, pooled (users)', [{ name: `all (${pooled.users})`, methods: pooled.methods }]),
    ...pooled.paired.map(
      (p): Block => ({
        kind: 'text',
        text: `Cross-kind, pooled: ${p.a} − ${p.b} ${p.diff >= 0 ? '+' : ''}${p.diff.toFixed(4)} [${p.lo.toFixed(4)}, ${p.hi.toFixed(4)}], p = ${p.p.toFixed(3)} (${p.n} users).`,
      }),
    ),
  ];
}

/** The report's "Kinds and cold start" section, or null when the run has neither table. */
export function segmentsSection(r: RunReport): Section | null {
  const blocks: Block[] = r.kinds ? kindBlocks(r.kinds) : [];
  if (r.by_history_length)
    blocks.push(
      {
        kind: 'text',
        text: `${r.kinds?.metric ?? 'NDCG'} by history length in buckets before the cutoff (the split needs split.min_history_buckets, so 0 stays empty here; users without events are served from free text):`,
      },
      table(
        'history buckets (users)',
        r.by_history_length.map((b) => ({ name: `${b.buckets} (${b.users})`, methods: b.methods })),
      ),
    );
  return blocks.length ? { title: 'Kinds and cold start', blocks } : null;
}
