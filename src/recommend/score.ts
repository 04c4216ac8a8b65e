import * as tf from '@tensorflow/tfjs';
import { takeValues } from '../util/buffers.ts';

/**
 * Indices of the k largest scores, skipping the `excluded` item indices; ties go to the lower item index
 * so rankings are reproducible. O(n log k) with a small sorted buffer. Excluded items are masked in place
 * (NaN) for the scan and restored after: O(|excluded|), where a per-item predicate was half the cost of
 * a served request.
 */
export function topK(scores: Float32Array, k: number, excluded?: Iterable<number>): Int32Array {
  if (!excluded) return topKOf(scores, k);
  const at: number[] = [];
  const saved: number[] = [];
  for (const i of excluded) {
    at.push(i);
    saved.push(scores[i]);
    scores[i] = Number.NaN;
  }
  try {
    return topKOf(scores, k);
  } finally {
    // Reverse order, so a repeated index gets back its original value, not the NaN.
    for (let j = at.length - 1; j >= 0; j--) scores[at[j]] = saved[j];
  }
}

function topKOf(scores: Float32Array, k: number): Int32Array {
  // A sorted buffer of the best so far (ties keep the earlier item): filled from the first non-NaN
  // scores, then each item costs one comparison with its last value (NaN fails it) unless it gets in.
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  let size = 0;
  let i = 0;
  for (; i < scores.length && size < k; i++) {
    const s = scores[i];
    if (!Number.isNaN(s)) size = insertSorted(idx, val, size, k, i, s);
  }
  if (size < k) return idx.slice(0, size);
  let floor = val[k - 1];
  for (; i < scores.length; i++) {
    const s = scores[i];
    if (s > floor) {
      insertSorted(idx, val, k, k, i, s);
      floor = val[k - 1];
    }
  }
  return idx;
}

/**
 * Puts item i with score s into the descending buffer (its first `size` entries filled; the last entry
 * drops out when full), after any equal score: earlier items win ties. Returns the new size.
 */
function insertSorted(
  idx: Int32Array,
  val: Float64Array,
  size: number,
  k: number,
  i: number,
  s: number,
): number {
  let p = size < k ? size++ : k - 1;
  while (p > 0 && val[p - 1] < s) {
    val[p] = val[p - 1];
    idx[p] = idx[p - 1];
    p--;
  }
  val[p] = s;
  idx[p] = i;
  return size;
}

/**
 * Item vectors prepared for scoring. They are kept transposed (dim × items) so a batch of queries is one plain
 * matmul on the tfjs backend; transposing on every call cost ~40 % of a single-user request.
 */
export class ItemIndex {
  readonly n: number;
  private readonly t: tf.Tensor2D;

  constructor(
    vectors: Float32Array,
    readonly dim: number,
  ) {
    this.n = vectors.length / dim;
    this.t = tf.tidy(() => tf.transpose(tf.tensor2d(vectors, [this.n, dim])));
  }

  /** Scores of every item for each query: (rows × dim) · itemsᵀ → rows × items (into `into` when given). */
  score(queries: Float32Array, rows: number, into?: Float32Array): Float32Array {
    return takeValues(
      tf.tidy(() => tf.matMul(tf.tensor2d(queries, [rows, this.dim]), this.t)),
      into,
    );
  }

  dispose(): void {
    this.t.dispose();
  }
}

/**
 * Items in the model's low rank: row i is [W·e_i | b·e_i | C·e_i] (units + 1 + k values), for the linear
 * head l = h·W + b (W units × dim) and topic centroids C (k × dim). Then
 *   ⟨α·l/‖l‖ + (1−α)·a/‖a‖, e_i⟩ = ⟨[f_l·h | f_l | f_a·s], row_i⟩,  f_l = α/‖l‖, f_a = (1−α)/‖a‖, a = s·C,
 * so a query costs units + 1 + k multiply-adds per item instead of dim (85 vs 512 for the MovieLens
 * model): the same blend scores, up to float rounding.
 */
export function lowRankItems(
  vectors: Float32Array,
  dim: number,
  head: { units: number; kernel: Float32Array; bias: Float32Array },
  centroids: Float32Array,
  k: number,
): { rows: Float32Array; rank: number } {
  const n = vectors.length / dim;
  const out = tf.tidy(() => {
    const basis = tf.concat(
      [
        tf.tensor2d(head.kernel, [head.units, dim]),
        tf.tensor2d(head.bias, [1, dim]),
        tf.tensor2d(centroids, [k, dim]),
      ],
      0,
    );
    return tf.matMul(tf.tensor2d(vectors, [n, dim]), tf.transpose(basis));
  });
  return { rows: takeValues(out), rank: head.units + 1 + k };
}

/** The query row of `lowRankItems` for hidden state h (with ‖l‖) and topic shares s (with ‖a‖). */
export function lowRankQuery(
  hidden: Float32Array,
  lstmNorm: number,
  shares: ArrayLike<number>,
  arimaNorm: number,
  alpha: number,
): Float32Array {
  const units = hidden.length;
  const fl = lstmNorm > 0 ? alpha / lstmNorm : 0;
  const fa = arimaNorm > 0 ? (1 - alpha) / arimaNorm : 0;
  const q = new Float32Array(units + 1 + shares.length);
  for (let j = 0; j < units; j++) q[j] = fl * hidden[j];
  q[units] = fl;
  for (let c = 0; c < shares.length; c++) q[units + 1 + c] = fa * shares[c];
  return q;
}

/** v = α·a + (1−α)·b on unit-normalised a, b (rows × dim), so α weighs directions, not magnitudes. */
export function blendVectors(a: Float32Array, b: Float32Array, dim: number, alpha: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let o = 0; o < a.length; o += dim) {
    let na = 0;
    let nb = 0;
    for (let d = 0; d < dim; d++) {
      na += a[o + d] * a[o + d];
      nb += b[o + d] * b[o + d];
    }
    const fa = na > 0 ? alpha / Math.sqrt(na) : 0;
    const fb = nb > 0 ? (1 - alpha) / Math.sqrt(nb) : 0;
    for (let d = 0; d < dim; d++) out[o + d] = fa * a[o + d] + fb * b[o + d];
  }
  return out;
}
