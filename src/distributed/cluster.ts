import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Cluster } from './coordinator.ts';
import { assertRedisReachable, checkRedisUrl } from './redis.ts';

/**
 * The run's cluster when `--redis` or `distributed.redis` names one (the flag wins), else null (one
 * process). Shard files go to `distributed.storage`/<run-id>, or beside the run's epoch state, which a
 * finished run removes and `train --resume` finds: finished shards are not recomputed.
 */
export async function clusterOf(
  cfg: Pick<Config, 'distributed'>,
  redisFlag: string | undefined,
  run: { runId: string; stateDir: string },
): Promise<Cluster | null> {
  const d = cfg.distributed;
  const redis = redisFlag ?? d?.redis ?? null;
  if (redis === null) return null;
  await assertRedisReachable(checkRedisUrl(redis));
  const storage = d?.storage ? resolve(d.storage, run.runId) : resolve(run.stateDir, 'shards');
  mkdirSync(storage, { recursive: true });
  return { redis, shards: d?.shards ?? 8, attempts: d?.attempts ?? 3, storage };
}
