import { describe, expect, it } from 'vitest';
import { bucketUser, calendarSlot, lowerBound } from '../../src/data/bucket.ts';

describe('bucketUser', () => {
  it('takes N events per activity bucket but never splits equal timestamps', () => {
    const ts = Float64Array.from([1, 2, 3, 3, 3, 4, 5, 6]);
    const b = bucketUser(ts, 0, ts.length, { events: 3 });
    expect(b.start).toEqual([0, 5]);
    expect(b.end).toEqual([5, 8]);
    for (let j = 1; j < b.start.length; j++) expect(ts[b.start[j]]).toBeGreaterThan(ts[b.end[j - 1] - 1]);
  });

  it('groups calendar windows anchored to UTC and records their slots (gaps stay visible)', () => {
    const day = 86_400;
    const ts = Float64Array.from([0, 100, 7 * day + 5, 30 * day]);
    const b = bucketUser(ts, 0, ts.length, { every: 7 * day });
    expect(b.start).toEqual([0, 2, 3]);
    expect(b.slot).toEqual([0, 1, 4]);
  });

  it('uses calendar months', () => {
    const jan31 = Date.UTC(2010, 0, 31, 23, 59) / 1000;
    const feb1 = Date.UTC(2010, 1, 1) / 1000;
    expect(calendarSlot(feb1, 'month') - calendarSlot(jan31, 'month')).toBe(1);
    const b = bucketUser(Float64Array.from([jan31, feb1]), 0, 2, { every: 'month' });
    expect(b.start).toEqual([0, 1]);
  });

  it('is prefix-stable: buckets of a prefix are the full buckets before it', () => {
    const ts = Float64Array.from({ length: 40 }, (_, i) => Math.floor(i / 2));
    const full = bucketUser(ts, 0, 40, { events: 5 });
    const cut = full.start[3];
    const prefix = bucketUser(ts, 0, cut, { events: 5 });
    expect(prefix.start).toEqual(full.start.slice(0, 3));
    expect(prefix.end).toEqual(full.end.slice(0, 3));
  });
});

describe('lowerBound', () => {
  it('finds the first index at or after t', () => {
    const ts = Float64Array.from([1, 2, 2, 5]);
    expect(lowerBound(ts, 0, 4, 2)).toBe(1);
    expect(lowerBound(ts, 0, 4, 3)).toBe(3);
    expect(lowerBound(ts, 0, 4, 9)).toBe(4);
  });
});
