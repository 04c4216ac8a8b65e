import { describe, expect, it } from 'vitest';
import type { EventLog } from '../../src/data/split.ts';
import { leaveOneOut } from '../../src/data/split.ts';

/** Users' events as [item, ts] lists, already in log order. */
function logOf(users: [number, number][][]): EventLog {
  const offsets = [0];
  const item: number[] = [];
  const ts: number[] = [];
  for (const evs of users) {
    for (const [i, t] of evs) {
      item.push(i);
      ts.push(t);
    }
    offsets.push(item.length);
  }
  return { userOffsets: Int32Array.from(offsets), item: Int32Array.from(item), ts: Float64Array.from(ts) };
}

describe('leave-one-out by time', () => {
  const log = logOf([
    // user 0: 6 events, ties at t=30 (log order decides: item 4 is last)
    [
      [1, 10],
      [2, 11],
      [1, 20],
      [3, 21],
      [5, 30],
      [4, 30],
    ],
    // user 1: exactly 3 events
    [
      [7, 5],
      [8, 6],
      [9, 7],
    ],
    // user 2: too short to evaluate
    [
      [1, 1],
      [2, 2],
    ],
  ]);
  const split = leaveOneOut(log, { events: 2 });

  it('holds out the last event for test and the one before for validation, in cutoff order', () => {
    expect(split.test.map((e) => [e.user, e.end, e.cutoff, [...e.target]])).toEqual([
      [1, 8, 7, [9]],
      [0, 5, 30, [4]],
    ]);
    expect(split.valid.map((e) => [e.user, e.end, [...e.target]])).toEqual([
      [1, 7, [8]],
      [0, 4, [5]],
    ]);
    expect(split.summary).toMatchObject({
      protocol: 'leave-one-out',
      users: 3,
      evalUsers: { valid: 2, test: 2 },
    });
  });

  it('trains only on events before the validation target', () => {
    const validEnd = new Map(split.valid.map((v) => [v.user, v.end]));
    for (const ex of split.train) {
      const limit = validEnd.get(ex.user) ?? log.userOffsets[ex.user + 1];
      expect(ex.end).toBeLessThan(limit);
      // the target lies within the user's training events
      expect(ex.end).toBeGreaterThan(log.userOffsets[ex.user]);
    }
    // user 0: events 0..3 in buckets of 2 → one example (bucket [2,4) from [0,2)); user 2 untouched by eval
    expect(split.train.filter((e) => e.user === 0).map((e) => [e.end, [...e.target]])).toEqual([[2, [1, 3]]]);
    expect(split.train.filter((e) => e.user === 2).map((e) => e.end)).toEqual([]);
    expect(split.summary.examples.train).toBe(split.train.length);
  });

  it('honours minEvents and rejects values below 3', () => {
    expect(leaveOneOut(log, { events: 2 }, 4).test.map((e) => e.user)).toEqual([0]);
    expect(() => leaveOneOut(log, { events: 2 }, 2)).toThrow(/min_events/);
  });
});
