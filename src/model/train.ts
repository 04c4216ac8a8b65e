import * as tf from '@tensorflow/tfjs';
import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { createProgress } from '../util/progress.ts';
import { mulberry32, shuffle } from '../util/random.ts';
import { withSeededRandom } from '../util/seeded.ts';
import { normalizeRows } from '../util/vec.ts';
import { predictVectors, type SequenceModelSpec, splitOutputs } from './lstm.ts';
import { loadTrainState, saveTrainState } from './train-state.ts';

export interface TrainOptions {
  lr: number;
  /** Learning rate × lrDecay after every epoch (1 = constant). */
  lrDecay: number;
  batch: number;
  epochs: number;
  patience: number;
  seed: number;
  l2: number;
  loss: 'contrastive' | 'cosine';
  temperature: number;
  negatives: number;
  /** Weight of the topic head's KL(actual ‖ forecast) term (ignored without a topic head). */
  topicWeight: number;
  /** Learn a per-item residual r_i on top of the frozen text vectors: items are scored by cos(ŷ, e_i + r_i). */
  itemResidual: boolean;
  /** L2 on the residual rows a batch uses. */
  residualL2: number;
  /** SGD step size of the residual rows. */
  residualLr: number;
  /** Where epoch state is saved for `--resume` (null: not saved). */
  stateDir: string | null;
  resume: boolean;
  /** Fingerprint of config + data; a saved state with another key is refused. */
  stateKey: string;
  log?: (line: string) => void;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  topicKl: number | null;
  valid: number;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

export interface TrainResult {
  /** Unit vectors e_i + r_i to score items against when a residual was learned; null: score the text vectors. */
  scoringVectors: Float32Array | null;
  history: EpochLog[];
  bestEpoch: number;
  bestValid: number;
  resumedFrom: number;
}

/** Bucket sequences of the examples (examples × maxLen × width), built on the fly: no n×T×F copy is kept. */
export function sequencesOf(
  store: FeatureStore,
  examples: readonly Pick<Example, 'user' | 'end'>[],
  maxLen: number,
): Float32Array {
  const step = maxLen * store.width;
  const x = new Float32Array(examples.length * step);
  examples.forEach((ex, r) => {
    store.sequence(ex.user, ex.end, maxLen, x, r * step);
  });
  return x;
}

/** The model's interest vectors of the examples (examples × outputDim). */
export function lstmVectors(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  store: FeatureStore,
  examples: readonly Example[],
) {
  return predictVectors(model, sequencesOf(store, examples, spec.maxLen), examples.length, spec);
}

/** Topic shares actually shown in each example's target window (examples × k). */
export function targetShares(
  store: FeatureStore,
  examples: readonly Pick<Example, 'end' | 'targetEnd'>[],
): Float32Array {
  const k = store.src.k;
  const out = new Float32Array(examples.length * k);
  examples.forEach((ex, r) => {
    store.rangeShares(ex.end, ex.targetEnd, out, r * k);
  });
  return out;
}

/** Candidates = the batch's target items ∪ `negatives` uniformly sampled items; y = target mass per row. */
function candidates(targets: readonly Int32Array[], nItems: number, negatives: number, rand: () => number) {
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

/** Rows `ids` of a row-major matrix, stacked. */
function gatherRows(m: Float32Array, dim: number, ids: Int32Array): Float32Array {
  const out = new Float32Array(ids.length * dim);
  ids.forEach((id, r) => {
    out.set(m.subarray(id * dim, (id + 1) * dim), r * dim);
  });
  return out;
}

/** Squared L2 norm of the kernels (not biases), the usual weight decay target. */
function l2Penalty(model: tf.LayersModel): tf.Scalar {
  const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read());
  return tf.addN(kernels.map((k) => tf.sum(tf.square(k)))) as tf.Scalar;
}

const unitRows = (t: tf.Tensor2D): tf.Tensor2D => tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-8));

/** A seed per (epoch, batch): the same batches and draws whether a run was resumed or not. */
const batchSeed = (seed: number, epoch: number, b: number) => (seed * 1_000_003 + epoch * 10_007 + b) >>> 0;

/**
 * Trains the next-interest model with a custom loop. Contrastive: softmax over (batch targets ∪ sampled
 * items) of cos(ŷ, e_i)/τ, cross-entropy against the next bucket's items. Cosine: 1 − cos(ŷ, mean target).
 * Plus λ·KL(actual next-bucket topic shares ‖ topic head) and L2 on kernels. Early stopping on `validate()`
 * (validation NDCG@10), keeping the best weights; optional epoch state for resuming after a kill.
 */
export async function trainModel(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  store: FeatureStore,
  train: readonly Example[],
  items: tf.Tensor2D,
  opts: TrainOptions,
  validate: (scoringVectors: Float32Array | null) => Promise<number>,
): Promise<TrainResult> {
  if (train.length === 0)
    throw new Error('train: no training examples (users need at least 2 buckets of history)');
  const say = opts.log ?? ((l: string) => console.error(l));
  const optimizer = tf.train.adam(opts.lr);
  const nItems = items.shape[0];
  if (opts.itemResidual && opts.loss !== 'contrastive')
    throw new Error('train: model.item_residual needs loss: contrastive');
  // The residual lives in JS and only the batch's rows go to the backend: a dense nItems × dim update
  // per step doubled the epoch time. The tf.Variable mirrors it for snapshots and saved state.
  const dim = items.shape[1];
  const residualJs = opts.itemResidual ? new Float32Array(nItems * dim) : null;
  const residual = residualJs
    ? tf.tidy(() => tf.variable(tf.zeros(items.shape), false, 'item_residual'))
    : null;
  const extras = residual ? [residual] : [];
  const pushResidual = () => {
    if (residual && residualJs) tf.tidy(() => residual.assign(tf.tensor2d(residualJs, [nItems, dim])));
  };
  const pullResidual = () => residualJs?.set(residual!.dataSync() as Float32Array);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const snapshot = () => {
    pushResidual();
    return [...model.getWeights(), ...extras].map((w) => w.clone());
  };
  const base = residualJs ? (items.dataSync() as Float32Array) : null;
  const scoringVectors = () =>
    residualJs && base
      ? normalizeRows(
          base.map((v, i) => v + residualJs[i]),
          dim,
        )
      : null;
  let history: EpochLog[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let start = 1;
  if (opts.resume && opts.stateDir) {
    const restored = await loadTrainState<EpochLog>(opts.stateDir, opts.stateKey, model, extras, optimizer);
    if (restored) {
      ({ history, best, bestEpoch } = restored.progress);
      bestWeights = restored.bestWeights;
      pullResidual();
      start = restored.progress.epoch + 1;
      say(
        `resuming after epoch ${restored.progress.epoch} (best valid ndcg@10 ${best.toFixed(4)} at epoch ${bestEpoch})`,
      );
    }
  }
  const shares = spec.topicHead > 0 ? targetShares(store, train) : null;
  const k = spec.topicHead;
  const batches = Math.ceil(train.length / opts.batch);
  const stopped = () =>
    bestEpoch > 0 && history.length > 0 && history.at(-1)!.epoch - bestEpoch >= opts.patience;

  for (let epoch = start; epoch <= opts.epochs && !stopped(); epoch++) {
    const t0 = performance.now();
    const lr = opts.lr * opts.lrDecay ** (epoch - 1);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const order = shuffle(
      Array.from({ length: train.length }, (_, i) => i),
      mulberry32(batchSeed(opts.seed, epoch, -1)),
    );
    const bar = createProgress(`epoch ${epoch}/${opts.epochs}`, batches);
    let lossSum = 0;
    let klSum = 0;
    for (let b = 0; b < batches; b++) {
      const rows = order.slice(b * opts.batch, (b + 1) * opts.batch);
      const chunk = rows.map((i) => train[i]);
      const x = sequencesOf(store, chunk, spec.maxLen);
      const targets = chunk.map((ex) => ex.target);
      const seed = batchSeed(opts.seed, epoch, b);
      const rand = mulberry32(seed ^ 0x9e3779b9);
      const c = opts.loss === 'contrastive' ? candidates(targets, nItems, opts.negatives, rand) : null;
      // The batch's residual rows as their own leaf: tfjs-wasm has no gradient kernel for gather
      // (UnsortedSegmentSum), so their gradient is taken directly and applied to the rows in JS below.
      const rBatch =
        residualJs && c
          ? tf.tidy(() =>
              // tidy frees the initial tensor: tf.variable keeps its own copy.
              tf.variable(
                tf.tensor2d(gatherRows(residualJs, dim, c.ids), [c.ids.length, dim]),
                true,
                `residual_rows_${b}`,
              ),
            )
          : null;
      const grad: { rows: tf.Tensor | null } = { rows: null };
      const [loss, kl] = await withSeededRandom(seed, () =>
        tf.tidy(() => {
          const xb = tf.tensor3d(x, [chunk.length, spec.maxLen, spec.inputWidth]);
          const held: { kl: tf.Scalar | null } = { kl: null };
          const f = () => {
            const { vec, topics } = splitOutputs(model.apply(xb, { training: true }) as tf.Tensor2D, spec);
            const unit = unitRows(vec);
            let main: tf.Scalar;
            let reg: tf.Scalar | null = null;
            if (c) {
              let cand = tf.gather(items, c.ids) as tf.Tensor2D;
              if (rBatch) {
                cand = unitRows(tf.add(cand, rBatch) as tf.Tensor2D);
                reg = tf.mul(opts.residualL2, tf.mean(tf.sum(tf.square(rBatch), 1)));
              }
              const logits = tf.div(tf.matMul(unit, cand, false, true), opts.temperature);
              const y = tf.tensor2d(c.y, [chunk.length, c.width]);
              main = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
            } else {
              const mean = tf.stack(targets.map((t) => tf.mean(tf.gather(items, t), 0))) as tf.Tensor2D;
              main = tf.sub(1, tf.mean(tf.sum(tf.mul(unit, unitRows(mean)), 1)));
            }
            if (topics && shares) {
              const p = tf.tensor2d(
                Float32Array.from(rows.flatMap((i) => [...shares.subarray(i * k, (i + 1) * k)])),
                [rows.length, k],
              );
              // KL(p ‖ q) = Σ p (log p − log q); p log p is constant but keeps the reported value a true KL.
              const kl = tf.mean(
                tf.sum(tf.mul(p, tf.sub(tf.log(tf.add(p, 1e-8)), tf.log(tf.add(topics, 1e-8)))), 1),
              );
              // Kept past minimize's own tidy so the epoch can report it; disposed below.
              held.kl = tf.keep(kl as tf.Scalar);
              main = tf.add(main, tf.mul(opts.topicWeight, kl));
            }
            if (reg) main = tf.add(main, reg);
            return opts.l2 > 0 ? tf.add(main, tf.mul(opts.l2, l2Penalty(model))) : main;
          };
          if (!rBatch)
            return [optimizer.minimize(f as () => tf.Scalar, true, vars)!, held.kl ?? tf.scalar(0)] as const;
          const { value, grads } = tf.variableGrads(f as () => tf.Scalar, [...vars, rBatch]);
          const g = grads[rBatch.name];
          delete grads[rBatch.name];
          optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
          grad.rows = tf.keep(g);
          return [value, held.kl ?? tf.scalar(0)] as const;
        }),
      );
      if (grad.rows && c && residualJs) {
        // Plain SGD on the touched rows (candidate ids are distinct).
        const g = (await grad.rows.data()) as Float32Array;
        c.ids.forEach((id, r) => {
          for (let d = 0; d < dim; d++) residualJs[id * dim + d] -= opts.residualLr * g[r * dim + d];
        });
        grad.rows.dispose();
      }
      rBatch?.dispose();
      lossSum += (await loss.data())[0] * chunk.length;
      klSum += (await kl.data())[0] * chunk.length;
      loss.dispose();
      kl.dispose();
      bar.tick(1, { loss: (lossSum / Math.min(train.length, (b + 1) * opts.batch)).toFixed(4) });
    }
    bar.stop();
    const valid = await validate(scoringVectors());
    const seconds = (performance.now() - t0) / 1000;
    history.push({
      epoch,
      loss: lossSum / train.length,
      topicKl: k > 0 ? klSum / train.length : null,
      valid,
      lr,
      seconds,
      samplesPerSec: train.length / seconds,
    });
    say(
      `epoch ${epoch}: loss ${(lossSum / train.length).toFixed(4)}${k > 0 ? `  topic KL ${(klSum / train.length).toFixed(4)}` : ''}` +
        `  valid ndcg@10 ${valid.toFixed(4)}  ${seconds.toFixed(1)}s (${(train.length / seconds).toFixed(0)} samples/s)`,
    );
    if (valid > best) {
      best = valid;
      bestEpoch = epoch;
      for (const w of bestWeights ?? []) w.dispose();
      bestWeights = snapshot();
    }
    if (opts.stateDir) {
      pushResidual();
      await saveTrainState(opts.stateDir, model, extras, optimizer, bestWeights, {
        key: opts.stateKey,
        epoch,
        best,
        bestEpoch,
        history,
      });
    }
  }
  if (bestWeights) {
    const m = model.weights.length;
    model.setWeights(bestWeights.slice(0, m));
    extras.forEach((v, i) => {
      v.assign(bestWeights![m + i]);
    });
    for (const w of bestWeights) w.dispose();
    pullResidual();
  }
  const final = scoringVectors();
  residual?.dispose();
  optimizer.dispose();
  return { scoringVectors: final, history, bestEpoch, bestValid: best, resumedFrom: start - 1 };
}
