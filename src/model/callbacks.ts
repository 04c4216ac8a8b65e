/**
 * The trainer's callback contract, after tfjs-layers' `CustomCallback`: the epoch loop calls every hook in
 * list order, and a callback ends training by setting `loop.stopTraining` (tfjs: `model.stopTraining`).
 */

export interface EpochLog {
  epoch: number;
  loss: number;
  topicKl: number | null;
  valid: number;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

/** What the loop shares with its callbacks: the epochs so far (tfjs' History) and the stop request. */
export interface TrainLoop {
  history: EpochLog[];
  stopTraining: boolean;
}

export interface BatchLogs {
  /** Mean loss of the epoch's samples so far. */
  loss: number;
}

export interface TrainCallback {
  onEpochBegin?(epoch: number): void;
  onBatchEnd?(batch: number, logs: BatchLogs): void;
  /** Called after validation, once `log` is the last entry of `loop.history`. */
  onEpochEnd?(log: EpochLog, loop: TrainLoop): Promise<void> | void;
  onTrainEnd?(): void;
}

/** Dispatches each hook to the callbacks in order, awaiting each before the next (tfjs' CallbackList). */
export class CallbackList {
  constructor(private readonly callbacks: readonly TrainCallback[]) {}

  onEpochBegin(epoch: number): void {
    for (const c of this.callbacks) c.onEpochBegin?.(epoch);
  }

  onBatchEnd(batch: number, logs: BatchLogs): void {
    for (const c of this.callbacks) c.onBatchEnd?.(batch, logs);
  }

  async onEpochEnd(log: EpochLog, loop: TrainLoop): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd?.(log, loop);
  }

  onTrainEnd(): void {
    for (const c of this.callbacks) c.onTrainEnd?.();
  }
}
