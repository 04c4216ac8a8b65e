import { topK } from '../recommend/score.ts';

/**
 * The value of rank m (1-based) among `values` in descending order: a min-heap of the m largest seen so
 * far in `scratch` (overwritten; used when ≥ m long), so most items cost one comparison with the heap's
 * root. NaN values are never selected; fewer than m other values give −∞.
 */
export function kthLargest(values: Float32Array, m: number, scratch: Float32Array): number {
  if (m < 1) throw new Error(`kthLargest: rank ${m} is not ≥ 1`);
  const heap = m <= scratch.length ? scratch.subarray(0, m) : new Float32Array(m);
  let size = 0;
  let i = 0;
  for (; i < values.length && size < m; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) heap[size++] = v;
  }
  if (size < m) return Number.NEGATIVE_INFINITY;
  for (let j = (m >> 1) - 1; j >= 0; j--) siftDown(heap, j, heap[j]);
  // The root in a local: most values fail the one comparison with it (NaN fails it too).
  let root = heap[0];
  for (; i < values.length; i++) {
    const v = values[i];
    if (v > root) {
      siftDown(heap, 0, v);
      root = heap[0];
    }
  }
  return root;
}

/** Puts v at position j of the min-heap and moves it down to where the heap order holds. */
function siftDown(heap: Float32Array, j: number, v: number): void {
  const n = heap.length;
  for (;;) {
    let c = 2 * j + 1;
    if (c >= n) break;
    if (c + 1 < n && heap[c + 1] < heap[c]) c++;
    if (heap[c] >= v) break;
    heap[j] = heap[c];
    j = c;
  }
  heap[j] = v;
}

/**
 * The items that can reach the top of any score that never decreases when one of a few per-item features
 * grows (the blend's settings, each a monotone mix of the LSTM, topic, vector and popularity terms): the
 * items above the m-th largest value of some feature. Every other item has each feature at or below those
 * thresholds, so none of its scores exceeds a virtual item's at the thresholds (`bound`). A setting whose
 * k-th best candidate beats that bound strictly has the same top k over the candidates as over all items,
 * in the same order and with the same tie-break (candidates are scanned in item order).
 */
export class Candidates {
  /** Candidate item indices, ascending. */
  readonly items: Int32Array;
  /** Per feature, a value no non-candidate exceeds. */
  readonly thresholds: number[];
  /** Every item is a candidate (m ≥ items): no bound to beat. */
  readonly complete: boolean;
  /** Each feature's values at the candidates, in `items` order. */
  readonly columns: Float32Array[];
  private readonly scores: Float32Array;
  /** The last excluded set asked with and the candidate positions it holds (a row's settings share it). */
  private excluded: { set: ReadonlySet<number> | null; at: number[] } = { set: null, at: [] };

  constructor(features: readonly Float32Array[], m: number, scratch: Float32Array) {
    const n = features[0].length;
    this.complete = m >= n;
    this.thresholds = features.map((f) =>
      this.complete ? Number.NEGATIVE_INFINITY : kthLargest(f, m, scratch),
    );
    this.items = this.complete
      ? Int32Array.from({ length: n }, (_, i) => i)
      : aboveAny(features, this.thresholds);
    this.columns = features.map((f) => gatherAt(f, this.items));
    this.scores = new Float32Array(this.items.length);
  }

  /**
   * The top k item indices of the score `fill` writes for the candidates (candidate j's at j, from
   * `columns`; stored as float32, like a score row), skipping `excluded`, or null when a non-candidate
   * might belong to them: fewer than k candidates left, or the k-th not above `bound` (the score at the
   * thresholds).
   */
  top(
    fill: (out: Float32Array) => void,
    bound: number,
    k: number,
    excluded?: ReadonlySet<number> | null,
  ): Int32Array | null {
    const { items, scores } = this;
    fill(scores);
    for (const c of this.excludedAt(excluded ?? null)) scores[c] = Number.NaN;
    const at = topK(scores, k);
    if (!this.complete && (at.length < k || !(scores[at[k - 1]] > Math.fround(bound)))) return null;
    return at.map((c) => items[c]);
  }

  private excludedAt(set: ReadonlySet<number> | null): number[] {
    if (set !== this.excluded.set) {
      const at: number[] = [];
      if (set) for (let c = 0; c < this.items.length; c++) if (set.has(this.items[c])) at.push(c);
      this.excluded = { set, at };
    }
    return this.excluded.at;
  }
}

/** f at each of `items`, in order. */
function gatherAt(f: Float32Array, items: Int32Array): Float32Array {
  const out = new Float32Array(items.length);
  for (let j = 0; j < items.length; j++) out[j] = f[items[j]];
  return out;
}

/** The items with some feature above that feature's threshold, ascending (one tight scan per feature). */
function aboveAny(features: readonly Float32Array[], thresholds: readonly number[]): Int32Array {
  const found: number[] = [];
  features.forEach((f, j) => {
    const t = thresholds[j];
    for (let i = 0; i < f.length; i++) if (f[i] > t) found.push(i);
  });
  const sorted = Int32Array.from(found).sort();
  let c = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[c++] = sorted[i];
  return sorted.slice(0, c);
}
