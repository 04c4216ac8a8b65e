import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.ts';
import type { EventLog, Example } from '../data/split.ts';
import { buildTimeline, knownCounts, mostPopular, recentPopular } from '../evaluate/baselines.ts';
import { evaluateScorer, type MethodResult } from '../evaluate/rank.ts';
import type { FeatureStore } from '../features/sequence.ts';
import type { SequenceModelSpec } from '../model/lstm.ts';
import { blendVectors } from '../recommend/score.ts';
import type { TopicModel } from '../topics/model.ts';
import { arimaVectors, clockOf, lstmVectors, vectorScorer, withForecaster } from './stages.ts';

export interface ModelParts {
  model: tf.LayersModel;
  spec: SequenceModelSpec;
  topics: TopicModel;
  store: FeatureStore;
  itemVectors: Float32Array;
}

export interface AlphaPoint {
  alpha: number;
  ndcg10: number;
}

export interface Evaluation {
  methods: Record<string, MethodResult>;
  forecast: { fitted: number; fellBack: number };
}

/** Picks α on the validation examples (validation NDCG@10 of the blend for every α in the grid). */
export async function chooseAlpha(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  valid: readonly Example[],
): Promise<{ alpha: number; curve: AlphaPoint[] }> {
  const { topics, store, itemVectors } = parts;
  const items = tf.tensor2d(itemVectors, [itemVectors.length / topics.dim, topics.dim]);
  try {
    const lstm = lstmVectors(parts.model, parts.spec, store, valid);
    const arima = await withForecaster(cfg.forecast, (f) => arimaVectors(f, store, topics, valid, cfg.forecast.horizon, 'forecast (valid)'));
    const curve: AlphaPoint[] = [];
    for (const alpha of cfg.blend.alpha_grid) {
      const v = blendVectors(lstm, arima.vectors, topics.dim, alpha);
      const r = await evaluateScorer(log, valid, vectorScorer(items, valid, v), {
        nItems: items.shape[0],
        ks: [10],
        excludeSeen: cfg.evaluate.exclude_seen,
      });
      curve.push({ alpha, ndcg10: r.metrics['ndcg@10'] });
    }
    // Ties go to the larger α (the model the project is about), then grid order.
    const best = curve.reduce((b, p) => (p.ndcg10 > b.ndcg10 || (p.ndcg10 === b.ndcg10 && p.alpha > b.alpha) ? p : b));
    return { alpha: best.alpha, curve };
  } finally {
    items.dispose();
  }
}

/** Every method on the test examples: the blend, its two halves and the popularity baselines. */
export async function evaluateTest(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  test: readonly Example[],
  alpha: number,
): Promise<Evaluation> {
  const { topics, store, itemVectors } = parts;
  const nItems = itemVectors.length / topics.dim;
  const items = tf.tensor2d(itemVectors, [nItems, topics.dim]);
  try {
    const lstm = lstmVectors(parts.model, parts.spec, store, test);
    const arima = await withForecaster(cfg.forecast, (f) => arimaVectors(f, store, topics, test, cfg.forecast.horizon, 'forecast (test)'));
    const blend = blendVectors(lstm, arima.vectors, topics.dim, alpha);
    const timeline = buildTimeline(log);
    const scorers = {
      blend: vectorScorer(items, test, blend),
      lstm: vectorScorer(items, test, lstm),
      arima: vectorScorer(items, test, arima.vectors),
      most_popular: mostPopular(knownCounts(log, test, nItems, clockOf(cfg.split, test))),
      recent_popular: recentPopular(timeline, nItems, cfg.evaluate.recent_window),
    };
    const opts = { nItems, ks: cfg.evaluate.k, excludeSeen: cfg.evaluate.exclude_seen };
    const methods: Record<string, MethodResult> = {};
    for (const [name, scorer] of Object.entries(scorers)) methods[name] = await evaluateScorer(log, test, scorer, opts);
    return { methods, forecast: { fitted: arima.fitted, fellBack: arima.fellBack } };
  } finally {
    items.dispose();
  }
}
