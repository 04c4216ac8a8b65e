/**
 * Accuracy by item kind (film, book, music, …). For a target kind B, each test example keeps only its
 * target items of kind B and every method ranks only items of kind B (what `kind=B` serves), so the
 * baselines are restricted the same way: `most_popular` becomes the most popular items of kind B. The
 * cross-kind table then groups those users by the dominant kind of their history A: row A → B reads "users
 * who mostly had A, scored on the B items they took next".
 */
import type { EventLog, Example } from '../data/split.ts';
import { createProgress } from '../util/progress.ts';
import {
  type BootstrapOptions,
  bootstrapIntervals,
  type Interval,
  type PairedResult,
  pairedTest,
} from './bootstrap.ts';
import { chunkRows, evaluateRows, type MethodResult, type RankOptions, type RowScorer } from './rank.ts';

/** Each item's kind as an index into `names` (−1: no kind). */
export interface ItemKindIndex {
  names: string[];
  of: Int32Array;
}

/** Kind names sorted, and each item's index among them ('' = no kind). */
export function itemKindIndex(kinds: readonly string[]): ItemKindIndex {
  const names = [...new Set(kinds)].filter((k) => k !== '').sort();
  const at = new Map(names.map((n, i) => [n, i]));
  return { names, of: Int32Array.from(kinds, (k) => at.get(k) ?? -1) };
}

type Prepare = (chunk: readonly Example[]) => Promise<readonly RowScorer[]> | readonly RowScorer[];

/**
 * A row scorer that ranks only items of kind `b`: the others are NaN, which top-K skips. It has no `top`
 * shortcut, since the scorer's own knows nothing of kinds.
 */
function restricted(s: RowScorer, kinds: ItemKindIndex, b: number): RowScorer {
  return {
    name: s.name,
    fill(r, out) {
      s.fill(r, out);
      for (let i = 0; i < out.length; i++) if (kinds.of[i] !== b) out[i] = Number.NaN;
    },
  };
}

/** Results of consecutive slices of the examples as one result (rows shifted to index the whole list). */
function mergeSlices(slices: readonly { at: number; results: Record<string, MethodResult> }[]) {
  const out: Record<string, MethodResult> = {};
  const names = [...new Set(slices.flatMap((x) => Object.keys(x.results)))];
  for (const name of names) {
    const parts = slices.flatMap((x) => (x.results[name] ? [{ at: x.at, r: x.results[name] }] : []));
    const perUser: Record<string, Float64Array> = {};
    const metrics: Record<string, number> = {};
    for (const key of Object.keys(parts[0].r.perUser)) {
      perUser[key] = Float64Array.from(parts.flatMap(({ r }) => Array.from(r.perUser[key])));
      metrics[key] = perUser[key].length ? perUser[key].reduce((a, b) => a + b, 0) / perUser[key].length : 0;
    }
    const lists = parts.every(({ r }) => r.lists) ? parts.flatMap(({ r }) => r.lists ?? []) : undefined;
    out[name] = {
      metrics,
      perUser,
      users: parts.reduce((n, { r }) => n + r.users, 0),
      skipped: parts.reduce((n, { r }) => n + r.skipped, 0),
      rows: Int32Array.from(parts.flatMap(({ at, r }) => Array.from(r.rows ?? [], (row) => row + at))),
      ...(lists && { lists }),
    };
  }
  return out;
}

/**
 * An evaluateRows that also evaluates every method per target kind from the same prepared chunks. It walks
 * the examples one batch at a time: the batch's scorers are prepared once (the main pass) and the kind passes
 * re-rank from them, so nothing a chunk computes (model outputs, counts at the cutoff, the oracle's shares)
 * is computed twice and only one batch's matrices are held at a time.
 */
export class KindViews {
  /** target kind → method → result over the examples with a target item of that kind. */
  readonly results: Record<string, Record<string, MethodResult>> = {};

  constructor(readonly kinds: ItemKindIndex) {}

  readonly evaluate = async (
    log: EventLog,
    examples: readonly Example[],
    prepare: Prepare,
    opts: RankOptions,
  ): Promise<Record<string, MethodResult>> => {
    // The ranker's own chunk size, and each slice ranked as exactly one chunk of it.
    const batch = opts.batch ?? chunkRows(opts.nItems, opts.matrices ?? 1);
    const one = { ...opts, batch, label: undefined };
    const bar = opts.label ? createProgress(opts.label, examples.length) : null;
    const main: { at: number; results: Record<string, MethodResult> }[] = [];
    const byKind = this.kinds.names.map(() => [] as typeof main);
    for (let at = 0; at < examples.length; at += batch) {
      const slice = examples.slice(at, at + batch);
      let scorers: readonly RowScorer[] = [];
      const results = await evaluateRows(
        log,
        slice,
        async (chunk) => {
          scorers = await prepare(chunk);
          return scorers;
        },
        one,
      );
      main.push({ at, results });
      for (const b of this.kinds.names.keys()) {
        const views = slice.map((ex) => ({ ...ex, target: ex.target.filter((i) => this.kinds.of[i] === b) }));
        const ranked = () => scorers.map((s) => restricted(s, this.kinds, b));
        byKind[b].push({ at, results: await evaluateRows(log, views, ranked, one) });
      }
      bar?.tick(slice.length);
    }
    bar?.stop();
    this.kinds.names.forEach((name, b) => {
      this.results[name] = mergeSlices(byKind[b]);
    });
    return mergeSlices(main);
  };
}

/** The kind of most of the example's history events (ties to the first kind by name; −1: none has a kind). */
export function historyKind(log: EventLog, ex: Example, kinds: ItemKindIndex): number {
  const n = new Int32Array(kinds.names.length);
  for (let e = log.userOffsets[ex.user]; e < ex.end; e++)
    if (kinds.of[log.item[e]] >= 0) n[kinds.of[log.item[e]]]++;
  let best = -1;
  n.forEach((c, k) => {
    if (c > 0 && (best < 0 || c > n[best])) best = k;
  });
  return best;
}

export interface KindCell {
  history: string;
  target: string;
  users: number;
  /** method → mean [95 % CI] of the metric over the cell's users. */
  methods: Record<string, Interval>;
}

export interface KindReport {
  metric: string;
  /** Target kind → users with a target of that kind → method → mean [CI], candidates of that kind only. */
  perKind: { target: string; users: number; methods: Record<string, Interval> }[];
  /** History kind A → target kind B. */
  cross: KindCell[];
  /**
   * Every history kind → another target kind, pooled: each user's mean over their target kinds other than
   * their history kind, so the bootstrap resamples users; with paired differences of the focus method.
   */
  crossPooled: {
    users: number;
    methods: Record<string, Interval>;
    paired: (PairedResult & { a: string; b: string })[];
  };
}

/** Mean [CI] of every method's metric over the members (indices into each result's per-user arrays). */
function cell(
  results: Record<string, MethodResult>,
  metric: string,
  members: readonly number[],
  boot: BootstrapOptions,
): Record<string, Interval> {
  const series = Object.fromEntries(
    Object.entries(results).map(([m, r]) => [m, Float64Array.from(members, (j) => r.perUser[metric][j])]),
  );
  return bootstrapIntervals(series, boot);
}

/**
 * Per-kind and cross-kind tables of `metric` from KindViews results, with percentile bootstrap CIs over
 * users, and the pooled cross-kind comparison of `focus` against kind-restricted popularity and against the
 * best of `baselines` on the pooled cross-kind users.
 */
export function kindReport(
  views: KindViews,
  log: EventLog,
  examples: readonly Example[],
  o: { metric: string; boot: BootstrapOptions; focus: string; baselines: readonly string[] },
): KindReport {
  const { kinds, results } = views;
  const histKind = examples.map((ex) => historyKind(log, ex, kinds));
  const perKind: KindReport['perKind'] = [];
  const cross: KindCell[] = [];
  // Per user (example index): per method, their values on targets of kinds other than their history's.
  const pooled = new Map<number, Map<string, number[]>>();
  for (const [b, target] of kinds.names.entries()) {
    const res = results[target];
    const rows = Object.values(res)[0]?.rows ?? new Int32Array(0);
    perKind.push({ target, users: rows.length, methods: cell(res, o.metric, [...rows.keys()], o.boot) });
    for (const [a, history] of kinds.names.entries()) {
      const members = [...rows.keys()].filter((j) => histKind[rows[j]] === a);
      cross.push({ history, target, users: members.length, methods: cell(res, o.metric, members, o.boot) });
      if (a === b) continue;
      for (const j of members) {
        const byMethod = pooled.get(rows[j]) ?? new Map<string, number[]>();
        for (const [m, r] of Object.entries(res))
          byMethod.set(m, [...(byMethod.get(m) ?? []), r.perUser[o.metric][j]]);
        pooled.set(rows[j], byMethod);
      }
    }
  }
  const users = [...pooled.keys()].sort((x, y) => x - y);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const series: Record<string, Float64Array> = {};
  for (const m of Object.keys(results[kinds.names[0]] ?? {}))
    series[m] = Float64Array.from(users, (u) => mean(pooled.get(u)?.get(m) ?? [Number.NaN]));
  const meanOf = (m: string) => (series[m]?.length ? mean(Array.from(series[m])) : Number.NEGATIVE_INFINITY);
  const best = o.baselines.reduce<string | undefined>(
    (b, m) => (series[m] && (b === undefined || meanOf(m) > meanOf(b)) ? m : b),
    undefined,
  );
  const rivals = [...new Set(['most_popular', ...(best ? [best] : [])])].filter((b) => series[b]);
  const paired =
    users.length && series[o.focus]
      ? rivals.map((b) => ({
          a: o.focus,
          b,
          ...pairedTest(series[o.focus], series[b], { ...o.boot, randomisation: true }),
        }))
      : [];
  return {
    metric: o.metric,
    perKind,
    cross,
    crossPooled: { users: users.length, methods: bootstrapIntervals(series, o.boot), paired },
  };
}
