import * as tf from '@tensorflow/tfjs';
import type { EventLog, Example } from '../data/split.ts';
import { evaluateScorer, type Scorer, SELECTION, scoreBuffer } from '../evaluate/rank.ts';
import { createProgress } from '../util/progress.ts';
import { mulberry32, shuffle } from '../util/random.ts';
import { withSeededRandom } from '../util/seeded.ts';
import { type NamedWeight, outputItems, type SequentialNet, scoreHistories } from './net.ts';
import { fullSoftmaxLoss, gatherRows } from './ops.ts';
import { buildSequential } from './registry.ts';
import {
  historyIds,
  type NextItemBatch,
  nextItemBatch,
  sequenceWindows,
  type TrainingSequence,
  trainingSequences,
} from './sequences.ts';
import type { SequentialSpec, SequentialSpecInput } from './spec.ts';

export interface SequentialEpoch {
  epoch: number;
  /** Mean next-item cross-entropy over the epoch's training positions. */
  loss: number;
  /** Validation NDCG@10. */
  valid: number;
  seconds: number;
}

export interface SequentialOptions {
  /** Rank only items the user has not seen before the cutoff (as the project's evaluation is configured). */
  excludeSeen: boolean;
  log?: (line: string) => void;
}

export interface SequentialResult {
  /** The resolved spec (defaults filled in); with `net.weights`, all a checkpoint needs to rebuild. */
  spec: SequentialSpec;
  /** The network with the best epoch's weights. */
  net: SequentialNet;
  /** Scores every item after the user's last maxLen items before each example's `end`. */
  scorer: Scorer;
  bestEpoch: number;
  bestValid: number;
  history: SequentialEpoch[];
  seconds: number;
  /** Frees the network; the scorer refuses to run afterwards. */
  dispose(): void;
}

/** A seed per (epoch, batch), so batches and dropout masks are fixed by the spec's seed alone. */
const batchSeed = (seed: number, epoch: number, b: number) =>
  (Math.imul(seed, 0x9e3779b1) ^ Math.imul(epoch, 0x85ebca6b) ^ Math.imul(b + 1, 0xc2b2ae35)) >>> 0;

/** Mean next-item cross-entropy of a batch at its non-padded positions (+ L2). */
function batchLoss(net: SequentialNet, batch: NextItemBatch): tf.Scalar {
  const { maxLen, dim, l2 } = net.spec;
  const rows = batch.ids.length / maxLen;
  const h = net.hidden(tf.tensor2d(batch.ids, [rows, maxLen], 'int32'), true);
  const at = gatherRows(tf.reshape(h, [rows * maxLen, dim]), tf.tensor1d(batch.positions, 'int32'));
  const loss = fullSoftmaxLoss(at, outputItems(net), tf.tensor1d(batch.targets, 'int32'));
  if (l2 === 0) return loss;
  const decayed = net.weights.filter((w) => w.decay).map((w) => tf.sum(tf.square(w.variable)));
  return tf.add(loss, tf.mul(l2, tf.addN(decayed)));
}

/** The net's scores, batched; each batch's tensors are freed before the next. */
export function sequentialScorer(net: SequentialNet, log: EventLog, batch = 256): Scorer {
  const { maxLen } = net.spec;
  return (examples, buffer) => {
    const out = scoreBuffer(examples.length * net.nItems, buffer);
    for (let b = 0; b < examples.length; b += batch) {
      const chunk = examples.slice(b, b + batch);
      const ids = historyIds(log, chunk, maxLen);
      const scores = tf.tidy(() => scoreHistories(net, tf.tensor2d(ids, [chunk.length, maxLen], 'int32')));
      out.set(scores.dataSync() as Float32Array, b * net.nItems);
      scores.dispose();
    }
    return out;
  };
}

const snapshot = (weights: readonly NamedWeight[]) => weights.map((w) => tf.clone(w.variable));

/** One pass over the training windows in a seeded order; returns the mean loss per next-item pair. */
async function trainEpoch(
  net: SequentialNet,
  optimizer: tf.Optimizer,
  log: EventLog,
  seqs: readonly TrainingSequence[],
  epoch: number,
): Promise<number> {
  const { spec } = net;
  const vars = net.weights.map((w) => w.variable);
  const order = shuffle(
    Array.from(seqs, (_, i) => i),
    mulberry32(batchSeed(spec.seed, epoch, -1)),
  );
  const batches = Math.ceil(seqs.length / spec.batch);
  const bar = createProgress(`${spec.kind} epoch ${epoch}/${spec.epochs}`, batches);
  let lossSum = 0;
  let pairs = 0;
  for (let b = 0; b < batches; b++) {
    const rows = order.slice(b * spec.batch, (b + 1) * spec.batch).map((i) => seqs[i]);
    const batch = nextItemBatch(log, rows, spec.maxLen);
    const loss = await withSeededRandom(batchSeed(spec.seed, epoch, b), () =>
      tf.tidy(() => optimizer.minimize(() => batchLoss(net, batch), true, vars)!),
    );
    lossSum += (await loss.data())[0] * batch.targets.length;
    pairs += batch.targets.length;
    loss.dispose();
    bar.tick(1, { loss: (lossSum / pairs).toFixed(4) });
  }
  bar.stop();
  return lossSum / pairs;
}

/**
 * Trains a GRU4Rec / SASRec baseline on next-item pairs of the training part of the split (trainingSequences,
 * cut into maxLen windows) with Adam and a full softmax over the catalogue; weights, batch order and
 * dropout are seeded; after each epoch, validation NDCG@10 through evaluateScorer
 * (the project's metric and seen-item rule); stops after `patience` epochs without improvement and keeps
 * the best epoch's weights.
 */
export async function trainSequential(
  input: SequentialSpecInput,
  log: EventLog,
  nItems: number,
  train: readonly Example[],
  valid: readonly Example[],
  opts: SequentialOptions,
): Promise<SequentialResult> {
  const t0 = performance.now();
  const say = opts.log ?? ((l: string) => console.error(l));
  const net = buildSequential(input, nItems);
  const { spec } = net;
  const seqs = sequenceWindows(trainingSequences(log, train), spec.maxLen);
  if (seqs.length === 0) {
    net.dispose();
    throw new Error(`${spec.kind}: no training sequences (no user has a training example)`);
  }
  const optimizer = tf.train.adam(spec.lr);
  const scorer = sequentialScorer(net, log);
  const history: SequentialEpoch[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] = [];
  try {
    for (let epoch = 1; epoch <= spec.epochs && epoch - bestEpoch <= spec.patience; epoch++) {
      const e0 = performance.now();
      const loss = await trainEpoch(net, optimizer, log, seqs, epoch);
      const r = await evaluateScorer(log, valid, scorer, {
        nItems,
        ...SELECTION,
        excludeSeen: opts.excludeSeen,
      });
      const v = r.metrics['ndcg@10'];
      const seconds = (performance.now() - e0) / 1000;
      history.push({ epoch, loss, valid: v, seconds });
      say(
        `${spec.kind} epoch ${epoch}: loss ${loss.toFixed(4)}  valid ndcg@10 ${v.toFixed(4)}  ${seconds.toFixed(1)}s`,
      );
      if (v > best) {
        best = v;
        bestEpoch = epoch;
        for (const w of bestWeights) w.dispose();
        bestWeights = snapshot(net.weights);
      }
    }
    net.weights.forEach((w, i) => {
      w.variable.assign(bestWeights[i]);
    });
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    for (const w of bestWeights) w.dispose();
    optimizer.dispose();
  }
  let disposed = false;
  return {
    spec,
    net,
    scorer: (examples) => {
      if (disposed) throw new Error(`${spec.kind}: scorer used after dispose()`);
      return scorer(examples);
    },
    bestEpoch,
    bestValid: best,
    history,
    seconds: (performance.now() - t0) / 1000,
    dispose() {
      if (!disposed) net.dispose();
      disposed = true;
    },
  };
}
