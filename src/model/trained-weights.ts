import type * as tf from '@tensorflow/tfjs';
import type { WeightSnapshots } from './early-stopping.ts';
import type { ItemResidual } from './item-residual.ts';

/** The weights training changes: the model's, then the item residual's when one is learned. */
export class TrainedWeights implements WeightSnapshots {
  /** Variables saved and restored after the model's own weights. */
  readonly extras: tf.Variable[];

  constructor(
    readonly model: tf.LayersModel,
    private readonly residual: ItemResidual | null,
  ) {
    this.extras = residual ? [residual.variable] : [];
  }

  /** Brings the residual's variable up to date with its JS rows (before it is copied or saved). */
  pushResidual(): void {
    this.residual?.push();
  }

  /** Brings the residual's JS rows up to date with its variable (after it was set). */
  pullResidual(): void {
    this.residual?.pull();
  }

  snapshot(): tf.Tensor[] {
    this.pushResidual();
    return [...this.model.getWeights(), ...this.extras].map((w) => w.clone());
  }

  restore(weights: tf.Tensor[]): void {
    const m = this.model.weights.length;
    this.model.setWeights(weights.slice(0, m));
    this.extras.forEach((v, i) => {
      v.assign(weights[m + i]);
    });
    this.pullResidual();
  }
}
