import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import type { EpochLog, TrainLoop } from '../../src/model/callbacks.ts';
import { EarlyStopping } from '../../src/model/early-stopping.ts';
import { EpochState } from '../../src/model/epoch-state.ts';
import { ItemResidual } from '../../src/model/item-residual.ts';
import { TrainedWeights } from '../../src/model/trained-weights.ts';

/** A tiny model, Adam, an item residual and the callbacks over them, wired as trainModel wires them. */
function run(dir: string, key = 'key') {
  const items = tf.tensor2d([1, 0, 0, 1, 0.6, 0.8], [3, 2]);
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });
  const optimizer = tf.train.adam(0.1);
  const residual = new ItemResidual(items);
  const weights = new TrainedWeights(model, residual);
  const stopping = new EarlyStopping(3, weights);
  const state = new EpochState(dir, key, weights, optimizer, stopping);
  const loop: TrainLoop = { history: [], stopTraining: false };
  /** One epoch: an Adam step, a residual step, then the callbacks in trainModel's order. */
  const epoch = async (e: number, valid: number) => {
    optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    residual.step(Int32Array.of(e % 3), Float32Array.of(1, -1), 0.1);
    const log: EpochLog = { epoch: e, loss: 0, topicKl: null, valid, lr: 0.1, seconds: 1, samplesPerSec: 1 };
    loop.history.push(log);
    stopping.onEpochEnd(log, loop);
    await state.onEpochEnd(log, loop);
  };
  const snapshot = () => ({
    weights: model.getWeights().map((w) => Array.from(w.dataSync())),
    scoring: Array.from(residual.scoringVectors()),
  });
  const dispose = () => {
    tf.dispose([items, x]);
    model.dispose();
    optimizer.dispose();
    residual.dispose();
  };
  return { state, stopping, loop, epoch, snapshot, dispose };
}

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'epoch-state-')), 'state');

describe('EpochState', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('resume continues from the saved epoch: weights, residual, Adam, history and best come back', async () => {
    const [dirA, dirB] = [stateDir(), stateDir()];
    const a = run(dirA);
    await a.epoch(1, 0.2);
    await a.epoch(2, 0.5);
    await a.epoch(3, 0.4);
    cpSync(dirA, dirB, { recursive: true }); // as if killed after epoch 3
    const after3 = { snapshot: a.snapshot(), history: structuredClone(a.loop.history) };
    await a.epoch(4, 0.1);
    const after4 = a.snapshot();
    a.stopping.onTrainEnd();
    const end = a.snapshot();
    a.dispose();

    const b = run(dirB);
    const says: string[] = [];
    expect(await b.state.resume(b.loop, (l) => says.push(l))).toBe(3);
    expect(says).toEqual(['resuming after epoch 3 (best valid ndcg@10 0.5000 at epoch 2)']);
    expect(b.loop.history).toEqual(after3.history);
    expect(b.stopping).toMatchObject({ best: 0.5, bestEpoch: 2 });
    expect(b.snapshot()).toEqual(after3.snapshot);
    // The resumed run's next epoch is bit-identical to the uninterrupted run's (Adam's slots came back too),
    // and both end on the best epoch's weights.
    await b.epoch(4, 0.1);
    expect(b.snapshot()).toEqual(after4);
    b.stopping.onTrainEnd();
    expect(b.snapshot()).toEqual(end);
    b.dispose();
  });

  it('starts from epoch 0 when nothing was saved, and refuses a state saved under another key', async () => {
    const dir = stateDir();
    const fresh = run(dir);
    expect(await fresh.state.resume(fresh.loop, () => {})).toBe(0);
    expect(fresh.loop.history).toEqual([]);
    await fresh.epoch(1, 0.2);
    fresh.dispose();
    const other = run(dir, 'another config');
    await expect(other.state.resume(other.loop, () => {})).rejects.toThrow(/different config or data/);
    other.dispose();
  });
});
