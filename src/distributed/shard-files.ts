/**
 * A sharded stage's files in its storage directory (a mount every worker sees): the coordinator's
 * inputs, and per shard an output pair written atomically — the float32 data first, then its JSON meta,
 * which marks the shard done. A retried or duplicated job finds the meta and writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bufferToFloat32, float32ToBuffer, writeFileAtomic } from '../util/fs.ts';

/** A shard's half-open range of rows (items or users) [from, to). */
export type Range = readonly [number, number];

/**
 * `n` rows in at most `shards` contiguous ranges whose sizes differ by at most one, none empty: a
 * pure function of (n, shards), so a resumed run finds the same shards.
 */
export function shardRanges(n: number, shards: number): Range[] {
  if (!Number.isInteger(shards) || shards < 1)
    throw new Error(`distributed.shards must be a positive integer, got ${shards}`);
  const count = Math.min(shards, n);
  return Array.from({ length: count }, (_, i) => [
    Math.floor((i * n) / count),
    Math.floor(((i + 1) * n) / count),
  ]);
}

const stem = (dir: string, shard: number) => join(dir, `shard-${String(shard).padStart(5, '0')}`);

/** A shard's file with extension `ext` (e.g. `parquet` for a stage that writes its own format). */
export const shardPath = (dir: string, shard: number, ext: string) => `${stem(dir, shard)}.${ext}`;

export const shardInputPath = (dir: string, shard: number) => shardPath(dir, shard, 'in.json');

/** Whether shard `shard`'s output landed (its meta, written last). */
export const shardDone = (dir: string, shard: number) => existsSync(`${stem(dir, shard)}.json`);

/**
 * Writes a shard's output: data, then meta (the completion marker), each by temp file + rename. A copy of
 * the job that another worker finished meanwhile (its lock had lapsed) leaves the first output alone.
 */
export async function writeShardOutput(
  dir: string,
  shard: number,
  data: Float32Array,
  meta: Record<string, unknown>,
): Promise<void> {
  if (shardDone(dir, shard)) return;
  await writeFileAtomic(`${stem(dir, shard)}.f32`, float32ToBuffer(data));
  await markShardDone(dir, shard, meta);
}

/** Writes a shard's meta, the marker that its data (written atomically before) is complete. */
export async function markShardDone(
  dir: string,
  shard: number,
  meta: Record<string, unknown>,
): Promise<void> {
  await writeFileAtomic(`${stem(dir, shard)}.json`, `${JSON.stringify(meta)}\n`);
}

/** A finished shard's output; one line naming the shard when it is missing. */
export function readShardOutput<M>(dir: string, shard: number): { data: Float32Array; meta: M } {
  if (!shardDone(dir, shard))
    throw new Error(
      `distributed: shard ${shard} finished but ${stem(dir, shard)}.json is missing ` +
        '(does every worker see the same storage directory?)',
    );
  return {
    data: bufferToFloat32(readFileSync(`${stem(dir, shard)}.f32`)),
    meta: JSON.parse(readFileSync(`${stem(dir, shard)}.json`, 'utf8')) as M,
  };
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
