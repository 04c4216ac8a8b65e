import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArimaForecaster, arimaMinLength, MIN_ARIMA_POINTS } from '../../src/forecast/arima.ts';
import { loadArimaRuntime, sharedArimaRuntime } from '../../src/forecast/arima-wasm.ts';
import { createForecaster } from '../../src/forecast/registry.ts';
import type { Forecaster, ForecastSpec } from '../../src/forecast/types.ts';
import { linearCases, meanAbsError } from './series.ts';

const spec = (order: [number, number, number], extra: Partial<ForecastSpec> = {}): ForecastSpec =>
  ({ model: 'arima', order, fallback: 'mean', ...extra }) as ForecastSpec;

describe('ArimaForecaster accuracy on generated series', () => {
  const trend = linearCases(42, 200, { length: 24, sd: 0.02, trend: true });
  const flat = linearCases(43, 200, { length: 24, sd: 0.02, trend: false });
  let mean: Forecaster;
  beforeAll(async () => {
    mean = await createForecaster({ model: 'mean' });
  });

  for (const order of [
    [1, 1, 1],
    [0, 1, 1],
  ] as [number, number, number][]) {
    it(`ARIMA(${order}) beats mean on linear trend + noise (24 points)`, async () => {
      const arima = await createForecaster(spec(order));
      const one = (f: Forecaster) => (h: number[]) => f.forecast(h, 1)[0];
      const arimaErr = meanAbsError(trend, one(arima));
      const meanErr = meanAbsError(trend, one(mean));
      expect(arimaErr).toBeLessThan(meanErr / 3);
      const wins = trend.filter(
        (c) => Math.abs(one(arima)(c.history) - c.next) < Math.abs(one(mean)(c.history) - c.next),
      );
      expect(wins.length).toBeGreaterThan(0.9 * trend.length);
      arima.dispose();
    });

    it(`ARIMA(${order}) is not much worse than mean on a flat noisy series`, async () => {
      const arima = await createForecaster(spec(order));
      const one = (f: Forecaster) => (h: number[]) => f.forecast(h, 1)[0];
      expect(meanAbsError(flat, one(arima))).toBeLessThan(1.3 * meanAbsError(flat, one(mean)));
      arima.dispose();
    });
  }

  it('exact ML works too and multi-step forecasts are finite and follow the trend', async () => {
    const arima = await createForecaster(spec([1, 1, 1], { method: 'ml' }));
    expect(arima.name).toBe('arima(1,1,1)/ml|mean');
    const up = Array.from({ length: 24 }, (_, t) => 0.1 + 0.02 * t + 0.005 * Math.sin(3 * t));
    const out = arima.forecast(up, 5);
    expect(out).toHaveLength(5);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(out[4]).toBeGreaterThan(up[23]);
    arima.dispose();
  });
});

describe('ArimaForecaster guards', () => {
  let arima: ArimaForecaster;
  const trend = linearCases(5, 1, { length: 24, sd: 0.02, trend: true })[0].history;
  beforeAll(async () => {
    arima = (await createForecaster(spec([1, 1, 1]))) as ArimaForecaster;
  });
  afterAll(() => arima.dispose());

  it('fits a normal series with the main model', () => {
    expect(arima.forecastDetailed(trend, 2).fallback).toBeNull();
  });

  it('falls back below the minimum length and reports it', () => {
    expect(MIN_ARIMA_POINTS).toBe(11);
    expect(arimaMinLength([2, 2, 2])).toBe(12);
    const short = trend.slice(0, MIN_ARIMA_POINTS - 1);
    const out = arima.forecastDetailed(short, 2);
    expect(out.fallback).toBe('too-short');
    const mean = short.reduce((s, x) => s + x, 0) / short.length;
    expect(out.values[0]).toBeCloseTo(mean, 12);
    expect(arima.forecastDetailed(trend.slice(0, MIN_ARIMA_POINTS), 1).fallback).toBeNull();
  });

  it('falls back on NaN / Infinity input (the package would return all-NaN)', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const at of [5, 23]) {
        const series = trend.slice();
        series[at] = bad;
        const out = arima.forecastDetailed(series, 3);
        expect(out.fallback).toBe('non-finite-input');
        expect(out.values.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('falls back on a constant series', () => {
    const out = arima.forecastDetailed(new Array(20).fill(0.25), 2);
    expect(out).toEqual({ values: [0.25, 0.25], fallback: 'constant' });
  });

  it('falls back when the forecast leaves the plausible share range', () => {
    // Accelerating towards 1.9: any trend-following forecast 1 step on exceeds the bound of 2.
    const blowup = Array.from({ length: 16 }, (_, t) => 1.9 * 1.5 ** (t - 15));
    const out = arima.forecastDetailed(blowup, 1);
    expect(out.fallback).toBe('bad-forecast');
    expect(out.values[0]).toBeLessThan(2);
  });

  it('keeps working for the next series after a fallback', () => {
    arima.forecastDetailed([Number.NaN, ...trend], 1);
    const again = arima.forecastDetailed(trend, 1);
    expect(again.fallback).toBeNull();
    expect(again.values[0]).toBeCloseTo(arima.forecast(trend, 1)[0], 12);
  });

  it('rejects bad specs and use after dispose', async () => {
    await expect(createForecaster(spec([1, 3, 1]))).rejects.toThrow(/order d must be an integer in \[0, 2\]/);
    await expect(createForecaster(spec([1, 1, 1], { method: 'toString' } as never))).rejects.toThrow(
      /method/,
    );
    await expect(createForecaster(spec([1, 1, 1], { fallback: 'drift' } as never))).rejects.toThrow(
      /fallback/,
    );
    const f = await createForecaster(spec([0, 1, 1]));
    f.dispose();
    expect(() => f.forecast(trend, 1)).toThrow(/after dispose/);
    expect(() => arima.forecast(trend, 0)).toThrow(/horizon/);
  });
});

describe('ArimaForecaster side effects', () => {
  it('prints nothing to stdout, where the bare package does', () => {
    const probe = fileURLToPath(new URL('./fixtures/stdout-probe.ts', import.meta.url));
    const run = (mode: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', probe, mode], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(run('bare')).toMatch(/non-stationary AR part/);
    expect(run('forecaster')).toBe('');
  });

  it('does not grow WASM memory over many fits (a leaking loop does)', async () => {
    const series = linearCases(9, 50, { length: 24, sd: 0.02, trend: true }).map((c) => c.history);
    const fits = 100_000; // ~250 B leak per unfreed fit: a leak would show as ≥ 20 MB of growth

    const leaky = await loadArimaRuntime(); // its own WASM memory, so the leak stays out of the shared one
    const before = leaky.heapBytes();
    for (let i = 0; i < fits; i++)
      new leaky.ARIMA({ p: 0, d: 1, q: 1, method: 1, optimizer: 6, verbose: false }).train(series[i % 50]);
    expect(leaky.heapBytes() - before).toBeGreaterThan(10e6);

    const runtime = await sharedArimaRuntime();
    const f = await createForecaster(spec([0, 1, 1]));
    for (let i = 0; i < 1000; i++) f.forecast(series[i % 50], 1); // let the heap settle
    const start = runtime.heapBytes();
    for (let i = 0; i < fits; i++) f.forecast(series[i % 50], 1);
    f.dispose();
    expect(runtime.heapBytes()).toBe(start);
  });
});
