import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, splitEvents } from '../../src/data/split.ts';
import { CountClock, mostPopular } from '../../src/evaluate/baselines.ts';
import { evaluateScorer } from '../../src/evaluate/rank.ts';
import { resolveBackend } from '../../src/model/backend.ts';
import { SEQUENTIAL_KINDS, type SequentialSpecInput } from '../../src/sequential/spec.ts';
import { type SequentialResult, trainSequential } from '../../src/sequential/train.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { synthLog } from '../evaluate/synth-log.ts';
import { PER_USER } from '../helpers/split.ts';

const quiet = { excludeSeen: true, log: () => {} };
const tiny = (kind: SequentialSpecInput['kind'], extra: Partial<SequentialSpecInput> = {}) =>
  ({
    kind,
    dim: 8,
    layers: 1,
    maxLen: 8,
    batch: 8,
    epochs: 2,
    dropout: 0.2,
    lr: 1e-2,
    ...extra,
  }) as SequentialSpecInput;

/** Each user walks 0 → 1 → … → n−1 → 0 from a random start: the next item is certain. */
function cycleLog(users: number, n: number, len: number): EventLog {
  const rand = mulberry32(7);
  const item: number[] = [];
  for (let u = 0; u < users; u++) {
    const start = Math.floor(rand() * n);
    for (let e = 0; e < len; e++) item.push((start + e) % n);
  }
  return {
    userOffsets: Int32Array.from({ length: users + 1 }, (_, u) => u * len),
    item: Int32Array.from(item),
    ts: Float64Array.from(item, (_, i) => i),
  };
}

const weightsOf = (r: SequentialResult) => r.net.weights.map((w) => [...w.variable.dataSync()]);
const ndcg10 = async (
  log: EventLog,
  nItems: number,
  examples: Parameters<typeof evaluateScorer>[1],
  scorer: Parameters<typeof evaluateScorer>[2],
) =>
  (await evaluateScorer(log, examples, scorer, { nItems, ks: [10], excludeSeen: true })).metrics['ndcg@10'];

describe.each(SEQUENTIAL_KINDS)('trainSequential %s', (kind) => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('learns a planted next-item cycle: test NDCG@10 near 1, far above popularity', async () => {
    const n = 100;
    const log = cycleLog(60, n, 20);
    const split = splitEvents(log, { events: 1 }, PER_USER);
    const r = await trainSequential(
      tiny(kind, { dim: 16, maxLen: 10, batch: 16, epochs: 25, patience: 25, dropout: 0 }),
      log,
      n,
      split.train,
      split.valid,
      quiet,
    );
    const model = await ndcg10(log, n, split.test, r.scorer);
    const popular = await ndcg10(log, n, split.test, mostPopular(CountClock.of(log, n)));
    expect(r.bestValid).toBeGreaterThan(0.9);
    expect(model).toBeGreaterThan(0.9);
    expect(popular).toBeLessThan(0.2);
    r.dispose();
  });

  it('beats most-popular on the drifting synthetic log (validation and test)', async () => {
    const { log, nItems, split } = synthLog();
    const r = await trainSequential(
      tiny(kind, { dim: 16, maxLen: 20, batch: 16, epochs: 20, patience: 6 }),
      log,
      nItems,
      split.train,
      split.valid,
      quiet,
    );
    const popular = mostPopular(CountClock.of(log, nItems));
    expect(r.bestValid).toBeGreaterThan(2 * (await ndcg10(log, nItems, split.valid, popular)));
    expect(await ndcg10(log, nItems, split.test, r.scorer)).toBeGreaterThan(
      2 * (await ndcg10(log, nItems, split.test, popular)),
    );
    r.dispose();
  });

  it('l2 shrinks the weight matrices and embeddings', async () => {
    const { log, nItems, split } = synthLog(30, 60);
    const norm = async (l2: number) => {
      const r = await trainSequential(tiny(kind, { l2 }), log, nItems, split.train, [], quiet);
      const decayed = r.net.weights.filter((w) => w.decay);
      const sum = decayed.reduce((s, w) => s + tf.tidy(() => tf.sum(tf.square(w.variable)).dataSync()[0]), 0);
      r.dispose();
      return sum;
    };
    expect(await norm(0.01)).toBeLessThan(0.8 * (await norm(0)));
  });

  it('never trains on validation or test events: changing them leaves every weight unchanged', async () => {
    const { log, nItems, split } = synthLog(30, 60);
    const v = split.valid[0];
    const others = split.valid.filter((ex) => ex.user !== v.user);
    const changed = (from: number, to: number) => {
      const item = Int32Array.from(log.item);
      for (let i = from; i < to; i++) item[i] = (item[i] + 7) % nItems;
      const l = { ...log, item };
      return {
        log: l,
        split: splitEvents(l, { events: 5 }, PER_USER),
      };
    };
    const run = (d: { log: EventLog; split: typeof split }) =>
      trainSequential(tiny(kind), d.log, nItems, d.split.train, others, quiet);
    const base = await run({ log, split });
    const future = await run(changed(v.end, log.userOffsets[v.user + 1]));
    const past = await run(changed(v.end - 1, v.end));
    expect(weightsOf(future)).toEqual(weightsOf(base));
    expect(future.history.map((h) => [h.loss, h.valid])).toEqual(base.history.map((h) => [h.loss, h.valid]));
    // The check can fail: one changed training event does change the weights.
    expect(weightsOf(past)).not.toEqual(weightsOf(base));
    for (const r of [base, future, past]) r.dispose();
  });

  it('is deterministic: one seed, one set of weights and history; another seed, other weights', async () => {
    const { log, nItems, split } = synthLog(30, 60);
    const run = (seed: number) =>
      trainSequential(tiny(kind, { seed }), log, nItems, split.train, split.valid, quiet);
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(b.history.map((h) => [h.loss, h.valid])).toEqual(a.history.map((h) => [h.loss, h.valid]));
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
    for (const r of [a, b, c]) r.dispose();
  });

  it('leaks no tensors: training, scoring and dispose() leave tf.memory() as it was', async () => {
    const { log, nItems, split } = synthLog(30, 60);
    const before = tf.memory().numTensors;
    const r = await trainSequential(tiny(kind), log, nItems, split.train, split.valid, quiet);
    const trained = tf.memory().numTensors;
    const scores = await r.scorer(split.test);
    expect(scores).toHaveLength(split.test.length * nItems);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(trained);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => r.scorer(split.test)).toThrow(/scorer used after dispose/);
  });

  it('refuses a bad spec or a split without training examples, with the reason', async () => {
    const { log, nItems, split } = synthLog(30, 60);
    await expect(
      trainSequential(tiny(kind, { batch: 0 }), log, nItems, split.train, split.valid, quiet),
    ).rejects.toThrow(/sequential spec: batch must be a positive integer, got 0/);
    const before = tf.memory().numTensors;
    await expect(trainSequential(tiny(kind), log, nItems, [], split.valid, quiet)).rejects.toThrow(
      /no training sequences/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
