import { describe, expect, it } from 'vitest';
import { mmr } from '../../src/recommend/mmr.ts';

// Items 0 and 1 point the same way, item 2 is orthogonal to both.
const vectors = Float32Array.of(1, 0, 0.99, 0.141, 0, 1);
const scores = Float32Array.of(0.9, 0.85, 0.5);

describe('mmr', () => {
  it('λ = 0 keeps the candidate (score) order', () => {
    expect(mmr([0, 1, 2], scores, vectors, 2, 3, 0)).toEqual([0, 1, 2]);
  });

  it('λ > 0 prefers an item unlike those already picked over a near duplicate', () => {
    expect(mmr([0, 1, 2], scores, vectors, 2, 2, 0.5)).toEqual([0, 2]);
    // A small λ still lets the near duplicate through: its score lead outweighs the penalty.
    expect(mmr([0, 1, 2], scores, vectors, 2, 2, 0.1)).toEqual([0, 1]);
  });

  it('returns at most the candidates given and rejects λ outside [0, 1]', () => {
    expect(mmr([2, 0], scores, vectors, 2, 5, 0.3)).toEqual([0, 2]);
    expect(() => mmr([0], scores, vectors, 2, 1, 1.5)).toThrow(/λ must be in \[0, 1\]/);
    expect(() => mmr([0], scores, vectors, 2, 1, Number.NaN)).toThrow(/λ/);
  });
});
