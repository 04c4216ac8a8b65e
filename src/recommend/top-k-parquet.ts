/** Batch top-K as Parquet (`recommend-all`): rows (user, rank, item, score), written with DuckDB. */
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inChunks } from '../distributed/yield.ts';
import { sqlStr, withDuck } from '../util/duck.ts';
import type { Recommender } from './recommender.ts';

/** Runs `copy(tmp)` to a temporary sibling of `path`, then renames it over `path`: never a half file. */
async function atomically(path: string, copy: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${process.pid}-${Date.now()}.tmp.parquet`);
  try {
    await copy(tmp);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * The top `k` items of users [from, to) (rows of the checkpoint's users.json, ids as stored there) as
 * Parquet; items the user had are excluded unless `excludeSeen` is false. Returns the rows written.
 */
export async function writeTopKParquet(
  path: string,
  rec: Recommender,
  users: readonly [number, number],
  k: number,
  excludeSeen: boolean,
): Promise<number> {
  const ids = rec.ck.users;
  return withDuck(async (con) => {
    await con.run('CREATE TABLE topk ("user" VARCHAR, rank INTEGER, item VARCHAR, score DOUBLE)');
    const appender = await con.createAppender('topk');
    let rows = 0;
    // Chunks let a worker's event loop renew its job lock between users.
    await inChunks(users[0], users[1], 64, (a, b) => {
      for (let u = a; u < b; u++) {
        rec.recommendRow(u, k, { excludeSeen }).items.forEach((it, r) => {
          appender.appendVarchar(ids[u]);
          appender.appendInteger(r + 1);
          appender.appendVarchar(it.id);
          appender.appendDouble(it.score);
          appender.endRow();
          rows++;
        });
      }
    });
    appender.closeSync();
    await atomically(path, (tmp) =>
      con.run(`COPY topk TO ${sqlStr(tmp)} (FORMAT parquet, COMPRESSION zstd)`).then(() => {}),
    );
    return rows;
  });
}

/** Concatenates Parquet files, in the given order, into `out` (atomically). */
export async function concatParquet(files: readonly string[], out: string): Promise<void> {
  const list = `[${files.map(sqlStr).join(', ')}]`;
  await withDuck((con) =>
    atomically(out, (tmp) =>
      con
        .run(
          `COPY (SELECT * FROM read_parquet(${list})) TO ${sqlStr(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
        )
        .then(() => {}),
    ),
  );
}
