import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.ts';
import type { EventLog, Example } from '../data/split.ts';
import { buildTimeline, knownCounts, mostPopular, recentPopular } from '../evaluate/baselines.ts';
import { type ForecastErrorRow, type ForecastEval, forecastErrorTable } from '../evaluate/forecast-error.ts';
import { buildItemKnn, itemKnnScorer, knownEnds } from '../evaluate/knn.ts';
import { frequentItemsScorer, lastBucket, profileScorer, wholeHistory } from '../evaluate/profile.ts';
import { evaluateScorer, type MethodResult, type Scorer } from '../evaluate/rank.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { forecastExamples } from '../forecast/examples.ts';
import type { SequenceModelSpec } from '../model/lstm.ts';
import { predict } from '../model/lstm.ts';
import { sequencesOf, targetShares } from '../model/train.ts';
import { blendVectors, ItemIndex, popularityPrior } from '../recommend/score.ts';
import type { TopicModel } from '../topics/model.ts';
import { arimaVectors, clockOf, vectorScorer, withForecaster } from './stages.ts';

export interface ModelParts {
  model: tf.LayersModel;
  spec: SequenceModelSpec;
  topics: TopicModel;
  store: FeatureStore;
  /** Text vectors of the items (features, topics, profile baselines). */
  itemVectors: Float32Array;
  /** What the blend's vectors are scored against: the text vectors, or text + learned residual. */
  scoringVectors: Float32Array;
}

/** How the two forecasts become item scores: cos(α·LSTM + (1−α)·ARIMA, item) + β·popularity prior. */
export interface BlendParams {
  alpha: number;
  beta: number;
}

export interface BlendPoint extends BlendParams {
  ndcg10: number;
}

export interface Evaluation {
  methods: Record<string, MethodResult>;
  forecast: { fitted: number; fellBack: number };
  /** Topic-share forecast error per forecaster on the test windows. */
  forecastError: ForecastErrorRow[];
}

/** Both forecasts for a set of examples, computed once and reused for every blend setting. */
async function forecastVectors(cfg: Config, parts: ModelParts, examples: readonly Example[], label: string) {
  const { vectors: lstm, topics: lstmTopics } = predict(
    parts.model,
    sequencesOf(parts.store, examples, parts.spec.maxLen),
    examples.length,
    parts.spec,
  );
  const arima = await withForecaster(cfg.forecast, (f) =>
    arimaVectors(f, parts.store, parts.topics, examples, cfg.forecast.horizon, label),
  );
  return { lstm, lstmTopics, arima };
}

/** Simple forecasters always shown beside the configured one and the LSTM's topic head. */
const REFERENCE_FORECASTERS = ['naive', 'mean', 'ses'] as const;

/**
 * Topic-share forecast error on the examples' target windows: the configured forecaster (the ARIMA half of
 * the blend), the LSTM's topic head, and naive / mean / smoothing, in MAE and Jensen–Shannon divergence
 * with user-bootstrap intervals and paired differences to the best simple reference.
 */
async function forecastAccuracy(
  cfg: Config,
  parts: ModelParts,
  examples: readonly Example[],
  main: Float32Array,
  lstmTopics: Float32Array | null,
) {
  const actual = targetShares(parts.store, examples);
  const byForecaster: Record<string, ForecastEval> = {
    [`${cfg.forecast.model} (blend)`]: { forecast: main, actual },
  };
  if (lstmTopics) byForecaster['lstm topic head'] = { forecast: lstmTopics, actual };
  for (const model of REFERENCE_FORECASTERS) {
    const { shares } = await withForecaster({ ...cfg.forecast, model }, (f) =>
      forecastExamples(f, parts.store, examples, cfg.forecast.horizon, `forecast (${model})`),
    );
    byForecaster[model] = { forecast: shares, actual };
  }
  return forecastErrorTable(byForecaster, {
    k: parts.topics.k,
    users: examples.map((ex) => ex.user),
    resamples: cfg.evaluate.bootstrap,
    seed: cfg.run.seed,
    reference: 'mean',
  });
}

/** Picks (α, β) on the validation examples by NDCG@10 over the configured grids; returns the whole surface. */
export async function chooseBlend(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  valid: readonly Example[],
): Promise<BlendParams & { curve: BlendPoint[] }> {
  const dim = parts.topics.dim;
  const nItems = parts.itemVectors.length / dim;
  const items = new ItemIndex(parts.scoringVectors, dim);
  try {
    const { lstm, arima } = await forecastVectors(cfg, parts, valid, 'forecast (valid)');
    const prior = popularityPrior(knownCounts(log, valid, nItems, clockOf(cfg.split, valid)));
    const curve: BlendPoint[] = [];
    for (const alpha of cfg.blend.alpha_grid) {
      const v = blendVectors(lstm, arima.vectors, dim, alpha);
      for (const beta of cfg.blend.popularity_grid) {
        const r = await evaluateScorer(log, valid, vectorScorer(items, valid, v, prior, beta), {
          nItems,
          ks: [10],
          excludeSeen: cfg.evaluate.exclude_seen,
        });
        curve.push({ alpha, beta, ndcg10: r.metrics['ndcg@10'] });
      }
    }
    // Ties go to the larger α (the model the project is about), then to the smaller β.
    const best = curve.reduce((b, p) =>
      p.ndcg10 > b.ndcg10 ||
      (p.ndcg10 === b.ndcg10 && (p.alpha > b.alpha || (p.alpha === b.alpha && p.beta < b.beta)))
        ? p
        : b,
    );
    return { alpha: best.alpha, beta: best.beta, curve };
  } finally {
    items.dispose();
  }
}

/** The baselines every report carries beside the model (the item-kNN neighbour count chosen on validation). */
export const BASELINES = [
  'item_knn',
  'profile',
  'last_bucket',
  'most_popular',
  'recent_popular',
  'frequent_items',
];

/**
 * Every method on the test examples: the blend (with its popularity prior), the blend without the prior,
 * its two halves alone, and the baselines: item-kNN, static and last-bucket profiles, popularity, and (when
 * seen items may be recommended) the user's own most frequent items.
 */
export async function evaluateTest(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  test: readonly Example[],
  blend: BlendParams,
  knnNeighbours: number,
): Promise<Evaluation> {
  const dim = parts.topics.dim;
  const nItems = parts.itemVectors.length / dim;
  const items = new ItemIndex(parts.scoringVectors, dim);
  try {
    const { lstm, lstmTopics, arima } = await forecastVectors(cfg, parts, test, 'forecast (test)');
    const forecastError = await forecastAccuracy(cfg, parts, test, arima.shares, lstmTopics);
    const now = clockOf(cfg.split, test);
    const counts = knownCounts(log, test, nItems, now);
    const prior = popularityPrior(counts);
    const mixed = blendVectors(lstm, arima.vectors, dim, blend.alpha);
    const scorers: Record<string, Scorer> = {
      blend: vectorScorer(items, test, mixed, prior, blend.beta),
      blend_no_prior: vectorScorer(items, test, mixed, prior, 0),
      lstm: vectorScorer(items, test, lstm, prior, 0),
      arima: vectorScorer(items, test, arima.vectors, prior, 0),
      item_knn: itemKnnScorer(log, buildItemKnn(log, knownEnds(log, test, now), nItems, knnNeighbours)),
      profile: profileScorer(log, parts.itemVectors, dim, wholeHistory(log)),
      last_bucket: profileScorer(
        log,
        parts.itemVectors,
        dim,
        lastBucket((u, e) => parts.store.bucketsBefore(u, e)),
      ),
      most_popular: mostPopular(counts),
      recent_popular: recentPopular(buildTimeline(log), nItems, cfg.evaluate.recent_window),
    };
    if (!cfg.evaluate.exclude_seen) scorers.frequent_items = frequentItemsScorer(log, nItems, counts);
    const opts = { nItems, ks: cfg.evaluate.k, excludeSeen: cfg.evaluate.exclude_seen, keepLists: true };
    const methods: Record<string, MethodResult> = {};
    for (const [name, scorer] of Object.entries(scorers))
      methods[name] = await evaluateScorer(log, test, scorer, opts);
    return { methods, forecast: { fitted: arima.fitted, fellBack: arima.fellBack }, forecastError };
  } finally {
    items.dispose();
  }
}

/**
 * Validation NDCG@10 of the popularity baselines, so the model's selection numbers (the LSTM's early
 * stopping, the blend grid, the kNN grid) can be read against them.
 */
export async function validationBaselines(
  cfg: Config,
  log: EventLog,
  valid: readonly Example[],
  nItems: number,
): Promise<Record<string, number>> {
  const scorers: Record<string, Scorer> = {
    most_popular: mostPopular(knownCounts(log, valid, nItems, clockOf(cfg.split, valid))),
    recent_popular: recentPopular(buildTimeline(log), nItems, cfg.evaluate.recent_window),
  };
  const out: Record<string, number> = {};
  for (const [name, scorer] of Object.entries(scorers)) {
    const r = await evaluateScorer(log, valid, scorer, {
      nItems,
      ks: [10],
      excludeSeen: cfg.evaluate.exclude_seen,
    });
    out[name] = r.metrics['ndcg@10'];
  }
  return out;
}
