import type { ModelConfig, TrainConfig } from '../config/schema.ts';
import { featureWidth } from '../features/sequence.ts';
import type { SequenceModelSpec } from './lstm.ts';
import type { TrainOptions } from './train.ts';

/** The network `model:` describes over `dim`-d item vectors and `k` topics (the topic head's width). */
export function modelSpecOf(m: ModelConfig, dim: number, k: number): SequenceModelSpec {
  return {
    cell: m.cell,
    units: m.units,
    layers: m.layers,
    inputProjection: m.input_projection,
    dropout: m.dropout,
    recurrentDropout: m.recurrent_dropout,
    l2: m.l2,
    maxLen: m.max_len,
    inputWidth: featureWidth(dim, k),
    outputDim: dim,
    topicHead: m.topic_head ? k : 0,
  };
}

/** What a run adds to the config's training options: where epoch state lives, and the log. */
export type TrainRun = Pick<TrainOptions, 'stateDir' | 'resume' | 'stateKey' | 'log'>;

/** The trainer's options: `train:`, the loss settings of `model:` and the run's seed. */
export function trainOptionsOf(
  cfg: { run: { seed: number }; model: ModelConfig; train: TrainConfig },
  run: TrainRun,
): TrainOptions {
  const { model: m, train: t } = cfg;
  return {
    lr: t.lr,
    lrDecay: t.lr_decay,
    batch: t.batch,
    epochs: t.epochs,
    patience: t.patience,
    seed: cfg.run.seed,
    l2: m.l2,
    loss: m.loss,
    temperature: m.temperature,
    negatives: m.negatives,
    topicWeight: m.topic_weight,
    itemResidual: m.item_residual,
    residualL2: m.residual_l2,
    residualLr: m.residual_lr,
    ...run,
  };
}
