import * as tf from '@tensorflow/tfjs';
import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { createProgress } from '../util/progress.ts';
import { mulberry32, shuffle } from '../util/random.ts';
import { withSeededRandom } from '../util/seeded.ts';
import type { SequenceModelSpec } from './lstm.ts';

export interface TrainOptions {
  lr: number;
  batch: number;
  epochs: number;
  patience: number;
  seed: number;
  l2: number;
  loss: 'contrastive' | 'cosine';
  temperature: number;
  negatives: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valid: number;
  seconds: number;
  samplesPerSec: number;
}

export interface TrainResult {
  history: EpochLog[];
  bestEpoch: number;
  bestValid: number;
}

/** Fills a batch tensor's buffer with the examples' bucket sequences (built on the fly: no n×T×F copy). */
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

/** Squared L2 norm of the kernels (not biases), the usual weight decay target. */
function l2Penalty(model: tf.LayersModel): tf.Scalar {
  const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read());
  return tf.addN(kernels.map((k) => tf.sum(tf.square(k)))) as tf.Scalar;
}

/**
 * Trains the next-interest model with a custom loop. Contrastive: softmax over (batch targets ∪ sampled
 * items) of cos(ŷ, e_i)/τ, cross-entropy against the next bucket's items. Cosine: 1 − cos(ŷ, mean target).
 * Early stopping on `validate()` (validation NDCG@10), keeping the best weights in memory.
 */
export async function trainModel(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  store: FeatureStore,
  train: readonly Example[],
  items: tf.Tensor2D,
  opts: TrainOptions,
  validate: () => Promise<number>,
): Promise<TrainResult> {
  if (train.length === 0)
    throw new Error('train: no training examples (users need at least 2 buckets of history)');
  const optimizer = tf.train.adam(opts.lr);
  const rand = mulberry32(opts.seed);
  const nItems = items.shape[0];
  const history: EpochLog[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  const order = Array.from({ length: train.length }, (_, i) => i);
  const batches = Math.ceil(train.length / opts.batch);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const t0 = performance.now();
    shuffle(order, rand);
    const bar = createProgress(`epoch ${epoch}/${opts.epochs}`, batches);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const chunk = order.slice(b * opts.batch, (b + 1) * opts.batch).map((i) => train[i]);
      const x = sequencesOf(store, chunk, spec.maxLen);
      const targets = chunk.map((ex) => ex.target);
      const loss = await withSeededRandom(opts.seed * 1_000_003 + epoch * 10_007 + b, () =>
        tf.tidy(() => {
          const xb = tf.tensor3d(x, [chunk.length, spec.maxLen, spec.inputWidth]);
          const f = () => {
            const out = model.apply(xb, { training: true }) as tf.Tensor2D;
            const unit = tf.div(out, tf.add(tf.norm(out, 2, 1, true), 1e-8));
            let main: tf.Scalar;
            if (opts.loss === 'contrastive') {
              const c = candidates(targets, nItems, opts.negatives, rand);
              const ce = tf.gather(items, c.ids);
              const logits = tf.div(tf.matMul(unit, ce, false, true), opts.temperature);
              const y = tf.tensor2d(c.y, [chunk.length, c.width]);
              main = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
            } else {
              const mean = tf.stack(targets.map((t) => tf.mean(tf.gather(items, t), 0)));
              const meanUnit = tf.div(mean, tf.add(tf.norm(mean, 2, 1, true), 1e-8));
              main = tf.sub(1, tf.mean(tf.sum(tf.mul(unit, meanUnit), 1)));
            }
            return opts.l2 > 0 ? tf.add(main, tf.mul(opts.l2, l2Penalty(model))) : main;
          };
          return optimizer.minimize(f as () => tf.Scalar, true, vars)!;
        }),
      );
      lossSum += (await loss.data())[0] * chunk.length;
      loss.dispose();
      bar.tick(1, { loss: (lossSum / Math.min(train.length, (b + 1) * opts.batch)).toFixed(4) });
    }
    bar.stop();
    const valid = await validate();
    const seconds = (performance.now() - t0) / 1000;
    history.push({
      epoch,
      loss: lossSum / train.length,
      valid,
      seconds,
      samplesPerSec: train.length / seconds,
    });
    console.error(
      `epoch ${epoch}: loss ${(lossSum / train.length).toFixed(4)}  valid ndcg@10 ${valid.toFixed(4)}  ${seconds.toFixed(1)}s`,
    );
    if (valid > best) {
      best = valid;
      bestEpoch = epoch;
      for (const w of bestWeights ?? []) w.dispose();
      bestWeights = model.getWeights().map((w) => w.clone());
    } else if (epoch - bestEpoch >= opts.patience) break;
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    for (const w of bestWeights) w.dispose();
  }
  optimizer.dispose();
  return { history, bestEpoch, bestValid: best };
}
