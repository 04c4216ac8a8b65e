import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../util/random.ts';
import { gatherRows } from './ops.ts';
import type { SequentialSpec } from './spec.ts';

/** A named weight; names are stable across rebuilds of the same spec (tf variable names are not). */
export interface NamedWeight {
  name: string;
  variable: tf.Variable;
  /** Counted in the L2 penalty (matrices and embeddings; not biases or layer-norm parameters). */
  decay: boolean;
}

/**
 * An id-based next-item network. Input ids are item + 1 with 0 as left padding; the item table's rows
 * 1..nItems are both the input embeddings and the output scoring vectors (tied, as in SASRec).
 */
export interface SequentialNet {
  readonly spec: SequentialSpec;
  readonly nItems: number;
  /** In creation order; the item table ('item_embedding', (nItems + 1) × dim) first. */
  readonly weights: readonly NamedWeight[];
  /** The state after every position: ids [rows, maxLen] → [rows, maxLen, dim]. */
  hidden(ids: tf.Tensor2D, training: boolean): tf.Tensor3D;
  dispose(): void;
}

/**
 * Creates the weights of a net in a fixed order from one seeded normal stream, so the same spec and
 * seed give the same initial weights on any backend (no tfjs initialiser or Math.random involved).
 */
export function weightFactory(seed: number) {
  const normal = gaussian(mulberry32(seed));
  const weights: NamedWeight[] = [];
  const add = (name: string, shape: number[], values: Float32Array, decay: boolean) => {
    // tidy frees the initial tensor: the variable keeps its own reference to the data.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
    weights.push({ name, variable, decay });
    return variable;
  };
  const drawn = (shape: number[], std: number) =>
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => std * normal());
  return {
    weights,
    normal: (name: string, shape: number[], std: number) => add(name, shape, drawn(shape, std), true),
    /** Glorot-normal matrix. */
    matrix: (name: string, rows: number, cols: number) =>
      add(
        name,
        [rows, cols],
        drawn([rows, cols], Math.sqrt(2 / (rows + cols))),
        true,
      ) as tf.Variable<tf.Rank.R2>,
    constant: (name: string, size: number, value: number) =>
      add(name, [size], new Float32Array(size).fill(value), false) as tf.Variable<tf.Rank.R1>,
  };
}

/**
 * Initial spread of the item (and position) embeddings: small, so every item starts near the same score.
 * On the small drifting synthetic log SASRec left the popularity plateau ~5 epochs sooner than at 1/√dim.
 */
export const embeddingStd = (dim: number) => 0.3 / Math.sqrt(dim);

/** Input embeddings of ids [rows, maxLen] → [rows, maxLen, dim], zero at padding. */
export function embed(table: tf.Tensor2D, ids: tf.Tensor2D): { x: tf.Tensor3D; mask: tf.Tensor3D } {
  const [rows, len] = ids.shape;
  const mask = tf.expandDims(tf.cast(tf.notEqual(ids, 0), 'float32'), 2) as tf.Tensor3D;
  const x = tf.reshape(gatherRows(table, tf.reshape(ids, [-1]) as tf.Tensor1D), [rows, len, table.shape[1]]);
  return { x: tf.mul(x, mask), mask };
}

/** The output embeddings: rows 1..nItems of the item table (row 0 is padding). */
export function outputItems(net: SequentialNet): tf.Tensor2D {
  const table = net.weights[0].variable as tf.Tensor2D;
  return tf.slice(table, [1, 0], [net.nItems, net.spec.dim]);
}

/** Scores of every item after each history: ids [rows, maxLen] → [rows, nItems] (inference mode). */
export function scoreHistories(net: SequentialNet, ids: tf.Tensor2D): tf.Tensor2D {
  const [rows, len] = ids.shape;
  const last = tf.reshape(tf.slice(net.hidden(ids, false), [0, len - 1, 0], [rows, 1, net.spec.dim]), [
    rows,
    net.spec.dim,
  ]) as tf.Tensor2D;
  // An explicit transpose: matMul with transposeB is several times slower on wasm.
  return tf.matMul(last, tf.transpose(outputItems(net)));
}

/** Releases every weight of the net. */
export function disposeWeights(weights: readonly NamedWeight[]): void {
  for (const w of weights) w.variable.dispose();
}
