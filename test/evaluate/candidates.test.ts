import { describe, expect, it } from 'vitest';
import { Candidates, kthLargest } from '../../src/evaluate/candidates.ts';
import { topK } from '../../src/recommend/score.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** Values on a coarse grid, so ties are common. */
const coarse = (rand: () => number, n: number, levels: number) =>
  Float32Array.from({ length: n }, () => Math.floor(rand() * levels) / levels);

describe('kthLargest', () => {
  it('is the m-th value of a descending sort, with ties and NaN (never selected)', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const v = coarse(rand, n, trial % 2 ? 5 : 1000);
      if (trial % 3 === 0) v[Math.floor(rand() * n)] = Number.NaN;
      const sorted = Array.from(v)
        .filter((x) => !Number.isNaN(x))
        .sort((a, b) => b - a);
      const m = 1 + Math.floor(rand() * (n + 2));
      const want = m <= sorted.length ? sorted[m - 1] : Number.NEGATIVE_INFINITY;
      expect(kthLargest(v, m, new Float32Array(n))).toBe(want);
    }
  });
});

describe('Candidates', () => {
  it("gives a monotone score's exact top k (ties to the lower item) or null, never another list", () => {
    const rand = mulberry32(11);
    let answered = 0;
    for (let trial = 0; trial < 300; trial++) {
      const n = 50 + Math.floor(rand() * 400);
      const features = [coarse(rand, n, 50), coarse(rand, n, 4), Float32Array.from({ length: n }, rand)];
      const w = [rand(), rand() * 3, trial % 5 === 0 ? 0 : rand()];
      const f = (a: number, b: number, c: number) => w[0] * a + w[1] * b + w[2] * c;
      const excluded = new Set(Array.from({ length: 20 }, () => Math.floor(rand() * n)));
      const k = 1 + Math.floor(rand() * 20);
      const full = Float32Array.from({ length: n }, (_, i) =>
        f(features[0][i], features[1][i], features[2][i]),
      );
      const want = Array.from(topK(full, k, excluded));
      const cand = new Candidates(features, 1 + Math.floor((rand() * n) / 2), new Float32Array(n));
      const [a, b, c] = cand.thresholds;
      const fill = (out: Float32Array) => out.set(Array.from(cand.items, (i) => full[i]));
      const got = cand.top(fill, f(a, b, c), k, excluded);
      if (got) {
        answered++;
        expect(Array.from(got)).toEqual(want);
      }
    }
    expect(answered).toBeGreaterThan(100);
  });

  it('keeps every item when m reaches the catalogue, and then always answers', () => {
    const v = Float32Array.of(0.5, 0.5, 0.1, 0.9);
    const cand = new Candidates([v], 4, new Float32Array(4));
    expect(cand.complete).toBe(true);
    expect(
      Array.from(cand.top((out) => out.set(v), Number.POSITIVE_INFINITY, 3, new Set([3])) ?? []),
    ).toEqual([0, 1, 2]);
  });
});
