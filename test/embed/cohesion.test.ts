import { describe, expect, it } from 'vitest';
import { labelCohesion } from '../../src/embed/cohesion.ts';
import { createHashingEmbedder } from '../../src/embed/hashing.ts';
import { cosineRows } from '../../src/embed/vector.ts';

/** Brute force over all unordered pairs, the definition the closed form must match. */
function bruteForce(v: Float32Array, dim: number, labels: string[]) {
  const s = { sum: 0, n: 0 };
  const d = { sum: 0, n: 0 };
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const acc = labels[i] === labels[j] ? s : d;
      acc.sum += cosineRows(v, dim, i, j);
      acc.n++;
    }
  }
  return { same: s.sum / s.n, different: d.sum / d.n, pairs: { same: s.n, different: d.n } };
}

describe('labelCohesion', () => {
  it('matches the all-pairs brute force on real hashing vectors', async () => {
    const texts = [
      'Toy Story. Genres: Animation|Children',
      'Shrek. Genres: Animation|Comedy',
      'Heat. Genres: Action|Crime',
      'Ronin. Genres: Action|Crime|Thriller',
      'Se7en. Genres: Mystery|Thriller',
      '',
    ];
    const labels = ['Animation', 'Animation', 'Action', 'Action', 'Mystery', 'Action'];
    const v = await createHashingEmbedder({ dim: 64 }).embed(texts);
    const got = labelCohesion(v, 64, labels);
    const want = bruteForce(v, 64, labels);
    expect(got.pairs).toEqual(want.pairs);
    expect(got.same).toBeCloseTo(want.same, 6);
    expect(got.different).toBeCloseTo(want.different, 6);
    expect(got.same).toBeGreaterThan(got.different);
  });

  it('gives NaN for a side without pairs and rejects mismatched sizes', () => {
    const v = new Float32Array([1, 0, 0, 1]);
    const r = labelCohesion(v, 2, ['a', 'b']);
    expect(Number.isNaN(r.same)).toBe(true);
    expect(r.different).toBe(0);
    expect(() => labelCohesion(v, 2, ['a'])).toThrow(/4 floats for 1 labels × dim 2/);
  });
});
