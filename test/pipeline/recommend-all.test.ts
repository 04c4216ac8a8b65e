import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { queryColumns } from '../../src/data/columns.ts';
import { startWorker } from '../../src/distributed/worker.ts';
import { recommendAll } from '../../src/pipeline/recommend-all.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { spawnCli } from '../helpers/cli.ts';
import { NO_REDIS_REASON, startRedis } from '../helpers/redis.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

/** The file's rows as columns [user, rank, item, score], in file order. */
async function readTopK(path: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return await queryColumns(con, `SELECT "user", rank, item, score FROM read_parquet('${path}')`);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

describe('recommend-all: every user’s top K to Parquet', () => {
  let checkpoint: string;
  let out: string;
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-topk-'));

  beforeAll(async () => {
    checkpoint = (await tinyCheckpoint('tiny-topk')).run.checkpointDir;
    out = join(dir, 'local.parquet');
    await recommendAll({ checkpoint, out, k: 10, excludeSeen: true, shards: 1 });
  });

  it('holds, per stored user in users.json order, the ranked items `recommend` gives', async () => {
    const ck = await loadCheckpoint(checkpoint);
    const rec = new Recommender(ck);
    const [user, rank, item, score] = await readTopK(out);
    expect(user).toHaveLength(ck.users.length * 10);
    for (const u of [0, 7, ck.users.length - 1]) {
      const want = rec.recommend(ck.users[u], 10).items;
      const rows = user.flatMap((x, r) => (x === ck.users[u] ? [r] : []));
      expect(rows.map((r) => rank[r])).toEqual(want.map((_, j) => j + 1));
      expect(rows.map((r) => item[r])).toEqual(want.map((it) => it.id));
      expect(rows.map((r) => score[r])).toEqual(want.map((it) => it.score));
    }
    expect(user[0]).toBe(ck.users[0]);
    rec.dispose();
  });

  it('refuses an output that is not .parquet with one line, exit 2', async () => {
    const r = await spawnCli(['recommend-all', '--checkpoint', checkpoint, '--out', join(dir, 'top.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('interest-evo: --out must name a .parquet file (see --help)');
  });

  it.skipIf(NO_REDIS_REASON !== null)(
    'with --redis, sharded over a worker: the same rows in the same order, shard files removed',
    async () => {
      const redis = await startRedis();
      const worker = await startWorker({ redis: redis.url, concurrency: 1, lockMs: 2000, log: () => {} });
      try {
        const sharded = join(dir, 'sharded.parquet');
        await recommendAll({
          checkpoint,
          out: sharded,
          k: 10,
          excludeSeen: true,
          redis: redis.url,
          shards: 4,
        });
        expect(await readTopK(sharded)).toEqual(await readTopK(out));
        expect(existsSync(`${sharded}.shards`)).toBe(false);
      } finally {
        await worker.close();
        await redis.stop();
      }
    },
  );
});
