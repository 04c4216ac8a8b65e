import { describe, expect, it } from 'vitest';
import { FeatureStore, featureWidth, rowsRecentShares } from '../../src/features/sequence.ts';

/** One user, 7 events on 3 items in 2-d, 2 topics; items 0,1 are topic 0, item 2 is topic 1. */
function store() {
  return new FeatureStore({
    userOffsets: Int32Array.from([0, 7]),
    item: Int32Array.from([0, 1, 0, 2, 2, 2, 1]),
    ts: Float64Array.from([0, 86_400, 86_400 * 2, 86_400 * 10, 86_400 * 11, 86_400 * 12, 86_400 * 40]),
    weight: Float32Array.from([1, 3, 1, 1, 1, 1, 1]),
    itemVectors: Float32Array.from([1, 0, 0, 1, -1, 0]),
    dim: 2,
    itemShares: Float32Array.from([1, 0, 1, 0, 0, 1]),
    k: 2,
    buckets: { events: 3 },
  });
}

describe('FeatureStore', () => {
  it('builds [weighted mean item vector | topic shares | log count | log gap] per bucket, left-padded', () => {
    const s = store();
    expect(s.width).toBe(featureWidth(2, 2));
    const x = new Float32Array(3 * s.width);
    const n = s.sequence(0, 7, 3, x);
    expect(n).toBe(3);
    // Bucket 0: events 0..2 → items 0,1,0 with weights 1,3,1 → mean ((1,0)+(0,3)+(1,0))/5.
    expect(x[0]).toBeCloseTo(2 / 5);
    expect(x[1]).toBeCloseTo(3 / 5);
    expect([x[2], x[3]]).toEqual([1, 0]);
    expect(x[4]).toBeCloseTo(Math.log1p(3) / Math.log1p(100));
    expect(x[5]).toBe(0); // first bucket: no gap
    // Bucket 1 (events 3..5, all item 2): topic 1, gap of 8 days after bucket 0's last event.
    const b1 = s.width;
    expect([x[b1 + 2], x[b1 + 3]]).toEqual([0, 1]);
    expect(x[b1 + 5]).toBeCloseTo(Math.log1p(8) / Math.log1p(365));
  });

  it('cuts a bucket at a cutoff inside it and uses nothing from the cutoff on', () => {
    const s = store();
    const b = s.bucketsBefore(0, 4);
    expect(b.start).toEqual([0, 3]);
    expect(b.end).toEqual([3, 4]);
    const x = new Float32Array(4 * s.width);
    expect(s.sequence(0, 4, 4, x)).toBe(2);
    expect(x.subarray(0, 2 * s.width).every((v) => v === 0)).toBe(true); // padding rows
  });

  it('topic series over active buckets sum to one per bucket', () => {
    const series = store().topicSeries(0, 7);
    expect(series).toHaveLength(2);
    for (let j = 0; j < series[0].length; j++) expect(series[0][j] + series[1][j]).toBeCloseTo(1);
    expect(series[1]).toEqual([0, 1, 0]);
  });

  it('last-window shares: the last fraction of the events before a cutoff, from events or from bucket rows', () => {
    const s = store();
    const out = new Float32Array(2);
    // 7 events, last 3/7: items 2, 2, 1 → topic 1 twice, topic 0 once.
    s.recentShares(0, 7, { window: 3 / 7, decay: 0 }, out);
    expect(Array.from(out)).toEqual([1 / 3, 2 / 3].map(Math.fround));
    // At least one event, however small the fraction; only events before the cutoff.
    s.recentShares(0, 4, { window: 0.01, decay: 0 }, out);
    expect(Array.from(out)).toEqual([0, 1]);
    // From the rows: buckets of 3, 3, 1 events; the last 3 events are the last bucket (item 1) and 2 of
    // the middle bucket's 3 (all topic 1), read at that bucket's mean shares.
    const rows = new Float32Array(3 * s.width);
    s.sequence(0, 7, 3, rows);
    const fromRows = rowsRecentShares(rows, 2, 2, { window: 3 / 7, decay: 0 });
    expect(fromRows[0]).toBeCloseTo(1 / 3, 6);
    expect(fromRows[1]).toBeCloseTo(2 / 3, 6);
    // The whole history, from rows: the mean over all 7 events (3 of topic 0 in bucket 0, 1 in bucket 2).
    const all = rowsRecentShares(rows, 2, 2, { window: 1, decay: 0 });
    expect(all[0]).toBeCloseTo(4 / 7, 6);
  });

  it('decayed shares: each older event weighs (1 − decay) times the next, the same from events and from rows', () => {
    const s = store();
    // Topics of the 7 events, oldest first: 0, 0, 0, 1, 1, 1, 0. At decay 0.5 the latest weighs 1, the three
    // of topic 1 before it 1/2 + 1/4 + 1/8, the first three 1/16 + 1/32 + 1/64.
    const total = 1 + 7 / 8 + 7 / 64;
    const decayed = { window: 1, decay: 0.5 };
    const out = new Float32Array(2);
    s.recentShares(0, 7, decayed, out);
    expect(out[0]).toBeCloseTo((1 + 7 / 64) / total, 6);
    expect(out[1]).toBeCloseTo(7 / 8 / total, 6);
    const rows = new Float32Array(3 * s.width);
    s.sequence(0, 7, 3, rows);
    const fromRows = rowsRecentShares(rows, 2, 2, decayed);
    expect(fromRows[0]).toBeCloseTo(out[0], 6);
    expect(fromRows[1]).toBeCloseTo(out[1], 6);
    // Inside a window the decay counts from the window's latest event: the last 4 events (1, 1, 1, 0).
    s.recentShares(0, 7, { window: 4 / 7, decay: 0.5 }, out);
    expect(out[1]).toBeCloseTo(7 / 8 / (1 + 7 / 8), 6);
  });
});
