import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { fullSoftmaxLoss, gatherRows } from '../../src/sequential/ops.ts';

const close = (a: tf.Tensor, b: tf.Tensor) => {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i], 4);
};

describe('sequential ops (wasm)', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('gatherRows: the rows, and a gradient that sums over repeated ids (= a one-hot matMul)', () => {
    tf.tidy(() => {
      const table = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
      const ids = tf.tensor1d([2, 0, 2, 3], 'int32');
      const w = tf.tensor2d([1, -1, 2, 0.5, 3, 1, -2, 4], [4, 2]);
      close(gatherRows(table, ids), tf.tensor2d([5, 6, 1, 2, 5, 6, 7, 8], [4, 2]));
      const ours = tf.grad((t) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids), w)))(table);
      const oneHot = tf.oneHot(ids, 4).toFloat() as tf.Tensor2D;
      const reference = tf.grad((t) => tf.sum(tf.mul(tf.matMul(oneHot, t as tf.Tensor2D), w)))(table);
      close(ours, reference);
      close(ours.slice([1, 0], [1, 2]), tf.zeros([1, 2]));
    });
  });

  it('fullSoftmaxLoss: value and gradients = softmax cross-entropy of h·Eᵀ and one-hot labels', () => {
    tf.tidy(() => {
      const h = tf.tensor2d(
        Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i + 1)),
        [5, 3],
      );
      const e = tf.tensor2d(
        Array.from({ length: 7 * 3 }, (_, i) => Math.cos(2 * i)),
        [7, 3],
      );
      const t = tf.tensor1d([6, 0, 6, 2, 3], 'int32');
      const reference = (a: tf.Tensor, b: tf.Tensor) =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(t, 7),
          tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
        ) as tf.Scalar;
      const ours = (a: tf.Tensor, b: tf.Tensor) => fullSoftmaxLoss(a as tf.Tensor2D, b as tf.Tensor2D, t);
      close(ours(h, e), reference(h, e));
      const [gh, ge] = tf.grads(ours)([h, e]);
      const [rh, re] = tf.grads(reference)([h, e]);
      close(gh, rh);
      close(ge, re);
    });
  });
});
