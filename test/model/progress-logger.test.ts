import { describe, expect, it } from 'vitest';
import { ProgressLogger } from '../../src/model/progress-logger.ts';

const log = { epoch: 2, loss: 1.234567, valid: 0.31234, lr: 0.01, seconds: 2.04, samplesPerSec: 490.2 };

describe('ProgressLogger', () => {
  it('says one line per epoch: loss, topic KL when there is a topic head, validation NDCG@10 and speed', () => {
    const lines: string[] = [];
    const logger = new ProgressLogger(5, 2, (l) => lines.push(l));
    logger.onEpochBegin(2);
    logger.onBatchEnd(0, { loss: 1.5 });
    logger.onBatchEnd(1, { loss: 1.2 });
    logger.onEpochEnd({ ...log, topicKl: 0.05 });
    logger.onEpochEnd({ ...log, topicKl: null });
    expect(lines).toEqual([
      'epoch 2: loss 1.2346  topic KL 0.0500  valid ndcg@10 0.3123  2.0s (490 samples/s)',
      'epoch 2: loss 1.2346  valid ndcg@10 0.3123  2.0s (490 samples/s)',
    ]);
  });
});
