import { describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import { knownCounts, mostPopular } from '../../src/evaluate/baselines.ts';
import { buildItemKnn, chooseKnnNeighbours, itemKnnScorer, knownEnds } from '../../src/evaluate/knn.ts';
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

  it('uses only events before each evaluated user’s end: later events change nothing', async () => {
    const log = handLog();
    const ex: Example = { user: 3, end: 8, targetEnd: 9, cutoff: 8, target: Int32Array.of(0) };
    const ends = knownEnds(log, [ex], Number.POSITIVE_INFINITY);
    expect(ends[3]).toBe(8); // u3 keeps item 3 only; others everything (per-user protocol)
    const a = (await itemKnnScorer(log, buildItemKnn(log, ends, 4, 3))([ex])) as Float32Array;
    const leaked = { ...log, item: Int32Array.from(log.item) };
    leaked.item[8] = 2; // the target event itself
    const b = (await itemKnnScorer(
      leaked,
      buildItemKnn(leaked, knownEnds(leaked, [ex], Infinity), 4, 3),
    )([ex])) as Float32Array;
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('scores sum neighbour similarities; unreached items rank below by popularity', async () => {
    const log = handLog();
    const knn = buildItemKnn(log, knownEnds(log, [], 7), 4, 3);
    // A user who has seen item 0 only (u0's first event).
    const ex: Example = { user: 0, end: 1, targetEnd: 2, cutoff: 1, target: Int32Array.of(1) };
    const full = (await itemKnnScorer(log, knn)([ex])) as Float32Array;
    expect(full[1]).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(full[2]).toBeCloseTo(0.5, 6);
    expect(full[3]).toBeLessThan(0); // never co-occurs: fallback in [−1, 0)
    const one = (await itemKnnScorer(log, knn, 1)([ex])) as Float32Array;
    expect(one[2]).toBeLessThan(0); // item 2 is item 0's second neighbour: cut at 1
    expect(() => itemKnnScorer(log, knn, 4)).toThrow(/neighbours must be an integer in \[1, 3\]/);
    expect(() => buildItemKnn(log, knownEnds(log, [], 7), 4, 0)).toThrow(/positive integer/);
  });

  it('beats most-popular on drifting synthetic data and picks the best grid value on validation', async () => {
    const { log, nItems, split } = synthLog();
    const choice = await chooseKnnNeighbours(log, split.valid, [5, 20, 50], {
      nItems,
      clock: Number.POSITIVE_INFINITY,
      excludeSeen: true,
    });
    expect(choice.curve.map((p) => p.neighbours)).toEqual([5, 20, 50]);
    expect(choice.curve.find((p) => p.neighbours === choice.neighbours)!.ndcg10).toBe(
      Math.max(...choice.curve.map((p) => p.ndcg10)),
    );
    const test = split.test;
    const opts = { nItems, ks: [10], excludeSeen: true };
    const knn = buildItemKnn(log, knownEnds(log, test, Infinity), nItems, choice.neighbours);
    const k = await evaluateScorer(log, test, itemKnnScorer(log, knn), opts);
    const p = await evaluateScorer(log, test, mostPopular(knownCounts(log, test, nItems, Infinity)), opts);
    expect(k.metrics['ndcg@10']).toBeGreaterThan(1.3 * p.metrics['ndcg@10']);
    await expect(
      chooseKnnNeighbours(log, split.valid, [], { nItems, clock: 0, excludeSeen: true }),
    ).rejects.toThrow(/grid is empty/);
  });
});
