import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/util/random.ts';
import { dot, log1pCounts, normalizeRows, sparseDot, sparseRows } from '../../src/util/vec.ts';

describe('normalizeRows', () => {
  it('scales rows to unit length and leaves zero rows alone', () => {
    const m = normalizeRows(new Float32Array([3, 4, 0, 0, 0, -2]), 2);
    expect(m).toEqual(new Float32Array([0.6, 0.8, 0, 0, 0, -1]));
  });
});

describe('sparseRows / sparseDot', () => {
  it('give the dense dot product bit for bit, for sparse and dense rows', () => {
    const rand = mulberry32(17);
    const dim = 24;
    for (const density of [0.05, 0.3, 1]) {
      const m = Float32Array.from({ length: 30 * dim }, () => (rand() < density ? rand() * 2 - 1 : 0));
      const s = sparseRows(m, dim);
      expect(s.offsets[30]).toBe(m.filter((x) => x !== 0).length);
      const q = Float32Array.from({ length: 2 * dim }, () => rand() * 2 - 1);
      for (let i = 0; i < 30; i++) {
        expect(sparseDot(s, i, q)).toBe(dot(m, i * dim, q, 0, dim));
        expect(sparseDot(s, i, q, dim)).toBe(dot(m, i * dim, q, dim, dim));
      }
    }
  });
});

describe('log1pCounts', () => {
  it('gives Math.log1p of every value bit for bit, integers from its table and any other value computed', () => {
    const counts = Float32Array.of(0, 1, 2, 7, 5000, 3000, 0.5, 1e9, 123456, 2);
    const out = log1pCounts(counts, new Float32Array(counts.length));
    expect(Array.from(out)).toEqual(Array.from(counts, (c) => Math.fround(Math.log1p(c))));
  });
});
