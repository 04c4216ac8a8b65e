import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/util/random.ts';
import { useFastWasmKernels } from '../../src/util/wasm-kernels.ts';

const rand = mulberry32(5);
const matrix = (rows: number, cols: number) =>
  Float32Array.from({ length: rows * cols }, () => rand() * 2 - 1);

/** Plain row-major product of a (m × k) and b (k × n), in float64. */
function product(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      out[i * n + j] = s;
    }
  return out;
}

const transposed = (x: Float32Array, rows: number, cols: number) =>
  Float32Array.from({ length: rows * cols }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)]);

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('wasm matrix products without transposed operands', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    useFastWasmKernels();
    useFastWasmKernels(); // idempotent
  });

  it('every transpose combination gives the product, and leaves no tensor behind', () => {
    const [m, k, n] = [7, 33, 11];
    const a = matrix(m, k);
    const b = matrix(k, n);
    const want = product(a, b, m, k, n);
    const before = tf.memory().numTensors;
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const at = tf.tensor2d(ta ? transposed(a, m, k) : a, ta ? [k, m] : [m, k]);
      const bt = tf.tensor2d(tb ? transposed(b, k, n) : b, tb ? [n, k] : [k, n]);
      const got = tf.matMul(at, bt, ta, tb);
      expect(got.shape).toEqual([m, n]);
      expect(maxDiff(got.dataSync(), want)).toBeLessThan(1e-5);
      tf.dispose([at, bt, got]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a fused product (bias, relu) and a batched one agree with the plain ops', () => {
    const a = tf.tensor2d(matrix(5, 9), [5, 9]);
    const b = tf.tensor2d(matrix(4, 9), [4, 9]);
    const bias = tf.tensor1d(matrix(4, 1));
    const fused = tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' });
    const plain = tf.relu(tf.add(tf.matMul(a, tf.transpose(b)), bias));
    expect(maxDiff(fused.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
    // Batched (rank 3), transposed on both sides: each batch is its own product.
    const a3 = tf.tensor3d(matrix(2 * 9 * 5, 1), [2, 9, 5]);
    const b3 = tf.tensor3d(matrix(2 * 4 * 9, 1), [2, 4, 9]);
    const batched = tf.matMul(a3, b3, true, true).arraySync() as number[][][];
    for (let i = 0; i < 2; i++) {
      const ai = tf.transpose(a3.slice([i, 0, 0], [1, 9, 5]).squeeze([0]));
      const bi = tf.transpose(b3.slice([i, 0, 0], [1, 4, 9]).squeeze([0]));
      const want = product(ai.dataSync() as Float32Array, bi.dataSync() as Float32Array, 5, 9, 4);
      expect(maxDiff(batched[i].flat(), want)).toBeLessThan(1e-5);
      tf.dispose([ai, bi]);
    }
    tf.dispose([a, b, bias, fused, plain, a3, b3]);
  });

  it('gradients of a·Bᵀ (which multiply transposed operands) match their closed form', () => {
    const a = tf.tensor2d(matrix(6, 8), [6, 8]);
    const b = tf.tensor2d(matrix(10, 8), [10, 8]);
    const dy = tf.tensor2d(matrix(6, 10), [6, 10]);
    const [da, db] = tf.grads((x, y) => tf.sum(tf.mul(tf.matMul(x, y, false, true), dy)))([a, b]);
    // d/da = dy·B, d/dB = dyᵀ·a.
    const wantA = product(dy.dataSync() as Float32Array, b.dataSync() as Float32Array, 6, 10, 8);
    const wantB = product(
      transposed(dy.dataSync() as Float32Array, 6, 10),
      a.dataSync() as Float32Array,
      10,
      6,
      8,
    );
    expect(maxDiff(da.dataSync(), wantA)).toBeLessThan(1e-5);
    expect(maxDiff(db.dataSync(), wantB)).toBeLessThan(1e-5);
    tf.dispose([a, b, dy, da, db]);
  });
});
