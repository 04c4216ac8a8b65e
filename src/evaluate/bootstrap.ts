import { mulberry32 } from '../util/random.ts';

/**
 * Uncertainty over users: percentile bootstrap CIs of per-user means and paired comparisons of two
 * methods on the same users. Every draw comes from a seeded PRNG, so reports are reproducible.
 */
export interface BootstrapOptions {
  /** Resamples (B). */
  samples?: number;
  seed?: number;
  /** Confidence level of the interval. */
  level?: number;
}

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

export interface PairedResult {
  /** Users compared (both methods evaluated on the same users, in the same order). */
  n: number;
  /** Mean of a − b and its percentile bootstrap interval. */
  diff: number;
  lo: number;
  hi: number;
  /** Two-sided bootstrap p-value of "mean difference = 0". */
  p: number;
  /**
   * mean(a) / mean(b) and its percentile bootstrap interval from the same resamples (NaN when mean(b) is
   * 0): how many times b the method is, the form targets such as "1.1 × the best baseline" take.
   */
  ratio: number;
  ratioLo: number;
  ratioHi: number;
  /** Two-sided paired randomisation (sign-flip) p-value, when asked for. */
  pRandomisation?: number;
}

function resolve(opts: BootstrapOptions) {
  const samples = opts.samples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new Error(`bootstrap: samples must be a positive integer, got ${samples}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level must be in (0, 1), got ${level}`);
  return { samples, level, seed: opts.seed ?? 0 };
}

/** Linear-interpolated quantile (type 7) of ascending-sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : Number.NaN;
}

/**
 * Bootstrap means of several per-user series at once. Each resample draws one set of users and applies it
 * to every series, so intervals of different metrics (and methods) come from the same resamples.
 */
function resampledMeans(series: readonly ArrayLike<number>[], n: number, samples: number, seed: number) {
  const rand = mulberry32(seed);
  const out = series.map(() => new Float64Array(samples));
  const pick = new Int32Array(n);
  for (let b = 0; b < samples; b++) {
    for (let i = 0; i < n; i++) pick[i] = Math.floor(rand() * n);
    series.forEach((v, s) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += v[pick[i]];
      out[s][b] = sum / n;
    });
  }
  return out;
}

function lengthOf(series: readonly ArrayLike<number>[], what: string): number {
  const n = series[0]?.length ?? 0;
  for (const v of series)
    if (v.length !== n) throw new Error(`bootstrap: ${what} have different lengths (${v.length} vs ${n})`);
  return n;
}

/** Percentile bootstrap interval of the mean of every per-user series (e.g. MethodResult.perUser). */
export function bootstrapIntervals(
  perUser: Record<string, ArrayLike<number>>,
  opts: BootstrapOptions = {},
): Record<string, Interval> {
  const { samples, level, seed } = resolve(opts);
  const keys = Object.keys(perUser);
  const series = keys.map((k) => perUser[k]);
  const n = lengthOf(series, 'per-user series');
  if (n === 0)
    return Object.fromEntries(keys.map((k) => [k, { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN }]));
  const means = resampledMeans(series, n, samples, seed);
  const tail = (1 - level) / 2;
  return Object.fromEntries(
    keys.map((k, s) => {
      const sorted = means[s].sort();
      return [
        k,
        { mean: mean(series[s]), lo: quantileSorted(sorted, tail), hi: quantileSorted(sorted, 1 - tail) },
      ];
    }),
  );
}

/** Interval of one series' mean. */
export function bootstrapInterval(values: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  return bootstrapIntervals({ v: values }, opts).v;
}

/**
 * Paired comparison of two methods on the same users: d_u = a_u − b_u. The interval is the percentile
 * bootstrap of mean(d); the p-value counts resampled means at least as far from mean(d) as mean(d) is from
 * 0 (the bootstrap distribution shifted to the null), with the +1 correction so p is never 0. The optional
 * randomisation test flips the sign of each d_u at random (exchangeable under "no difference").
 */
export function pairedTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  opts: BootstrapOptions & { randomisation?: boolean } = {},
): PairedResult {
  const { samples, level, seed } = resolve(opts);
  const n = lengthOf([a, b], 'paired series');
  if (n === 0) throw new Error('bootstrap: paired test needs at least one user');
  const d = Float64Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const observed = mean(d);
  // One set of draws for all three series (the picks do not depend on how many series share them).
  const [boot, bootA, bootB] = resampledMeans([d, a, b], n, samples, seed);
  let extreme = 0;
  for (const m of boot) if (Math.abs(m - observed) >= Math.abs(observed) - 1e-12) extreme++;
  boot.sort();
  const ratios = bootA.map((x, i) => x / bootB[i]).sort();
  const tail = (1 - level) / 2;
  const result: PairedResult = {
    n,
    diff: observed,
    lo: quantileSorted(boot, tail),
    hi: quantileSorted(boot, 1 - tail),
    p: Math.min(1, (extreme + 1) / (samples + 1)),
    ...ratioOf(mean(a), mean(b), ratios, tail),
  };
  if (opts.randomisation) result.pRandomisation = signFlipP(d, observed, samples, seed + 1);
  return result;
}

/** The ratio and its interval; NaN throughout when b's mean is 0 (a resample's 0 would give ±∞ or NaN). */
function ratioOf(a: number, b: number, sorted: Float64Array, tail: number) {
  if (b === 0 || sorted.some((r) => !Number.isFinite(r)))
    return { ratio: Number.NaN, ratioLo: Number.NaN, ratioHi: Number.NaN };
  return { ratio: a / b, ratioLo: quantileSorted(sorted, tail), ratioHi: quantileSorted(sorted, 1 - tail) };
}

function signFlipP(d: Float64Array, observed: number, samples: number, seed: number): number {
  const rand = mulberry32(seed);
  let extreme = 0;
  for (let b = 0; b < samples; b++) {
    let s = 0;
    for (const x of d) s += rand() < 0.5 ? -x : x;
    if (Math.abs(s / d.length) >= Math.abs(observed) - 1e-12) extreme++;
  }
  return Math.min(1, (extreme + 1) / (samples + 1));
}
