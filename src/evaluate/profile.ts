import * as tf from '@tensorflow/tfjs';
import type { EventLog, Example } from '../data/split.ts';
import { takeValues } from '../util/buffers.ts';
import { normalizeRows } from '../util/vec.ts';
import type { CountClock } from './baselines.ts';
import { type Scorer, scoreBuffer } from './rank.ts';

/** Half-open event range [from, to) of the log that makes up an example's profile. */
export type ProfileRange = (ex: Example) => readonly [number, number];

/** Bucket ranges of a user's events before `end` (FeatureStore.bucketsBefore has this shape). */
export type BucketsBefore = (user: number, end: number) => { start: number[]; end: number[] };

/** All of the user's history before the example's end. */
export function wholeHistory(log: EventLog): ProfileRange {
  return (ex) => [log.userOffsets[ex.user], ex.end];
}

/** The user's last bucket before the example's end. */
export function lastBucket(bucketsBefore: BucketsBefore): ProfileRange {
  return (ex) => {
    const b = bucketsBefore(ex.user, ex.end);
    const n = b.start.length;
    if (n === 0) throw new Error(`profile: user ${ex.user} has no bucket before event ${ex.end}`);
    return [b.start[n - 1], b.end[n - 1]];
  };
}

/**
 * Profile scorer: cos(mean of the item vectors in the example's range, item vector). `itemVectors` is
 * nItems × dim, row-major; a copy is normalised once so each score is one dot product.
 */
export function profileScorer(
  log: EventLog,
  itemVectors: Float32Array,
  dim: number,
  range: ProfileRange,
): Scorer {
  if (!(dim > 0 && itemVectors.length % dim === 0))
    throw new Error(`profile: item vectors of length ${itemVectors.length} are not a multiple of dim ${dim}`);
  const items = normalizeRows(Float32Array.from(itemVectors), dim);
  const n = items.length / dim;
  return (examples, buffer) => {
    const queries = new Float32Array(examples.length * dim);
    const q = new Float64Array(dim);
    examples.forEach((ex, r) => {
      const [from, to] = range(ex);
      q.fill(0);
      for (let e = from; e < to; e++) {
        const o = log.item[e] * dim;
        for (let d = 0; d < dim; d++) q[d] += items[o + d];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += q[d] * q[d];
      if (norm === 0) return; // no history: a zero query, every item scores 0
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < dim; d++) queries[r * dim + d] = q[d] * inv;
    });
    // One product on the tfjs backend per chunk (items × dim kept as a plain array between chunks).
    return takeValues(
      tf.tidy(() =>
        tf.matMul(tf.tensor2d(queries, [examples.length, dim]), tf.tensor2d(items, [n, dim]), false, true),
      ),
      buffer,
    );
  };
}

/**
 * The user's own most frequent items before `end` (repeat consumption; evaluate with seen items kept):
 * score = count + recency in (0, 1), so more frequent first, then more recent. Unseen items score in
 * [−1, 0) by popularity at the example's cutoff when a clock is given, else 0.
 */
export function frequentItemsScorer(log: EventLog, nItems: number, clock?: CountClock): Scorer {
  if (clock && clock.nItems !== nItems)
    throw new Error(`frequent: the popularity clock has ${clock.nItems} items, expected ${nItems}`);
  return (examples, buffer) => {
    const out = scoreBuffer(examples.length * nItems, buffer);
    examples.forEach((ex, r) => {
      const row = out.subarray(r * nItems, (r + 1) * nItems);
      if (clock) {
        const counts = clock.at(ex.cutoff);
        let max = 0;
        for (const c of counts) max = Math.max(max, c);
        for (let i = 0; i < nItems; i++) row[i] = counts[i] / (max + 1) - 1;
      }
      const from = log.userOffsets[ex.user];
      const span = ex.end - from + 1;
      const counts = new Map<number, number>();
      const last = new Map<number, number>();
      for (let e = from; e < ex.end; e++) {
        counts.set(log.item[e], (counts.get(log.item[e]) ?? 0) + 1);
        last.set(log.item[e], e - from + 1);
      }
      for (const [i, c] of counts) row[i] = c + last.get(i)! / span;
    });
    return out;
  };
}
