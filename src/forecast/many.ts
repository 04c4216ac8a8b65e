import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { createProgress } from '../util/progress.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import {
  type ExampleForecasts,
  perSeries,
  pooledForecaster,
  prefixForecasts,
  type ShareForecast,
  type ShareForecaster,
} from './examples.ts';
import type { PooledModel, PooledVariant } from './pooled.ts';
import { createForecaster } from './registry.ts';
import type { ForecastSpec } from './types.ts';

export type { ShareForecast } from './examples.ts';

/**
 * A topic-share forecaster as a worker thread can restore it: a per-series one from its spec, or the pooled
 * model (fitted on the training data: its coefficients travel with it) at a per-user refit strength.
 */
export type ForecasterSource = { spec: ForecastSpec } | { pooled: PooledModel; strength: PooledVariant };

export interface ForecastJob {
  /** K topic-share series of equal length (see forecastShares). */
  series: number[][];
  horizon: number;
  /** Forecasts of these prefixes (lengths in points) instead of the whole series (prefixForecasts). */
  lengths?: number[];
  /** Index of the job's forecaster among those given (default 0). */
  forecaster?: number;
}

export interface ForecastManyOptions {
  /** Worker threads; ≤ 1 runs in-process. Default: available cores. */
  workers?: number;
  /** Called after every finished batch with (done, total) jobs. */
  onProgress?: (done: number, total: number) => void;
  /** Below workers × this many jobs, thread start-up (~0.3 s each) costs more than it saves. Default 64. */
  minJobsPerWorker?: number;
  /** Jobs per message to a worker (load balancing vs messaging overhead). Default 32. */
  batch?: number;
  /**
   * Batches each worker is sent at its start (default 1; the rest one per answer). Infinity hands out every
   * batch at once, round-robin: the threads then work on while this thread is busy and cannot answer.
   */
  prefetch?: number;
}

/** Messages between jobsMany and worker.ts (null: finish and exit). */
export type WorkerRequest = { batch: number; jobs: ForecastJob[] } | null;
export type WorkerReply =
  | { ready: true }
  | { batch: number; results: ShareForecast[][] }
  | { batch: number; error: string };

export async function shareForecasterFrom(source: ForecasterSource): Promise<ShareForecaster> {
  return 'spec' in source
    ? perSeries(await createForecaster(source.spec))
    : pooledForecaster(source.pooled, source.strength);
}

/** One job's forecasts: one for the whole series, or one per prefix length. */
export function runJob(forecasters: readonly ShareForecaster[], job: ForecastJob): ShareForecast[] {
  const f = forecasters[job.forecaster ?? 0];
  if (!f) throw new Error(`forecast job: no forecaster ${job.forecaster}`);
  return job.lengths
    ? prefixForecasts(f, job.series, job.lengths, job.horizon)
    : [f.forecastShares(job.series, job.horizon)];
}

/**
 * forecastExamples (each example's shares `horizon` buckets after its history) on worker threads when the
 * list is large: the same numbers, with a progress bar under `label`.
 */
export async function forecastExamplesMany(
  source: ForecasterSource,
  store: Pick<FeatureStore, 'src' | 'topicSeries'>,
  examples: readonly Pick<Example, 'user' | 'end'>[],
  horizon: number,
  label: string,
  opts: Pick<ForecastManyOptions, 'prefetch'> = {},
): Promise<ExampleForecasts> {
  const jobs = examples.map((ex) => ({ series: store.topicSeries(ex.user, ex.end), horizon }));
  const bar = createProgress(label, jobs.length);
  let shown = 0;
  const results = await forecastJobs([source], jobs, {
    ...opts,
    onProgress: (done) => {
      bar.tick(done - shown);
      shown = done;
    },
  });
  bar.stop();
  const k = store.src.k;
  const shares = new Float32Array(examples.length * k);
  let fitted = 0;
  let fellBack = 0;
  results.forEach(([r], i) => {
    shares.set(r.shares, i * k);
    fitted += r.fitted;
    fellBack += r.fellBack;
  });
  return { shares, fitted, fellBack };
}

/** forecastShares of `spec`'s forecaster for every job (one forecast each), in job order: see forecastJobs. */
export async function forecastMany(
  spec: ForecastSpec,
  jobs: readonly ForecastJob[],
  opts: ForecastManyOptions = {},
): Promise<ShareForecast[]> {
  return (await forecastJobs([{ spec }], jobs, opts)).map((r) => r[0]);
}

/**
 * Every job's forecasts (runJob), in job order. Large lists go to worker threads, each restoring its own
 * forecasters (and WASM runtime), fed batches on demand; results are placed by job index, so the output
 * is the same (bit for bit) as in-process, whatever the scheduling.
 */
export async function forecastJobs(
  sources: readonly ForecasterSource[],
  jobs: readonly ForecastJob[],
  opts: ForecastManyOptions = {},
): Promise<ShareForecast[][]> {
  const workers = Math.min(
    opts.workers ?? availableParallelism(),
    Math.ceil(jobs.length / (opts.minJobsPerWorker ?? 64)),
  );
  const batch = opts.batch ?? 32;
  if (!Number.isInteger(batch) || batch < 1)
    throw new Error(`forecastMany: batch must be a positive integer, got ${batch}`);
  if (workers <= 1) return forecastInProcess(sources, jobs, batch, opts.onProgress);
  return forecastInWorkers(sources, jobs, workers, { batch, prefetch: opts.prefetch ?? 1 }, opts.onProgress);
}

async function forecastInProcess(
  sources: readonly ForecasterSource[],
  jobs: readonly ForecastJob[],
  batch: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ShareForecast[][]> {
  const forecasters: ShareForecaster[] = [];
  try {
    for (const s of sources) forecasters.push(await shareForecasterFrom(s));
    const out: ShareForecast[][] = [];
    for (const job of jobs) {
      out.push(runJob(forecasters, job));
      if (out.length % batch === 0 || out.length === jobs.length) onProgress?.(out.length, jobs.length);
    }
    return out;
  } finally {
    for (const f of forecasters) f.dispose();
  }
}

function forecastInWorkers(
  sources: readonly ForecasterSource[],
  jobs: readonly ForecastJob[],
  count: number,
  { batch, prefetch }: { batch: number; prefetch: number },
  onProgress?: (done: number, total: number) => void,
): Promise<ShareForecast[][]> {
  const results = new Array<ShareForecast[]>(jobs.length);
  const batches = Math.ceil(jobs.length / batch);
  const threads: Worker[] = [];
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const t of threads) void t.terminate();
      reject(e);
    };
    // Batches sent and not yet answered, per thread: a thread is told to finish once it has none left.
    const outstanding = new Map<Worker, number>();
    const send = (w: Worker) => {
      const b = next++;
      outstanding.set(w, (outstanding.get(w) ?? 0) + 1);
      w.postMessage({ batch: b, jobs: jobs.slice(b * batch, (b + 1) * batch) } satisfies WorkerRequest);
    };
    for (let i = 0; i < count; i++) {
      const w = startTsWorker(new URL('./worker.ts', import.meta.url), { sources });
      threads.push(w);
      w.on('message', (reply: WorkerReply) => {
        if ('error' in reply) return fail(new Error(`forecastMany: batch ${reply.batch}: ${reply.error}`));
        if (!('results' in reply)) return;
        reply.results.forEach((r, j) => {
          results[reply.batch * batch + j] = r;
        });
        done += reply.results.length;
        outstanding.set(w, (outstanding.get(w) ?? 1) - 1);
        onProgress?.(done, jobs.length);
        if (done === jobs.length) resolve(results);
        if (next < batches) send(w);
        else if (outstanding.get(w) === 0) w.postMessage(null satisfies WorkerRequest);
      });
      w.on('error', (e) => fail(new Error(`forecastMany: worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0 && done < jobs.length)
          fail(new Error(`forecastMany: worker exited with code ${code}`));
      });
    }
    // Round-robin, so a large prefetch still splits the work evenly.
    for (let round = 0; round < prefetch && next < batches; round++)
      for (const w of threads) if (next < batches) send(w);
    // A thread that got nothing (more threads than batches) finishes now.
    for (const w of threads) if (!outstanding.get(w)) w.postMessage(null satisfies WorkerRequest);
  });
}
