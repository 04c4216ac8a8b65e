import * as tf from '@tensorflow/tfjs';

/** tf.customGrad's argument type, which types every input as Tensor | GradSaveFunc. */
type GradientFunc = Parameters<typeof tf.customGrad>[0];

/**
 * tf.gather(table, ids) with a scatter-add (ScatterNd) gradient: tfjs-wasm has no kernel for gather's own
 * gradient (UnsortedSegmentSum). ScatterNd sums repeated ids, which is the gradient of a row lookup.
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  // Tensors the gradient needs go through save(): the forward pass runs in a tidy that frees the rest.
  const op = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor, [i]: tf.Tensor[]) => tf.scatterND(tf.expandDims(i, 1), dy, t.shape),
    };
  }) as GradientFunc);
  return op(table) as tf.Tensor2D;
}

/**
 * Mean next-item cross-entropy over the whole catalogue: −log softmax(h_i · Eᵀ)[t_i], with the gradient
 * written out, (P − Y)·E and (P − Y)ᵀ·H over n rows. Written by hand because the one-hot labels of
 * tf.losses would be another n × items matrix, gather has no gradient kernel on wasm, and every product
 * here is arranged as an untransposed matMul (a transposed operand is 4–20× slower on wasm).
 */
export function fullSoftmaxLoss(h: tf.Tensor2D, items: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const op = tf.customGrad(((hv: tf.Tensor, e: tf.Tensor, save: tf.GradSaveFunc) => {
    const n = hv.shape[0];
    const p = tf.softmax(tf.matMul(hv as tf.Tensor2D, tf.transpose(e as tf.Tensor2D)));
    const rows = tf.stack([tf.range(0, n, 1, 'int32'), targets], 1);
    // The floor only caps the reported loss of an underflowed probability; the gradient is exact.
    const value = tf.neg(tf.mean(tf.log(tf.maximum(tf.gatherND(p, rows), 1e-30))));
    save([hv, e, p, targets]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hs, es, ps, t] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const scale = tf.div(dy, n);
        const dh = tf.sub(tf.matMul(ps, es), tf.gather(es, t));
        const dpe = tf.transpose(tf.matMul(tf.transpose(hs), ps));
        const de = tf.sub(dpe, tf.scatterND(tf.expandDims(t, 1), hs, es.shape));
        return [tf.mul(dh, scale), tf.mul(de, scale)];
      },
    };
  }) as GradientFunc);
  return op(h, items) as tf.Scalar;
}

/** Layer normalisation over the last axis. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-6))), gamma), beta);
}

/** Dropout in training only (masks come from Math.random: run inside withSeededRandom). */
export function dropout(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  return training && rate > 0 ? tf.dropout(x, rate) : x;
}

/** x [..., inDim] · w [inDim, outDim] (+ b) as one 2-D matMul. */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const [inDim, outDim] = w.shape;
  const y = tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w);
  return tf.reshape(b ? tf.add(y, b) : y, [...x.shape.slice(0, -1), outDim]);
}
