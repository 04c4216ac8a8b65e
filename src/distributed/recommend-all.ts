/** Batch top-K (`recommend-all`) sharded by user range: the coordinator's half and the worker's half. */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { Recommender } from '../recommend/recommender.ts';
import { concatParquet, writeTopKParquet } from '../recommend/top-k-parquet.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { type Cluster, runShards, type ShardJob } from './coordinator.ts';
import { markShardDone, readJson, shardPath, shardRanges } from './shard-files.ts';

interface TopKJob {
  /** Absolute checkpoint directory every worker sees. */
  checkpoint: string;
  k: number;
  excludeSeen: boolean;
}

/** Every user's top K on the cluster's workers, one Parquet file per shard, concatenated into `out`. */
export async function recommendAllSharded(
  cluster: Cluster,
  job: TopKJob,
  users: number,
  out: string,
): Promise<void> {
  const dir = join(cluster.storage, 'recommend');
  const ranges = shardRanges(users, cluster.shards);
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(
    join(dir, 'recommend.json'),
    JSON.stringify({ ...job, checkpoint: resolve(job.checkpoint) }),
  );
  await runShards(cluster, 'recommend', dir, ranges, 'users');
  await concatParquet(
    ranges.map((_, i) => shardPath(dir, i, 'parquet')),
    out,
  );
}

/** A worker keeps the checkpoints it serves shards of loaded (verifying one takes seconds). */
const recommenders = new Map<string, Promise<Recommender>>();

export async function disposeRecommenders(): Promise<void> {
  for (const r of recommenders.values()) {
    const rec = await r;
    rec.dispose();
    rec.ck.model.dispose();
  }
  recommenders.clear();
}

/** The worker's half: one shard's top-K as Parquet, then the done marker. */
export async function recommendShard(job: ShardJob): Promise<void> {
  const { checkpoint, k, excludeSeen } = readJson<TopKJob>(join(job.dir, 'recommend.json'));
  if (!recommenders.has(checkpoint))
    recommenders.set(
      checkpoint,
      loadCheckpoint(checkpoint).then((ck) => new Recommender(ck)),
    );
  const rec = await (recommenders.get(checkpoint) as Promise<Recommender>);
  const rows = await writeTopKParquet(
    shardPath(job.dir, job.shard, 'parquet'),
    rec,
    [job.from, job.to],
    k,
    excludeSeen,
  );
  await markShardDone(job.dir, job.shard, { rows, worker: `${hostname()}:${process.pid}` });
}
