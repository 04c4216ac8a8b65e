import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readShardOutput,
  shardDone,
  shardRanges,
  writeShardOutput,
} from '../../src/distributed/shard-files.ts';

describe('shardRanges', () => {
  it('cuts n rows into contiguous non-empty ranges whose sizes differ by at most one', () => {
    for (const [n, shards] of [
      [10, 3],
      [7, 7],
      [5, 8],
      [1000, 16],
    ]) {
      const r = shardRanges(n, shards);
      expect(r).toHaveLength(Math.min(n, shards));
      expect(r[0][0]).toBe(0);
      expect(r.at(-1)?.[1]).toBe(n);
      r.slice(1).forEach(([from], i) => {
        expect(from).toBe(r[i][1]);
      });
      const sizes = r.map(([a, b]) => b - a);
      expect(Math.min(...sizes)).toBeGreaterThan(0);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardRanges(10, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
  });

  it('refuses a shard count that is not a positive integer', () => {
    expect(() => shardRanges(10, 0)).toThrow('distributed.shards must be a positive integer, got 0');
  });
});

describe('shard outputs', () => {
  it('round-trip data and meta; the meta marks the shard done; no temporary file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interest-evo-shards-'));
    expect(shardDone(dir, 2)).toBe(false);
    await writeShardOutput(dir, 2, Float32Array.from([1.5, -2, 0.25]), { hits: 1 });
    expect(shardDone(dir, 2)).toBe(true);
    expect(readShardOutput(dir, 2)).toEqual({ data: Float32Array.from([1.5, -2, 0.25]), meta: { hits: 1 } });
    expect(readdirSync(dir).sort()).toEqual(['shard-00002.f32', 'shard-00002.json']);
  });

  it('a missing output is one line naming the shard and the likely cause', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interest-evo-shards-'));
    expect(() => readShardOutput(dir, 0)).toThrow(
      /shard 0 finished but .*shard-00000\.json is missing \(does every worker see the same storage directory\?\)/,
    );
  });
});
