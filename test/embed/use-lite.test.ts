import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embed/types.ts';
import { createUseLiteEmbedder, sparseInput } from '../../src/embed/use-lite.ts';
import { cosineRows } from '../../src/embed/vector.ts';

const TOY = 'Toy Story (1995). Genres: Adventure|Animation|Children|Comedy|Fantasy';
const JUMANJI = 'Jumanji (1995). Genres: Adventure|Children|Fantasy';
const HEAT = 'Heat (1995). Genres: Action|Crime|Thriller';

describe('sparseInput', () => {
  it('lays token ids out as (row, position) pairs', () => {
    const { indices, values } = sparseInput([[5, 6], [], [7]]);
    expect([...indices]).toEqual([0, 0, 0, 1, 2, 0]);
    expect([...values]).toEqual([5, 6, 7]);
  });
});

describe('use-lite embedder', () => {
  let e: Embedder;

  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    e = await createUseLiteEmbedder();
  });
  afterAll(() => e?.dispose());

  it('names the weights package version and a content digest', () => {
    expect(e.id).toBe('use-lite');
    expect(e.dim).toBe(512);
    expect(e.version).toMatch(/^0\.2\.0-tok1\.3\.3-[0-9a-f]{12}$/);
  });

  it('gives unit 512-d rows that place Toy Story nearer Jumanji than Heat', async () => {
    const v = await e.embed([TOY, JUMANJI, HEAT]);
    expect(v.length).toBe(3 * 512);
    for (let i = 0; i < 3; i++) {
      const row = v.subarray(i * 512, (i + 1) * 512);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    const near = cosineRows(v, 512, 0, 1);
    const far = cosineRows(v, 512, 0, 2);
    expect(near).toBeCloseTo(0.873, 1);
    expect(near).toBeGreaterThan(far + 0.2);
  });

  it('does not depend on the batch a sentence is in', async () => {
    const together = await e.embed([HEAT, TOY]);
    const alone = await e.embed([TOY]);
    for (let k = 0; k < 512; k++) expect(together[512 + k]).toBeCloseTo(alone[k], 5);
  });

  it('gives a zero row for an empty text without shifting the others', async () => {
    const v = await e.embed([TOY, '', HEAT, '']);
    const ref = await e.embed([TOY, HEAT]);
    expect(v.subarray(512, 1024).every((x) => x === 0)).toBe(true);
    expect(v.subarray(3 * 512).every((x) => x === 0)).toBe(true);
    for (let k = 0; k < 512; k++) expect(v[2 * 512 + k]).toBeCloseTo(ref[512 + k], 5);
    expect((await e.embed([])).length).toBe(0);
  });

  it('releases every tensor it creates', async () => {
    await e.embed([TOY]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await e.embed([TOY, JUMANJI, HEAT, `${i}`]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses to embed after dispose', async () => {
    const other = await createUseLiteEmbedder();
    other.dispose();
    await expect(other.embed([TOY])).rejects.toThrow(/after dispose/);
  });
});
