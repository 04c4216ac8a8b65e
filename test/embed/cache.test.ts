import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, EmbeddingCache } from '../../src/embed/cache.ts';

const enc = { id: 'toy', version: '1', dim: 3 };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'embed-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('cacheKey', () => {
  it('is id@version:sha256(text)', () => {
    expect(cacheKey(enc, 'abc')).toBe(
      'toy@1:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('EmbeddingCache', () => {
  it('round-trips rows and keeps them across reopen', async () => {
    const cache = EmbeddingCache.open(dir);
    expect(cache.get(enc, 'a')).toBeUndefined();
    await cache.put(enc, ['a', 'b'], new Float32Array([1, 2, 3, 0.5, -0.25, 1e-7]));
    expect(cache.get(enc, 'b')).toEqual(new Float32Array([0.5, -0.25, 1e-7]));
    await cache.close();

    const again = EmbeddingCache.open(dir);
    expect(again.size).toBe(2);
    expect(again.get(enc, 'a')).toEqual(new Float32Array([1, 2, 3]));
    await again.close();
  });

  it('separates encoders and versions sharing one directory', async () => {
    const cache = EmbeddingCache.open(dir);
    await cache.put(enc, ['a'], new Float32Array([1, 0, 0]));
    expect(cache.get({ ...enc, version: '2' }, 'a')).toBeUndefined();
    expect(cache.get({ ...enc, id: 'other' }, 'a')).toBeUndefined();
    await cache.close();
  });

  it('treats a stored row of the wrong length as a miss', async () => {
    const cache = EmbeddingCache.open(dir);
    await cache.put(enc, ['a'], new Float32Array([1, 0, 0]));
    expect(cache.get({ ...enc, dim: 4 }, 'a')).toBeUndefined();
    await cache.close();
  });

  it('rejects a vector block that does not match texts × dim', async () => {
    const cache = EmbeddingCache.open(dir);
    await expect(cache.put(enc, ['a', 'b'], new Float32Array(5))).rejects.toThrow(/2 texts × dim 3/);
    await cache.close();
  });

  it('closes idempotently and refuses use after close', async () => {
    const cache = EmbeddingCache.open(dir);
    await cache.close();
    await cache.close();
    expect(() => cache.get(enc, 'a')).toThrow(/after close/);
    await expect(cache.put(enc, ['a'], new Float32Array(3))).rejects.toThrow(/after close/);
  });

  it('rejects an empty directory name', () => {
    expect(() => EmbeddingCache.open('')).toThrow(/non-empty path/);
  });
});
