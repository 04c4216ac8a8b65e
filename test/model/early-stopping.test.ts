import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { EpochLog, TrainLoop } from '../../src/model/callbacks.ts';
import { EarlyStopping, type WeightSnapshots } from '../../src/model/early-stopping.ts';

/** One weight whose value is the epoch it was set in, so a restore shows which epoch's copy came back. */
function fakeWeights(): WeightSnapshots & { value: number } {
  return {
    value: 0,
    snapshot() {
      return [tf.scalar(this.value)];
    },
    restore(weights) {
      this.value = weights[0].dataSync()[0];
    },
  };
}

const log = (epoch: number, valid: number): EpochLog => ({
  epoch,
  loss: 1,
  topicKl: null,
  valid,
  lr: 0.01,
  seconds: 1,
  samplesPerSec: 10,
});

/** Runs epochs with these validation scores until the callback stops them; the epochs that ran. */
function run(stopping: EarlyStopping, weights: { value: number }, scores: number[], loop: TrainLoop) {
  let epoch = loop.history.length;
  while (epoch < scores.length && !loop.stopTraining) {
    epoch++;
    weights.value = epoch;
    const l = log(epoch, scores[epoch - 1]);
    loop.history.push(l);
    stopping.onEpochEnd(l, loop);
  }
  return epoch;
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', () => {
    const weights = fakeWeights();
    const stopping = new EarlyStopping(2, weights);
    const loop: TrainLoop = { history: [], stopTraining: false };
    const ran = run(stopping, weights, [0.1, 0.3, 0.2, 0.3, 0.9, 1], loop);
    expect(ran).toBe(4); // epoch 2 is best; 3 and 4 do not beat it (a tie is no improvement)
    expect(stopping).toMatchObject({ best: 0.3, bestEpoch: 2 });
    expect(weights.value).toBe(4);
    stopping.onTrainEnd();
    expect(weights.value).toBe(2);
    expect(stopping.bestWeights).toBeNull();
  });

  it('keeps only one snapshot alive: the previous best is disposed when a better epoch comes', () => {
    const weights = fakeWeights();
    const stopping = new EarlyStopping(5, weights);
    const loop: TrainLoop = { history: [], stopTraining: false };
    run(stopping, weights, [0.1], loop);
    const before = tf.memory().numTensors;
    run(stopping, weights, [0.1, 0.2, 0.3], loop);
    expect(tf.memory().numTensors).toBe(before);
    expect(stopping.bestEpoch).toBe(3);
    stopping.onTrainEnd();
    expect(weights.value).toBe(3);
  });

  it('runs every epoch when the score only improves, and never stops on NaN scores', () => {
    const weights = fakeWeights();
    const rising = new EarlyStopping(1, weights);
    expect(run(rising, weights, [0.1, 0.2, 0.3], { history: [], stopTraining: false })).toBe(3);
    const nan = new EarlyStopping(1, weights);
    expect(
      run(nan, weights, [Number.NaN, Number.NaN, Number.NaN], { history: [], stopTraining: false }),
    ).toBe(3);
    expect(nan.bestEpoch).toBe(0);
    weights.value = 7;
    nan.onTrainEnd(); // no best epoch: the last weights stay
    expect(weights.value).toBe(7);
  });

  it('resumes from a saved best, and stops at once when the saved run had used up its patience', () => {
    const weights = fakeWeights();
    const going = new EarlyStopping(2, weights);
    const loop: TrainLoop = { history: [log(1, 0.5), log(2, 0.4)], stopTraining: false };
    going.resume({ best: 0.5, bestEpoch: 1, bestWeights: [tf.scalar(1)] }, 2, loop);
    expect(loop.stopTraining).toBe(false);
    expect(run(going, weights, [0.5, 0.4, 0.3, 0.2], loop)).toBe(3);
    going.onTrainEnd();
    expect(weights.value).toBe(1);

    const done = new EarlyStopping(2, weights);
    const doneLoop: TrainLoop = { history: [], stopTraining: false };
    done.resume({ best: 0.5, bestEpoch: 1, bestWeights: [tf.scalar(1)] }, 3, doneLoop);
    expect(doneLoop.stopTraining).toBe(true);
  });
});
