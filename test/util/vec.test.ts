import { describe, expect, it } from 'vitest';
import { normalizeRows } from '../../src/util/vec.ts';

describe('normalizeRows', () => {
  it('scales rows to unit length and leaves zero rows alone', () => {
    const m = normalizeRows(new Float32Array([3, 4, 0, 0, 0, -2]), 2);
    expect(m).toEqual(new Float32Array([0.6, 0.8, 0, 0, 0, -1]));
  });
});
