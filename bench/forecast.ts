/**
 * Forecast throughput: ARIMA(1,1,1) css series/s through the guarded forecaster vs the bare package in the
 * same run, and forecastMany (K = 20 topic series per job) in-process vs worker threads.
 *   npx tsx bench/forecast.ts
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sharedArimaRuntime } from '../src/forecast/arima-wasm.ts';
import { type ForecastJob, forecastMany } from '../src/forecast/many.ts';
import { createForecaster } from '../src/forecast/registry.ts';
import type { ForecastSpec } from '../src/forecast/types.ts';
import { gaussian, mulberry32 } from '../src/util/random.ts';

const TARGET_SERIES_PER_SECOND = 2000;

/** Seeded 24-point trend + noise series, like a user's monthly share of one topic over two years. */
function trendSeries(seed: number, count: number, length = 24): number[][] {
  const u = mulberry32(seed);
  const noise = gaussian(u);
  return Array.from({ length: count }, () => {
    const base = 0.2 + 0.3 * u();
    const slope = (u() - 0.5) * 0.02;
    return Array.from({ length }, (_, t) => base + slope * t + 0.02 * noise());
  });
}

/** Best-of-rounds series/s of each fn, rounds interleaved so warm-up and machine load hit all alike. */
function rates(series: number[][], fns: ((s: number[]) => unknown)[], rounds = 4): number[] {
  const best = fns.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      for (const s of series) fn(s);
      best[i] = Math.max(best[i], series.length / ((performance.now() - t0) / 1000));
    });
  }
  return best;
}

async function timeMany(spec: ForecastSpec, jobs: ForecastJob[], workers: number): Promise<number> {
  const t0 = performance.now();
  await forecastMany(spec, jobs, { workers });
  return (jobs.length * jobs[0].series.length) / ((performance.now() - t0) / 1000);
}

export async function runForecastBench(): Promise<object> {
  const series = trendSeries(3, 2000);
  const { ARIMA } = await sharedArimaRuntime();
  const bare = new ARIMA({ p: 1, d: 1, q: 1, method: 1, optimizer: 6, verbose: false });
  const guarded = await createForecaster({ model: 'arima', order: [1, 1, 1], fallback: 'ses' });
  const auto = await createForecaster({ model: 'arima-auto' });
  const [bareRate, guardedRate] = rates(series, [
    (s) => bare.train(s).predict(1),
    (s) => guarded.forecast(s, 1),
  ]);
  const [autoRate] = rates(series.slice(0, 200), [(s) => auto.forecast(s, 1)], 2);
  bare.destroy();
  guarded.dispose();
  auto.dispose();

  const K = 20;
  const topicSeries = trendSeries(4, 400 * K);
  const jobs = Array.from({ length: 400 }, (_, j) => ({
    series: topicSeries.slice(j * K, (j + 1) * K),
    horizon: 1,
  }));
  const workers = availableParallelism();
  const spec: ForecastSpec = { model: 'arima', order: [1, 1, 1], fallback: 'ses' };
  // Worker start-up (tsx + WASM per thread) is included: that is what a caller pays.
  const inProcess = await timeMany(spec, jobs, 1);
  const threaded = await timeMany(spec, jobs, workers);
  const autoJobs = jobs.slice(0, 60);
  const autoInProcess = await timeMany({ model: 'arima-auto' }, autoJobs, 1);
  const autoThreaded = await timeMany({ model: 'arima-auto' }, autoJobs, workers);
  return {
    seriesLength: 24,
    'arima(1,1,1) css series/s': {
      bare: Math.round(bareRate),
      guarded: Math.round(guardedRate),
      guardOverhead: Number((1 - guardedRate / bareRate).toFixed(3)),
      target: TARGET_SERIES_PER_SECOND,
      meetsTarget: guardedRate >= TARGET_SERIES_PER_SECOND,
    },
    'arima-auto series/s (16 orders + drift, AICc)': Math.round(autoRate),
    forecastMany: {
      jobs: jobs.length,
      seriesPerJob: K,
      workers,
      'arima(1,1,1) series/s': { inProcess: Math.round(inProcess), workers: Math.round(threaded) },
      'arima-auto series/s': {
        jobs: autoJobs.length,
        inProcess: Math.round(autoInProcess),
        workers: Math.round(autoThreaded),
      },
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runForecastBench(), null, 2));
}
