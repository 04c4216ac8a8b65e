import type * as tf from '@tensorflow/tfjs';
import { type Config, type ForecastConfigModel, forecastSettings } from '../config/schema.ts';
import type { Example } from '../data/split.ts';
import { itemTrueTopics, plantedWindowShares, readTruth } from '../data/truth.ts';
import { EmbeddingCache } from '../embed/cache.ts';
import { embedTexts } from '../embed/embed-texts.ts';
import { createEmbedder, embedOptionsFromConfig } from '../embed/registry.ts';
import type { Scorer } from '../evaluate/rank.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { perSeries, pooledForecaster, type ShareForecaster } from '../forecast/examples.ts';
import { fitPooled, type PooledModel } from '../forecast/pooled.ts';
import { createForecaster } from '../forecast/registry.ts';
import type { ForecastSpec } from '../forecast/types.ts';
import { predictVectors, type SequenceModelSpec } from '../model/lstm.ts';
import { sequencesOf, targetShares } from '../model/train.ts';
import type { ItemIndex } from '../recommend/score.ts';
import { createProgress, type Progress } from '../util/progress.ts';
import type { Oracle } from './evaluate.ts';

export interface EmbeddedCatalogue {
  vectors: Float32Array;
  dim: number;
  encoder: { id: string; version: string; dim: number };
  hits: number;
  misses: number;
  seconds: number;
}

/** Item texts → unit vectors through the configured encoder and the on-disk cache. */
export async function embedCatalogue(
  texts: readonly string[],
  cfg: Config['embed'],
): Promise<EmbeddedCatalogue> {
  const t0 = performance.now();
  const embedder = await createEmbedder(embedOptionsFromConfig(cfg));
  const cache = cfg.cache ? EmbeddingCache.open(cfg.cache) : null;
  // embedTexts counts distinct texts; the bar is sized on its first report.
  const progress = { bar: null as Progress | null, last: 0 };
  try {
    const r = await embedTexts(embedder, texts, {
      batch: cfg.batch,
      cache,
      onProgress: (done, total) => {
        progress.bar ??= createProgress(`embed (${embedder.id})`, total);
        progress.bar.tick(done - progress.last);
        progress.last = done;
      },
    });
    progress.bar?.stop();
    return {
      vectors: r.vectors,
      dim: r.dim,
      encoder: { id: embedder.id, version: embedder.version, dim: embedder.dim },
      hits: r.hits,
      misses: r.misses,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    embedder.dispose();
    await cache?.close();
  }
}

/**
 * A forecast block as a caller may hold it: the config's, or the config's with `model` swapped (evaluation's
 * reference forecasters); forecastSettings reads the named forecaster's keys from it, defaults for the rest.
 */
type ForecastBlock = { model: ForecastConfigModel };

export function forecastSpec(block: ForecastBlock): ForecastSpec {
  const cfg = forecastSettings(block);
  switch (cfg.model) {
    case 'arima':
      return { model: 'arima', order: cfg.order, fallback: cfg.fallback };
    case 'arima-auto':
      return { model: 'arima-auto', fallback: cfg.fallback };
    case 'arima-resid':
      return { model: 'arima-resid', level: cfg.level, shrink: cfg.shrink };
    case 'ensemble':
      return { model: 'ensemble', weights: cfg.weights };
    case 'ses':
      return cfg.alpha === null ? { model: 'ses' } : { model: 'ses', alpha: cfg.alpha };
    case 'pooled':
      throw new Error('forecast: pooled is fitted on the training data, not built from a spec');
    default:
      return { model: cfg.model };
  }
}

/** Candidates of `forecast.strength: auto`, chosen on validation (chooseBlend); null = no per-user refit. */
export const STRENGTH_GRID = [null, 4, 16, 64] as const;

/** The pooled forecaster's per-user refit strength; `auto` must have been resolved on validation first. */
export function pooledStrength(block: ForecastBlock): number | null {
  const { strength } = forecastSettings({ ...block, model: 'pooled' });
  if (strength === 'auto')
    throw new Error('forecast.strength: auto is chosen on validation; this block was never resolved');
  return strength;
}

/** The block with `strength` set (a pooled block after its validation choice; others unchanged). */
export function withStrength<B extends ForecastBlock>(block: B, strength: number | null): B {
  return block.model === 'pooled' ? { ...block, strength } : block;
}

/**
 * Runs fn with the configured topic-share forecaster: a per-series one from the registry, or the pooled
 * model fitted on the training examples (fitPooledForecaster) — its only state, saved in the checkpoint.
 */
export async function withForecaster<T>(
  block: ForecastBlock,
  fn: (f: ShareForecaster) => T,
  pooled: PooledModel | null,
): Promise<T> {
  if (block.model === 'pooled') {
    if (!pooled) throw new Error('forecast: model pooled needs its fitted model (none was given)');
    return fn(pooledForecaster(pooled, pooledStrength(block)));
  }
  const f = perSeries(await createForecaster(forecastSpec(block)));
  try {
    return fn(f);
  } finally {
    f.dispose();
  }
}

/**
 * Fits the pooled forecaster on every training example's series and next-bucket shares; with another
 * forecaster configured (pooled is then a reference in the evaluation) at pooled's default settings.
 */
export function fitPooledForecaster(
  block: ForecastBlock,
  store: FeatureStore,
  train: readonly Example[],
): PooledModel {
  if (train.length === 0) throw new Error('forecast: pooled needs training examples, the split has none');
  const { ridge, per } = forecastSettings({ ...block, model: 'pooled' });
  const targets = targetShares(store, train);
  const k = store.src.k;
  return fitPooled(
    train.map((ex, r) => ({
      series: store.topicSeries(ex.user, ex.end),
      target: targets.subarray(r * k, (r + 1) * k),
    })),
    { ridge, per },
  );
}

export function lstmVectors(
  model: tf.LayersModel,
  spec: SequenceModelSpec,
  store: FeatureStore,
  examples: readonly Example[],
) {
  return predictVectors(model, sequencesOf(store, examples, spec.maxLen), examples.length, spec);
}

/** A scorer from one precomputed query vector per example (examples identified by object). */
export function vectorScorer(items: ItemIndex, examples: readonly Example[], vectors: Float32Array): Scorer {
  const { dim } = items;
  const row = new Map(examples.map((ex, i) => [ex, i]));
  return (chunk) => {
    const q = new Float32Array(chunk.length * dim);
    chunk.forEach((ex, r) => {
      const i = row.get(ex);
      if (i === undefined) throw new Error('vectorScorer: example without a vector');
      q.set(vectors.subarray(i * dim, (i + 1) * dim), r * dim);
    });
    return items.score(q, chunk.length);
  };
}

/** The global clock a popularity baseline may see (per-user protocol: none). */
export function clockOf(cfg: Config['split'], examples: readonly Example[]): number {
  return cfg.protocol === 'global' && examples.length ? examples[0].cutoff : Number.POSITIVE_INFINITY;
}

/**
 * The oracle of a synthetic log: each example's planted shares over its target window (by the user's
 * event indices, which the loader keeps in generation order) and each item's planted topic.
 */
export function oracleOf(
  path: string,
  data: {
    users: readonly string[];
    userOffsets: Int32Array;
    items: { categories: readonly (readonly string[])[] };
  },
): Oracle {
  const truth = readTruth(path);
  const byId = new Map(truth.users.map((u) => [String(u.id), u]));
  const k = truth.topics.length;
  const userOf = (ex: Example) => {
    const u = byId.get(data.users[ex.user]);
    const n = data.userOffsets[ex.user + 1] - data.userOffsets[ex.user];
    if (!u || u.events !== n)
      throw new Error(
        `truth ${path}: user ${data.users[ex.user]} ${u ? `has ${n} events in the log, ${u.events} planted` : 'is not in it'}`,
      );
    return u;
  };
  return {
    k,
    itemTopics: itemTrueTopics(truth, data.items.categories),
    shares: (ex) => {
      const from = data.userOffsets[ex.user];
      return plantedWindowShares(userOf(ex), k, ex.end - from, ex.targetEnd - from);
    },
    pattern: (ex) => userOf(ex).pattern,
  };
}
