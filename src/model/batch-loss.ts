import * as tf from '@tensorflow/tfjs';
import { type SequenceModelSpec, splitOutputs } from './lstm.ts';

/** The loss settings of TrainOptions. */
export interface LossOptions {
  loss: 'contrastive' | 'cosine';
  temperature: number;
  /** Items sampled per batch (contrastive). */
  negatives: number;
  /** On the kernels. */
  l2: number;
  /** Weight of the topic head's KL(actual ‖ forecast) term (ignored without a topic head). */
  topicWeight: number;
  /** L2 on the residual rows a batch uses. */
  residualL2: number;
}

/** A batch's candidate items (its targets ∪ sampled negatives) and each row's target mass over them. */
export interface Candidates {
  ids: Int32Array;
  y: Float32Array;
  width: number;
}

/** Candidates = the batch's target items ∪ `negatives` uniformly sampled items; y = target mass per row. */
export function candidates(
  targets: readonly Int32Array[],
  nItems: number,
  negatives: number,
  rand: () => number,
): Candidates {
  const index = new Map<number, number>();
  for (const t of targets) for (const i of t) if (!index.has(i)) index.set(i, index.size);
  for (let s = 0; s < negatives && index.size < nItems; s++) {
    const i = Math.floor(rand() * nItems);
    if (!index.has(i)) index.set(i, index.size);
  }
  const y = new Float32Array(targets.length * index.size);
  targets.forEach((t, r) => {
    for (const i of t) y[r * index.size + index.get(i)!] = 1 / t.length;
  });
  return { ids: Int32Array.from(index.keys()), y, width: index.size };
}

/** Squared L2 norm of the kernels (not biases), the usual weight decay target. */
function l2Penalty(model: tf.LayersModel): tf.Scalar {
  const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read());
  return tf.addN(kernels.map((k) => tf.sum(tf.square(k)))) as tf.Scalar;
}

/**
 * Rows over their L2 norms. √Σx² rather than tf.norm, whose |x|^2 runs tfjs-wasm's per-element pow (forward
 * and gradient): about a tenth of a MovieLens epoch.
 */
const unitRows = (t: tf.Tensor2D): tf.Tensor2D =>
  tf.div(t, tf.add(tf.sqrt(tf.sum(tf.square(t), 1, true)), 1e-8));

/** One batch: its sequences, targets, candidates (contrastive), residual rows and topic shares. */
export interface Batch {
  x: tf.Tensor3D;
  targets: readonly Int32Array[];
  candidates: Candidates | null;
  /**
   * The candidates' frozen item vectors (candidates × dim), gathered in JS: tfjs-wasm's gather kernel took
   * about as long as the rest of the contrastive head.
   */
  candidateRows: tf.Tensor2D | null;
  /** The candidates' residual rows (item_residual), a leaf of their own. */
  residualRows: tf.Variable | null;
  /** Topic shares of each row's target window (rows × k); null without a topic head. */
  shares: tf.Tensor2D | null;
}

/**
 * The batch's loss as a function for tfjs to differentiate. Contrastive: softmax over the candidates of
 * cos(ŷ, e_i + r_i)/τ, cross-entropy against the targets; cosine: 1 − cos(ŷ, mean target). Plus
 * λ·KL(shares ‖ topic head), L2 on the residual rows and on the kernels. `kl` holds the KL term after a
 * call, kept past tfjs' tidy for the epoch's report; the caller disposes it.
 */
export function batchLoss(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  items: tf.Tensor2D,
  batch: Batch,
  opts: LossOptions,
): { loss: () => tf.Scalar; kl: { value: tf.Scalar | null } } {
  const kl: { value: tf.Scalar | null } = { value: null };
  const loss = (): tf.Scalar => {
    const { vec, topics } = splitOutputs(model.apply(batch.x, { training: true }) as tf.Tensor2D, spec);
    const unit = unitRows(vec);
    let main: tf.Scalar =
      batch.candidates && batch.candidateRows
        ? contrastive(unit, batch.candidateRows, batch.candidates, batch.residualRows, opts.temperature)
        : cosine(unit, items, batch.targets);
    const rows = batch.residualRows;
    const reg = rows ? tf.mul(opts.residualL2, tf.mean(tf.sum(tf.square(rows), 1))) : null;
    if (topics && batch.shares) {
      kl.value = tf.keep(klDivergence(batch.shares, topics));
      main = tf.add(main, tf.mul(opts.topicWeight, kl.value));
    }
    if (reg) main = tf.add(main, reg);
    return opts.l2 > 0 ? tf.add(main, tf.mul(opts.l2, l2Penalty(model))) : main;
  };
  return { loss, kl };
}

function contrastive(
  unit: tf.Tensor2D,
  candidateRows: tf.Tensor2D,
  c: Candidates,
  residualRows: tf.Variable | null,
  temperature: number,
): tf.Scalar {
  let cand = candidateRows;
  if (residualRows) cand = unitRows(tf.add(cand, residualRows) as tf.Tensor2D);
  const logits = tf.div(tf.matMul(unit, cand, false, true), temperature);
  const y = tf.tensor2d(c.y, [unit.shape[0], c.width]);
  return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
}

function cosine(unit: tf.Tensor2D, items: tf.Tensor2D, targets: readonly Int32Array[]): tf.Scalar {
  const mean = tf.stack(targets.map((t) => tf.mean(tf.gather(items, t), 0))) as tf.Tensor2D;
  return tf.sub(1, tf.mean(tf.sum(tf.mul(unit, unitRows(mean)), 1)));
}

/** KL(p ‖ q) = Σ p (log p − log q), row mean; p log p is constant but keeps the reported value a true KL. */
function klDivergence(p: tf.Tensor2D, q: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(tf.add(p, 1e-8)), tf.log(tf.add(q, 1e-8)))), 1));
}
