import { type PooledNet, parsePooledNet } from './pooled-net.ts';
import { sharesOf } from './shares.ts';

/**
 * Pooled linear forecaster of the next bucket's topic-share vector: one ridge regression fitted on all
 * users' histories at once, applied per user. Per-series models need ≥ 11 points (ARIMA) or fall back to
 * the user's mean, which lags planted drift badly; pooling lets 1–10 point histories borrow a learned
 * mix of level, recent level and local slope from everyone else.
 */

/**
 * Features of a topic's series x_1..x_T, all on the share scale; every T ≥ 1 has all of them (short
 * histories use the points that exist). mean/T and 1/T let the weight on the history mean and the
 * intercept vary with length (Bayesian shrinkage of a mean, T/(T+n₀) ≈ 1 − n₀/T): without them pooled
 * lost to the plain mean on stationary 4–10 point series. `cycle` is the next value of a level plus one
 * sinusoid fitted to the recent points (see cycleNext): no level or slope feature can say that an interest
 * which rose for two buckets is about to fall back. The intercept is last and never penalised.
 */
export const POOLED_FEATURES = [
  'last',
  'mean2',
  'mean4',
  'mean',
  'ses0.3',
  'ses0.6',
  'slope6',
  'mean/T',
  '1/T',
  'cycle',
  'intercept',
] as const;

const F = POOLED_FEATURES.length;
const INTERCEPT = F - 1;
const SLOPE_WINDOW = 6;
const SES_ALPHAS = [0.3, 0.6] as const;

export type PooledPer = 'topic' | 'shared';

/** Plain JSON data: a checkpoint rebuilds the model from its saved config alone (see parsePooledModel). */
export interface PooledModel {
  kind: 'pooled';
  version: 1;
  k: number;
  per: PooledPer;
  ridge: number;
  /** POOLED_FEATURES at fit time; a mismatch on load means the model is from another feature set. */
  features: string[];
  /** k × F coefficients in `features` order. 'shared': the same except the intercept (last column). */
  coef: number[][];
  /**
   * k × F × F: mean outer product of topic k's pooled feature rows, plus the ridge. The shrinkage prior's
   * precision per pseudo-pair (see forecastPooledShrunk).
   */
  gram: number[][][];
  /** Examples fitted on. */
  examples: number;
  /** The nonlinear learner (fitted on the training and validation examples), when the config may use it. */
  net?: PooledNet;
}

/** How the pooled model forecasts: the ridge refitted per user at this strength (null: not), or its network. */
export type PooledVariant = number | null | 'net';

export interface PooledExample {
  /** K series of equal length T ≥ 1: the history. */
  series: readonly (readonly number[])[];
  /** The K observed shares of the next bucket. */
  target: ArrayLike<number>;
}

/** Throws unless seriesByTopic is k non-empty, equal-length, finite series. */
export function validateSeries(seriesByTopic: readonly (readonly number[])[], k: number): void {
  if (seriesByTopic.length !== k) {
    throw new Error(`pooled forecast: expected ${k} topic series, got ${seriesByTopic.length}`);
  }
  const T = seriesByTopic[0]?.length ?? 0;
  if (T === 0) throw new Error('pooled forecast: topic series are empty');
  seriesByTopic.forEach((s, c) => {
    if (s.length !== T)
      throw new Error(`pooled forecast: topic ${c} has ${s.length} points, topic 0 has ${T}`);
    const bad = s.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`pooled forecast: topic ${c} point ${bad} is ${s[bad]}, not finite`);
  });
}

/**
 * Feature rows of the prefixes x_1..x_t for t = first+1..T, in one pass: row t−1 forecasts x_{t+1}. The
 * last row is the forecast's; the others are the one-step pairs the per-user shrinkage fits on. Rows
 * before `first` are skipped (their running sums are still kept), so the last row alone costs O(T).
 * `cycle(t)` is the cycle feature at t, fitted jointly over the user's topics (see prefixRows).
 */
function prefixFeatures(x: readonly number[], first: number, cycle: (t: number) => number): Float64Array[] {
  const rows: Float64Array[] = [];
  const ses = SES_ALPHAS.map(() => x[0]);
  let sum = 0;
  for (let t = 0; t < x.length; t++) {
    sum += x[t];
    for (let i = 0; t > 0 && i < SES_ALPHAS.length; i++) ses[i] += SES_ALPHAS[i] * (x[t] - ses[i]);
    if (t < first) continue;
    rows.push(
      Float64Array.of(
        x[t],
        tailMean(x, t, 2),
        tailMean(x, t, 4),
        sum / (t + 1),
        ses[0],
        ses[1],
        tailSlope(x, t),
        sum / (t + 1) ** 2,
        1 / (t + 1),
        cycle(t),
        1,
      ),
    );
  }
  return rows;
}

/** The cycle feature fits at most this many recent points (bounds its cost) and needs at least CYCLE_MIN. */
const CYCLE_WINDOW = 24;
const CYCLE_MIN = 5;
/** Angular frequencies tried, from a period of 1.5 windows down to 2 buckets (the Nyquist limit). */
const CYCLE_GRID = 30;
/** Ridge on the sinusoid's two coefficients, so a near-flat series keeps its level. */
const CYCLE_RIDGE = 0.05;

/**
 * One grid frequency over a window of n points: cos and sin of ω·i (i = 0..n, the last one the forecast step)
 * and the Cholesky factor of the ridged Gram matrix of [1, cos, sin], which does not depend on the series:
 * factored once per window length instead of once per fit.
 */
interface CycleWave {
  cos: Float64Array;
  sin: Float64Array;
  chol: Float64Array;
}

const cycleTables = new Map<number, CycleWave[]>();

function cycleTable(n: number): CycleWave[] {
  let table = cycleTables.get(n);
  if (!table) {
    const low = (2 * Math.PI) / (1.5 * n);
    table = Array.from({ length: CYCLE_GRID }, (_, g) => {
      const w = low + (g / (CYCLE_GRID - 1)) * (Math.PI - low);
      const cos = Float64Array.from({ length: n + 1 }, (_, i) => Math.cos(w * i));
      const sin = Float64Array.from({ length: n + 1 }, (_, i) => Math.sin(w * i));
      return { cos, sin, chol: cholesky(cycleGram(cos, sin, n), 3) };
    });
    cycleTables.set(n, table);
  }
  return table;
}

/** [1, cos, sin]ᵀ[1, cos, sin] over the first n points, the ridge on the sinusoid's two coefficients. */
function cycleGram(cos: Float64Array, sin: Float64Array, n: number): number[] {
  let c1 = 0;
  let s1 = 0;
  let cc = 0;
  let ss = 0;
  let cs = 0;
  for (let i = 0; i < n; i++) {
    c1 += cos[i];
    s1 += sin[i];
    cc += cos[i] * cos[i];
    ss += sin[i] * sin[i];
    cs += cos[i] * sin[i];
  }
  return [n, c1, s1, c1, cc + CYCLE_RIDGE, cs, s1, cs, ss + CYCLE_RIDGE];
}

/**
 * One-step forecasts of each series' x_{t+1} from level + a·cos ωi + b·sin ωi fitted by least squares to
 * its last min(CYCLE_WINDOW, t+1) points; ω is one grid frequency for all the series, the one with the
 * smallest residual sum of squares summed over them: a user's topics swing together (what one loses the
 * other gains), and one noisy 10-event series alone picks ω badly. The window means when there are fewer
 * than CYCLE_MIN points.
 */
export function cycleNext(seriesByTopic: readonly (readonly number[])[], t: number): number[] {
  const n = Math.min(CYCLE_WINDOW, t + 1);
  const means = seriesByTopic.map((x) => tailMean(x, t, n));
  if (n < CYCLE_MIN) return means;
  let best = Number.POSITIVE_INFINITY;
  let out = means;
  for (const table of cycleTable(n)) {
    const fits = seriesByTopic.map((x) => cycleFit(x, t + 1 - n, n, table));
    const rss = fits.reduce((sum, f) => sum + f.rss, 0);
    if (rss < best) {
      best = rss;
      out = fits.map((f) => f.next);
    }
  }
  return out;
}

/** Level + sinusoid at one grid frequency fitted to x[from .. from+n): residual sum of squares, next value. */
function cycleFit(
  x: readonly number[],
  from: number,
  n: number,
  { cos, sin, chol }: CycleWave,
): { rss: number; next: number } {
  let y1 = 0;
  let yc = 0;
  let ys = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    const y = x[from + i];
    y1 += y;
    yc += y * cos[i];
    ys += y * sin[i];
    yy += y * y;
  }
  const rhs = [y1, yc, ys];
  const beta = cholSolve(chol, rhs);
  // yᵀy − 2βᵀXᵀy + βᵀXᵀXβ, where the normal equations make βᵀXᵀXβ = βᵀXᵀy − ridge·(a² + b²).
  const fit = beta[0] * rhs[0] + beta[1] * rhs[1] + beta[2] * rhs[2];
  return {
    rss: yy - fit - CYCLE_RIDGE * (beta[1] ** 2 + beta[2] ** 2),
    next: beta[0] + beta[1] * cos[n] + beta[2] * sin[n],
  };
}

/** prefixFeatures of every topic's series, their cycle features fitted jointly (see cycleNext): [topic][row]. */
export function prefixRows(seriesByTopic: readonly (readonly number[])[], first = 0): Float64Array[][] {
  const T = seriesByTopic[0].length;
  const cycles = Array.from({ length: T - first }, (_, j) => cycleNext(seriesByTopic, first + j));
  return seriesByTopic.map((x, c) => prefixFeatures(x, first, (t) => cycles[t - first][c]));
}

/** Mean of the last min(m, t+1) points up to index t. */
function tailMean(x: readonly number[], t: number, m: number): number {
  const from = Math.max(0, t - m + 1);
  let s = 0;
  for (let i = from; i <= t; i++) s += x[i];
  return s / (t - from + 1);
}

/** Least-squares slope per step over the last min(SLOPE_WINDOW, t+1) points up to index t; 0 for one point. */
function tailSlope(x: readonly number[], t: number): number {
  const from = Math.max(0, t - SLOPE_WINDOW + 1);
  const m = t - from + 1;
  if (m < 2) return 0;
  const mid = (m - 1) / 2;
  const ybar = tailMean(x, t, m);
  let num = 0;
  let den = 0;
  for (let i = 0; i < m; i++) {
    num += (i - mid) * (x[from + i] - ybar);
    den += (i - mid) ** 2;
  }
  return num / den;
}

/** Each topic's feature row of the whole history (the forecast's row). */
const lastRows = (seriesByTopic: readonly (readonly number[])[]) =>
  prefixRows(seriesByTopic, seriesByTopic[0].length - 1).map((rows) => rows[0]);

/** Accumulates the normal equations Σ w wᵀ and Σ w y of a least-squares problem with `dim` unknowns. */
class Normal {
  readonly a: Float64Array;
  readonly b: Float64Array;
  rows = 0;

  constructor(readonly dim: number) {
    this.a = new Float64Array(dim * dim);
    this.b = new Float64Array(dim);
  }

  /** Adds a row: w[i] for i < w.length, plus a 1 in column `extra` (the shared model's topic intercept). */
  add(w: ArrayLike<number>, y: number, extra = -1): void {
    const { a, b, dim } = this;
    const n = w.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * dim + j] += w[i] * w[j];
      b[i] += w[i] * y;
    }
    if (extra >= 0) {
      for (let i = 0; i < n; i++) {
        a[i * dim + extra] += w[i];
        a[extra * dim + i] += w[i];
      }
      a[extra * dim + extra] += 1;
      b[extra] += y;
    }
    this.rows++;
  }
}

/**
 * Solves A x = b for symmetric positive definite A (n × n, row-major) by Cholesky; throws when A is not
 * numerically positive definite.
 */
export function solveSpd(A: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return cholSolve(cholesky(A, b.length), b);
}

/** Lower Cholesky factor L (n × n, row-major) of A = L Lᵀ; throws when A is not numerically positive definite. */
function cholesky(A: ArrayLike<number>, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    if (!(d > 1e-14 * Math.max(1, Math.abs(A[j * n + j])))) {
      throw new Error(`solveSpd: matrix is not positive definite (pivot ${j} is ${d})`);
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}

/** x with L Lᵀ x = b, by forward then back substitution. */
function cholSolve(L: Float64Array, b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= L[i * n + k] * x[k];
    x[i] /= L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= L[k * n + i] * x[k];
    x[i] /= L[i * n + i];
  }
  return x;
}

/**
 * Scales the equations to per-row means, then adds ridge × (the mean of the penalised diagonal entries) to
 * those entries: relative to the features' mean square, so one ridge suits any K (shares ~1/K) and data size.
 */
function ridged(eq: Normal, ridge: number, penalised: (i: number) => boolean): Normal {
  const { a, b, dim } = eq;
  const inv = 1 / eq.rows;
  for (let i = 0; i < a.length; i++) a[i] *= inv;
  for (let i = 0; i < b.length; i++) b[i] *= inv;
  const idx = Array.from({ length: dim }, (_, i) => i).filter(penalised);
  const scale = idx.reduce((s, i) => s + a[i * dim + i], 0) / idx.length;
  for (const i of idx) a[i * dim + i] += ridge * (scale > 0 ? scale : 1);
  return eq;
}

function validateExamples(examples: readonly PooledExample[]): number {
  if (examples.length === 0) throw new Error('fitPooled: no examples');
  const k = examples[0].series.length;
  examples.forEach((ex, e) => {
    try {
      validateSeries(ex.series, k);
    } catch (err) {
      throw new Error(`fitPooled: example ${e}: ${(err as Error).message}`);
    }
    if (ex.target.length !== k)
      throw new Error(`fitPooled: example ${e} target has ${ex.target.length} values, not ${k}`);
    for (let c = 0; c < k; c++) {
      if (!Number.isFinite(ex.target[c]))
        throw new Error(`fitPooled: example ${e} target ${c} is ${ex.target[c]}`);
    }
  });
  return k;
}

/**
 * Ridge least squares of each next share on its topic's features, over all examples: mean squared error
 * per row + ridge · (the features' mean square) · Σβ², intercepts free (see ridged). ridge must be > 0:
 * with T = 1 rows every level feature equals x_1 and the plain normal equations are singular.
 * 'topic': one coefficient vector per topic. 'shared': one vector for all topics plus a per-topic intercept.
 */
export function fitPooled(
  examples: readonly PooledExample[],
  opts: { ridge: number; per: PooledPer },
): PooledModel {
  const { ridge, per } = opts;
  if (!(ridge > 0 && Number.isFinite(ridge))) throw new Error(`fitPooled: ridge must be > 0, got ${ridge}`);
  if (per !== 'topic' && per !== 'shared') {
    throw new Error(`fitPooled: per must be 'topic' or 'shared', got ${JSON.stringify(per)}`);
  }
  const k = validateExamples(examples);
  const rows = examples.map((ex) => lastRows(ex.series));
  const perTopic = Array.from({ length: k }, (_, c) => {
    const eq = new Normal(F);
    rows.forEach((byTopic, e) => {
      eq.add(byTopic[c], examples[e].target[c]);
    });
    return ridged(eq, ridge, (i) => i !== INTERCEPT);
  });
  const coef =
    per === 'topic'
      ? perTopic.map((eq) => Array.from(solveSpd(eq.a, eq.b)))
      : fitShared(rows, examples, k, ridge);
  return {
    kind: 'pooled',
    version: 1,
    k,
    per,
    ridge,
    features: [...POOLED_FEATURES],
    coef,
    gram: perTopic.map((eq) => matrix(eq.a)),
    examples: examples.length,
  };
}

/** Unknowns: the F − 1 shared slopes, then one intercept per topic. */
function fitShared(rows: Float64Array[][], examples: readonly PooledExample[], k: number, ridge: number) {
  const eq = new Normal(INTERCEPT + k);
  rows.forEach((byTopic, e) => {
    byTopic.forEach((w, c) => {
      eq.add(w.subarray(0, INTERCEPT), examples[e].target[c], INTERCEPT + c);
    });
  });
  const { a, b } = ridged(eq, ridge, (i) => i < INTERCEPT);
  const beta = solveSpd(a, b);
  const shared = Array.from(beta.subarray(0, INTERCEPT));
  return Array.from({ length: k }, (_, c) => [...shared, beta[INTERCEPT + c]]);
}

function matrix(a: Float64Array): number[][] {
  return Array.from({ length: F }, (_, i) => Array.from(a.subarray(i * F, (i + 1) * F)));
}

const dotRow = (w: ArrayLike<number>, beta: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < F; i++) s += w[i] * beta[i];
  return s;
};

/** The next bucket's K shares of one user's history (K equal-length series, T ≥ 1). */
export function forecastPooled(model: PooledModel, seriesByTopic: readonly (readonly number[])[]): number[] {
  validateSeries(seriesByTopic, model.k);
  return sharesOf(
    lastRows(seriesByTopic).map((row, c) => dotRow(row, model.coef[c])),
    seriesByTopic,
    'pooled forecast',
  );
}

/**
 * forecastPooled with each topic's coefficients refitted on the user's own one-step pairs (prefix x_1..x_t →
 * x_{t+1}, t = 1..T−1) under a Gaussian prior centred on the pooled coefficients:
 *   β = argmin Σ_t (x_{t+1} − f_t·β)² + strength · (β − β_pool)ᵀ G (β − β_pool),
 * G = the pooled mean outer product of feature rows + ridge (PooledModel.gram). So the prior weighs like
 * `strength` pseudo-pairs drawn from the pooled population whose targets are the pooled forecast: a user
 * with T − 1 ≪ strength pairs gets ≈ the pooled forecast (exactly, for T = 1 or strength = ∞), one with
 * T − 1 ≫ strength ≈ their own least-squares fit. Only the last SHRINK_PAIRS pairs count: recent
 * behaviour, and a cost that does not grow with the length of a history.
 */
export function forecastPooledShrunk(
  model: PooledModel,
  seriesByTopic: readonly (readonly number[])[],
  opts: { strength: number },
): number[] {
  if (!(opts.strength > 0))
    throw new Error(`forecastPooledShrunk: strength must be > 0, got ${opts.strength}`);
  return forecastPooledPrefixes(model, seriesByTopic, [seriesByTopic[0]?.length ?? 0], opts.strength)[0];
}

const SHRINK_PAIRS = 48;

/**
 * The forecasts of the prefixes x_1..x_n (n in `lengths`) of one history: forecastPooled for strength null,
 * forecastPooledShrunk otherwise, the same numbers as one call per prefix. The refit's feature rows are
 * computed once (row t depends on x_1..x_{t+1} only) and its normal equations grow from one prefix to the
 * next: what a user's forecast and its backtests (topic-gate.ts) cost together is one history's rows.
 */
export function forecastPooledPrefixes(
  model: PooledModel,
  seriesByTopic: readonly (readonly number[])[],
  lengths: readonly number[],
  strength: number | null,
): number[][] {
  validateSeries(seriesByTopic, model.k);
  const T = seriesByTopic[0].length;
  for (const n of lengths) {
    if (!(Number.isInteger(n) && n >= 1 && n <= T))
      throw new Error(`pooled forecast: prefix length ${n} is not in 1..${T}`);
  }
  if (strength !== null && !(strength > 0))
    throw new Error(`pooled forecast: strength must be > 0, got ${strength}`);
  const prefix = (n: number) => (n === T ? seriesByTopic : seriesByTopic.map((s) => s.slice(0, n)));
  // No pairs of its own (n = 1), no refit or an infinitely strong prior: the pooled coefficients, exactly.
  const plain = (n: number) => strength === null || strength === Number.POSITIVE_INFINITY || n === 1;
  const out: number[][] = lengths.map((n) => (plain(n) ? forecastPooled(model, prefix(n)) : []));
  const refit = lengths.map((n, e) => ({ n, e })).filter(({ n }) => !plain(n));
  if (refit.length === 0) return out;
  refit.sort((a, b) => a.n - b.n);
  const firstOf = (n: number) => Math.max(0, n - 1 - SHRINK_PAIRS);
  const first = firstOf(refit[0].n);
  const rows = prefixRows(prefix(refit[refit.length - 1].n), first);
  const pairs = seriesByTopic.map(() => new PairEquations());
  for (const { n, e } of refit) {
    const raw = seriesByTopic.map((x, c) => {
      const beta = pairs[c]
        .upTo(rows[c], x, first, firstOf(n), n)
        .withPrior(model.coef[c], model.gram[c], strength as number);
      return dotRow(rows[c][n - 1 - first], beta);
    });
    out[e] = sharesOf(raw, prefix(n), 'pooled forecast');
  }
  return out;
}

/**
 * The normal equations of one topic's one-step pairs rows[t] → x[t+1] for t in [from, n − 1), grown pair by
 * pair as n increases; restarted (from zero, in the same order) when `from` moves.
 */
class PairEquations {
  private eq = new Normal(F);
  private from = -1;
  private next = 0;

  /** rows[t − first] is the row at t. */
  upTo(rows: readonly Float64Array[], x: readonly number[], first: number, from: number, n: number): this {
    if (from !== this.from) {
      this.eq = new Normal(F);
      this.from = from;
      this.next = from;
    }
    for (; this.next + 1 < n; this.next++) this.eq.add(rows[this.next - first], x[this.next + 1]);
    return this;
  }

  /** Posterior mean (Σ f fᵀ + s·G)⁻¹ (Σ f y + s·G β₀) of the pairs so far. */
  withPrior(prior: readonly number[], gram: readonly (readonly number[])[], strength: number): Float64Array {
    const a = Float64Array.from(this.eq.a);
    const b = Float64Array.from(this.eq.b);
    for (let i = 0; i < F; i++) {
      for (let j = 0; j < F; j++) {
        a[i * F + j] += strength * gram[i][j];
        b[i] += strength * gram[i][j] * prior[j];
      }
    }
    return solveSpd(a, b);
  }
}

/** Checks a saved PooledModel (e.g. parsed JSON) and returns it typed; throws on any shape mismatch. */
export function parsePooledModel(data: unknown): PooledModel {
  const m = data as PooledModel;
  const fail = (what: string): never => {
    throw new Error(`pooled model: ${what}`);
  };
  if (m?.kind !== 'pooled') fail(`kind must be 'pooled', got ${JSON.stringify(m?.kind)}`);
  if (m.version !== 1) fail(`unsupported version ${JSON.stringify(m.version)}`);
  if (m.per !== 'topic' && m.per !== 'shared') fail(`per must be 'topic' or 'shared'`);
  if (JSON.stringify(m.features) !== JSON.stringify(POOLED_FEATURES)) {
    fail(
      `features ${JSON.stringify(m.features)} differ from this build's ${JSON.stringify(POOLED_FEATURES)}`,
    );
  }
  if (!Number.isInteger(m.k) || m.k < 1) fail(`k must be a positive integer, got ${m.k}`);
  const finiteRow = (r: unknown) => Array.isArray(r) && r.length === F && r.every(Number.isFinite);
  if (!Array.isArray(m.coef) || m.coef.length !== m.k || !m.coef.every(finiteRow))
    fail(`coef must be ${m.k} × ${F} finite numbers`);
  if (
    !Array.isArray(m.gram) ||
    m.gram.length !== m.k ||
    !m.gram.every((g) => Array.isArray(g) && g.length === F && g.every(finiteRow))
  ) {
    fail(`gram must be ${m.k} × ${F} × ${F} finite numbers`);
  }
  if (m.net !== undefined) parsePooledNet(m.net);
  return m;
}
