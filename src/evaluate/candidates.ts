import { topK } from '../recommend/score.ts';

/**
 * The value of rank m (1-based) among `values` in descending order, by quickselect on `scratch` (≥ n long,
 * overwritten). NaN values are never selected; fewer than m other values give −∞.
 */
export function kthLargest(values: Float32Array, m: number, scratch: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) scratch[n++] = values[i];
  if (m > n) return Number.NEGATIVE_INFINITY;
  // Select index m − 1 of the descending order in scratch[0, n).
  const target = m - 1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = median3(scratch[lo], scratch[(lo + hi) >> 1], scratch[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i] > pivot) i++;
      while (scratch[j] < pivot) j--;
      if (i <= j) {
        const t = scratch[i];
        scratch[i++] = scratch[j];
        scratch[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return scratch[target];
  }
  return scratch[target];
}

const median3 = (a: number, b: number, c: number) => Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));

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
  private readonly scores: Float32Array;

  constructor(features: readonly Float32Array[], m: number, scratch: Float32Array) {
    const n = features[0].length;
    this.complete = m >= n;
    this.thresholds = features.map((f) =>
      this.complete ? Number.NEGATIVE_INFINITY : kthLargest(f, m, scratch),
    );
    const mark = new Uint8Array(n);
    features.forEach((f, j) => {
      const t = this.thresholds[j];
      for (let i = 0; i < n; i++) if (f[i] > t) mark[i] = 1;
    });
    const items = new Int32Array(n);
    let c = 0;
    for (let i = 0; i < n; i++) if (mark[i] || this.complete) items[c++] = i;
    this.items = items.slice(0, c);
    this.scores = new Float32Array(c);
  }

  /**
   * The top k item indices of `score` (stored as float32, like a score row), skipping `excluded`, or null
   * when a non-candidate might belong to them: fewer than k candidates left, or the k-th not above `bound`
   * (the score at the thresholds).
   */
  top(
    score: (item: number) => number,
    bound: number,
    k: number,
    excluded?: ReadonlySet<number> | null,
  ): Int32Array | null {
    const { items, scores } = this;
    for (let c = 0; c < items.length; c++) scores[c] = excluded?.has(items[c]) ? Number.NaN : score(items[c]);
    const at = topK(scores, k);
    if (!this.complete && (at.length < k || !(scores[at[k - 1]] > Math.fround(bound)))) return null;
    return at.map((c) => items[c]);
  }
}
