import { describe, expect, it } from 'vitest';
import { pooledForecaster, prefixForecasts } from '../../src/forecast/examples.ts';
import {
  type ForecasterSource,
  type ForecastJob,
  forecastJobs,
  forecastMany,
} from '../../src/forecast/many.ts';
import { fitPooled } from '../../src/forecast/pooled.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** `count` jobs of K share series (T points, rows of each bucket sum to 1) with seeded drift. */
function jobs(seed: number, count: number, K: number, T: number): ForecastJob[] {
  const u = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const drift = Array.from({ length: K }, () => (u() - 0.5) * 0.3);
    const cols = Array.from({ length: T }, (_, t) => {
      const w = drift.map((d) => Math.exp(d * t + 0.4 * u()));
      const total = w.reduce((s, x) => s + x, 0);
      return w.map((x) => x / total);
    });
    return { series: drift.map((_, k) => cols.map((c) => c[k])), horizon: 1 + (i % 2) };
  });
}

describe('forecastMany', () => {
  const list = jobs(7, 150, 4, 14);

  it('worker results equal in-process results, in job order, with progress', async () => {
    const spec = { model: 'arima', order: [1, 1, 1], fallback: 'ses' } as const;
    const inProcess = await forecastMany({ ...spec, order: [1, 1, 1] }, list, { workers: 1 });
    const progress: number[] = [];
    const threaded = await forecastMany({ ...spec, order: [1, 1, 1] }, list, {
      workers: 2,
      minJobsPerWorker: 10,
      batch: 16,
      onProgress: (done, total) => {
        expect(total).toBe(list.length);
        progress.push(done);
      },
    });
    expect(threaded).toEqual(inProcess);
    expect(inProcess.some((r) => r.fitted > 0)).toBe(true);
    expect(progress.at(-1)).toBe(list.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('runs pooled forecasters and prefix jobs too, every batch handed out at the start', async () => {
    const model = fitPooled(
      list.map((j) => ({
        series: j.series.map((s) => s.slice(0, -1)),
        target: j.series.map((s) => s.at(-1)!),
      })),
      { ridge: 0.01, per: 'topic' },
    );
    const sources: ForecasterSource[] = [
      { pooled: model, strength: null },
      { pooled: model, strength: 8 },
      { spec: { model: 'ses' } },
    ];
    const mixed: ForecastJob[] = list.map((j, i) => ({
      ...j,
      forecaster: i % 3,
      ...(i % 2 ? { lengths: [3, 7, 14] } : {}),
    }));
    const inProcess = await forecastJobs(sources, mixed, { workers: 1 });
    expect(inProcess.map((r) => r.length)).toEqual(mixed.map((j) => j.lengths?.length ?? 1));
    const threaded = await forecastJobs(sources, mixed, {
      workers: 2,
      minJobsPerWorker: 10,
      batch: 7,
      prefetch: Infinity,
    });
    expect(threaded).toEqual(inProcess);
    // A pooled job is that forecaster's own forecast.
    const f = pooledForecaster(model, 8);
    expect(inProcess[1]).toEqual(prefixForecasts(f, mixed[1].series, [3, 7, 14], mixed[1].horizon));
    expect(inProcess[4][0]).toEqual(f.forecastShares(mixed[4].series, mixed[4].horizon));
  });

  it('works for the AICc-selected variant too and reports worker errors', async () => {
    const few = list.slice(0, 24);
    const a = await forecastMany({ model: 'ensemble' }, few, { workers: 1 });
    const b = await forecastMany({ model: 'ensemble' }, few, { workers: 2, minJobsPerWorker: 4, batch: 5 });
    expect(b).toEqual(a);
    const bad = [...few, { series: [[0.5], [0.5, 0.5]], horizon: 1 }];
    await expect(forecastMany({ model: 'mean' }, bad, { workers: 2, minJobsPerWorker: 4 })).rejects.toThrow(
      /batch \d+: forecastShares: topic 1 has 2 points/,
    );
  });
});
