import type { BucketSpec } from '../config/schema.ts';
import { bucketUser, type UserBuckets } from '../data/bucket.ts';

/** What the feature builder reads: the event log plus the item vectors and item topic shares. */
export interface FeatureSource {
  userOffsets: Int32Array;
  item: Int32Array;
  ts: Float64Array;
  weight: Float32Array;
  itemVectors: Float32Array;
  dim: number;
  itemShares: Float32Array;
  k: number;
  buckets: BucketSpec;
}

/** Layout of one bucket's feature row: [mean item vector (dim) | topic shares (k) | log count | log gap]. */
export function featureWidth(dim: number, k: number): number {
  return dim + k + 2;
}

/**
 * Which of a user's past events a recent topic profile averages: the last `window` (a fraction) of the
 * history, each event aged a (0 = the latest) weighted (1 − decay)^a; decay 0 is the plain window mean.
 */
export interface Recency {
  window: number;
  decay: number;
}

/** The whole history, unweighted: the static profile. */
export const WHOLE_HISTORY: Recency = { window: 1, decay: 0 };

/** A recent profile's name in logs and reports: "last 0.1" (of the history), "decay 0.2" (per event). */
export const recencyName = (r: Recency) => (r.decay === 0 ? `last ${r.window}` : `decay ${r.decay}`);

const LOG_COUNT_SCALE = 1 / Math.log1p(100);
const LOG_GAP_SCALE = 1 / Math.log1p(365);

/** Features of the events [from, to) of one bucket, written into out at offset o. */
export function bucketFeatures(
  src: FeatureSource,
  from: number,
  to: number,
  prevEnd: number,
  out: Float32Array,
  o: number,
): void {
  const { dim, k } = src;
  let wsum = 0;
  for (let i = from; i < to; i++) {
    const it = src.item[i];
    // Rating-weighted mean: a 5-star film says more about taste than a 1-star one; weights are ≥ 0.
    const w = Math.max(src.weight[i], 1e-3);
    wsum += w;
    const vo = it * dim;
    for (let d = 0; d < dim; d++) out[o + d] += w * src.itemVectors[vo + d];
    const so = it * k;
    for (let c = 0; c < k; c++) out[o + dim + c] += src.itemShares[so + c];
  }
  const n = to - from;
  for (let d = 0; d < dim; d++) out[o + d] /= wsum;
  for (let c = 0; c < k; c++) out[o + dim + c] /= n;
  out[o + dim + k] = Math.log1p(n) * LOG_COUNT_SCALE;
  const gapDays = prevEnd < 0 ? 0 : Math.max(0, src.ts[from] - src.ts[prevEnd - 1]) / 86_400;
  out[o + dim + k + 1] = Math.log1p(gapDays) * LOG_GAP_SCALE;
}

/**
 * Per-user bucket cache. Bucketing is prefix-stable, so the buckets of events before any `end` are the full
 * buckets ending at or before it plus (for a cutoff inside a bucket) one partial bucket.
 */
export class FeatureStore {
  readonly width: number;
  private readonly cache = new Map<number, UserBuckets>();

  constructor(readonly src: FeatureSource) {
    this.width = featureWidth(src.dim, src.k);
  }

  /** Bucket ranges of the user's events before `end`. */
  bucketsBefore(user: number, end: number): { start: number[]; end: number[] } {
    let b = this.cache.get(user);
    if (!b) {
      b = bucketUser(
        this.src.ts,
        this.src.userOffsets[user],
        this.src.userOffsets[user + 1],
        this.src.buckets,
      );
      this.cache.set(user, b);
    }
    const starts: number[] = [];
    const ends: number[] = [];
    for (let j = 0; j < b.start.length && b.start[j] < end; j++) {
      starts.push(b.start[j]);
      ends.push(Math.min(b.end[j], end));
    }
    return { start: starts, end: ends };
  }

  /** Writes the last `maxLen` bucket rows before `end` into out (maxLen × width, left-padded with zeros). */
  sequence(user: number, end: number, maxLen: number, out: Float32Array, o = 0): number {
    const b = this.bucketsBefore(user, end);
    const n = b.start.length;
    const take = Math.min(n, maxLen);
    out.fill(0, o, o + maxLen * this.width);
    for (let j = n - take; j < n; j++) {
      const row = o + (maxLen - (n - j)) * this.width;
      bucketFeatures(this.src, b.start[j], b.end[j], j > 0 ? b.end[j - 1] : -1, out, row);
    }
    return take;
  }

  /** Topic-share series (k series over the user's buckets before `end`). */
  topicSeries(user: number, end: number): number[][] {
    const b = this.bucketsBefore(user, end);
    const series = Array.from({ length: this.src.k }, () => new Array<number>(b.start.length).fill(0));
    const row = new Float32Array(this.src.k);
    for (let j = 0; j < b.start.length; j++) {
      this.rangeShares(b.start[j], b.end[j], row);
      row.forEach((v, c) => {
        series[c][j] = v;
      });
    }
    return series;
  }

  /**
   * Recency-weighted topic shares of the user's events before `end` (see Recency), into out: the
   * last-window profile the topic_recent baseline ranks with and the blend may mix in.
   */
  recentShares(user: number, end: number, r: Recency, out: Float32Array, o = 0): void {
    const take = Math.max(1, Math.round(r.window * (end - this.src.userOffsets[user])));
    if (r.decay === 0) {
      this.rangeShares(end - take, end, out, o);
      return;
    }
    const { k, itemShares, item } = this.src;
    out.fill(0, o, o + k);
    let w = 1;
    let total = 0;
    for (let i = end - 1; i >= end - take; i--, w *= 1 - r.decay) {
      for (let c = 0; c < k; c++) out[o + c] += w * itemShares[item[i] * k + c];
      total += w;
    }
    for (let c = 0; c < k; c++) out[o + c] /= total;
  }

  /** recentShares of each `{ user, end }` in order (rows × k). */
  recentSharesOf(at: readonly { user: number; end: number }[], r: Recency): Float32Array {
    const { k } = this.src;
    const out = new Float32Array(at.length * k);
    for (const [i, x] of at.entries()) this.recentShares(x.user, x.end, r, out, i * k);
    return out;
  }

  /** Mean topic shares of events [from, to) (the distribution a bucket or target window shows), into out. */
  rangeShares(from: number, to: number, out: Float32Array, o = 0): void {
    const { k, itemShares, item } = this.src;
    out.fill(0, o, o + k);
    if (to <= from) return;
    for (let i = from; i < to; i++) for (let c = 0; c < k; c++) out[o + c] += itemShares[item[i] * k + c];
    for (let c = 0; c < k; c++) out[o + c] /= to - from;
  }
}

/**
 * recentShares from bucket rows alone (a stored user's checkpointed rows, which keep no single events): the
 * last `window` of the events the rows count, each bucket's events at that bucket's mean shares.
 */
export function rowsRecentShares(rows: Float32Array, dim: number, k: number, r: Recency): Float32Array {
  const width = featureWidth(dim, k);
  const n = rows.length / width;
  const count = (j: number) => Math.round(Math.expm1(rows[j * width + dim + k] / LOG_COUNT_SCALE));
  let events = 0;
  for (let j = 0; j < n; j++) events += count(j);
  const out = new Float32Array(k);
  // Events aged a (0 = the latest) weigh (1 − decay)^a; a bucket's weight is the sum over its ages.
  const q = 1 - r.decay;
  const weightOf = (age: number, m: number) => (r.decay === 0 ? m : (q ** age * (1 - q ** m)) / (1 - q));
  let left = Math.max(1, Math.round(r.window * events));
  let age = 0;
  let total = 0;
  for (let j = n - 1; j >= 0 && left > 0; j--) {
    const m = Math.min(left, count(j));
    const w = weightOf(age, m);
    for (let c = 0; c < k; c++) out[c] += w * rows[j * width + dim + c];
    total += w;
    left -= m;
    age += m;
  }
  for (let c = 0; c < k; c++) out[c] /= total || 1;
  return out;
}

/** The last `length` values of rows (whole buckets), left-padded with zeros as the LSTM saw them in training. */
export function paddedTail(rows: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  const tail = rows.subarray(Math.max(0, rows.length - length));
  out.set(tail, length - tail.length);
  return out;
}
