import { describe, expect, it } from 'vitest';
import { cosineMatrix, cosineRows } from '../../src/embed/vector.ts';

describe('cosineMatrix', () => {
  it('is the symmetric matrix of row cosines, 0 against a zero row', () => {
    const m = new Float32Array([1, 0, 1, 1, 0, 0, -2, 0]);
    const s = cosineMatrix(m, 2);
    expect(s.length).toBe(4);
    expect(s[0][0]).toBeCloseTo(1, 6);
    expect(s[0][1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(s[1][0]).toBe(s[0][1]);
    expect(s[0][3]).toBeCloseTo(-1, 6);
    expect(s[2]).toEqual([0, 0, 0, 0]);
    expect(s[1][3]).toBe(cosineRows(m, 2, 1, 3));
  });

  it('rejects a buffer that is not whole rows', () => {
    expect(() => cosineMatrix(new Float32Array(5), 2)).toThrow(/5 floats .* dim 2/);
    expect(cosineMatrix(new Float32Array(0), 3)).toEqual([]);
  });
});
