import type * as tf from '@tensorflow/tfjs';
import type { EpochLog, TrainCallback, TrainLoop } from './callbacks.ts';

/** Copies of the weights training changes, and a way to put such copies back. */
export interface WeightSnapshots {
  snapshot(): tf.Tensor[];
  restore(weights: tf.Tensor[]): void;
}

/** Where early stopping stands: what a saved epoch state records and a resumed run starts from. */
export interface BestSoFar {
  best: number;
  bestEpoch: number;
  /** Ordered as WeightSnapshots' snapshots; null before the first improvement. */
  bestWeights: tf.Tensor[] | null;
}

/**
 * Stops once `patience` epochs have passed without a higher validation score, and puts the best epoch's
 * weights back when training ends (tfjs' EarlyStopping with mode 'max' and restoreBestWeights).
 */
export class EarlyStopping implements TrainCallback, BestSoFar {
  best = Number.NEGATIVE_INFINITY;
  bestEpoch = 0;
  bestWeights: tf.Tensor[] | null = null;

  constructor(
    private readonly patience: number,
    private readonly weights: WeightSnapshots,
  ) {}

  onEpochEnd(log: EpochLog, loop: TrainLoop): void {
    if (log.valid > this.best) {
      this.best = log.valid;
      this.bestEpoch = log.epoch;
      for (const w of this.bestWeights ?? []) w.dispose();
      this.bestWeights = this.weights.snapshot();
    }
    if (this.exhausted(log.epoch)) loop.stopTraining = true;
  }

  /** Continues from a saved state; a run saved after its patience ran out stops at once. */
  resume(saved: BestSoFar, lastEpoch: number, loop: TrainLoop): void {
    ({ best: this.best, bestEpoch: this.bestEpoch, bestWeights: this.bestWeights } = saved);
    if (this.exhausted(lastEpoch)) loop.stopTraining = true;
  }

  onTrainEnd(): void {
    if (!this.bestWeights) return;
    this.weights.restore(this.bestWeights);
    for (const w of this.bestWeights) w.dispose();
    this.bestWeights = null;
  }

  // A NaN score never improves, so no epoch is best and training runs to the last epoch.
  private exhausted(epoch: number): boolean {
    return this.bestEpoch > 0 && epoch - this.bestEpoch >= this.patience;
  }
}
