import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.ts';
import { featureWidth } from '../../src/features/sequence.ts';
import { modelSpecOf, trainOptionsOf } from '../../src/model/from-config.ts';

const model = ConfigSchema.shape.model.parse({ units: 16, input_projection: 8, max_len: 6, cell: 'gru' });
const train = ConfigSchema.shape.train.parse({ lr: 0.01, lr_decay: 0.9, batch: 32, epochs: 3 });

describe('modelSpecOf', () => {
  it("builds the network `model:` describes over the catalogue's vectors and topics", () => {
    expect(modelSpecOf(model, 64, 4)).toEqual({
      cell: 'gru',
      units: 16,
      layers: 1,
      inputProjection: 8,
      dropout: model.dropout,
      recurrentDropout: model.recurrent_dropout,
      l2: model.l2,
      maxLen: 6,
      inputWidth: featureWidth(64, 4),
      outputDim: 64,
      topicHead: 4,
    });
    expect(modelSpecOf({ ...model, topic_head: false }, 64, 4).topicHead).toBe(0);
  });
});

describe('trainOptionsOf', () => {
  it('takes the schedule from `train:`, the loss from `model:` and the seed from the run', () => {
    const run = { stateDir: '/tmp/state', resume: true, stateKey: 'k' };
    expect(trainOptionsOf({ run: { seed: 7 }, model, train }, run)).toEqual({
      lr: 0.01,
      lrDecay: 0.9,
      batch: 32,
      epochs: 3,
      patience: train.patience,
      seed: 7,
      l2: model.l2,
      loss: model.loss,
      temperature: model.temperature,
      negatives: model.negatives,
      topicWeight: model.topic_weight,
      itemResidual: model.item_residual,
      residualL2: model.residual_l2,
      residualLr: model.residual_lr,
      ...run,
    });
  });
});
