import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { type Cluster, runShards, type ShardJob } from '../../src/distributed/coordinator.ts';
import { embedCatalogueSharded } from '../../src/distributed/embed.ts';
import { readShardOutput, writeShardOutput } from '../../src/distributed/shard-files.ts';
import { STAGES } from '../../src/distributed/stages.ts';
import { startWorker } from '../../src/distributed/worker.ts';
import { embedCatalogue } from '../../src/embed/catalogue.ts';
import { NO_REDIS_REASON, startRedis, type TestRedis } from '../helpers/redis.ts';

const EMBED = {
  encoder: 'hashing',
  batch: 8,
  cache: null,
  hashing: { dim: 32, ngrams: 2, seed: 5 },
} as Config['embed'];
// Duplicates across shards: each shard dedupes on its own, the rows must still match.
const TEXTS = Array.from({ length: 120 }, (_, i) => `item ${i % 50}: drama ${i % 7} and comedy ${i % 3}`);

describe.skipIf(NO_REDIS_REASON !== null)('sharded stages on an in-process worker', () => {
  let redis: TestRedis;
  let cluster: (over?: Partial<Cluster>) => Cluster;
  let stop: () => Promise<void>;
  /** Shards this worker computed, by `stage:shard`; the planted stage fails on shard 2 every time. */
  const ran: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    cluster = (over = {}) => ({
      redis: redis.url,
      shards: 4,
      attempts: 2,
      storage: mkdtempSync(join(tmpdir(), 'interest-evo-storage-')),
      ...over,
    });
    const track = (name: string) => async (job: ShardJob) => {
      ran.push(`${job.stage}:${job.shard}`);
      if (name === 'flaky' && job.shard === 2) throw new Error('planted: disk full');
      if (name === 'embed') await STAGES.embed(job);
    };
    const w = await startWorker({
      redis: redis.url,
      concurrency: 2,
      lockMs: 2000,
      log: () => {},
      stages: { embed: track('embed'), flaky: track('flaky') },
    });
    stop = w.close;
  });
  afterAll(async () => {
    await stop?.();
    await redis?.stop();
  });

  it('embeds the same vectors as one process, and a rerun over finished shards enqueues nothing', async () => {
    const c = cluster();
    const sharded = await embedCatalogueSharded(TEXTS, EMBED, c);
    const local = await embedCatalogue(TEXTS, EMBED);
    expect(sharded.vectors).toEqual(local.vectors);
    expect(sharded.encoder).toEqual(local.encoder);
    expect(ran.filter((r) => r.startsWith('embed:')).sort()).toEqual([
      'embed:0',
      'embed:1',
      'embed:2',
      'embed:3',
    ]);
    const [dir] = readdirSync(c.storage);
    const mtime = statSync(join(c.storage, dir, 'shard-00001.f32')).mtimeMs;
    ran.length = 0;
    const again = await embedCatalogueSharded(TEXTS, EMBED, c);
    expect(again.vectors).toEqual(local.vectors);
    expect(ran).toEqual([]);
    expect(statSync(join(c.storage, dir, 'shard-00001.f32')).mtimeMs).toBe(mtime);
  });

  it('a shard that keeps failing stops the stage with one line naming it and its cause', async () => {
    ran.length = 0;
    const c = cluster({ attempts: 3 });
    const dir = join(c.storage, 'flaky');
    const ranges: [number, number][] = [
      [0, 10],
      [10, 20],
      [20, 30],
      [30, 40],
    ];
    await expect(runShards(c, 'flaky', dir, ranges, 'users')).rejects.toThrow(
      /^distributed: shard 3\/4 of flaky \(users 20–29\) failed after 3 attempts: planted: disk full$/,
    );
    expect(ran.filter((r) => r === 'flaky:2')).toHaveLength(3);
  });

  it('Redis restarted without persistence mid-stage: the lost jobs are enqueued again and the stage finishes', async () => {
    const own = await startRedis();
    let restarted: TestRedis | null = null;
    const hold = mkdtempSync(join(tmpdir(), 'interest-evo-hold-'));
    // Holds each shard until the test has restarted Redis, then writes its output.
    const held = async (job: ShardJob) => {
      writeFileSync(join(hold, `started-${job.shard}`), '');
      await vi.waitFor(() => expect(existsSync(join(hold, 'release'))).toBe(true), {
        timeout: 60_000,
        interval: 50,
      });
      await writeShardOutput(job.dir, job.shard, Float32Array.from([job.from, job.to]), {});
    };
    const w = await startWorker({
      redis: own.url,
      concurrency: 1,
      lockMs: 1000,
      log: () => {},
      stages: { held },
    });
    try {
      const c = cluster({ redis: own.url });
      const dir = join(c.storage, 'held');
      mkdirSync(dir);
      const ranges: [number, number][] = [
        [0, 5],
        [5, 10],
      ];
      const stage = runShards(c, 'held', dir, ranges, 'rows');
      await vi.waitFor(() => expect(existsSync(join(hold, 'started-0'))).toBe(true), {
        timeout: 30_000,
        interval: 50,
      });
      await own.stop();
      restarted = await startRedis(own.port);
      writeFileSync(join(hold, 'release'), '');
      await stage;
      expect(ranges.map((_, i) => readShardOutput(dir, i).data)).toEqual([
        Float32Array.from([0, 5]),
        Float32Array.from([5, 10]),
      ]);
    } finally {
      await w.close();
      await restarted?.stop();
    }
  });
});
