import * as tf from '@tensorflow/tfjs';
import { disposeWeights, embed, embeddingStd, type SequentialNet, weightFactory } from './net.ts';
import { dense, dropout } from './ops.ts';
import type { SequentialSpec } from './spec.ts';

interface GruWeights {
  kernel: tf.Tensor2D;
  recurrent: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * One GRU layer over [rows, maxLen, dim], "reset after" form (one recurrent matMul per step):
 * z = σ(x W_z + h U_z + b_z), r = σ(x W_r + h U_r + b_r), n = tanh(x W_n + b_n + r ⊙ h U_n),
 * h' = (1 − z) ⊙ n + z ⊙ h. Padding steps keep h (0 before the first item), so left padding is inert.
 */
function gruLayer(x: tf.Tensor3D, mask: tf.Tensor3D, w: GruWeights): tf.Tensor3D {
  const [rows, len, dim] = x.shape;
  const steps = tf.unstack(dense(x, w.kernel, w.bias), 1);
  const masks = tf.unstack(mask, 1);
  let h: tf.Tensor = tf.zeros([rows, dim]);
  const out: tf.Tensor[] = [];
  for (let t = 0; t < len; t++) {
    const [xz, xr, xn] = tf.split(steps[t], 3, 1);
    const [hz, hr, hn] = tf.split(tf.matMul(h as tf.Tensor2D, w.recurrent), 3, 1);
    const z = tf.sigmoid(tf.add(xz, hz));
    const r = tf.sigmoid(tf.add(xr, hr));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    const next = tf.add(n, tf.mul(z, tf.sub(h, n)));
    h = tf.add(h, tf.mul(masks[t], tf.sub(next, h)));
    out.push(h);
  }
  return tf.stack(out, 1) as tf.Tensor3D;
}

/**
 * GRU4Rec (Hidasi et al. 2016) with a full softmax over the catalogue: item embedding → dropout → GRU
 * layers → dropout; scores are the state's dot products with the item embeddings (input and output tied,
 * GRU4Rec's "constrained embedding", which also halves the parameters).
 */
export function buildGru4Rec(spec: SequentialSpec, nItems: number): SequentialNet {
  const f = weightFactory(spec.seed);
  const d = spec.dim;
  const table = f.normal('item_embedding', [nItems + 1, d], embeddingStd(d)) as tf.Variable<tf.Rank.R2>;
  const layers: GruWeights[] = Array.from({ length: spec.layers }, (_, l) => ({
    kernel: f.matrix(`gru_${l}/kernel`, d, 3 * d),
    recurrent: f.matrix(`gru_${l}/recurrent_kernel`, d, 3 * d),
    bias: f.constant(`gru_${l}/bias`, 3 * d, 0),
  }));
  return {
    spec,
    nItems,
    weights: f.weights,
    hidden(ids, training) {
      const { x, mask } = embed(table, ids);
      let h = dropout(x, spec.dropout, training) as tf.Tensor3D;
      for (const w of layers) h = gruLayer(h, mask, w);
      return dropout(h, spec.dropout, training) as tf.Tensor3D;
    },
    dispose: () => disposeWeights(f.weights),
  };
}
