import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForecaster } from '../../src/forecast/registry.ts';
import { forecastShares } from '../../src/forecast/shares.ts';
import type { Forecaster } from '../../src/forecast/types.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** K topic-share series over T buckets: drifting positive weights, normalised per bucket. */
function shareSeries(seed: number, K: number, T: number, zeroTopics: number[] = []): number[][] {
  const u = mulberry32(seed);
  const drift = Array.from({ length: K }, () => (u() - 0.5) * 0.2);
  const weights = Array.from({ length: T }, (_, t) =>
    Array.from({ length: K }, (_, k) => (zeroTopics.includes(k) ? 0 : Math.exp(drift[k] * t + 0.3 * u()))),
  );
  const columns = weights.map((w) => {
    const total = w.reduce((s, x) => s + x, 0);
    return w.map((x) => x / total);
  });
  return Array.from({ length: K }, (_, k) => columns.map((c) => c[k]));
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('forecastShares', () => {
  let arima: Forecaster;
  beforeAll(async () => {
    arima = await createForecaster({ model: 'arima', order: [1, 1, 1], fallback: 'naive' });
  });
  afterAll(() => arima.dispose());

  it('returns a distribution over topics and counts main-model fits', () => {
    const series = shareSeries(1, 6, 24, [4]);
    for (const horizon of [1, 3]) {
      const { shares, fitted, fellBack } = forecastShares(arima, series, horizon);
      expect(shares).toHaveLength(6);
      expect(sum(shares)).toBeCloseTo(1, 12);
      expect(shares.every((s) => s >= 0 && s <= 1)).toBe(true);
      expect(shares[4]).toBe(0); // never-seen topic: constant 0 → fallback naive → 0
      expect(fellBack).toBe(1);
      expect(fitted).toBe(5);
    }
  });

  it('short histories all use the fallback', () => {
    const series = shareSeries(2, 4, 6);
    const { shares, fitted, fellBack } = forecastShares(arima, series, 1);
    expect({ fitted, fellBack }).toEqual({ fitted: 0, fellBack: 4 });
    // naive fallback: the last bucket's shares
    expect(shares.map((x) => x.toFixed(12))).toEqual(series.map((s) => s[5].toFixed(12)));
  });

  it('simple forecasters count as fitted', async () => {
    const series = shareSeries(3, 3, 10);
    const out = forecastShares(await createForecaster({ model: 'ses', alpha: 0.5 }), series, 2);
    expect(out.fitted).toBe(3);
    expect(out.fellBack).toBe(0);
    expect(sum(out.shares)).toBeCloseTo(1, 12);
  });

  it('clips to [0, 1] and renormalises', () => {
    const over: Forecaster = { name: 'fixed', forecast: (s, h) => new Array(h).fill(s[0]), dispose() {} };
    const out = forecastShares(over, [[1.5], [-0.2], [0.5]], 1);
    expect(out.shares).toEqual([1 / 1.5, 0, 0.5 / 1.5]);
  });

  it('falls back to the history mean when every forecast clips to 0', () => {
    const falling: Forecaster = {
      name: 'falling',
      forecast: (_, h) => new Array(h).fill(-0.1),
      dispose() {},
    };
    const series = [
      [0.2, 0.6],
      [0.8, 0.4],
    ];
    const { shares } = forecastShares(falling, series, 1);
    expect(shares[0]).toBeCloseTo(0.4, 12);
    expect(shares[1]).toBeCloseTo(0.6, 12);
  });

  it('rejects malformed input', () => {
    expect(() => forecastShares(arima, [], 1)).toThrow(/no topic series/);
    expect(() => forecastShares(arima, [[0.5, 0.5], [0.5]], 1)).toThrow(
      /topic 1 has 1 points, topic 0 has 2/,
    );
    expect(() => forecastShares(arima, [[1]], 0)).toThrow(/horizon/);
    const broken: Forecaster = { name: 'broken', forecast: () => [Number.NaN], dispose() {} };
    expect(() => forecastShares(broken, [[1]], 1)).toThrow(/broken returned NaN for topic 0/);
  });
});
