import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedTexts } from '../../src/embed/embed-texts.ts';
import { createHashingEmbedder } from '../../src/embed/hashing.ts';
import { embedThreads, withThreads } from '../../src/embed/threads.ts';
import type { Embedder } from '../../src/embed/types.ts';
import { createUseLiteEmbedder } from '../../src/embed/use-lite.ts';

// Real movie texts of the shipped sample: 9 batches of 16.
const TEXTS = readFileSync('data/ml-latest-small/movies.csv', 'utf8').split('\n').slice(1, 141);

describe('embedding on several threads', () => {
  let e: Embedder;

  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    e = await createUseLiteEmbedder();
  });
  afterAll(() => e?.dispose());

  it('splits only a tfjs encoder on a one-core backend, and only a large catalogue', () => {
    expect(embedThreads(e, 2, 200)).toBe(2);
    expect(embedThreads(e, 1, 200)).toBe(1);
    // Too few batches to pay for loading a copy.
    expect(embedThreads(e, 2, 9)).toBe(1);
    expect(embedThreads(createHashingEmbedder(), 2, 200)).toBe(1);
  });

  it('gives the one-thread vectors bit for bit, with both threads encoding', async () => {
    const one = await embedTexts(e, TEXTS, { batch: 16, cache: null });
    let lanes = 0;
    let peak = 0;
    let inFlight = 0;
    const two = await embedTexts(e, TEXTS, {
      batch: 16,
      cache: null,
      spread: async (batches) => {
        expect(batches).toBe(9);
        const pool = await withThreads(e, { encoder: 'use-lite', batch: 16, cacheDir: null }, 2);
        lanes = pool.encoder.lanes ?? 1;
        const counted: Embedder = {
          ...pool.encoder,
          embed: async (texts) => {
            peak = Math.max(peak, ++inFlight);
            try {
              return await pool.encoder.embed(texts);
            } finally {
              inFlight--;
            }
          },
        };
        return { ...pool, encoder: counted };
      },
    });
    expect(lanes).toBe(2);
    expect(peak).toBe(2);
    // Both threads keep taking batches: the calling thread yields between its own, so the copy's replies
    // are read as they come (before, the copy's first batch came back after the last one).
    expect(two.threadBatches).toHaveLength(2);
    expect(two.threadBatches.reduce((a, b) => a + b)).toBe(9);
    expect(Math.min(...two.threadBatches)).toBeGreaterThanOrEqual(2);
    expect(Buffer.from(two.vectors.buffer).equals(Buffer.from(one.vectors.buffer))).toBe(true);
    expect(two.misses).toBe(one.misses);
  });

  it('a failing batch fails the call with its error, and the threads are released', async () => {
    const pool = await withThreads(e, { encoder: 'use-lite', batch: 16, cacheDir: null }, 2);
    let closed = false;
    let calls = 0;
    const failing: Embedder = {
      ...pool.encoder,
      embed: (texts) => (++calls === 3 ? Promise.reject(new Error('boom')) : pool.encoder.embed(texts)),
    };
    await expect(
      embedTexts(e, TEXTS, {
        batch: 16,
        cache: null,
        spread: async () => ({
          ...pool,
          encoder: failing,
          close: () => {
            closed = true;
            pool.close();
          },
        }),
      }),
    ).rejects.toThrow('boom');
    expect(closed).toBe(true);
    expect(calls).toBeLessThan(9);
  });
});
