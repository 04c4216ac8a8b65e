import { describe, expect, it } from 'vitest';
import {
  cycleNext,
  fitPooled,
  forecastPooled,
  forecastPooledPrefixes,
  forecastPooledShrunk,
  type PooledExample,
  type PooledModel,
  parsePooledModel,
  prefixRows,
  solveSpd,
  validateSeries,
} from '../../src/forecast/pooled.ts';
import { meanLevel, naiveLevel } from '../../src/forecast/simple.ts';
import { mulberry32 } from '../../src/util/random.ts';

interface User {
  /** K series of T observed shares. */
  history: number[][];
  /** Observed shares of bucket T + 1 (a training target). */
  next: number[];
  /** True shares of bucket T + 1 (what forecasts are scored against). */
  truth: number[];
}

const K = 6;
const EVENTS = 10;

/** Observed shares of `n` events drawn from `p`. */
function multinomial(rand: () => number, p: readonly number[], n: number): number[] {
  const counts = new Array<number>(p.length).fill(0);
  for (let e = 0; e < n; e++) {
    let r = rand();
    let c = 0;
    while (c < p.length - 1 && r >= p[c]) r -= p[c++];
    counts[c]++;
  }
  return counts.map((x) => x / n);
}

/**
 * Users with 4–10 buckets of ~EVENTS events each. 'trend': shares move linearly from topic a toward b
 * (weight w0 ∈ [0, 0.3] at the first bucket, w1 ∈ [0.7, 1] at the next one); 'flat': fixed random shares;
 * 'cycle' (10–16 buckets): the weight of b swings as (1 − cos(2πt/P + φ))/2, period P ∈ [3, 7) buckets.
 */
function users(seed: number, count: number, kind: 'trend' | 'flat' | 'cycle'): User[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const T = kind === 'cycle' ? 10 + Math.floor(rand() * 7) : 4 + Math.floor(rand() * 7);
    const period = 3 + 4 * rand();
    const phase = 2 * Math.PI * rand();
    const a = Math.floor(rand() * K);
    const b = (a + 1 + Math.floor(rand() * (K - 1))) % K;
    const w0 = 0.3 * rand();
    const w1 = 0.7 + 0.3 * rand();
    const raw = Array.from({ length: K }, () => rand() ** 3);
    const total = raw.reduce((s, x) => s + x, 0);
    const truthAt = (t: number) => {
      if (kind === 'flat') return raw.map((x) => x / total);
      const w =
        kind === 'cycle' ? (1 - Math.cos((2 * Math.PI * t) / period + phase)) / 2 : w0 + ((w1 - w0) * t) / T;
      const s = new Array<number>(K).fill(0.1 / K);
      s[a] += 0.9 * (1 - w);
      s[b] += 0.9 * w;
      return s;
    };
    const buckets = Array.from({ length: T }, (_, t) => multinomial(rand, truthAt(t), EVENTS));
    const truth = truthAt(T);
    return {
      history: Array.from({ length: K }, (_, c) => buckets.map((x) => x[c])),
      next: multinomial(rand, truth, EVENTS),
      truth,
    };
  });
}

/** Every prefix of every user's history → the next observed bucket. */
function prefixExamples(us: readonly User[]): PooledExample[] {
  return us.flatMap((u) =>
    u.history[0].map((_, t) => ({
      series: u.history.map((s) => s.slice(0, t + 1)),
      target: t + 1 < u.history[0].length ? u.history.map((s) => s[t + 1]) : u.next,
    })),
  );
}

/** A per-series level renormalised to shares. */
const perSeries = (level: (s: readonly number[]) => number) => (h: readonly (readonly number[])[]) => {
  const v = h.map(level);
  const total = v.reduce((s, x) => s + x, 0);
  return v.map((x) => x / total);
};

/** Per-user mean absolute share error against the truth. */
function errors(us: readonly User[], f: (h: number[][]) => number[]): number[] {
  return us.map((u) => f(u.history).reduce((s, x, c) => s + Math.abs(x - u.truth[c]), 0) / K);
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Mean of the paired differences a − b plus 3 standard errors: < 0 means a is clearly better. */
function upperDiff(a: readonly number[], b: readonly number[]): number {
  const d = a.map((x, i) => x - b[i]);
  const m = mean(d);
  const se = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1) / d.length);
  return m + 3 * se;
}

const trendTrain = users(1, 600, 'trend');
const trendTest = users(2, 600, 'trend');
const trendModel = fitPooled(prefixExamples(trendTrain), { ridge: 0.003, per: 'shared' });

describe('pooled forecaster', () => {
  it('computes the documented features by hand on a short series', () => {
    // [0.1, 0.3, 0.2]: ses0.3 0.1 → 0.16 → 0.172; ses0.6 0.1 → 0.22 → 0.208; slope (−1·−0.1 + 1·0)/2
    const row = Array.from(prefixRows([[0.1, 0.3, 0.2]])[0][2]);
    // (too few points for the cycle fit: it is the window mean)
    const want = [0.2, 0.25, 0.2, 0.2, 0.172, 0.208, 0.05, 0.2 / 3, 1 / 3, 0.2, 1];
    want.forEach((v, i) => {
      expect(row[i]).toBeCloseTo(v, 12);
    });
    // T = 1: every level is x_1, no slope
    expect(Array.from(prefixRows([[0.4]])[0][0])).toEqual([0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0, 0.4, 1, 0.4, 1]);
    // skipping rows keeps the running features: the last row alone equals the last of all rows
    const long = [0.1, 0.5, 0.9, 0.5, 0.1, 0.5, 0.9, 0.4];
    expect(prefixRows([long], 7)).toEqual([prefixRows([long])[0].slice(7)]);
    // [[4, 2], [2, 3]] x = [2, 5] → x = [−0.5, 2]
    const x = solveSpd([4, 2, 2, 3], [2, 5]);
    expect(x[0]).toBeCloseTo(-0.5, 12);
    expect(x[1]).toBeCloseTo(2, 12);
    expect(() => solveSpd([1, 2, 2, 1], [1, 1])).toThrow(/not positive definite/);
  });

  it('beats the history mean and the last value on planted linear trends', () => {
    const byMean = errors(trendTest, perSeries(meanLevel));
    const byLast = errors(trendTest, perSeries(naiveLevel));
    const perTopic = fitPooled(prefixExamples(trendTrain), { ridge: 0.003, per: 'topic' });
    for (const model of [trendModel, perTopic]) {
      const pooled = errors(trendTest, (h) => forecastPooled(model, h));
      console.log(
        `pooled(${model.per}) MAE ${mean(pooled).toFixed(4)} vs mean ${mean(byMean).toFixed(4)}, last ${mean(byLast).toFixed(4)}`,
      );
      expect(upperDiff(pooled, byMean)).toBeLessThan(0);
      expect(upperDiff(pooled, byLast)).toBeLessThan(0);
    }
  });

  it('continues a noiseless sinusoid with the cycle feature, and falls back to the mean on short windows', () => {
    const wave = (t: number) => 0.5 + 0.3 * Math.cos((2 * Math.PI * t) / 5 + 1);
    const x = Array.from({ length: 12 }, (_, t) => wave(t));
    // a frequency grid of 30 points cannot hit 2π/5 exactly: close, not exact
    const [next] = cycleNext([x], 11);
    expect(Math.abs(next - wave(12))).toBeLessThan(0.05);
    expect(Math.abs(next - wave(12))).toBeLessThan(Math.abs(x[11] - wave(12)) / 3);
    expect(cycleNext([[0.2, 0.4, 0.9, 0.1]], 3)[0]).toBeCloseTo(0.4, 12);
    // a flat series stays flat
    expect(cycleNext([new Array(20).fill(0.3)], 19)[0]).toBeCloseTo(0.3, 9);
    // one frequency for a user's topics: the clean series' ω also serves a noisy partner in anti-phase
    const rand = mulberry32(9);
    const partner = x.map((v) => 1 - v + 0.15 * (rand() - 0.5));
    const joint = cycleNext([x, partner], 11);
    expect(Math.abs(joint[1] - (1 - wave(12)))).toBeLessThan(0.1);
    expect(prefixRows([x, partner], 11)[1][0][9]).toBe(joint[1]);
  });

  it('forecasts planted cycles better than the mean and the last value once refitted per user', () => {
    const model = fitPooled(prefixExamples(users(5, 400, 'cycle')), { ridge: 0.01, per: 'shared' });
    const test = users(6, 400, 'cycle');
    const shrunk = errors(test, (h) => forecastPooledShrunk(model, h, { strength: 16 }));
    const byMean = errors(test, perSeries(meanLevel));
    const byLast = errors(test, perSeries(naiveLevel));
    const pooled = errors(test, (h) => forecastPooled(model, h));
    console.log(
      `cycles: shrunk MAE ${mean(shrunk).toFixed(4)}, pooled ${mean(pooled).toFixed(4)}, mean ${mean(byMean).toFixed(4)}, last ${mean(byLast).toFixed(4)}`,
    );
    expect(upperDiff(shrunk, byMean)).toBeLessThan(0);
    expect(upperDiff(shrunk, byLast)).toBeLessThan(0);
  });

  it('is no worse than the mean (within 10 % of its MAE) on stationary noise', () => {
    const model = fitPooled(prefixExamples(users(3, 600, 'flat')), { ridge: 0.003, per: 'shared' });
    const test = users(4, 600, 'flat');
    const pooled = mean(errors(test, (h) => forecastPooled(model, h)));
    const byMean = mean(errors(test, perSeries(meanLevel)));
    console.log(`stationary: pooled MAE ${pooled.toFixed(4)} vs mean ${byMean.toFixed(4)}`);
    expect(pooled).toBeLessThan(1.1 * byMean);
  });

  it('fits and forecasts single-point histories', () => {
    const one = trendTrain.map((u) => ({
      series: u.history.map((s) => s.slice(0, 1)),
      target: u.history.map((s) => s[1]),
    }));
    const model = fitPooled(one, { ridge: 0.01, per: 'topic' });
    const history = [[0.5], [0.5], [0], [0], [0], [0]];
    for (const m of [model, trendModel]) {
      const shares = forecastPooled(m, history);
      expect(shares).toHaveLength(K);
      expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      expect(shares.every((x) => x >= 0 && x <= 1)).toBe(true);
      // no one-step pairs of its own: the shrunk forecast is the pooled one
      expect(forecastPooledShrunk(m, history, { strength: 1 })).toEqual(shares);
    }
  });

  it('is deterministic and survives a JSON round trip with identical forecasts', () => {
    const again = fitPooled(prefixExamples(trendTrain), { ridge: 0.003, per: 'shared' });
    expect(again).toEqual(trendModel);
    const restored = parsePooledModel(JSON.parse(JSON.stringify(trendModel)));
    for (const u of trendTest.slice(0, 50)) {
      expect(forecastPooled(restored, u.history)).toEqual(forecastPooled(trendModel, u.history));
      expect(forecastPooledShrunk(restored, u.history, { strength: 20 })).toEqual(
        forecastPooledShrunk(trendModel, u.history, { strength: 20 }),
      );
    }
  });

  it('shrinks to the pooled forecast as strength → ∞ and to the user’s own fit as strength → 0', () => {
    // 40 noiseless buckets of a straight line 0.2 → 0.6: the user's own one-step pairs fit it closely.
    const line = (t: number) => 0.2 + 0.01 * t;
    const a = Array.from({ length: 40 }, (_, t) => line(t));
    const history = [a, a.map((x) => 1 - x), ...new Array(K - 2).fill(new Array(40).fill(0))];
    const pooled = forecastPooled(trendModel, history);
    expect(forecastPooledShrunk(trendModel, history, { strength: Number.POSITIVE_INFINITY })).toEqual(pooled);
    forecastPooledShrunk(trendModel, history, { strength: 1e12 }).forEach((x, c) => {
      expect(x).toBeCloseTo(pooled[c], 9);
    });
    const err = (s: number[]) => Math.abs(s[0] - line(40));
    const byStrength = [1e3, 30, 1, 1e-3, 1e-6].map((strength) =>
      err(forecastPooledShrunk(trendModel, history, { strength })),
    );
    console.log(
      `line: pooled error ${err(pooled).toExponential(2)}, shrunk by strength ${byStrength.map((e) => e.toExponential(2))}`,
    );
    byStrength.slice(1).forEach((e, i) => {
      expect(e).toBeLessThanOrEqual(byStrength[i] + 1e-12);
    });
    expect(byStrength[byStrength.length - 1]).toBeLessThan(err(pooled) / 10);
  });

  it('forecasts a history’s prefixes together exactly as one call per prefix, also where the refit window slides', () => {
    const rand = mulberry32(5);
    // 60 points: prefixes longer than the 48 refit pairs drop their oldest pairs, shorter ones keep all.
    const raw = Array.from({ length: 60 }, () => Array.from({ length: K }, () => rand() ** 2));
    const long = Array.from({ length: K }, (_, c) => raw.map((r) => r[c] / r.reduce((a, b) => a + b, 0)));
    const lengths = [60, 1, 2, 30, 49, 50, 51, 59];
    const prefix = (n: number) => long.map((x) => x.slice(0, n));
    for (const strength of [null, 4, 64, Number.POSITIVE_INFINITY]) {
      const together = forecastPooledPrefixes(trendModel, long, lengths, strength);
      lengths.forEach((n, e) => {
        const one =
          strength === null
            ? forecastPooled(trendModel, prefix(n))
            : forecastPooledShrunk(trendModel, prefix(n), { strength });
        expect(together[e]).toEqual(one);
      });
    }
    expect(() => forecastPooledPrefixes(trendModel, long, [61], 4)).toThrow(
      /prefix length 61 is not in 1..60/,
    );
    expect(() => forecastPooledPrefixes(trendModel, long, [0], null)).toThrow(/prefix length 0/);
    expect(() => forecastPooledPrefixes(trendModel, long, [5], -1)).toThrow(/strength must be > 0/);
  });

  it('rejects bad input with clear errors', () => {
    expect(() => validateSeries([[0.5, 0.5], [0.5]], 2)).toThrow(/topic 1 has 1 points, topic 0 has 2/);
    expect(() => validateSeries([[1]], 2)).toThrow(/expected 2 topic series, got 1/);
    expect(() =>
      validateSeries(
        [
          [0.5, Number.NaN],
          [0.5, 0.5],
        ],
        2,
      ),
    ).toThrow(/topic 0 point 1 is NaN/);
    expect(() => validateSeries([[], []], 2)).toThrow(/empty/);
    const history = trendTest[0].history;
    expect(() => forecastPooled(trendModel, history.slice(1))).toThrow(/expected 6 topic series, got 5/);
    expect(() => forecastPooledShrunk(trendModel, history, { strength: 0 })).toThrow(/strength must be > 0/);
    const ex = { series: [[0.5], [0.5]], target: [0.4, 0.6] };
    expect(() => fitPooled([], { ridge: 1, per: 'topic' })).toThrow(/no examples/);
    expect(() => fitPooled([ex], { ridge: 0, per: 'topic' })).toThrow(/ridge must be > 0/);
    expect(() => fitPooled([ex], { ridge: 1, per: 'user' as 'topic' })).toThrow(/per must be/);
    expect(() => fitPooled([ex, { series: [[1]], target: [1] }], { ridge: 1, per: 'topic' })).toThrow(
      /example 1: pooled forecast: expected 2 topic series, got 1/,
    );
    expect(() => fitPooled([{ ...ex, target: [1] }], { ridge: 1, per: 'topic' })).toThrow(
      /target has 1 values, not 2/,
    );
    expect(() => fitPooled([{ ...ex, target: [Number.NaN, 1] }], { ridge: 1, per: 'topic' })).toThrow(
      /target 0 is NaN/,
    );
    const saved = JSON.parse(JSON.stringify(trendModel)) as PooledModel;
    expect(() => parsePooledModel({ ...saved, kind: 'arima' })).toThrow(/kind must be 'pooled'/);
    expect(() => parsePooledModel({ ...saved, features: ['last'] })).toThrow(/features .* differ/);
    expect(() => parsePooledModel({ ...saved, coef: saved.coef.slice(1) })).toThrow(/coef must be 6 × 11/);
    expect(() => parsePooledModel(null)).toThrow(/kind must be 'pooled'/);
  });
});
