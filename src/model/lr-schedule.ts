import type * as tf from '@tensorflow/tfjs';
import type { TrainCallback } from './callbacks.ts';

/** tfjs optimizers keep their step size in a public field the typings do not declare. */
type WithLearningRate = { learningRate: number };

export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as WithLearningRate).learningRate;
}

/** Sets the optimizer's learning rate to lr·decay^(epoch − 1) as each epoch begins (decay 1: constant). */
export class ExponentialDecay implements TrainCallback {
  constructor(
    private readonly optimizer: tf.Optimizer,
    private readonly lr: number,
    private readonly decay: number,
  ) {}

  // From the epoch number, not by repeated multiplication, so a resumed run gets the same rates.
  onEpochBegin(epoch: number): void {
    (this.optimizer as unknown as WithLearningRate).learningRate = this.lr * this.decay ** (epoch - 1);
  }
}
