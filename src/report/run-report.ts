import type { Segment } from '../evaluate/beyond-accuracy.ts';
import type { PairedResult } from '../evaluate/bootstrap.ts';
import type { KindReport } from '../evaluate/by-kind.ts';
import type { ForecastErrorRow } from '../evaluate/forecast-error.ts';
import type { HistoryLengthRow } from '../evaluate/history-length.ts';
import type { MethodResult } from '../evaluate/rank.ts';
import type { PeerCost } from '../sequential/peers.ts';
import type { SampleTrajectory, TopicErrorRow } from './charts.ts';
import type { EvolutionReport } from './evolution.ts';

/**
 * The run report's contract: what metrics.json / report.json and per_user.json hold, and the small
 * functions that turn evaluation results into it. Drawing it is render.ts's job.
 */

export interface PairedComparison extends PairedResult {
  a: string;
  b: string;
  metric: string;
}

/** What a sequential baseline cost and where early stopping left it (the report's training-cost line). */
export type SequentialCost = PeerCost;

/** What metrics.json / report.json hold: enough to compare runs without rerunning anything. */
export interface RunReport {
  run_id: string;
  created_at: string;
  config_path: string;
  backend: string;
  dataset: Record<string, unknown>;
  split: Record<string, unknown>;
  methods: Record<string, Record<string, number>>;
  users_evaluated: Record<string, number>;
  blend: {
    mode?: string;
    alpha: number;
    beta: number;
    curve: { mode?: string; alpha: number; beta: number; ndcg10: number }[];
    without_forecast?: { mode: string; alpha: number; beta: number };
    recent_window?: number;
    recent_decay?: number;
    recent_curve?: { window: number; decay?: number; ndcg10: number }[];
    /** Weight of the last-window shares in the blend's topic shares, and its validation curve. */
    recent_mix?: number;
    recent_mix_curve?: { mix: number; ndcg10: number; gainLo?: number }[];
    topic_source?: string;
    gate_tau?: number | null;
    topic_curve?: {
      source: string;
      strength?: number | string | null;
      tau?: number | null;
      ndcg10: number;
    }[];
    strength?: number | string | null;
  };
  forecast: { fitted: number; fellBack: number };
  training: { best_epoch: number; best_valid_ndcg10: number; history: unknown[] };
  timings_s: Record<string, number>;
  /** The resolved config the run used. */
  config?: unknown;
  /** Bootstrap intervals of every method's metrics: method → metric → [lo, hi]. */
  intervals?: Record<string, Record<string, { lo: number; hi: number }>>;
  bootstrap?: { samples: number; seed: number; level: number };
  /** Paired tests, e.g. the blend against the best baseline. */
  paired?: PairedComparison[];
  /** The best baseline that ran (the blend's and the oracle's paired rival). */
  best_baseline?: string;
  /** Coverage, novelty, intra-list diversity per method. */
  beyond?: Record<string, Record<string, number>>;
  /** Metrics by user-activity tercile per method. */
  segments?: Record<string, Segment[]>;
  /** Chosen neighbour count of the item-kNN baseline and its validation curve. */
  knn?: { neighbours: number; curve: { neighbours: number; ndcg10: number }[] };
  /** Synthetic logs: NDCG@10 per planted drift pattern, per method. */
  by_pattern?: Record<string, { pattern: string; users: number; ndcg10: number }[]>;
  /** Training cost of the id-based sequential baselines (evaluate.sequential). */
  sequential?: SequentialCost[];
  /** Forecast error per topic (another stage produces it). */
  forecast_error?: { metric: string; rows: TopicErrorRow[] };
  /** Validation NDCG@10 of the model's parts (as selected) and of the popularity baselines. */
  validation_ndcg10?: Record<string, number>;
  /** Overall topic-share forecast error per forecaster (MAE, JSD with CIs, paired Δ to a reference). */
  forecast_accuracy?: ForecastErrorRow[];
  /** The same on the validation windows, where forecaster choices are made. */
  forecast_accuracy_valid?: ForecastErrorRow[];
  /**
   * A few test users' topic-share trajectories with their next-bucket forecasts, the observed next bucket,
   * the generating truth (synthetic data) and their top 10 with why each item is there; chosen by
   * `evolution.rule`.
   */
  samples?: SampleTrajectory[];
  /** Population drift vs forecast movement, metrics by recent-drift tercile, the sample users' rule. */
  evolution?: EvolutionReport;
  /** Items with kinds: every method per target kind (candidates of that kind only) and history kind → target kind. */
  kinds?: KindReport;
  /** Every method by the test users' history length in buckets (0, 1–2, 3–5, 6+). */
  by_history_length?: HistoryLengthRow[];
}

/**
 * The report's per-topic forecast-error input from forecast-error.ts's table (one row per forecaster with
 * its MAE per topic), labelled with the topic names.
 */
export function topicErrors(
  table: readonly { forecaster: string; maeByTopic: readonly number[] }[],
  labels: readonly string[],
): NonNullable<RunReport['forecast_error']> {
  for (const t of table)
    if (t.maeByTopic.length !== labels.length)
      throw new Error(
        `report: ${t.forecaster} has ${t.maeByTopic.length} topic errors, expected ${labels.length}`,
      );
  return {
    metric: 'MAE',
    rows: table.flatMap((t) =>
      labels.map((topic, c) => ({ topic, model: t.forecaster, value: t.maeByTopic[c] })),
    ),
  };
}

/** method → metric → value: the test table the report, the manifest and a sweep keep. */
export function methodTable(methods: Record<string, MethodResult>): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(methods).map(([name, r]) => [name, r.metrics]));
}

/**
 * Each evaluated test user's value of one metric per method (same users, same order for every method), so
 * runs can be compared user by user (paired) or on a subset without rerunning anything.
 */
export interface PerUserReport {
  metric: string;
  users: string[];
  /** Each user's test cutoff (unix seconds). */
  cutoffs: number[];
  methods: Record<string, number[]>;
}

export function perUserReport(
  methods: Record<string, MethodResult>,
  examples: readonly { user: number; cutoff: number }[],
  userIds: readonly string[],
  metric: string,
): PerUserReport {
  const rows = Object.values(methods)[0]?.rows ?? new Int32Array(0);
  return {
    metric,
    users: Array.from(rows, (r) => userIds[examples[r].user]),
    cutoffs: Array.from(rows, (r) => examples[r].cutoff),
    methods: Object.fromEntries(
      Object.entries(methods).map(([name, m]) => [name, Array.from(m.perUser[metric])]),
    ),
  };
}
