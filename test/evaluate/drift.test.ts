import { describe, expect, it } from 'vitest';
import {
  bucketRows,
  chooseSampleUsers,
  consecutiveJsd,
  foldShares,
  histogram,
  quantiles,
  topTopics,
} from '../../src/evaluate/drift.ts';

describe('drift helpers', () => {
  it('JSD between consecutive buckets: 0 for no change, 1 for disjoint shares', () => {
    const rows = bucketRows([
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expect(rows).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    const d = consecutiveJsd(rows);
    expect(d[0]).toBe(0);
    expect(d[1]).toBeCloseTo(1, 10);
  });

  it('quantiles interpolate like numpy and are ordered; histogram counts every value', () => {
    const q = quantiles([4, 1, 3, 2, 5]);
    expect(q).toEqual({ n: 5, mean: 3, p10: 1.4, p25: 2, p50: 3, p75: 4, p90: 4.6 });
    expect(quantiles([]).n).toBe(0);
    const h = histogram([0, 0.05, 0.5, 0.99, 2], 4, 1);
    expect(h.map((b) => b.count)).toEqual([2, 0, 1, 2]);
    expect(h[3]).toMatchObject({ lo: 0.75, hi: 1 });
  });

  it('sample users: the median, most helped, most hurt and largest forecast change, all distinct', () => {
    const delta = [0.1, -0.3, 0, 0.5, 0.05];
    const change = [0.2, 0.1, 0.05, 0.9, 0.3];
    // Sorted by delta: 1 (−0.3), 2 (0), 4 (0.05), 0 (0.1), 3 (0.5); the median is user 4. By change the
    // order is 3, 4, 0, …: users 3 and 4 are already shown, so the largest-change panel is user 0.
    expect(chooseSampleUsers(delta, change)).toEqual([
      { index: 4, reason: 'median' },
      { index: 3, reason: 'helped most' },
      { index: 1, reason: 'hurt most' },
      { index: 0, reason: 'largest forecast change' },
    ]);
    // Ties go to the earlier user; fewer users than criteria gives fewer samples.
    expect(chooseSampleUsers([0, 0], [0, 0])).toEqual([
      { index: 0, reason: 'median' },
      { index: 1, reason: 'helped most' },
    ]);
    expect(chooseSampleUsers([], [])).toEqual([]);
  });

  it('folds shares to the top topics plus "other", each summing to 1', () => {
    const rows = [
      [0.5, 0.1, 0.3, 0.1],
      [0.4, 0.1, 0.4, 0.1],
    ];
    const keep = topTopics(rows, 2);
    expect(keep).toEqual([0, 2]);
    expect(foldShares(rows[0], keep)).toEqual([0.5, 0.3, 0.2].map((x) => expect.closeTo(x, 10)));
    // A forecast that does not sum to 1 is renormalised; all four topics kept → no "other".
    expect(foldShares([0.2, 0.2, 0.2, 0.2], [0, 1, 2, 3])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});
