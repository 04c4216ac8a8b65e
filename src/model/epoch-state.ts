import type * as tf from '@tensorflow/tfjs';
import type { EpochLog, TrainCallback, TrainLoop } from './callbacks.ts';
import type { EarlyStopping } from './early-stopping.ts';
import { loadTrainState, saveTrainState } from './train-state.ts';
import type { TrainedWeights } from './trained-weights.ts';

/**
 * Saves everything a resumed run needs after each epoch (weights, optimizer slots, early stopping's best,
 * the history) and restores it for `--resume`, so a killed run ends as if it had not been stopped.
 */
export class EpochState implements TrainCallback {
  constructor(
    private readonly dir: string,
    /** Fingerprint of config + data; a saved state with another key is refused. */
    private readonly key: string,
    private readonly weights: TrainedWeights,
    private readonly optimizer: tf.Optimizer,
    private readonly stopping: EarlyStopping,
  ) {}

  /** Restores the saved state, if any, into the weights, optimizer, early stopping and `loop`; the last saved epoch (0: none). */
  async resume(loop: TrainLoop, say: (line: string) => void): Promise<number> {
    const { model, extras } = this.weights;
    const restored = await loadTrainState<EpochLog>(this.dir, this.key, model, extras, this.optimizer);
    if (!restored) return 0;
    const { epoch, history, best, bestEpoch } = restored.progress;
    loop.history = history;
    this.stopping.resume({ best, bestEpoch, bestWeights: restored.bestWeights }, epoch, loop);
    this.weights.pullResidual();
    say(`resuming after epoch ${epoch} (best valid ndcg@10 ${best.toFixed(4)} at epoch ${bestEpoch})`);
    return epoch;
  }

  async onEpochEnd(log: EpochLog, loop: TrainLoop): Promise<void> {
    this.weights.pushResidual();
    const { model, extras } = this.weights;
    const { best, bestEpoch, bestWeights } = this.stopping;
    await saveTrainState(this.dir, model, extras, this.optimizer, bestWeights, {
      key: this.key,
      epoch: log.epoch,
      best,
      bestEpoch,
      history: loop.history,
    });
  }
}
