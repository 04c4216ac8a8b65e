import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { ShardJob } from './coordinator.ts';
import { disposeEmbedders } from './embed.ts';
import { disposeRecommenders } from './recommend-all.ts';
import { assertRedisReachable, connectionOf, STAGE_QUEUE } from './redis.ts';
import { shardDone } from './shard-files.ts';
import { STAGES, type StageHandler } from './stages.ts';

export interface WorkerOptions {
  redis: string;
  /** Jobs this process runs at once (they share one event loop: use one process per core for CPU work). */
  concurrency: number;
  /**
   * A job whose worker stops renewing its lock for this long (killed, machine lost) is handed to another
   * worker; the stalled check runs as often. BullMQ's default is 30 s.
   */
  lockMs: number;
  log: (line: string) => void;
  /** Stage handlers by name; tests wrap one. */
  stages?: Record<string, StageHandler>;
}

/**
 * Takes stage jobs from the queue until closed. A shard whose output is already in place (a retry after
 * the first completion landed, a duplicate) is acknowledged without being computed or written again.
 */
export async function startWorker(o: WorkerOptions): Promise<{ close(): Promise<void> }> {
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1)
    throw new Error(`worker: --concurrency must be a positive integer, got ${o.concurrency}`);
  await assertRedisReachable(o.redis);
  const stages = o.stages ?? STAGES;
  const id = `${hostname()}:${process.pid}`;
  const worker = new Worker<ShardJob>(
    STAGE_QUEUE,
    async (job) => {
      const handler = Object.hasOwn(stages, job.data.stage) ? stages[job.data.stage] : undefined;
      if (!handler)
        throw new UnrecoverableError(
          `unknown stage '${job.data.stage}'; this worker knows ${Object.keys(stages).join(', ')}`,
        );
      if (shardDone(job.data.dir, job.data.shard)) return { worker: id, skipped: true };
      o.log(`worker ${id}: ${job.name} (${job.data.to - job.data.from} rows) started`);
      await handler(job.data);
      o.log(`worker ${id}: ${job.name} done`);
      return { worker: id, skipped: false };
    },
    {
      connection: connectionOf(o.redis),
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      // A kill -9 is one stall; the shard's `attempts` bound its own errors.
      maxStalledCount: 3,
    },
  );
  worker.on('failed', (job, err) => o.log(`worker ${id}: ${job?.name ?? 'a job'} failed: ${err.message}`));
  worker.on('error', (err) => o.log(`worker ${id}: ${err.message}`));
  await worker.waitUntilReady();
  o.log(
    `worker ${id}: taking ${Object.keys(stages).join(', ')} jobs from ${o.redis} (concurrency ${o.concurrency})`,
  );
  return {
    async close() {
      await worker.close();
      await disposeEmbedders();
      await disposeRecommenders();
    },
  };
}
