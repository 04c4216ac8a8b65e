import type { Recency } from '../features/sequence.ts';

/** Checkpoint layout (see docs/CHECKPOINT.md). Bump SCHEMA_VERSION on any incompatible change. */
export const SCHEMA_VERSION = 1;
export const FORMAT = 'interest-evo-checkpoint';

export const FILES = {
  manifest: 'manifest.json',
  modelJson: 'model/model.json',
  weights: 'model/weights.bin',
  items: 'items.json',
  itemVectors: 'item_vectors.f32',
  topics: 'topics.json',
  centroids: 'topic_centroids.f32',
  users: 'users.json',
  sequences: 'user_sequences.f32',
  forecasts: 'user_topic_forecast.f32',
  seen: 'user_seen.i32',
  seenOffsets: 'user_seen_offsets.i32',
  popularity: 'item_popularity.f32',
  /** Only with a learned item residual: unit(e_i + r_i), what the blend is scored against. */
  scoringVectors: 'item_scoring_vectors.f32',
  /** Only with topics from item categories: each item's topic shares, which centroids cannot give back. */
  itemShares: 'item_topic_shares.f32',
} as const;

/** Files a checkpoint holds only for some models (export writes them when the content has them). */
export const OPTIONAL_FILES: readonly string[] = [FILES.scoringVectors, FILES.itemShares];

export interface FileEntry {
  sha256: string;
  bytes: number;
  dtype?: 'float32' | 'int32';
  shape?: number[];
}

/** dtype and shape of every binary array, from the manifest's own sizes: what export writes, load insists on. */
export function arrayShapes(
  m: Pick<Manifest, 'encoder' | 'topics' | 'model'>,
  counts: { users: number; items: number; seen: number },
): Record<string, { dtype: 'float32' | 'int32'; shape: number[] }> {
  const { dim } = m.encoder;
  const { k } = m.topics;
  const { maxLen, inputWidth } = m.model;
  return {
    [FILES.itemVectors]: { dtype: 'float32', shape: [counts.items, dim] },
    [FILES.centroids]: { dtype: 'float32', shape: [k, dim] },
    [FILES.sequences]: { dtype: 'float32', shape: [counts.users, maxLen, inputWidth] },
    [FILES.forecasts]: { dtype: 'float32', shape: [counts.users, k] },
    [FILES.seen]: { dtype: 'int32', shape: [counts.seen] },
    [FILES.seenOffsets]: { dtype: 'int32', shape: [counts.users + 1] },
    [FILES.popularity]: { dtype: 'float32', shape: [counts.items] },
    [FILES.scoringVectors]: { dtype: 'float32', shape: [counts.items, dim] },
    [FILES.itemShares]: { dtype: 'float32', shape: [counts.items, k] },
  };
}

export interface Manifest {
  format: typeof FORMAT;
  schema_version: number;
  run_id: string;
  created_at: string;
  config: unknown;
  /** The config file the run came from, relative to the working directory of the run. */
  config_path: string;
  packages: Record<string, string>;
  backend: string;
  data_fingerprint: string;
  encoder: { id: string; version: string; dim: number };
  model: import('../model/lstm.ts').SequenceModelSpec;
  /** How the forecasts combine (mode absent in older checkpoints: vector) and the validation surface. */
  blend: {
    mode?: import('../recommend/blend.ts').BlendMode;
    alpha: number;
    beta: number;
    curve: { alpha: number; beta: number; ndcg10: number }[];
    /** The α = 1 setting and the last-window baseline's window, so `evaluate` reproduces every method. */
    without_forecast?: import('../recommend/blend.ts').BlendParams;
    recent_window?: number;
    /** Per-event decay of those shares (absent: 0, the plain window mean; see Recency). */
    recent_decay?: number;
    /** Weight of that window's observed shares in the blend's topic shares (absent: 0). */
    recent_mix?: number;
    /** Whose topic shares `user_topic_forecast` holds and new histories get (absent: forecaster). */
    topic_source?: import('../recommend/blend.ts').TopicSource;
    /** The gate's validation-chosen temperature (topic source gated). */
    gate_tau?: number | null;
    /** The pooled forecaster's validation-chosen per-user refit strength, or `net` (also in config.forecast). */
    strength?: number | null | 'net';
  };
  topics: { k: number; temperature: number };
  /** The fitted pooled topic-share forecaster (config forecast.model: pooled). */
  forecaster?: import('../forecast/pooled.ts').PooledModel;
  metrics: Record<string, Record<string, number>>;
  /** How users.json names users (absent in older checkpoints: plain). */
  user_ids?: import('./user-ids.ts').UserIdScheme;
  /** Settings of the baselines evaluated beside the model (chosen on validation). */
  baselines: { item_knn_neighbours: number };
  /** A version made by `items add`: the checkpoint it extends and the items appended after its catalogue. */
  added_items?: { base_manifest_hash: string; count: number; file: string };
  files: Record<string, FileEntry>;
}

/**
 * The topic_recent profile a checkpoint names (blend.recent_window, recent_decay). Checkpoints written
 * before the window was chosen on validation ranked topic_recent on the last 10 % of the history.
 */
export function manifestRecency(blend: Manifest['blend']): Recency {
  return { window: blend.recent_window ?? 0.1, decay: blend.recent_decay ?? 0 };
}
