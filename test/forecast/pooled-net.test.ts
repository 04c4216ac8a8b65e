import { describe, expect, it } from 'vitest';
import { pooledForecaster } from '../../src/forecast/examples.ts';
import { fitPooled, type PooledExample, parsePooledModel } from '../../src/forecast/pooled.ts';
import {
  fitPooledNet,
  fitPooledNets,
  forecastPooledNet,
  NET_LAGS,
  parsePooledNet,
} from '../../src/forecast/pooled-net.ts';
import { mulberry32 } from '../../src/util/random.ts';

const K = 4;

/** K random share series of T points (each bucket's shares sum to 1). */
function randomSeries(rand: () => number, T: number): number[][] {
  const buckets = Array.from({ length: T }, () => {
    const raw = Array.from({ length: K }, () => rand() ** 2 + 0.01);
    const total = raw.reduce((s, x) => s + x, 0);
    return raw.map((x) => x / total);
  });
  return Array.from({ length: K }, (_, c) => buckets.map((b) => b[c]));
}

/**
 * Histories of 2–8 buckets whose next shares repeat the last bucket's once a history has 5 or more
 * buckets, and the history's mean before: a rule that turns on the history's length, which no model linear
 * in the series' features can follow.
 */
function examples(seed: number, n: number): PooledExample[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const T = 2 + Math.floor(rand() * 7);
    const series = randomSeries(rand, T);
    return { series, target: series.map((s) => (T >= 5 ? s[T - 1] : s.reduce((a, x) => a + x, 0) / T)) };
  });
}

const mse = (forecast: (s: readonly (readonly number[])[]) => number[], data: PooledExample[]) =>
  data.reduce((sum, ex) => {
    const f = forecast(ex.series);
    return sum + f.reduce((s, x, c) => s + (x - ex.target[c]) ** 2, 0);
  }, 0) / data.length;

describe('the pooled network', () => {
  const train = examples(1, 600);
  const held = examples(2, 300);
  const net = fitPooledNet(train, 7);

  it('learns a length-dependent rule the ridge cannot, on held-out histories', () => {
    const ridge = fitPooled(train, { ridge: 0.01, per: 'topic' });
    const netError = mse((s) => forecastPooledNet(net, s), held);
    const ridgeError = mse((s) => pooledForecaster(ridge, null).forecastShares(s, 1).shares, held);
    // 0.0069 vs 0.0158 at these seeds.
    expect(netError).toBeLessThan(0.6 * ridgeError);
  });

  it('forecasts shares (non-negative, summing to 1), also from a single bucket', () => {
    for (const T of [1, 3, NET_LAGS + 4]) {
      const shares = forecastPooledNet(net, randomSeries(mulberry32(T), T));
      expect(shares).toHaveLength(K);
      for (const x of shares) expect(x).toBeGreaterThanOrEqual(0);
      expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    }
  });

  it('is the same for the same examples and seed, and differs with another seed', () => {
    expect(fitPooledNet(train.slice(0, 100), 3)).toEqual(fitPooledNet(train.slice(0, 100), 3));
    expect(fitPooledNet(train.slice(0, 100), 4).w1).not.toEqual(fitPooledNet(train.slice(0, 100), 3).w1);
  });

  it('fits several sets on worker threads as it does in-process, bit for bit', async () => {
    const sets = [train.slice(0, 150), train.slice(150, 400), held.slice(0, 100)];
    const threaded = await fitPooledNets(sets, 3, 'test', { threads: true });
    expect(threaded).toEqual(sets.map((set) => fitPooledNet(set, 3)));
    expect(await fitPooledNets(sets, 3, 'test', { threads: false })).toEqual(threaded);
  });

  it('restores from its JSON alone, and a damaged one is refused naming the field', () => {
    const restored = parsePooledNet(JSON.parse(JSON.stringify(net)));
    const s = randomSeries(mulberry32(9), 6);
    expect(forecastPooledNet(restored, s)).toEqual(forecastPooledNet(net, s));
    expect(() => parsePooledNet({ ...net, w1: net.w1.slice(1) })).toThrow(/w1 must be/);
    expect(() => parsePooledNet({ ...net, b2: Number.NaN })).toThrow(/b2/);
    expect(() => parsePooledNet({ ...net, kind: 'pooled' })).toThrow(/kind/);
    expect(() => parsePooledNet({ ...net, lags: NET_LAGS + 1 })).toThrow(/lags/);
    // Inside a pooled model too: the checkpoint's forecaster is checked whole.
    const ridge = fitPooled(train, { ridge: 0.01, per: 'topic' });
    expect(parsePooledModel(JSON.parse(JSON.stringify({ ...ridge, net }))).net).toEqual(net);
    expect(() => parsePooledModel({ ...ridge, net: { ...net, b1: [] } })).toThrow(/pooled net: b1/);
  });

  it('is what the pooled forecaster uses at variant net, and one without a network says so', () => {
    const ridge = fitPooled(train, { ridge: 0.01, per: 'topic' });
    const s = randomSeries(mulberry32(5), 5);
    const f = pooledForecaster({ ...ridge, net }, 'net');
    expect(f.forecastShares(s, 1).shares).toEqual(forecastPooledNet(net, s));
    // Further horizons feed the forecast back in, as the ridge does.
    const next = forecastPooledNet(net, s);
    const fed = s.map((x, c) => [...x, next[c]]);
    expect(f.forecastShares(s, 2).shares).toEqual(forecastPooledNet(net, fed));
    expect(() => pooledForecaster(ridge, 'net')).toThrow(/has no network/);
  });

  it('refuses to fit on nothing', () => {
    expect(() => fitPooledNet([], 1)).toThrow(/no examples/);
  });
});
