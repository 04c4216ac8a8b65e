import { describe, expect, it } from 'vitest';
import { aicc, akaikeWeights } from '../../src/forecast/order-selector.ts';

describe('aicc / akaikeWeights', () => {
  it('match hand-computed values', () => {
    // n = 10, k = 2, σ² = e^-2: 10·(−2) + 4 + 2·2·3/7
    expect(aicc(Math.exp(-2), 10, 2)).toBeCloseTo(-20 + 4 + 12 / 7, 12);
    expect(aicc(1, 3, 2)).toBe(Number.POSITIVE_INFINITY);
    const w = akaikeWeights([10, 12, Number.POSITIVE_INFINITY]);
    expect(w[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(w[1]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 12);
    expect(w[2]).toBe(0);
  });
});
