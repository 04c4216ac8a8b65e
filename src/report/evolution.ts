import type { Segment } from '../evaluate/beyond-accuracy.ts';
import type { Quantiles } from '../evaluate/drift.ts';
import { type ChartSpec, type SampleTrajectory, trajectoryChart } from './charts.ts';
import type { Block, Section } from './document.ts';

/**
 * The report's "Interest evolution" section: a few users' trajectories with their forecasts and why each
 * item was recommended, how much the population's interests move between buckets next to how much the
 * forecasters predict them to move, and metrics by how much a user's interest moved recently.
 */

/** A tercile of users by recent drift (JSD between their last two history buckets). */
export type DriftSegment = Omit<Segment, 'minHistory' | 'maxHistory'> & {
  minDrift: number;
  maxDrift: number;
};

/** One distribution of JSDs between topic-share vectors (what moved against what). */
export interface DriftSeries extends Quantiles {
  series: string;
}

export interface EvolutionReport {
  /** How the sample users (RunReport.samples) were chosen. */
  rule: string;
  /** The per-user metric the rule and the drift terciles use, e.g. "ndcg@10". */
  metric: string;
  /** Users evaluated (the population the drift numbers are over). */
  users: number;
  /** Quantiles of the JSD distributions (base 2, in [0, 1]). */
  drift: DriftSeries[];
  /** Histogram of the JSD between consecutive history buckets and of observed next vs last bucket. */
  histogram: { series: string; lo: number; hi: number; count: number }[];
  /** Metrics per recent-drift tercile, per method. */
  by_drift: Record<string, DriftSegment[]>;
}

const fmt = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '—');

/** Quantile ranges (p10–p90 thin, p25–p75 thick, median tick) of each JSD distribution. */
export function driftChart(drift: readonly DriftSeries[]): ChartSpec {
  const y = { field: 'series', type: 'nominal', title: null, sort: null, axis: { labelLimit: 340 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: '#ddd' } },
    title: 'How far topic shares move (JSD, base 2): p10–p90, p25–p75 and median',
    data: { values: drift.filter((d) => d.n > 0).map((d) => ({ ...d })) },
    width: 380,
    height: { step: 26 },
    layer: [
      {
        mark: { type: 'rule', color: '#888' },
        encoding: { y, x: { field: 'p10', type: 'quantitative', title: 'JSD' }, x2: { field: 'p90' } },
      },
      {
        mark: { type: 'bar', size: 12, color: '#9ecae1' },
        encoding: { y, x: { field: 'p25', type: 'quantitative' }, x2: { field: 'p75' } },
      },
      {
        mark: { type: 'tick', color: '#08519c', thickness: 2, size: 16 },
        encoding: {
          y,
          x: { field: 'p50', type: 'quantitative' },
          tooltip: [
            { field: 'series' },
            { field: 'n' },
            { field: 'p50', format: '.4f' },
            { field: 'mean', format: '.4f' },
          ],
        },
      },
    ],
  } as ChartSpec;
}

function driftTable(drift: readonly DriftSeries[]): Block {
  return {
    kind: 'table',
    head: ['JSD between', 'n', 'p10', 'p25', 'median', 'p75', 'p90', 'mean'],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: drift.map((d) => [
      d.series,
      String(d.n),
      ...[d.p10, d.p25, d.p50, d.p75, d.p90, d.mean].map((x) => fmt(x)),
    ]),
  };
}

/**
 * One row per method, one column per tercile (low, mid, high), the header from `head` (e.g. the tercile's
 * users and range); shared by the activity and the drift terciles.
 */
export function tercileBlock<S extends { name: string; users: number; metrics: Record<string, number> }>(
  segments: Record<string, S[]>,
  metric: string,
  head: (s: S, name: string) => string,
): Block {
  const names = ['low', 'mid', 'high'] as const;
  const first = Object.values(segments)[0] ?? [];
  return {
    kind: 'table',
    head: [
      'method',
      ...names.map((n) => {
        const s = first.find((x) => x.name === n);
        return s?.users ? head(s, n) : `${n} (no users)`;
      }),
    ],
    align: ['l', 'r', 'r', 'r'],
    rows: Object.entries(segments).map(([m, segs]) => [
      m,
      ...names.map((n) => fmt(segs.find((s) => s.name === n)?.metrics[metric] ?? Number.NaN)),
    ]),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** A sample user's panel: the chart, why they are shown, and their top 10 with each item's reason. */
function sampleBlocks(s: SampleTrajectory, i: number, chart: ChartFn): Block[] {
  const next = [
    ...s.forecasts.map((f) => f.model),
    ...(s.observed ? ['observed'] : []),
    ...(s.truth ? ['truth'] : []),
  ];
  const alt =
    `Line chart of user ${s.user}'s topic shares over ${s.history.length} buckets (${s.labels.join(', ')}), ` +
    `with markers one bucket past the history for ${next.join(', ')}. Last bucket: ` +
    s.labels.map((l, c) => `${l} ${pct(s.history.at(-1)?.[c] ?? 0)}`).join(', ') +
    (s.observed
      ? `; observed next: ${s.labels.map((l, c) => `${l} ${pct(s.observed![c])}`).join(', ')}`
      : '') +
    '.';
  const metrics = Object.entries(s.metrics ?? {})
    .map(([m, v]) => `${m} ${fmt(v)}`)
    .join(', ');
  return [
    {
      kind: 'text',
      text:
        `**User ${s.user}** (${s.reason ?? 'sample'})` +
        (metrics ? `: ${metrics}` : '') +
        (s.drift === undefined ? '' : `; drift between the last two buckets (JSD) ${fmt(s.drift)}`) +
        '.',
    },
    ...chart(
      `evolution-user-${i}`,
      `User ${s.user}: topic shares and the next bucket (${s.reason ?? 'sample'})`,
      trajectoryChart(s),
      alt,
    ),
    s.recommended.length
      ? {
          kind: 'table',
          head: ['rank', 'item', 'topic', 'put there by', 'lift lstm / popularity / topic', 'hit'],
          align: ['r', 'l', 'l', 'l', 'r', 'l'],
          rows: s.recommended.map((r) => [
            String(r.rank),
            r.title,
            r.topic,
            r.term,
            (['lstm', 'popularity', 'topic'] as const)
              .map((t) => (r.lift[t] === undefined ? '—' : fmt(r.lift[t]!, 2)))
              .join(' / '),
            r.hit ? 'yes' : '',
          ]),
        }
      : { kind: 'text', text: `Recommended to user ${s.user}: (nothing)` },
  ];
}

type ChartFn = (name: string, title: string, spec: ChartSpec, alt?: string) => Block[];

/** The section, from the run report's sample trajectories and evolution summary (either may be absent). */
export function evolutionSection(
  samples: readonly SampleTrajectory[] | undefined,
  e: EvolutionReport | undefined,
  chart: ChartFn,
): Section | null {
  if (!samples?.length && !e) return null;
  const blocks: Block[] = [];
  if (e) {
    const obs = e.drift.find((d) => d.series.startsWith('observed next'));
    blocks.push(
      {
        kind: 'text',
        text:
          `How much ${e.users} test users' topic shares move, as the Jensen–Shannon divergence (base 2, 0 = same shares, 1 = disjoint) ` +
          'between consecutive history buckets, and between the last history bucket and the observed next (test) bucket, ' +
          'each forecast of it and (synthetic data) its generating truth. A forecaster whose movement is far below the observed one ' +
          'mostly predicts "no change"' +
          (obs ? `; observed median movement here: ${fmt(obs.p50)}.` : '.'),
      },
      driftTable(e.drift),
      ...chart(
        'evolution-drift',
        'Topic-share movement across the population (JSD quantiles)',
        driftChart(e.drift),
        `Range chart of JSD quantiles: ${e.drift
          .filter((d) => d.n > 0)
          .map((d) => `${d.series} median ${fmt(d.p50, 3)} (p10 ${fmt(d.p10, 3)}, p90 ${fmt(d.p90, 3)})`)
          .join('; ')}.`,
      ),
    );
    if (Object.keys(e.by_drift).length)
      blocks.push(
        {
          kind: 'text',
          text: `${e.metric.toUpperCase()} by recent-drift tercile (JSD between each user's last two history buckets; terciles by value, as the activity terciles):`,
        },
        tercileBlock(
          e.by_drift,
          e.metric,
          (s, n) => `${n} (JSD ${fmt(s.minDrift, 3)}–${fmt(s.maxDrift, 3)}, ${s.users} users)`,
        ),
      );
    blocks.push({ kind: 'text', text: `Sample users: ${e.rule}` });
  }
  for (const [i, s] of (samples ?? []).entries()) blocks.push(...sampleBlocks(s, i, chart));
  return { title: 'Interest evolution', blocks };
}
