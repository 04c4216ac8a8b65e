import {
  buildTimeline,
  CountClock,
  knownCounts,
  mostPopular,
  recentPopular,
} from '../../src/evaluate/baselines.ts';
import { buildKnnSnapshots, chooseKnnNeighbours, itemKnnScorer } from '../../src/evaluate/knn.ts';
import { lastBucket, profileScorer } from '../../src/evaluate/profile.ts';
import { evaluateScorer, type MethodResult } from '../../src/evaluate/rank.ts';
import { analyseMethods } from '../../src/evaluate/summary.ts';
import { FeatureStore } from '../../src/features/sequence.ts';
import { sesLevel } from '../../src/forecast/simple.ts';
import { interestEvolution } from '../../src/pipeline/evolution.ts';
import { methodTable, type RunReport } from '../../src/report/run-report.ts';
import { synthLog } from '../evaluate/synth-log.ts';

/**
 * A run report from real evaluations on the synthetic log: the last-bucket profile stands in for the blend;
 * training history and the α×β surface are given as inputs (the report only draws them).
 */
export async function syntheticRunReport(): Promise<RunReport> {
  const { log, nItems, itemVectors, topics, split } = synthLog();
  const store = new FeatureStore({
    ...log,
    itemVectors,
    dim: topics,
    itemShares: itemVectors,
    k: topics,
    buckets: { events: 5 },
  });
  const test = split.test;
  const labels = ['alpha', 'beta', 'gamma', 'delta'];
  const counts = knownCounts(log, test, nItems, Infinity);
  const knnChoice = await chooseKnnNeighbours(log, split.valid, [5, 20], { nItems, excludeSeen: true });
  const knn = buildKnnSnapshots(log, test, nItems, knnChoice.neighbours);
  const opts = { nItems, ks: [5, 10], excludeSeen: true, keepLists: true };
  const scorers = {
    blend: profileScorer(
      log,
      itemVectors,
      topics,
      lastBucket((u, e) => store.bucketsBefore(u, e)),
    ),
    item_knn: itemKnnScorer(log, knn, knnChoice.neighbours),
    most_popular: mostPopular(CountClock.of(log, nItems)),
    recent_popular: recentPopular(buildTimeline(log), nItems, 30 * 86_400),
  };
  const methods: Record<string, MethodResult> = {};
  for (const [name, s] of Object.entries(scorers)) methods[name] = await evaluateScorer(log, test, s, opts);
  const analysis = analyseMethods(methods, {
    log,
    examples: test,
    nItems,
    ks: [5, 10],
    counts,
    itemVectors,
    dim: topics,
    samples: 300,
    seed: 1,
    baselines: ['item_knn', 'most_popular', 'recent_popular'],
  });
  // Next-bucket forecasts for the evolution section: exponential smoothing and "no change" per topic.
  const forecast = (f: (s: number[]) => number) => {
    const out = new Float32Array(test.length * topics);
    test.forEach((ex, r) => {
      store.topicSeries(ex.user, ex.end).forEach((s, c) => {
        out[r * topics + c] = s.length ? f(s) : 1 / topics;
      });
    });
    return out;
  };
  const { samples, evolution } = await interestEvolution({
    examples: test,
    methods,
    store,
    labels,
    forecasts: [
      { model: 'ses', shares: forecast((s) => sesLevel(s, 0.3)) },
      { model: 'naive', shares: forecast((s) => s[s.length - 1]) },
    ],
    itemNames: Array.from({ length: nItems }, (_, i) => `item ${i + 1}`),
    metric: 'ndcg@10',
    reference: 'item_knn',
  });
  return {
    run_id: 'synthetic-run',
    created_at: '2024-01-01T00:00:00.000Z',
    config_path: 'configs/synthetic.yaml',
    backend: 'cpu',
    dataset: {
      users: log.userOffsets.length - 1,
      items: nItems,
      events: log.item.length,
      fingerprint: 'abc123',
    },
    split: { ...split.summary },
    methods: methodTable(methods),
    users_evaluated: Object.fromEntries(Object.entries(methods).map(([k, r]) => [k, r.users])),
    blend: {
      alpha: 0.5,
      beta: 0.1,
      curve: [0, 0.5, 1].flatMap((alpha) =>
        [0, 0.1].map((beta) => ({ alpha, beta, ndcg10: 0.1 + alpha * 0.05 + beta })),
      ),
    },
    forecast: { fitted: 10, fellBack: 2 },
    training: {
      best_epoch: 2,
      best_valid_ndcg10: 0.2,
      history: [1, 2, 3].map((epoch) => ({
        epoch,
        loss: 3 / epoch,
        valid: 0.1 * epoch,
        seconds: 1,
        samplesPerSec: 100,
      })),
    },
    timings_s: { data: 0.1, total: 1 },
    config: { buckets: { events: 5 } },
    ...analysis,
    knn: knnChoice,
    forecast_error: {
      metric: 'MAE',
      rows: labels.flatMap((topic, i) => [
        { topic, model: 'arima', value: 0.05 + 0.01 * i },
        { topic, model: 'lstm', value: 0.04 + 0.012 * i },
      ]),
    },
    samples,
    evolution,
  };
}

/** A method's result over given per-user NDCG@10 values, evaluated on rows 2 and 0 of three test examples. */
export const methodOnRows20 = (ndcg: number[]): MethodResult => ({
  metrics: { 'ndcg@10': ndcg.reduce((a, b) => a + b) / ndcg.length },
  perUser: { 'ndcg@10': Float64Array.from(ndcg) },
  users: ndcg.length,
  skipped: 0,
  rows: Int32Array.from([2, 0]),
});
