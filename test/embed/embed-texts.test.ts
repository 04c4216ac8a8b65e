import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingCache } from '../../src/embed/cache.ts';
import { embedTexts } from '../../src/embed/embed-texts.ts';
import { createHashingEmbedder } from '../../src/embed/hashing.ts';
import type { Embedder } from '../../src/embed/types.ts';

/** A real hashing encoder that records what it is asked to encode and can fail on a given call. */
function recording(failOnCall = -1): Embedder & { calls: string[][] } {
  const inner = createHashingEmbedder({ dim: 16 });
  const calls: string[][] = [];
  return {
    id: inner.id,
    version: inner.version,
    dim: inner.dim,
    calls,
    async embed(texts) {
      calls.push([...texts]);
      if (calls.length === failOnCall) throw new Error('encoder crashed');
      return inner.embed(texts);
    },
    dispose: () => inner.dispose(),
  };
}

// One length, so batches keep the input order (embedTexts orders misses by length).
const texts = Array.from({ length: 10 }, (_, i) => `movie ${i}. Genres: ${i % 2 ? 'Drama' : 'Crime'}`);
let dir: string;
let cache: EmbeddingCache;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'embed-texts-'));
  cache = EmbeddingCache.open(dir);
});
afterEach(async () => {
  await cache.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('embedTexts', () => {
  it('matches the encoder row for row and encodes duplicates once', async () => {
    const e = recording();
    const input = [texts[0], texts[1], texts[0], texts[2], texts[1]];
    const r = await embedTexts(e, input, { batch: 2, cache: null });
    expect(r.dim).toBe(16);
    expect(r.hits).toBe(0);
    expect(r.misses).toBe(3);
    expect(e.calls).toEqual([[texts[0], texts[1]], [texts[2]]]);
    const direct = await createHashingEmbedder({ dim: 16 }).embed(input);
    expect(r.vectors).toEqual(direct);
  });

  it('batches texts of like length, shortest first, ties in input order', async () => {
    const e = recording();
    const input = ['a long text here', 'b', 'a text', 'c', 'mid one', 'dd'];
    const r = await embedTexts(e, input, { batch: 2, cache: null });
    expect(e.calls).toEqual([
      ['b', 'c'],
      ['dd', 'a text'],
      ['mid one', 'a long text here'],
    ]);
    expect(r.vectors).toEqual(await createHashingEmbedder({ dim: 16 }).embed(input));
  });

  it('serves a repeated call from the cache with identical vectors', async () => {
    const e = recording();
    const cold = await embedTexts(e, texts, { batch: 4, cache });
    expect([cold.hits, cold.misses]).toEqual([0, 10]);
    expect(e.calls.length).toBe(3);
    const warm = await embedTexts(e, texts, { batch: 4, cache });
    expect([warm.hits, warm.misses]).toEqual([10, 0]);
    expect(e.calls.length).toBe(3);
    expect(warm.vectors).toEqual(cold.vectors);
  });

  it('re-encodes only a changed text', async () => {
    const e = recording();
    await embedTexts(e, texts, { batch: 4, cache });
    const changed = texts.with(7, 'movie 7. Genres: Horror');
    const r = await embedTexts(e, changed, { batch: 4, cache });
    expect([r.hits, r.misses]).toEqual([9, 1]);
    expect(e.calls.at(-1)).toEqual(['movie 7. Genres: Horror']);
    expect(r.vectors).toEqual(await createHashingEmbedder({ dim: 16 }).embed(changed));
  });

  it('keeps the batches finished before a crash and resumes from them', async () => {
    const crashing = recording(3);
    await expect(embedTexts(crashing, texts, { batch: 3, cache })).rejects.toThrow('encoder crashed');
    const e = recording();
    const r = await embedTexts(e, texts, { batch: 3, cache });
    expect([r.hits, r.misses]).toEqual([6, 4]);
    expect(e.calls).toEqual([texts.slice(6, 9), texts.slice(9)]);
  });

  it('reports monotone progress over distinct texts, ending at the total', async () => {
    await embedTexts(recording(), texts.slice(0, 4), { batch: 2, cache });
    const seen: [number, number][] = [];
    await embedTexts(recording(), [...texts, texts[0]], {
      batch: 4,
      cache,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([
      [4, 10],
      [8, 10],
      [10, 10],
    ]);
  });

  it('handles an empty input', async () => {
    const r = await embedTexts(recording(), [], { batch: 4, cache });
    expect(r).toEqual({ vectors: new Float32Array(0), dim: 16, hits: 0, misses: 0, threadBatches: [] });
  });

  it('rejects a bad batch size, a non-string text and a wrongly sized encoder result', async () => {
    await expect(embedTexts(recording(), texts, { batch: 0, cache: null })).rejects.toThrow(/batch/);
    await expect(
      embedTexts(recording(), ['a', 3 as unknown as string], { batch: 2, cache: null }),
    ).rejects.toThrow(/texts\[1\] is number/);
    const short: Embedder = { ...recording(), embed: async () => new Float32Array(5) };
    await expect(embedTexts(short, ['a'], { batch: 2, cache: null })).rejects.toThrow(/returned 5 floats/);
  });
});
