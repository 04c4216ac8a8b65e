import type { ShardJob } from './coordinator.ts';
import { embedShard } from './embed.ts';
import { forecastShard } from './forecast.ts';
import { recommendShard } from './recommend-all.ts';

/** The worker's half of a sharded stage: computes one shard from its input in job.dir, writes its output. */
export type StageHandler = (job: ShardJob) => Promise<void>;

/** Stage name (as the coordinator enqueues it) → handler: adding a sharded stage = one file + one line. */
export const STAGES: Record<string, StageHandler> = {
  embed: embedShard,
  forecast: forecastShard,
  recommend: recommendShard,
};
