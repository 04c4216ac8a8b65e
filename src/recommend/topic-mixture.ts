import * as tf from '@tensorflow/tfjs';
import { takeValues } from '../util/buffers.ts';

/** Count every item gets inside its topics, so an item nobody has touched yet keeps a little mass. */
export const TOPIC_SMOOTHING = 0.5;

/**
 * Item topic memberships M (items × k, each row sums to 1) kept as a tensor for the two products topic
 * scoring needs: each topic's mass Z = (c + ε)·M and each item's mixture weight (s / Z)·Mᵀ.
 */
export class TopicItems {
  readonly n: number;
  private readonly m: tf.Tensor2D;

  constructor(
    membership: Float32Array,
    readonly k: number,
  ) {
    if (!(k > 0 && membership.length % k === 0))
      throw new Error(`topic items: ${membership.length} memberships are not a multiple of k = ${k}`);
    this.n = membership.length / k;
    this.m = tf.tensor2d(membership, [this.n, k]);
  }

  /**
   * Topic-mixture scores p(i | u) = Σ_k s_k · m_ik (c_i + ε) / Σ_j m_jk (c_j + ε): the user's topic
   * shares times each topic's item distribution, items weighted by popularity known at the row's cutoff.
   * `weights` (rows × n) holds c + ε; each row of a result sums to Σ_k s_k over the topics that have any
   * mass. Several share matrices (each rows × k) go through one pass: the topic masses Z are computed
   * once and every share matrix through one product (a row of a product does not depend on the rows
   * beside it, so each result is the same as alone). The results are views of `into` when given.
   */
  mixtures(
    shares: readonly Float32Array[],
    weights: Float32Array,
    rows: number,
    into?: Float32Array,
  ): Float32Array[] {
    const out = tf.tidy(() => {
      const w = tf.tensor2d(weights, [rows, this.n]);
      const z = tf.matMul(w, this.m);
      const q = tf.concat(shares.map((s) => tf.divNoNan(tf.tensor2d(s, [rows, this.k]), z)));
      return tf.mul(w, tf.reshape(tf.matMul(q, this.m, false, true), [shares.length, rows, this.n]));
    });
    const all = takeValues(out, into);
    return shares.map((_, j) => all.subarray(j * rows * this.n, (j + 1) * rows * this.n));
  }

  /** Expected topic shares of one draw from each row's item distribution p (rows × n): p·M. */
  topicMass(p: Float32Array, rows: number): Float32Array {
    return takeValues(tf.tidy(() => tf.matMul(tf.tensor2d(p, [rows, this.n]), this.m)));
  }

  dispose(): void {
    this.m.dispose();
  }
}

/** Hard memberships from one topic index per item (−1: in no topic, never recommended by topics). */
export function oneHotTopics(topicOf: Int32Array, k: number): Float32Array {
  const m = new Float32Array(topicOf.length * k);
  topicOf.forEach((t, i) => {
    if (t >= 0) m[i * k + t] = 1;
  });
  return m;
}

/**
 * p(i | k) for fixed counts (a checkpoint's popularity), items × k: the serving form of
 * TopicItems.mixtures, where a user's scores are then one k-long dot product per item.
 */
export function topicItemDistribution(
  membership: Float32Array,
  k: number,
  counts: Float32Array,
  eps = TOPIC_SMOOTHING,
): Float32Array {
  const n = counts.length;
  if (membership.length !== n * k)
    throw new Error(`topic items: ${membership.length} memberships for ${n} items × ${k} topics`);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) z[c] += membership[i * k + c] * (counts[i] + eps);
  const p = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++)
      p[i * k + c] = z[c] > 0 ? (membership[i * k + c] * (counts[i] + eps)) / z[c] : 0;
  return p;
}
