import { describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import { CountClock, mostPopular } from '../../src/evaluate/baselines.ts';
import {
  buildItemKnn,
  buildKnnSnapshots,
  chooseKnnNeighbours,
  type ItemKnn,
  itemKnnGrid,
  itemKnnScorer,
  knownEnds,
} from '../../src/evaluate/knn.ts';

/** One model valid from the start of time. */
const one = (m: ItemKnn) => ({ times: [Number.NEGATIVE_INFINITY], models: [m] });

import { evaluateScorer } from '../../src/evaluate/rank.ts';
import { synthLog } from './synth-log.ts';

/** Users (CSR, one event a second): u0 {0,1}, u1 {0,1,2}, u2 {1,2}, u3 {3, then 0}. */
function handLog(): EventLog {
  const items = [
    [0, 1],
    [0, 1, 2],
    [1, 2],
    [3, 0],
  ];
  const userOffsets = new Int32Array(items.length + 1);
  items.forEach((l, u) => {
    userOffsets[u + 1] = userOffsets[u] + l.length;
  });
  const flat = items.flat();
  return { userOffsets, item: Int32Array.from(flat), ts: Float64Array.from(flat, (_, i) => i) };
}

describe('item-item kNN', () => {
  it('neighbours are binary co-occurrence cosines, best first, ties to the lower id', () => {
    const log = handLog();
    // Only u0..u2 count (u3's events are after the clock).
    const knn = buildItemKnn(log, knownEnds(log, [], 7), 4, 3);
    // counts: item0 2, item1 3, item2 2; sim(0,1) = 2/√6, sim(0,2) = 1/2, sim(1,2) = 2/√6.
    expect(Array.from(knn.counts)).toEqual([2, 3, 2, 0]);
    expect(Array.from(knn.neighbours.subarray(0, 3))).toEqual([1, 2, -1]);
    expect(knn.sims[0]).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(knn.sims[1]).toBeCloseTo(0.5, 6);
    // item1: items 0 and 2 tie at 2/√6 → lower id first.
    expect(Array.from(knn.neighbours.subarray(3, 5))).toEqual([0, 2]);
    expect(knn.neighbours[9]).toBe(-1); // item3 co-occurs with nothing before the clock
  });

  it('uses only events before each example’s cutoff: its target and anyone’s later events change nothing', async () => {
    const log = handLog();
    const ex: Example = { user: 3, end: 8, targetEnd: 9, cutoff: 8, target: Int32Array.of(0) };
    const score = async (l: typeof log) =>
      Array.from((await itemKnnScorer(l, buildKnnSnapshots(l, [ex], 4, 3), 3)([ex])) as Float32Array);
    const leaked = { ...log, item: Int32Array.from(log.item) };
    leaked.item[8] = 2; // the target event itself (time 8, at the cutoff)
    expect(await score(leaked)).toEqual(await score(log));
    // The snapshot holds exactly the events before time 8.
    const snap = buildKnnSnapshots(log, [ex], 4, 3);
    expect(snap.times).toEqual([8]);
    expect(Array.from(snap.models[0].counts)).toEqual(
      Array.from(buildItemKnn(log, knownEnds(log, [], 8), 4, 3).counts),
    );
  });

  it('gives each example the latest snapshot at or before its cutoff', async () => {
    const log = handLog();
    const early: Example = { user: 0, end: 1, targetEnd: 2, cutoff: 1, target: Int32Array.of(1) };
    const late: Example = { user: 3, end: 8, targetEnd: 9, cutoff: 8, target: Int32Array.of(0) };
    const snap = buildKnnSnapshots(log, [early, late], 4, 3);
    expect(snap.times).toEqual([1, 8]);
    // At time 1 only item 0 has been seen: nothing co-occurs, every item falls back to popularity (< 0).
    const atEarly = (await itemKnnScorer(log, snap, 3)([early])) as Float32Array;
    expect(Math.max(...atEarly)).toBeLessThan(0);
    const atLate = (await itemKnnScorer(log, snap, 3)([{ ...early, cutoff: 8 }])) as Float32Array;
    expect(atLate[1]).toBeGreaterThan(0);
  });

  it('scores sum neighbour similarities; unreached items rank below by popularity', async () => {
    const log = handLog();
    const knn = buildItemKnn(log, knownEnds(log, [], 7), 4, 3);
    // A user who has seen item 0 only (u0's first event).
    const ex: Example = { user: 0, end: 1, targetEnd: 2, cutoff: 1, target: Int32Array.of(1) };
    const full = (await itemKnnScorer(log, one(knn), 3)([ex])) as Float32Array;
    expect(full[1]).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(full[2]).toBeCloseTo(0.5, 6);
    expect(full[3]).toBeLessThan(0); // never co-occurs: fallback in [−1, 0)
    const cut = (await itemKnnScorer(log, one(knn), 1)([ex])) as Float32Array;
    expect(cut[2]).toBeLessThan(0); // item 2 is item 0's second neighbour: cut at 1
    expect(() => itemKnnScorer(log, one(knn), 4)).toThrow(/neighbours must be an integer in \[1, 3\]/);
    expect(() => buildItemKnn(log, knownEnds(log, [], 7), 4, 0)).toThrow(/positive integer/);
  });

  it('scores a whole neighbour grid in one walk, each count as its own scorer (to float rounding)', () => {
    const { log, nItems, split } = synthLog();
    const knn = buildKnnSnapshots(log, split.valid, nItems, 50);
    const grid = [20, 5, 50];
    const together = itemKnnGrid(log, knn, grid)(split.valid);
    grid.forEach((k, j) => {
      const alone = itemKnnScorer(log, knn, k)(split.valid) as Float32Array;
      expect(together[j].length).toBe(alone.length);
      let worst = 0;
      for (let i = 0; i < alone.length; i++) worst = Math.max(worst, Math.abs(together[j][i] - alone[i]));
      expect(worst).toBeLessThan(1e-5);
    });
    expect(() => itemKnnGrid(log, knn, [5, 51])).toThrow(/neighbours must be an integer in \[1, 50\]/);
  });

  it('beats most-popular on drifting synthetic data and picks the best grid value on validation', async () => {
    const { log, nItems, split } = synthLog();
    const choice = await chooseKnnNeighbours(log, split.valid, [5, 20, 50], { nItems, excludeSeen: true });
    expect(choice.curve.map((p) => p.neighbours)).toEqual([5, 20, 50]);
    expect(choice.curve.find((p) => p.neighbours === choice.neighbours)!.ndcg10).toBe(
      Math.max(...choice.curve.map((p) => p.ndcg10)),
    );
    const test = split.test;
    const opts = { nItems, ks: [10], excludeSeen: true };
    const knn = buildKnnSnapshots(log, test, nItems, choice.neighbours);
    const k = await evaluateScorer(log, test, itemKnnScorer(log, knn, choice.neighbours), opts);
    const p = await evaluateScorer(log, test, mostPopular(CountClock.of(log, nItems)), opts);
    expect(k.metrics['ndcg@10']).toBeGreaterThan(1.3 * p.metrics['ndcg@10']);
    await expect(chooseKnnNeighbours(log, split.valid, [], { nItems, excludeSeen: true })).rejects.toThrow(
      /grid is empty/,
    );
  });
});
