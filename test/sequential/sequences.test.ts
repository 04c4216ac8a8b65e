import { describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import {
  historyIds,
  nextItemBatch,
  sequenceWindows,
  trainingSequences,
} from '../../src/sequential/sequences.ts';

// User 0: items 10..15 (events 0..5); user 1: items 20..22 (events 6..8); user 2: no training example.
const log: EventLog = {
  userOffsets: Int32Array.from([0, 6, 9, 11]),
  item: Int32Array.from([10, 11, 12, 13, 14, 15, 20, 21, 22, 30, 31]),
  ts: Float64Array.from({ length: 11 }, (_, i) => i),
};
const ex = (user: number, end: number, targetEnd: number): Example => ({
  user,
  end,
  targetEnd,
  cutoff: log.ts[end],
  target: log.item.slice(end, targetEnd),
});

describe('trainingSequences', () => {
  it("ends each user's sequence at their last training target, users in order", () => {
    const train = [ex(1, 7, 9), ex(0, 2, 3), ex(0, 1, 2)];
    expect(trainingSequences(log, train)).toEqual([
      { user: 0, from: 0, end: 3 },
      { user: 1, from: 6, end: 9 },
    ]);
  });
});

describe('sequenceWindows', () => {
  it('cuts from the end so that every transition is a target exactly once', () => {
    const windows = sequenceWindows(
      [
        { user: 0, from: 0, end: 6 },
        { user: 1, from: 6, end: 8 },
      ],
      2,
    );
    expect(windows).toEqual([
      { user: 0, from: 3, end: 6 },
      { user: 0, from: 1, end: 4 },
      { user: 0, from: 0, end: 2 },
      { user: 1, from: 6, end: 8 },
    ]);
    const b = nextItemBatch(log, windows, 2);
    expect([...b.targets].sort((x, y) => x - y)).toEqual([11, 12, 13, 14, 15, 21]);
  });
});

describe('nextItemBatch', () => {
  it('pairs every input with the following item, left-padded, ids shifted by one', () => {
    const b = nextItemBatch(
      log,
      [
        { user: 0, from: 0, end: 6 },
        { user: 1, from: 6, end: 9 },
      ],
      4,
    );
    // User 0: the last 4 transitions 11→12 … 14→15; user 1: two transitions after two pads.
    expect([...b.ids]).toEqual([12, 13, 14, 15, 0, 0, 21, 22]);
    expect([...b.positions]).toEqual([0, 1, 2, 3, 6, 7]);
    expect([...b.targets]).toEqual([12, 13, 14, 15, 21, 22]);
  });
});

describe('historyIds', () => {
  it("reads the user's last maxLen items before the example's end", () => {
    expect([...historyIds(log, [ex(0, 5, 6), ex(1, 7, 9)], 3)]).toEqual([13, 14, 15, 0, 0, 21]);
  });
});
