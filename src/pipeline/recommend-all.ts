import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCheckpoint } from '../checkpoint/load.ts';
import type { Cluster } from '../distributed/coordinator.ts';
import { recommendAllSharded } from '../distributed/recommend-all.ts';
import { assertRedisReachable } from '../distributed/redis.ts';
import { Recommender } from '../recommend/recommender.ts';
import { writeTopKParquet } from '../recommend/top-k-parquet.ts';

export interface RecommendAllOptions {
  checkpoint: string;
  /** The Parquet file written: one row (user, rank, item, score) per recommended item. */
  out: string;
  k: number;
  excludeSeen: boolean;
  /** Shard over `interest-evo worker`s on this Redis; shard files go beside `out` (a directory they see). */
  redis?: string;
  shards: number;
}

/** Every stored user's top K from a checkpoint, the offline way checkpoints are consumed. */
export async function recommendAll(o: RecommendAllOptions): Promise<{ users: number; seconds: number }> {
  const t0 = performance.now();
  if (o.redis) await assertRedisReachable(o.redis);
  const ck = await loadCheckpoint(o.checkpoint);
  const users = ck.users.length;
  const job = { checkpoint: o.checkpoint, k: o.k, excludeSeen: o.excludeSeen };
  if (o.redis) {
    ck.model.dispose();
    const cluster: Cluster = {
      redis: o.redis,
      shards: o.shards,
      attempts: 3,
      storage: resolve(`${o.out}.shards`),
    };
    await recommendAllSharded(cluster, job, users, o.out);
    rmSync(cluster.storage, { recursive: true, force: true });
  } else {
    const rec = new Recommender(ck);
    try {
      await writeTopKParquet(o.out, rec, [0, users], o.k, o.excludeSeen);
    } finally {
      rec.dispose();
      ck.model.dispose();
    }
  }
  return { users, seconds: (performance.now() - t0) / 1000 };
}
