import { describe, expect, it } from 'vitest';
import { blendVectors, topK } from '../../src/recommend/score.ts';
import { mulberry32 } from '../../src/util/random.ts';

describe('topK', () => {
  it('returns the largest scores, best first, lower index on ties, skipping excluded items', () => {
    const s = Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.3, 0.7]);
    expect([...topK(s, 3)]).toEqual([1, 3, 5]);
    expect([...topK(s, 3, [1])]).toEqual([3, 5, 2]);
    expect([...topK(s, 10)]).toEqual([1, 3, 5, 2, 4, 0]);
  });
  it('leaves the scores as they were, even when an excluded index repeats', () => {
    const s = Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.3, 0.7]);
    const before = Float32Array.from(s);
    expect([...topK(s, 2, new Set([1, 3]))]).toEqual([5, 2]);
    expect([...topK(s, 2, [3, 3, 1])]).toEqual([5, 2]);
    expect(s).toEqual(before);
  });
  it('agrees with a full sort on random data', () => {
    const s = Float32Array.from({ length: 500 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    const full = [...s.keys()].sort((a, b) => s[b] - s[a] || a - b).slice(0, 20);
    expect([...topK(s, 20)]).toEqual(full);
  });
});

describe('blendVectors', () => {
  it('mixes unit directions: α=1 is the first, α=0 the second', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, 10]);
    expect([...blendVectors(a, b, 2, 1)]).toEqual([1, 0]);
    expect([...blendVectors(a, b, 2, 0)]).toEqual([0, 1]);
    expect([...blendVectors(a, b, 2, 0.5)]).toEqual([0.5, 0.5]);
  });
});

describe('topK on random scores', () => {
  it('equals a full sort (score descending, then item index) with many ties and excluded items', () => {
    const rand = mulberry32(13);
    for (let trial = 0; trial < 100; trial++) {
      const n = 1 + Math.floor(rand() * 500);
      const s = Float32Array.from({ length: n }, () => Math.floor(rand() * (trial % 2 ? 8 : 1e6)));
      const excluded = new Set(Array.from({ length: Math.floor(rand() * 10) }, () => Math.floor(rand() * n)));
      const k = 1 + Math.floor(rand() * 30);
      const sorted = Array.from({ length: n }, (_, i) => i)
        .filter((i) => !excluded.has(i))
        .sort((a, b) => s[b] - s[a] || a - b);
      expect(Array.from(topK(s, k, excluded))).toEqual(sorted.slice(0, k));
    }
  });
});
