import { describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import { CountClock, mostPopular } from '../../src/evaluate/baselines.ts';
import { frequentItemsScorer, lastBucket, profileScorer, wholeHistory } from '../../src/evaluate/profile.ts';
import { evaluateScorer } from '../../src/evaluate/rank.ts';
import { FeatureStore } from '../../src/features/sequence.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { normalizeRows } from '../../src/util/vec.ts';
import { synthLog } from './synth-log.ts';

// 3 items in 2-d: item0 = x, item1 = y, item2 = (1,1)/√2 direction (unnormalised on purpose).
const vectors = Float32Array.of(2, 0, 0, 1, 3, 3);
/** One user: items 0, 0, 1, 2, then (target) 1. */
const log: EventLog = {
  userOffsets: Int32Array.of(0, 5),
  item: Int32Array.of(0, 0, 1, 2, 1),
  ts: Float64Array.of(1, 2, 3, 4, 5),
};
const ex: Example = { user: 0, end: 4, targetEnd: 5, cutoff: 5, target: Int32Array.of(1) };

describe('profile baselines', () => {
  it('static profile: cosine of the mean unit item vector of all history before end', async () => {
    const s = (await profileScorer(log, vectors, 2, wholeHistory(log))([ex])) as Float32Array;
    // sum of unit vectors x, x, y, (1,1)/√2 = (2 + √½, 1 + √½)
    const q = [2 + Math.SQRT1_2, 1 + Math.SQRT1_2];
    const n = Math.hypot(q[0], q[1]);
    expect(s[0]).toBeCloseTo(q[0] / n, 6);
    expect(s[1]).toBeCloseTo(q[1] / n, 6);
    expect(s[2]).toBeCloseTo((q[0] + q[1]) / n / Math.SQRT2, 6);
    expect(() => profileScorer(log, vectors, 4, wholeHistory(log))).toThrow(/multiple of dim 4/);
  });

  it('last-bucket profile reads the last bucket from FeatureStore.bucketsBefore', async () => {
    const store = new FeatureStore({
      ...log,
      weight: new Float32Array(5).fill(1),
      itemVectors: vectors,
      dim: 2,
      itemShares: new Float32Array(3).fill(1),
      k: 1,
      buckets: { events: 2 },
    });
    // Buckets before event 4: [0,2) and [2,4) → last bucket = items 1, 2 → mean of y and (1,1)/√2.
    const s = (await profileScorer(
      log,
      vectors,
      2,
      lastBucket((u, e) => store.bucketsBefore(u, e)),
    )([ex])) as Float32Array;
    const q = [Math.SQRT1_2, 1 + Math.SQRT1_2];
    const n = Math.hypot(q[0], q[1]);
    expect(s[0]).toBeCloseTo(q[0] / n, 6);
    expect(s[1]).toBeCloseTo(q[1] / n, 6);
    expect(() => lastBucket(() => ({ start: [], end: [] }))(ex)).toThrow(/no bucket before event 4/);
  });

  it('frequent items: more frequent first, then more recent; unseen by fallback popularity', async () => {
    const s = (await frequentItemsScorer(log, 4, CountClock.of(log, 4))([ex])) as Float32Array;
    expect(s[0]).toBeGreaterThan(s[2]); // seen twice
    expect(s[2]).toBeGreaterThan(s[1]); // both once, item 2 more recently
    expect(s[1]).toBeGreaterThan(s[3]); // unseen item ranks below seen ones
    expect(s[3]).toBeLessThan(0);
    expect(() => frequentItemsScorer(log, 3, CountClock.of(log, 4))).toThrow(/clock has 4 items, expected 3/);
  });

  it('on planted drift the last-bucket profile beats the static profile and most-popular', async () => {
    const { log: slog, nItems, itemVectors, topics, split } = synthLog();
    const store = new FeatureStore({
      ...slog,
      itemVectors,
      dim: topics,
      itemShares: itemVectors,
      k: topics,
      buckets: { events: 5 },
    });
    const opts = { nItems, ks: [10], excludeSeen: true };
    const ndcg = async (scorer: Parameters<typeof evaluateScorer>[2]) =>
      (await evaluateScorer(slog, split.test, scorer, opts)).metrics['ndcg@10'];
    const last = await ndcg(
      profileScorer(
        slog,
        itemVectors,
        topics,
        lastBucket((u, e) => store.bucketsBefore(u, e)),
      ),
    );
    const whole = await ndcg(profileScorer(slog, itemVectors, topics, wholeHistory(slog)));
    const pop = await ndcg(mostPopular(CountClock.of(slog, nItems)));
    expect(last).toBeGreaterThan(2 * whole);
    expect(last).toBeGreaterThan(2 * pop);
  });

  it('frequent items recover repeat consumption when seen items are kept', async () => {
    const { log: slog, nItems, split } = synthLog();
    const clock = () => CountClock.of(slog, nItems);
    const opts = { nItems, ks: [10], excludeSeen: false };
    const freq = await evaluateScorer(slog, split.test, frequentItemsScorer(slog, nItems, clock()), opts);
    const excluded = await evaluateScorer(slog, split.test, frequentItemsScorer(slog, nItems, clock()), {
      ...opts,
      excludeSeen: true,
    });
    const pop = await evaluateScorer(slog, split.test, mostPopular(clock()), { ...opts, excludeSeen: true });
    // With seen items excluded it can only fall back to popularity: identical to most-popular.
    expect(excluded.metrics['ndcg@10']).toBeCloseTo(pop.metrics['ndcg@10'], 12);
    expect(freq.metrics['hr@10']).toBeGreaterThan(0.5);
  });
});

describe('profile scores', () => {
  it('are the dense dot products bit for bit, over sparse (hashing-like) and dense vectors', async () => {
    const rand = mulberry32(9);
    const dim = 16;
    const n = 40;
    for (const density of [0.1, 1]) {
      const vectors = Float32Array.from({ length: n * dim }, () => (rand() < density ? rand() * 2 - 1 : 0));
      const items = normalizeRows(Float32Array.from(vectors), dim);
      const events = 12;
      const history: EventLog = {
        userOffsets: Int32Array.of(0, events),
        item: Int32Array.from({ length: events }, () => Math.floor(rand() * n)),
        ts: Float64Array.from({ length: events }, (_, i) => i),
      };
      const example: Example = { user: 0, end: 10, targetEnd: 12, cutoff: 10, target: Int32Array.of(0) };
      const got = (await profileScorer(
        history,
        vectors,
        dim,
        wholeHistory(history),
      )([example])) as Float32Array;
      // The dense loop the scorer ran before it skipped zero coordinates.
      const q = new Float64Array(dim);
      for (let e = 0; e < 10; e++) for (let d = 0; d < dim; d++) q[d] += items[history.item[e] * dim + d];
      const inv = 1 / Math.sqrt(q.reduce((s, x) => s + x * x, 0));
      const query = Float32Array.from(q, (x) => x * inv);
      const want = Float32Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let d = 0; d < dim; d++) s += query[d] * items[i * dim + d];
        return s;
      });
      expect(got).toEqual(want);
    }
  });
});
