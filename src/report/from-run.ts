import type { Config } from '../config/schema.ts';
import type { Dataset } from '../data/read.ts';
import type { Example, SplitSummary } from '../data/split.ts';
import type { Oracle } from '../data/truth.ts';
import { labelSegments } from '../evaluate/beyond-accuracy.ts';
import type { KindReport } from '../evaluate/by-kind.ts';
import type { ForecastErrorRow } from '../evaluate/forecast-error.ts';
import type { HistoryLengthRow } from '../evaluate/history-length.ts';
import type { MethodResult } from '../evaluate/rank.ts';
import type { MethodAnalysis } from '../evaluate/summary.ts';
import type { Recency } from '../features/sequence.ts';
import type { PooledVariant } from '../forecast/pooled.ts';
import type { BlendParams, TopicSource } from '../recommend/blend.ts';
import { methodTable, type RunReport, type SequentialCost, topicErrors } from './run-report.ts';

/** The blend as chosen on validation (the pipeline's BlendChoice). */
export interface ChosenBlend extends BlendParams {
  curve: (BlendParams & { ndcg10: number })[];
  withoutForecast: BlendParams;
  recent: Recency;
  recentCurve: (Recency & { ndcg10: number })[];
  recentMix: number;
  recentMixCurve: { mix: number; ndcg10: number }[];
  topicSource: TopicSource;
  gateTau: number | null;
  topicCurve: { source: TopicSource; strength: PooledVariant; tau: number | null; ndcg10: number }[];
  strength: PooledVariant;
  forecastError: ForecastErrorRow[];
}

/** The blend as the report and the checkpoint manifest record it. */
export function savedBlend(b: ChosenBlend) {
  return {
    mode: b.mode,
    alpha: b.alpha,
    beta: b.beta,
    curve: b.curve,
    without_forecast: b.withoutForecast,
    recent_window: b.recent.window,
    recent_decay: b.recent.decay,
    recent_mix: b.recentMix,
    topic_source: b.topicSource,
    ...(b.topicSource === 'gated' && { gate_tau: b.gateTau }),
    strength: b.strength,
  };
}

/** What the stages of a training run produced that its report keeps. */
export interface RunOutcome {
  header: Pick<RunReport, 'run_id' | 'created_at' | 'config_path' | 'backend'>;
  /** The config as written (the manifest keeps the one as run). */
  config: Config;
  dataset: Pick<Dataset, 'users' | 'items' | 'events' | 'stats' | 'quarantinePath' | 'fingerprint'>;
  split: { summary: SplitSummary; test: readonly Example[] };
  blend: ChosenBlend;
  evaluation: {
    methods: Record<string, MethodResult>;
    forecast: RunReport['forecast'];
    forecastError: ForecastErrorRow[];
  };
  trained: { bestEpoch: number; bestValid: number; history: unknown[] };
  timings: Record<string, number>;
  knn: NonNullable<RunReport['knn']>;
  sequential: SequentialCost[];
  analysis: MethodAnalysis;
  /** The generating truth of a synthetic log, when the config names it. */
  oracle?: Oracle;
  evolution: Pick<RunReport, 'samples' | 'evolution'>;
  validation: Record<string, number>;
  topics: { labels: readonly string[] };
  /** Per-kind and cross-kind tables (items with kinds) and the table by history length. */
  segments?: { kinds?: KindReport; byHistoryLength: HistoryLengthRow[] };
}

/** NDCG@10 and users per planted drift pattern, per method (synthetic logs): where forecasting pays or fails. */
function byPattern(methods: Record<string, MethodResult>, test: readonly Example[], oracle: Oracle) {
  return Object.fromEntries(
    Object.entries(methods)
      .filter(([, r]) => r.rows)
      .map(([name, r]) => [
        name,
        labelSegments(test, r, (ex) => oracle.pattern(ex)).map((s) => ({
          pattern: s.name,
          users: s.users,
          ndcg10: s.metrics['ndcg@10'],
        })),
      ]),
  );
}

/** The run's metrics.json / report.json, fields in the order readers have always seen them. */
export function buildRunReport(o: RunOutcome): RunReport {
  const { dataset, blend, evaluation } = o;
  return {
    ...o.header,
    dataset: {
      users: dataset.users.length,
      items: dataset.items.ids.length,
      events: dataset.events.n,
      stats: dataset.stats,
      quarantine: dataset.quarantinePath,
      fingerprint: dataset.fingerprint,
    },
    split: { ...o.split.summary },
    methods: methodTable(evaluation.methods),
    users_evaluated: Object.fromEntries(Object.entries(evaluation.methods).map(([k, r]) => [k, r.users])),
    blend: {
      ...savedBlend(blend),
      recent_curve: blend.recentCurve,
      recent_mix_curve: blend.recentMixCurve,
      topic_curve: blend.topicCurve,
    },
    forecast: evaluation.forecast,
    training: {
      best_epoch: o.trained.bestEpoch,
      best_valid_ndcg10: o.trained.bestValid,
      history: o.trained.history,
    },
    timings_s: o.timings,
    config: o.config,
    knn: o.knn,
    ...(o.sequential.length ? { sequential: o.sequential } : {}),
    ...o.analysis,
    ...(o.oracle ? { by_pattern: byPattern(evaluation.methods, o.split.test, o.oracle) } : {}),
    ...o.evolution,
    forecast_accuracy: evaluation.forecastError,
    forecast_accuracy_valid: blend.forecastError,
    validation_ndcg10: o.validation,
    forecast_error: topicErrors(evaluation.forecastError, o.topics.labels),
    ...(o.segments?.kinds && { kinds: o.segments.kinds }),
    ...(o.segments && { by_history_length: o.segments.byHistoryLength }),
  };
}
