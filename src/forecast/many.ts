import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../util/ts-worker.ts';
import { createForecaster } from './registry.ts';
import { forecastShares } from './shares.ts';
import type { ForecastSpec } from './types.ts';

export interface ForecastJob {
  /** K topic-share series of equal length (see forecastShares). */
  series: number[][];
  horizon: number;
}

export type ShareForecast = ReturnType<typeof forecastShares>;

export interface ForecastManyOptions {
  /** Worker threads; ≤ 1 runs in-process. Default: available cores. */
  workers?: number;
  /** Called after every finished batch with (done, total) jobs. */
  onProgress?: (done: number, total: number) => void;
  /** Below workers × this many jobs, thread start-up (~0.3 s each) costs more than it saves. Default 64. */
  minJobsPerWorker?: number;
  /** Jobs per message to a worker (load balancing vs messaging overhead). Default 32. */
  batch?: number;
}

/** Messages between forecastMany and worker.ts (null: finish and exit). */
export type WorkerRequest = { batch: number; jobs: ForecastJob[] } | null;
export type WorkerReply =
  | { ready: true }
  | { batch: number; results: ShareForecast[] }
  | { batch: number; error: string };

/**
 * forecastShares for every job, in job order. Large lists go to worker threads, each with its own
 * forecaster and WASM runtime, fed batches on demand; results are placed by job index, so the output is
 * the same (bit for bit) as in-process, whatever the scheduling.
 */
export async function forecastMany(
  spec: ForecastSpec,
  jobs: readonly ForecastJob[],
  opts: ForecastManyOptions = {},
): Promise<ShareForecast[]> {
  const workers = Math.min(
    opts.workers ?? availableParallelism(),
    Math.ceil(jobs.length / (opts.minJobsPerWorker ?? 64)),
  );
  const batch = opts.batch ?? 32;
  if (!Number.isInteger(batch) || batch < 1)
    throw new Error(`forecastMany: batch must be a positive integer, got ${batch}`);
  if (workers <= 1) return forecastInProcess(spec, jobs, batch, opts.onProgress);
  return forecastInWorkers(spec, jobs, workers, batch, opts.onProgress);
}

async function forecastInProcess(
  spec: ForecastSpec,
  jobs: readonly ForecastJob[],
  batch: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ShareForecast[]> {
  const f = await createForecaster(spec);
  try {
    const out: ShareForecast[] = [];
    for (const job of jobs) {
      out.push(forecastShares(f, job.series, job.horizon));
      if (out.length % batch === 0 || out.length === jobs.length) onProgress?.(out.length, jobs.length);
    }
    return out;
  } finally {
    f.dispose();
  }
}

function forecastInWorkers(
  spec: ForecastSpec,
  jobs: readonly ForecastJob[],
  count: number,
  batch: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ShareForecast[]> {
  const results = new Array<ShareForecast>(jobs.length);
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
    const feed = (w: Worker) => {
      if (next < batches) {
        const b = next++;
        w.postMessage({ batch: b, jobs: jobs.slice(b * batch, (b + 1) * batch) } satisfies WorkerRequest);
      } else {
        w.postMessage(null satisfies WorkerRequest);
      }
    };
    for (let i = 0; i < count; i++) {
      const w = startTsWorker(new URL('./worker.ts', import.meta.url), { spec });
      threads.push(w);
      w.on('message', (reply: WorkerReply) => {
        if ('error' in reply) return fail(new Error(`forecastMany: batch ${reply.batch}: ${reply.error}`));
        if ('results' in reply) {
          reply.results.forEach((r, j) => {
            results[reply.batch * batch + j] = r;
          });
          done += reply.results.length;
          onProgress?.(done, jobs.length);
          if (done === jobs.length) resolve(results);
        }
        feed(w);
      });
      w.on('error', (e) => fail(new Error(`forecastMany: worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0 && done < jobs.length)
          fail(new Error(`forecastMany: worker exited with code ${code}`));
      });
    }
  });
}
