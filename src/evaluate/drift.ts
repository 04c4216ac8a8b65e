import { jsDivergence } from './forecast-error.ts';

/**
 * How much users' topic shares move between buckets, and the pure pieces of the report's interest-evolution
 * section: Jensen–Shannon divergences (base 2, in [0, 1]) between share vectors, their quantiles and
 * histogram, which sample users to show, and a user's shares folded to their top few topics plus "other".
 */

/** Topic series as FeatureStore.topicSeries returns them (k × buckets) → bucket rows (buckets × k). */
export function bucketRows(series: readonly (readonly number[])[]): number[][] {
  const buckets = series[0]?.length ?? 0;
  return Array.from({ length: buckets }, (_, t) => series.map((s) => s[t]));
}

/** JSD between each bucket's shares and the next one's (buckets − 1 values). */
export function consecutiveJsd(rows: readonly ArrayLike<number>[]): number[] {
  return rows.slice(1).map((r, t) => jsDivergence(rows[t], r));
}

export const QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

export interface Quantiles {
  n: number;
  mean: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

/** Linear-interpolation quantiles (type 7, as R and numpy) and the mean; NaN for no values. */
export function quantiles(values: ArrayLike<number>): Quantiles {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const q = (p: number) => {
    if (n === 0) return Number.NaN;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * ((s[Math.min(lo + 1, n - 1)] ?? s[lo]) - s[lo]);
  };
  const [p10, p25, p50, p75, p90] = QUANTILES.map(q);
  return { n, mean: n ? s.reduce((a, x) => a + x, 0) / n : Number.NaN, p10, p25, p50, p75, p90 };
}

/** Counts in `bins` equal bins over [0, max] (values above max go to the last bin). */
export function histogram(
  values: ArrayLike<number>,
  bins: number,
  max: number,
): { lo: number; hi: number; count: number }[] {
  const width = max / bins;
  const out = Array.from({ length: bins }, (_, b) => ({ lo: b * width, hi: (b + 1) * width, count: 0 }));
  for (const v of Array.from(values)) out[Math.max(0, Math.min(bins - 1, Math.floor(v / width)))].count++;
  return out;
}

/** Why a sample user is shown. */
export type SampleReason = 'median' | 'helped most' | 'hurt most' | 'largest forecast change';

/**
 * The sample users, as positions into the evaluated users: the median of `delta` (the paired per-user
 * difference blend − blend_no_forecast), the largest and the smallest delta, and the largest `change`
 * (JSD between the forecast and the last history bucket). Ties go to the earlier position; a user
 * already shown is skipped for the next one in that criterion's order, so up to four distinct users.
 */
export function chooseSampleUsers(
  delta: ArrayLike<number>,
  change: ArrayLike<number>,
): { index: number; reason: SampleReason }[] {
  const idx = Array.from({ length: delta.length }, (_, i) => i);
  const by = (v: ArrayLike<number>, dir: 1 | -1) => [...idx].sort((a, b) => dir * (v[a] - v[b]) || a - b);
  const ascending = by(delta, 1);
  const mid = Math.floor((ascending.length - 1) / 2);
  // The median first, then outwards from it (below, above, …): the nearest users to the median.
  const fromMedian = ascending.length
    ? [
        mid,
        ...Array.from({ length: ascending.length }, (_, j) => (j % 2 ? mid + (j + 1) / 2 : mid - j / 2 - 1)),
      ]
        .filter((p) => p >= 0 && p < ascending.length)
        .map((p) => ascending[p])
    : [];
  const orders: [SampleReason, number[]][] = [
    ['median', fromMedian],
    ['helped most', by(delta, -1)],
    ['hurt most', ascending],
    ['largest forecast change', by(change, -1)],
  ];
  const used = new Set<number>();
  const out: { index: number; reason: SampleReason }[] = [];
  for (const [reason, order] of orders) {
    const index = order.find((i) => !used.has(i));
    if (index === undefined) continue;
    used.add(index);
    out.push({ index, reason });
  }
  return out;
}

/** The `n` topics with the most mass over a user's history buckets (ties: lower topic index). */
export function topTopics(rows: readonly ArrayLike<number>[], n: number): number[] {
  const k = rows[0]?.length ?? 0;
  const mass = Array.from({ length: k }, (_, c) => rows.reduce((a, r) => a + r[c], 0));
  return mass
    .map((m, c) => [m, c] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, c]) => c);
}

/**
 * Shares folded to the `keep` topics plus one "other" (the rest summed; left out when keep covers every
 * topic), renormalised to sum to 1 (forecasts need not sum exactly to 1; all zeros stay zeros).
 */
export function foldShares(shares: ArrayLike<number>, keep: readonly number[]): number[] {
  const kept = keep.map((c) => Math.max(0, shares[c]));
  const keepSet = new Set(keep);
  let other = 0;
  for (let c = 0; c < shares.length; c++) if (!keepSet.has(c)) other += Math.max(0, shares[c]);
  const out = keep.length < shares.length ? [...kept, other] : kept;
  const total = out.reduce((a, x) => a + x, 0);
  return total > 0 ? out.map((x) => x / total) : out;
}
