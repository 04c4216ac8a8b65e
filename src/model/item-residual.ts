import * as tf from '@tensorflow/tfjs';
import { gatherRows, normalizeRows } from '../util/vec.ts';

/**
 * The per-item residual r_i learned on top of the frozen text vectors. It lives in JS and only a batch's
 * rows go to the backend: a dense nItems × dim update per step doubled the epoch time. The tf.Variable
 * mirrors it for weight snapshots and saved state.
 */
export class ItemResidual {
  readonly variable: tf.Variable;
  private readonly rows: Float32Array;
  private readonly dim: number;
  private readonly base: Float32Array;

  constructor(private readonly items: tf.Tensor2D) {
    const [n, dim] = items.shape;
    this.dim = dim;
    this.rows = new Float32Array(n * dim);
    this.base = items.dataSync() as Float32Array;
    this.variable = tf.tidy(() => tf.variable(tf.zeros(items.shape), false, 'item_residual'));
  }

  /** Copies the JS rows into the variable (before a snapshot or a save). */
  push(): void {
    // A copy: the cpu backend keeps the array it is given, so later steps would reach every snapshot.
    tf.tidy(() => this.variable.assign(tf.tensor2d(this.rows.slice(), this.items.shape)));
  }

  /** Copies the variable into the JS rows (after a restore). */
  pull(): void {
    this.rows.set(this.variable.dataSync() as Float32Array);
  }

  /**
   * Rows `ids` as their own trainable leaf: tfjs-wasm has no gradient kernel for gather (UnsortedSegmentSum),
   * so their gradient is taken directly and applied by `step`.
   */
  batchRows(ids: Int32Array, name: string): tf.Variable {
    const out = gatherRows(this.rows, this.dim, ids);
    // tidy frees the initial tensor: tf.variable keeps its own copy.
    return tf.tidy(() => tf.variable(tf.tensor2d(out, [ids.length, this.dim]), true, name));
  }

  /** Plain SGD on rows `ids` (distinct) with their gradient `g` (ids × dim). */
  step(ids: Int32Array, g: Float32Array, lr: number): void {
    const dim = this.dim;
    ids.forEach((id, r) => {
      for (let d = 0; d < dim; d++) this.rows[id * dim + d] -= lr * g[r * dim + d];
    });
  }

  /** Unit vectors e_i + r_i to score items against. */
  scoringVectors(): Float32Array {
    return normalizeRows(
      this.base.map((v, i) => v + this.rows[i]),
      this.dim,
    );
  }

  dispose(): void {
    this.variable.dispose();
  }
}
