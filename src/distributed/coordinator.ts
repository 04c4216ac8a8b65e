import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { createProgress } from '../util/progress.ts';
import { connectionOf, STAGE_QUEUE } from './redis.ts';
import { type Range, shardDone } from './shard-files.ts';

/** Where a run's sharded stages go: the queue, how many shards, tries per shard, the shared directory. */
export interface Cluster {
  redis: string;
  shards: number;
  attempts: number;
  /** Absolute directory every worker sees (a shared mount on several machines). */
  storage: string;
}

/** One shard of a stage, as a job carries it; inputs and outputs are files in `dir`. */
export interface ShardJob {
  stage: string;
  dir: string;
  shard: number;
  shards: number;
  from: number;
  to: number;
}

const describeShard = (j: ShardJob, unit: string) =>
  `shard ${j.shard + 1}/${j.shards} of ${j.stage} (${unit} ${j.from}–${j.to - 1})`;

/**
 * Enqueues the shards of `stage` whose output is not in `dir` yet (a resumed run skips finished ones),
 * shows progress in `unit`s, and resolves once every shard's output is there. A shard that fails
 * `attempts` times stops the whole stage with one line naming it and its last error; its unstarted
 * siblings are withdrawn from the queue.
 */
export async function runShards(
  cluster: Cluster,
  stage: string,
  dir: string,
  ranges: readonly Range[],
  unit: string,
): Promise<void> {
  const all = ranges.map(
    ([from, to], shard): ShardJob => ({ stage, dir, shard, shards: ranges.length, from, to }),
  );
  const todo = all.filter((j) => !shardDone(dir, j.shard));
  const bar = createProgress(
    `${stage} (${ranges.length} shards on workers)`,
    ranges.reduce((s, [a, b]) => s + b - a, 0),
  );
  for (const j of all) if (!todo.includes(j)) bar.tick(j.to - j.from);
  if (todo.length === 0) return bar.stop();
  const connection = connectionOf(cluster.redis);
  const queue = new Queue<ShardJob>(STAGE_QUEUE, { connection });
  const events = new QueueEvents(STAGE_QUEUE, { connection });
  const current = new Map<number, Job<ShardJob>>();
  try {
    await events.waitUntilReady();
    await Promise.all(
      todo.map(async (data) => {
        try {
          await finishShard(queue, events, data, cluster.attempts, current);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          const id = current.get(data.shard)?.id ?? '';
          const tries = (await queue.getJob(id))?.attemptsMade ?? cluster.attempts;
          throw new Error(`distributed: ${describeShard(data, unit)} failed after ${tries} attempts: ${why}`);
        }
        bar.tick(data.to - data.from);
      }),
    );
  } catch (e) {
    // Waiting siblings would otherwise still be worked on for a run that has stopped.
    await Promise.all([...current.values()].map((j) => j.remove().catch(() => {})));
    throw e;
  } finally {
    bar.stop();
    await events.close();
    await queue.close();
  }
}

/** How often a waiting coordinator checks that Redis still holds its shards' jobs. */
const LOST_CHECK_MS = 2000;

/**
 * Enqueues one shard and waits until its output is in place. A Redis restarted without persistence (or
 * flushed) forgets queued and running jobs and sends no event for them: the job is enqueued again, and
 * since outputs are idempotent, a worker that finished it meanwhile costs nothing twice.
 */
async function finishShard(
  queue: Queue<ShardJob>,
  events: QueueEvents,
  data: ShardJob,
  attempts: number,
  current: Map<number, Job<ShardJob>>,
): Promise<void> {
  for (;;) {
    const job = await queue.add(`${data.stage} ${data.shard + 1}/${data.shards}`, data, {
      attempts,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 86400 },
    });
    current.set(data.shard, job);
    const stop = new AbortController();
    try {
      const outcome = await Promise.race([
        job.waitUntilFinished(events).then(() => 'done' as const),
        lostOrDone(queue, job, stop.signal),
      ]);
      if (outcome === 'done') return;
      console.error(`distributed: Redis lost ${job.name} of ${data.stage} (restarted?); enqueued again`);
    } finally {
      stop.abort();
    }
  }
}

/** 'done' once the shard's output is there, 'lost' once Redis no longer knows the job; never on abort. */
async function lostOrDone(queue: Queue<ShardJob>, job: Job<ShardJob>, signal: AbortSignal) {
  for (;;) {
    try {
      await sleep(LOST_CHECK_MS, undefined, { signal });
    } catch {
      return new Promise<never>(() => {});
    }
    if (shardDone(job.data.dir, job.data.shard)) return 'done' as const;
    if ((await queue.getJobState(job.id ?? '')) === 'unknown') return 'lost' as const;
  }
}
