/**
 * Accuracy by history length in buckets (0, 1–2, 3–5, 6+), so cold-start quality is visible beside the
 * whole-population means. A split gives a test example only to users with split.min_history_buckets
 * buckets, so the 0 row stays empty there: users with no events are served from free text (`interests`).
 */
import type { Example } from '../data/split.ts';
import { type BootstrapOptions, bootstrapIntervals, type Interval } from './bootstrap.ts';
import type { MethodResult } from './rank.ts';

export const HISTORY_BINS = [
  { name: '0', lo: 0, hi: 0 },
  { name: '1–2', lo: 1, hi: 2 },
  { name: '3–5', lo: 3, hi: 5 },
  { name: '6+', lo: 6, hi: Number.POSITIVE_INFINITY },
] as const;

export interface HistoryLengthRow {
  buckets: (typeof HISTORY_BINS)[number]['name'];
  users: number;
  /** method → mean [95 % CI] of the metric over the bin's users. */
  methods: Record<string, Interval>;
}

/** Mean [CI] of `metric` for every method over the test users of each history-length bin. */
export function byHistoryLength(
  methods: Record<string, MethodResult>,
  examples: readonly Example[],
  bucketsOf: (ex: Example) => number,
  metric: string,
  boot: BootstrapOptions,
): HistoryLengthRow[] {
  const rows = Object.values(methods)[0]?.rows ?? new Int32Array(0);
  const n = Array.from(rows, (r) => bucketsOf(examples[r]));
  return HISTORY_BINS.map((bin) => {
    const members = [...n.keys()].filter((j) => n[j] >= bin.lo && n[j] <= bin.hi);
    const series = Object.fromEntries(
      Object.entries(methods)
        .filter(([, r]) => r.rows?.length === rows.length)
        .map(([m, r]) => [m, Float64Array.from(members, (j) => r.perUser[metric][j])]),
    );
    return { buckets: bin.name, users: members.length, methods: bootstrapIntervals(series, boot) };
  });
}
