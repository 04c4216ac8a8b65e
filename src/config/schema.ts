import { z } from 'zod';
import { USER_ID_SCHEMES } from '../checkpoint/user-ids.ts';
import { BLEND_MODES, TOPIC_SOURCES } from '../recommend/blend.ts';
import { SEQUENTIAL_KINDS } from '../sequential/spec.ts';
import { DataConfigSchema } from './data.ts';

/** "30d", "12h", "2w" → seconds; "month" is calendar months and handled by the bucketer. */
export const DurationSchema = z.union([
  z
    .string()
    .regex(/^\d+(\.\d+)?[smhdw]$/, 'expected a duration like "30d", "12h", "2w"')
    .transform(parseDuration),
  // Seconds: what a resolved config (stored in a checkpoint manifest) holds, so it parses again as is.
  z.number().positive(),
]);

export function parseDuration(s: string): number {
  const unit = s.at(-1) as 's' | 'm' | 'h' | 'd' | 'w';
  const mult = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[unit];
  return Number(s.slice(0, -1)) * mult;
}

const RunSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, "_", "-", "." only'),
    seed: z.number().int().default(42),
    out: z
      .object({ checkpoints: z.string().default('checkpoints'), reports: z.string().default('reports') })
      .strict()
      .default({ checkpoints: 'checkpoints', reports: 'reports' }),
  })
  .strict();

export const BucketSchema = z.union([
  z.object({ events: z.number().int().min(1) }).strict(),
  z.object({ every: z.union([z.literal('month'), DurationSchema]) }).strict(),
]);
export type BucketSpec = { events: number } | { every: 'month' | number };

/** A cutoff is an ISO date or a time quantile of the event log, e.g. "q0.8". */
const CutoffSchema = z.union([z.string().regex(/^q(0(\.\d+)?|1(\.0+)?)$/), z.iso.date(), z.iso.datetime()]);

const SplitSchema = z.discriminatedUnion('protocol', [
  z
    .object({
      protocol: z.literal('per-user'),
      test_buckets: z.number().int().min(1).default(1),
      valid_buckets: z.number().int().min(1).default(1),
      min_history_buckets: z.number().int().min(1).default(2),
      /**
       * Train only on examples whose target window ends before this time (ISO date or quantile "q0.5"): to
       * measure what the model gains from other users' activity after a test user's cutoff.
       */
      train_before: CutoffSchema.optional(),
    })
    .strict(),
  z
    .object({
      protocol: z.literal('global'),
      valid_from: CutoffSchema,
      test_from: CutoffSchema,
      horizon: DurationSchema,
      min_history_buckets: z.number().int().min(1).default(2),
    })
    .strict(),
  /** RecBole's sequential protocol: each user's last event is the test target, the one before validation. */
  z
    .object({
      protocol: z.literal('leave-one-out'),
      /** Users with fewer events only train (RecBole needs ≥ 3: train, valid, test). */
      min_events: z.number().int().min(3).default(3),
    })
    .strict(),
]);

const EmbedSchema = z
  .object({
    encoder: z.enum(['use-lite', 'hashing', 'transformers']).default('use-lite'),
    batch: z.number().int().min(1).default(64),
    cache: z.string().nullable().default('data/cache/embeddings'),
    hashing: z
      .object({
        dim: z.number().int().min(8).default(256),
        ngrams: z.number().int().min(1).max(3).default(2),
        seed: z.number().int().default(42),
      })
      .strict()
      .default({ dim: 256, ngrams: 2, seed: 42 }),
    /** transformers.js feature extraction; `model` is a folder (relative to the working dir) or a hub id. */
    transformers: z
      .object({
        model: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
        pooling: z.enum(['mean', 'cls']).default('mean'),
        dtype: z.enum(['fp32', 'q8']).default('fp32'),
        /** Offline unless opted in: a hub id missing from models_dir is then downloaded into it. */
        allow_remote: z.boolean().default(false),
        models_dir: z.string().min(1).default('data/models'),
      })
      .strict()
      .default({
        model: 'Xenova/all-MiniLM-L6-v2',
        pooling: 'mean',
        dtype: 'fp32',
        allow_remote: false,
        models_dir: 'data/models',
      }),
  })
  .strict();

const TopicsSchema = z
  .object({
    source: z.literal('kmeans').default('kmeans'),
    k: z.number().int().min(2).default(20),
    temperature: z.number().positive().default(0.05),
    iterations: z.number().int().min(1).default(50),
    /** k-means++ starts; the best objective is kept (see topics/kmeans.ts). */
    restarts: z.number().int().min(1).default(4),
  })
  .strict();

/**
 * The topic-share forecaster. Default `pooled`, from validation windows only (each run's report has the
 * table): lowest validation JSD on ml-latest-small (0.0296 vs arima-resid 0.0329, mean 0.0344) and
 * Last.fm-2k (0.2190 vs mean 0.2233, arima-resid 0.2248, whose series fell back to the mean 28 % / 39 % of
 * the time; pooled never falls back), and far below the mean on the synthetic logs. ridge 0.01: the best of
 * 0.003–0.01 on held-out synthetic users; `strength` off: per-user refits did not help short series.
 */
const ForecastSchema = z
  .object({
    model: z
      .enum(['pooled', 'arima', 'arima-auto', 'arima-resid', 'ensemble', 'naive', 'mean', 'ses'])
      .default('pooled'),
    /** pooled: coefficients per topic or shared by all topics, ridge, per-user refit strength (null: none). */
    per: z.enum(['topic', 'shared']).default('topic'),
    ridge: z.number().positive().default(0.01),
    strength: z.number().positive().nullable().default(null),
    /** arima: the (p, d, q) order. */
    order: z
      .tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(0)])
      .default([1, 1, 1]),
    /** arima / arima-auto: used for series that are too short, constant or non-finite. */
    fallback: z.enum(['naive', 'mean', 'ses']).default('mean'),
    /** ses: smoothing weight; null fits it per series. */
    alpha: z.number().gt(0).lte(1).nullable().default(0.3),
    /** arima-resid: level the ARMA correction is added to, and the correction's weight. */
    level: z.enum(['ses', 'mean']).default('mean'),
    shrink: z.number().min(0).max(1).default(0.5),
    /** ensemble: Akaike or equal weights of fitted SES and arima-auto. */
    weights: z.enum(['aic', 'equal']).default('aic'),
    horizon: z.number().int().min(1).default(1),
  })
  .strict();

const ModelSchema = z
  .object({
    cell: z.enum(['lstm', 'gru']).default('lstm'),
    units: z.number().int().min(1).default(64),
    layers: z.number().int().min(1).max(4).default(1),
    input_projection: z.number().int().min(0).default(64),
    dropout: z.number().min(0).lt(1).default(0.2),
    recurrent_dropout: z.number().min(0).lt(1).default(0),
    l2: z.number().min(0).default(1e-5),
    max_len: z.number().int().min(1).default(12),
    loss: z.enum(['contrastive', 'cosine']).default('contrastive'),
    temperature: z.number().positive().default(0.05),
    negatives: z.number().int().min(0).default(2048),
    /** Second head: softmax forecast of the next bucket's topic shares, trained with KL. */
    topic_head: z.boolean().default(true),
    topic_weight: z.number().min(0).default(0.5),
    /** Learn a per-item residual on top of the frozen text vectors (collaborative signal for the LSTM half). */
    item_residual: z.boolean().default(false),
    residual_l2: z.number().min(0).default(1e-4),
    residual_lr: z.number().positive().default(0.05),
  })
  .strict();

const TrainSchema = z
  .object({
    backend: z.enum(['auto', 'node-gpu', 'node', 'wasm', 'cpu']).default('auto'),
    lr: z.number().positive().default(1e-3),
    /** The learning rate is multiplied by this after every epoch (1 = constant). */
    lr_decay: z.number().gt(0).lte(1).default(1),
    batch: z.number().int().min(1).default(64),
    epochs: z.number().int().min(1).default(20),
    patience: z.number().int().min(1).default(4),
    monitor: z.literal('valid_ndcg@10').default('valid_ndcg@10'),
  })
  .strict();

/**
 * How the LSTM and the topic forecast combine (src/recommend/blend.ts); mode, α and β are chosen together
 * on validation NDCG@10 over these grids.
 */
const BlendSchema = z
  .object({
    modes: z
      .array(z.enum(BLEND_MODES))
      .min(1)
      .default([...BLEND_MODES]),
    /** The topic shares the blend uses: the forecaster's, the LSTM topic head's, their mean, or (auto) the best on validation. */
    topic_source: z.enum(['auto', ...TOPIC_SOURCES]).default('auto'),
    alpha_grid: z
      .array(z.number().min(0).max(1))
      .min(1)
      .default([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
    /** Popularity weight: the exponent of (1 + count) in the LSTM expert, or the vector mode's prior weight. */
    popularity_grid: z.array(z.number().min(0)).min(1).default([0, 0.05, 0.1, 0.2, 0.4]),
  })
  .strict();

/** What the exported checkpoint holds besides the model. */
const CheckpointSchema = z
  .object({
    /** `hmac-sha256`: users.json holds HMAC(INTEREST_EVO_USER_SALT, id) instead of the raw ids. */
    user_ids: z.enum(USER_ID_SCHEMES).default('plain'),
  })
  .strict();

const EvaluateSchema = z
  .object({
    k: z.array(z.number().int().min(1)).min(1).default([10, 20]),
    exclude_seen: z.boolean().default(true),
    recent_window: DurationSchema.default(2_592_000),
    /** Bootstrap resamples over users for the confidence intervals and the paired test. */
    bootstrap: z.number().int().min(100).default(1000),
    /** Neighbour counts tried for the item-kNN baseline (chosen on validation). */
    knn_grid: z.array(z.number().int().min(1)).min(1).default([5, 10, 20, 50, 100]),
    /** A synthetic log's truth.json (relative to the config): adds the oracle ranker and error vs truth. */
    truth: z.string().nullable().default(null),
    /**
     * Id-based sequential baselines trained on the same split and early stopping as the model (src/sequential);
     * each entry is a kind plus optional overrides of its defaults, e.g. [{ kind: gru4rec }, { kind: sasrec }].
     */
    sequential: z.array(z.object({ kind: z.enum(SEQUENTIAL_KINDS) }).catchall(z.number())).default([]),
  })
  .strict();

export const ConfigSchema = z
  .object({
    run: RunSchema,
    data: DataConfigSchema,
    buckets: BucketSchema,
    split: SplitSchema,
    embed: EmbedSchema.default(EmbedSchema.parse({})),
    topics: TopicsSchema.default(TopicsSchema.parse({})),
    forecast: ForecastSchema.default(ForecastSchema.parse({})),
    model: ModelSchema.default(ModelSchema.parse({})),
    train: TrainSchema.default(TrainSchema.parse({})),
    blend: BlendSchema.default(BlendSchema.parse({})),
    evaluate: EvaluateSchema.default(EvaluateSchema.parse({})),
    checkpoint: CheckpointSchema.default(CheckpointSchema.parse({})),
    /** `train --sweep`: dotted config keys → values to try, e.g. { "model.units": [32, 64], "train.lr": [1e-3, 3e-3] }. */
    sweep: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1)).optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type SplitConfig = Config['split'];
export type ModelConfig = Config['model'];
export type TrainConfig = Config['train'];
