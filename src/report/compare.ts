import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_METRICS, reportColumns } from '../evaluate/metrics.ts';
import type { Block, ReportDoc } from './document.ts';
import type { RunReport } from './run-report.ts';

/** One row of a side-by-side comparison: a method of a run, or a peer's published/recorded result. */
export interface ComparisonRow {
  source: string;
  method: string;
  users?: number;
  metrics: Record<string, number>;
  intervals?: Record<string, { lo: number; hi: number }>;
}

/** Reads a run's report.json (or metrics.json) from its report directory, or a JSON file given directly. */
export function loadRun(path: string): RunReport {
  const file = statSync(path, { throwIfNoEntry: false })?.isDirectory()
    ? [join(path, 'report.json'), join(path, 'metrics.json')].find((f) => existsSync(f))
    : path;
  if (!file || !existsSync(file)) throw new Error(`report: no report.json or metrics.json in ${path}`);
  const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunReport>;
  if (typeof r.run_id !== 'string' || typeof r.methods !== 'object' || r.methods === null)
    throw new Error(`report: ${file} is not a run report (needs run_id and methods)`);
  return r as RunReport;
}

/** RecBole and similar tools spell HR as "hit" and use upper case; map to this project's keys. */
export function normaliseMetricKey(key: string): string {
  const k = key.trim().toLowerCase();
  return k.startsWith('hit@') ? `hr@${k.slice(4)}` : k;
}

/** `NAME=path` of a --peer option. */
export function parsePeerSpec(spec: string): { name: string; path: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1)
    throw new Error(`report: --peer must be NAME=path (a top-K dump or metrics.json), got "${spec}"`);
  const path = spec.slice(eq + 1);
  if (!existsSync(path)) throw new Error(`report: peer file ${path} does not exist`);
  return { name: spec.slice(0, eq), path };
}

/** A peer's own metrics file is a JSON object; anything else is taken as a top-K dump (peer.ts). */
export function isMetricsFile(path: string): boolean {
  return readFileSync(path, 'utf8').trimStart().startsWith('{');
}

/**
 * A peer's own result from `NAME=path`: a flat JSON object of metric → number (RecBole's `test_result`
 * nested one level down is accepted too). These are the peer's per-case numbers, shown in their own table.
 */
export function loadPeer(spec: string): ComparisonRow {
  const { name, path } = parsePeerSpec(spec);
  let raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (raw && typeof raw.test_result === 'object' && raw.test_result !== null)
    raw = raw.test_result as Record<string, unknown>;
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw ?? {}))
    if (typeof v === 'number' && k.includes('@')) metrics[normaliseMetricKey(k)] = v;
  if (!Object.keys(metrics).length)
    throw new Error(`report: peer file ${path} has no "metric@k": number entries`);
  return { source: 'peer', method: name, metrics };
}

export function runRows(r: RunReport, methods?: readonly string[]): ComparisonRow[] {
  const names = methods?.length ? methods.filter((m) => r.methods[m]) : Object.keys(r.methods);
  return names.map((m) => ({
    source: r.run_id,
    method: m,
    users: r.users_evaluated?.[m],
    metrics: r.methods[m],
    intervals: r.intervals?.[m],
  }));
}

/** The report's metric columns for every K any row reports one of them at, ordered by K. */
export function comparisonColumns(rows: readonly ComparisonRow[]): string[] {
  const ks = new Set<number>();
  for (const r of rows)
    for (const key of Object.keys(r.metrics)) {
      const m = /^(\w+)@(\d+)$/.exec(key);
      if (m && (REPORT_METRICS as readonly string[]).includes(m[1])) ks.add(Number(m[2]));
    }
  return reportColumns([...ks].sort((a, b) => a - b));
}

const fmt = (x: number) => x.toFixed(4);

/**
 * What `report` compares. `rows` are per-user means on a run's test users: the runs' methods and peers
 * re-scored from their top-K lists. `perCase` are peers' own metrics files, which never share a column
 * with `rows`. `notes` say how each re-scored peer was computed.
 */
export interface Comparison {
  rows: ComparisonRow[];
  perCase: ComparisonRow[];
  notes: string[];
}

/** One table, best mean per column in bold; `suffix` labels the metric columns. */
function metricTable(rows: readonly ComparisonRow[], first: string, suffix = ''): Block {
  const columns = comparisonColumns(rows);
  const best = Object.fromEntries(columns.map((c) => [c, Math.max(...rows.map((r) => r.metrics[c] ?? -1))]));
  return {
    kind: 'table',
    head: [first, 'method', 'users', ...columns.map((c) => `${c}${suffix}`)],
    align: ['l', 'l', 'r', ...columns.map(() => 'r' as const)],
    rows: rows.map((r) => [
      r.source,
      r.method,
      r.users === undefined ? '—' : String(r.users),
      ...columns.map((c) => {
        const v = r.metrics[c];
        if (v === undefined) return '—';
        const ci = r.intervals?.[c];
        const mean = v === best[c] ? `**${fmt(v)}**` : fmt(v);
        return ci ? `${mean} [${fmt(ci.lo)}, ${fmt(ci.hi)}]` : mean;
      }),
    ]),
  };
}

export function comparisonDoc(c: Comparison, title = 'Run comparison'): ReportDoc {
  const sections: ReportDoc['sections'] = [
    {
      title: 'Metrics (per user)',
      blocks: [
        {
          kind: 'text',
          text: 'Mean over test users [95% bootstrap CI when the run recorded one]; best per column in bold.',
        },
        ...c.notes.map((text): Block => ({ kind: 'text', text })),
        metricTable(c.rows, 'run'),
      ],
    },
  ];
  if (c.perCase.length)
    sections.push({
      title: 'Peer metrics (per case, as reported by the peer)',
      blocks: [
        {
          kind: 'text',
          text:
            'Per-case, as reported by the peer; not comparable column by column with the per-user table: ' +
            'each (history → target item) case counts once, and items the user already had may not be excluded. ' +
            'Give the peer as a top-K dump to have it re-scored per user.',
        },
        metricTable(c.perCase, 'source', ' (per case)'),
      ],
    });
  return { title, sections };
}
