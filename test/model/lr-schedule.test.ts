import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ExponentialDecay, learningRateOf } from '../../src/model/lr-schedule.ts';

describe('ExponentialDecay', () => {
  it('sets lr·decay^(epoch − 1) as each epoch begins, from the epoch number alone', () => {
    const optimizer = tf.train.adam(0.01);
    const schedule = new ExponentialDecay(optimizer, 0.01, 0.5);
    schedule.onEpochBegin(1);
    expect(learningRateOf(optimizer)).toBe(0.01);
    schedule.onEpochBegin(3);
    expect(learningRateOf(optimizer)).toBe(0.0025);
    // A resumed run that starts at epoch 3 gets the rate an uninterrupted run had there.
    const resumed = tf.train.adam(0.01);
    new ExponentialDecay(resumed, 0.01, 0.5).onEpochBegin(3);
    expect(learningRateOf(resumed)).toBe(learningRateOf(optimizer));
    optimizer.dispose();
    resumed.dispose();
  });

  it('keeps the rate constant with decay 1', () => {
    const optimizer = tf.train.adam(0.003);
    const schedule = new ExponentialDecay(optimizer, 0.003, 1);
    for (const epoch of [1, 2, 10]) {
      schedule.onEpochBegin(epoch);
      expect(learningRateOf(optimizer)).toBe(0.003);
    }
    optimizer.dispose();
  });
});
