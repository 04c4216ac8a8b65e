import { describe, expect, it } from 'vitest';
import { CallbackList, type EpochLog, type TrainLoop } from '../../src/model/callbacks.ts';

const log = (epoch: number): EpochLog => ({
  epoch,
  loss: 1,
  topicKl: null,
  valid: 0.5,
  lr: 0.01,
  seconds: 1,
  samplesPerSec: 10,
});

describe('CallbackList', () => {
  it('calls each hook on every callback in list order, awaiting each onEpochEnd before the next', async () => {
    const calls: string[] = [];
    const slow = {
      onEpochBegin: (e: number) => calls.push(`a begin ${e}`),
      onEpochEnd: async () => {
        await new Promise((r) => setTimeout(r, 20));
        calls.push('a end');
      },
    };
    const partial = {
      onBatchEnd: (b: number, l: { loss: number }) => calls.push(`b batch ${b} ${l.loss}`),
      onEpochEnd: () => {
        calls.push('b end');
      },
      onTrainEnd: () => calls.push('b train end'),
    };
    const list = new CallbackList([slow, partial]);
    const loop: TrainLoop = { history: [log(1)], stopTraining: false };
    list.onEpochBegin(1);
    list.onBatchEnd(0, { loss: 2 });
    await list.onEpochEnd(log(1), loop);
    list.onTrainEnd();
    expect(calls).toEqual(['a begin 1', 'b batch 0 2', 'a end', 'b end', 'b train end']);
  });
});
