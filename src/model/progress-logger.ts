import { createProgress, type Progress } from '../util/progress.ts';
import type { BatchLogs, EpochLog, TrainCallback } from './callbacks.ts';

/** A progress bar over each epoch's batches, then one summary line per epoch (tfjs' ProgbarLogger). */
export class ProgressLogger implements TrainCallback {
  private bar: Progress | null = null;

  constructor(
    private readonly epochs: number,
    private readonly batches: number,
    private readonly say: (line: string) => void,
  ) {}

  onEpochBegin(epoch: number): void {
    this.bar = createProgress(`epoch ${epoch}/${this.epochs}`, this.batches);
  }

  onBatchEnd(batch: number, logs: BatchLogs): void {
    this.bar?.tick(1, { loss: logs.loss.toFixed(4) });
    // Closed with the last batch, before validation reports its own progress.
    if (batch === this.batches - 1) this.bar?.stop();
  }

  onEpochEnd(log: EpochLog): void {
    const kl = log.topicKl === null ? '' : `  topic KL ${log.topicKl.toFixed(4)}`;
    this.say(
      `epoch ${log.epoch}: loss ${log.loss.toFixed(4)}${kl}` +
        `  valid ndcg@10 ${log.valid.toFixed(4)}  ${log.seconds.toFixed(1)}s (${log.samplesPerSec.toFixed(0)} samples/s)`,
    );
  }
}
