import * as tf from '@tensorflow/tfjs';
import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { createProgress } from '../util/progress.ts';
import { mulberry32, shuffle } from '../util/random.ts';
import { withSeededRandom } from '../util/seeded.ts';
import { gatherRows } from '../util/vec.ts';
import { type Batch, batchLoss, candidates, type LossOptions } from './batch-loss.ts';
import { CallbackList, type EpochLog, type TrainLoop } from './callbacks.ts';
import { EarlyStopping } from './early-stopping.ts';
import { EpochState } from './epoch-state.ts';
import { ItemResidual } from './item-residual.ts';
import { ExponentialDecay, learningRateOf } from './lr-schedule.ts';
import { type Predictions, predict, type SequenceModelSpec } from './lstm.ts';
import { ProgressLogger } from './progress-logger.ts';
import { TrainedWeights } from './trained-weights.ts';

export interface TrainOptions extends LossOptions {
  lr: number;
  /** Learning rate × lrDecay after every epoch (1 = constant). */
  lrDecay: number;
  batch: number;
  epochs: number;
  patience: number;
  seed: number;
  /** Learn a per-item residual r_i on top of the frozen text vectors: items are scored by cos(ŷ, e_i + r_i). */
  itemResidual: boolean;
  /** SGD step size of the residual rows. */
  residualLr: number;
  /** Where epoch state is saved for `--resume` (null: not saved). */
  stateDir: string | null;
  resume: boolean;
  /** Fingerprint of config + data; a saved state with another key is refused. */
  stateKey: string;
  log?: (line: string) => void;
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

/**
 * Sequences built per chunk of this many examples (a multiple of predict's batch, so every batch and
 * every number is the same as over one whole array): 4,096 sequences of 12 × 266 floats are 52 MB,
 * where the 40,000 backtest points of the 1M-event bench log took 511 MB at once.
 */
const PREDICT_CHUNK = 4096;

/** predict on the examples' sequences, built a chunk at a time; a bar under `label` when given. */
export function predictExamples(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  store: FeatureStore,
  examples: readonly Pick<Example, 'user' | 'end'>[],
  label?: string,
): Predictions {
  const n = examples.length;
  const vectors = new Float32Array(n * spec.outputDim);
  const topics = spec.topicHead > 0 ? new Float32Array(n * spec.topicHead) : null;
  const bar = label ? createProgress(label, n) : null;
  for (let r = 0; r < n; r += PREDICT_CHUNK) {
    const chunk = examples.slice(r, r + PREDICT_CHUNK);
    const p = predict(model, sequencesOf(store, chunk, spec.maxLen), chunk.length, spec);
    vectors.set(p.vectors, r * spec.outputDim);
    if (topics && p.topics) topics.set(p.topics, r * spec.topicHead);
    bar?.tick(chunk.length);
  }
  bar?.stop();
  return { vectors, topics };
}

/** The model's interest vectors of the examples (examples × outputDim). */
export function lstmVectors(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  store: FeatureStore,
  examples: readonly Example[],
) {
  return predictExamples(model, spec, store, examples).vectors;
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

/** A seed per (epoch, batch): the same batches and draws whether a run was resumed or not. */
const batchSeed = (seed: number, epoch: number, b: number) => (seed * 1_000_003 + epoch * 10_007 + b) >>> 0;

/** What every batch of a run shares. */
interface Trainer {
  model: tf.LayersModel;
  spec: SequenceModelSpec;
  store: FeatureStore;
  train: readonly Example[];
  items: tf.Tensor2D;
  /** `items`' values, for gathering a batch's candidates in JS. */
  itemValues: Float32Array;
  opts: TrainOptions;
  optimizer: tf.Optimizer;
  vars: tf.Variable[];
  residual: ItemResidual | null;
  /** Topic shares of each example's target window (with a topic head). */
  shares: Float32Array | null;
}

/**
 * Trains the next-interest model with a custom loop (loss: batch-loss.ts). Each epoch's learning rate, its
 * progress, early stopping on `validate()` (validation NDCG@10) with the best weights kept, and the epoch
 * state for resuming after a kill are callbacks the loop calls in turn.
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
  if (opts.itemResidual && opts.loss !== 'contrastive')
    throw new Error('train: model.item_residual needs loss: contrastive');
  const say = opts.log ?? ((l: string) => console.error(l));
  const optimizer = tf.train.adam(opts.lr);
  const residual = opts.itemResidual ? new ItemResidual(items) : null;
  const weights = new TrainedWeights(model, residual);
  const stopping = new EarlyStopping(opts.patience, weights);
  const state = opts.stateDir
    ? new EpochState(opts.stateDir, opts.stateKey, weights, optimizer, stopping)
    : null;
  const callbacks = new CallbackList([
    new ExponentialDecay(optimizer, opts.lr, opts.lrDecay),
    new ProgressLogger(opts.epochs, Math.ceil(train.length / opts.batch), say),
    stopping,
    ...(state ? [state] : []),
  ]);
  const loop: TrainLoop = { history: [], stopTraining: false };
  const resumedFrom = opts.resume && state ? await state.resume(loop, say) : 0;
  const trainer: Trainer = {
    model,
    spec,
    store,
    train,
    items,
    itemValues: items.dataSync() as Float32Array,
    opts,
    optimizer,
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    residual,
    shares: spec.topicHead > 0 ? targetShares(store, train) : null,
  };
  for (let epoch = resumedFrom + 1; epoch <= opts.epochs && !loop.stopTraining; epoch++) {
    const t0 = performance.now();
    callbacks.onEpochBegin(epoch);
    const { loss, topicKl } = await trainEpoch(trainer, epoch, callbacks);
    const valid = await validate(residual?.scoringVectors() ?? null);
    const seconds = (performance.now() - t0) / 1000;
    const lr = learningRateOf(optimizer);
    const log = { epoch, loss, topicKl, valid, lr, seconds, samplesPerSec: train.length / seconds };
    loop.history.push(log);
    await callbacks.onEpochEnd(log, loop);
  }
  callbacks.onTrainEnd();
  const scoringVectors = residual?.scoringVectors() ?? null;
  residual?.dispose();
  optimizer.dispose();
  const { history } = loop;
  return { scoringVectors, history, bestEpoch: stopping.bestEpoch, bestValid: stopping.best, resumedFrom };
}

/** One pass over the examples in a seeded order; the mean loss and topic KL per example. */
async function trainEpoch(t: Trainer, epoch: number, callbacks: CallbackList) {
  const { train, opts } = t;
  const order = shuffle(
    Array.from({ length: train.length }, (_, i) => i),
    mulberry32(batchSeed(opts.seed, epoch, -1)),
  );
  let lossSum = 0;
  let klSum = 0;
  for (let b = 0; b * opts.batch < train.length; b++) {
    const rows = order.slice(b * opts.batch, (b + 1) * opts.batch);
    const { loss, kl } = await trainBatch(t, rows, batchSeed(opts.seed, epoch, b), b);
    lossSum += loss * rows.length;
    klSum += kl * rows.length;
    callbacks.onBatchEnd(b, { loss: lossSum / Math.min(train.length, (b + 1) * opts.batch) });
  }
  return { loss: lossSum / train.length, topicKl: t.spec.topicHead > 0 ? klSum / train.length : null };
}

/** One optimizer step on examples `rows`; the item residual's rows get a plain SGD step of their own. */
async function trainBatch(t: Trainer, rows: number[], seed: number, b: number) {
  const { model, spec, items, opts, optimizer, residual } = t;
  const chunk = rows.map((i) => t.train[i]);
  const x = sequencesOf(t.store, chunk, spec.maxLen);
  const targets = chunk.map((ex) => ex.target);
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const c = opts.loss === 'contrastive' ? candidates(targets, items.shape[0], opts.negatives, rand) : null;
  const residualRows = residual && c ? residual.batchRows(c.ids, `residual_rows_${b}`) : null;
  const grad: { rows: tf.Tensor | null } = { rows: null };
  const [loss, kl] = await withSeededRandom(seed, () =>
    tf.tidy(() => {
      const k = spec.topicHead;
      const batch: Batch = {
        x: tf.tensor3d(x, [chunk.length, spec.maxLen, spec.inputWidth]),
        targets,
        candidates: c,
        candidateRows: c
          ? tf.tensor2d(gatherRows(t.itemValues, items.shape[1], c.ids), [c.ids.length, items.shape[1]])
          : null,
        residualRows,
        shares: t.shares ? tf.tensor2d(gatherRows(t.shares, k, rows), [rows.length, k]) : null,
      };
      const f = batchLoss(model, spec, items, batch, opts);
      if (!residualRows)
        return [optimizer.minimize(f.loss, true, t.vars)!, f.kl.value ?? tf.scalar(0)] as const;
      const { value, grads } = tf.variableGrads(f.loss, [...t.vars, residualRows]);
      grad.rows = tf.keep(grads[residualRows.name]);
      delete grads[residualRows.name];
      optimizer.applyGradients(grads);
      return [value, f.kl.value ?? tf.scalar(0)] as const;
    }),
  );
  if (grad.rows && c && residual) {
    residual.step(c.ids, (await grad.rows.data()) as Float32Array, opts.residualLr);
    grad.rows.dispose();
  }
  residualRows?.dispose();
  const out = { loss: (await loss.data())[0], kl: (await kl.data())[0] };
  loss.dispose();
  kl.dispose();
  return out;
}
