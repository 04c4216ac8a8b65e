import { describe, expect, it } from 'vitest';
import { seenLists } from '../../src/checkpoint/from-run.ts';

describe('checkpoint from a run', () => {
  it('seenLists: each user’s distinct items, ascending, as CSR (a user without events has an empty row)', () => {
    // user 0: 5 3 5 1 · user 1: nothing · user 2: 2 2
    const userOffsets = Int32Array.from([0, 4, 4, 6]);
    const item = Int32Array.from([5, 3, 5, 1, 2, 2]);
    const { seen, seenOffsets } = seenLists(userOffsets, item);
    expect(Array.from(seen)).toEqual([1, 3, 5, 2]);
    expect(Array.from(seenOffsets)).toEqual([0, 3, 3, 4]);
  });
});
