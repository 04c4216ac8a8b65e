import { describe, expect, it } from 'vitest';
import type { Example } from '../../src/data/split.ts';
import type { Oracle } from '../../src/data/truth.ts';
import type { ForecastErrorRow } from '../../src/evaluate/forecast-error.ts';
import { buildRunReport, type ChosenBlend, type RunOutcome, savedBlend } from '../../src/report/from-run.ts';
import { methodOnRows20 } from './run-fixture.ts';

const est = { value: 0.1, lo: 0.05, hi: 0.15 };
const errorRow = (forecaster: string, maeByTopic: number[]): ForecastErrorRow => ({
  forecaster,
  rows: 3,
  mae: est,
  jsd: est,
  maeByTopic,
  jsdByTopic: maeByTopic,
});

const blend: ChosenBlend = {
  mode: 'log-linear',
  alpha: 0.5,
  beta: 0.2,
  curve: [{ mode: 'log-linear', alpha: 0.5, beta: 0.2, ndcg10: 0.3 }],
  withoutForecast: { mode: 'log-linear', alpha: 1, beta: 0.2 },
  recent: { window: 1, decay: 0.2 },
  recentCurve: [
    { window: 0.2, decay: 0, ndcg10: 0.24 },
    { window: 1, decay: 0.2, ndcg10: 0.25 },
  ],
  recentMix: 0.5,
  recentMixCurve: [
    { mix: 0, ndcg10: 0.2 },
    { mix: 0.5, ndcg10: 0.26 },
  ],
  topicSource: 'forecaster',
  gateTau: null,
  topicCurve: [{ source: 'forecaster', strength: 4, tau: null, ndcg10: 0.2 }],
  strength: 4,
  forecastError: [errorRow('pooled', [0.2, 0.4])],
};

// Three test examples; the method evaluated rows 2 and 0 (users c and a).
const test = [0, 1, 2].map((user) => ({ user, end: 1, targetEnd: 2, cutoff: 100 * user })) as Example[];
const method = methodOnRows20;

function outcome(extra: Partial<RunOutcome> = {}): RunOutcome {
  return {
    header: { run_id: 'r', created_at: '2026-01-01T00:00:00.000Z', config_path: 'c.yaml', backend: 'cpu' },
    config: { run: { name: 'r' } } as RunOutcome['config'],
    dataset: {
      users: ['a', 'b', 'c'],
      items: { ids: ['x', 'y'], titles: ['X', 'Y'], texts: [], categories: [] } as never,
      events: { n: 6 } as never,
      stats: { read: 6 } as never,
      quarantinePath: null,
      fingerprint: 'f',
    },
    split: { summary: { protocol: 'per-user', users: 3, evalUsers: { valid: 3, test: 2 } } as never, test },
    blend,
    evaluation: {
      methods: { blend: method([0.5, 1]), lstm: method([0, 0.5]) },
      forecast: { fitted: 5, fellBack: 1 },
      forecastError: [errorRow('pooled', [0.1, 0.3])],
    },
    trained: { bestEpoch: 2, bestValid: 0.3, history: [{ epoch: 1 }] },
    timings: { data: 1, total: 2 },
    knn: { neighbours: 50, curve: [{ neighbours: 50, ndcg10: 0.2 }] },
    sequential: [],
    analysis: {
      intervals: {},
      bootstrap: { samples: 10, seed: 1, level: 0.95 },
      paired: [],
      beyond: {},
      segments: {},
    },
    evolution: {},
    validation: { blend: 0.3 },
    topics: { labels: ['Drama', 'Comedy'] },
    ...extra,
  };
}

describe('run report from a training run', () => {
  it('savedBlend: the chosen blend as the manifest and the report record it', () => {
    expect(savedBlend(blend)).toEqual({
      mode: 'log-linear',
      alpha: 0.5,
      beta: 0.2,
      curve: blend.curve,
      without_forecast: blend.withoutForecast,
      recent_window: 1,
      recent_decay: 0.2,
      recent_mix: 0.5,
      topic_source: 'forecaster',
      strength: 4,
    });
  });

  it('buildRunReport: header first, dataset counts, the method table, both forecast-error tables, per-topic MAE', () => {
    const r = buildRunReport(outcome());
    expect(Object.keys(r).slice(0, 4)).toEqual(['run_id', 'created_at', 'config_path', 'backend']);
    expect(r.dataset).toEqual({
      users: 3,
      items: 2,
      events: 6,
      stats: { read: 6 },
      quarantine: null,
      fingerprint: 'f',
    });
    expect(r.methods).toEqual({ blend: { 'ndcg@10': 0.75 }, lstm: { 'ndcg@10': 0.25 } });
    expect(r.users_evaluated).toEqual({ blend: 2, lstm: 2 });
    expect(r.blend).toEqual({
      ...savedBlend(blend),
      recent_curve: blend.recentCurve,
      recent_mix_curve: blend.recentMixCurve,
      topic_curve: blend.topicCurve,
    });
    expect(r.training).toEqual({ best_epoch: 2, best_valid_ndcg10: 0.3, history: [{ epoch: 1 }] });
    expect(r.forecast_accuracy?.[0].maeByTopic).toEqual([0.1, 0.3]);
    expect(r.forecast_accuracy_valid?.[0].maeByTopic).toEqual([0.2, 0.4]);
    expect(r.forecast_error?.rows).toEqual([
      { topic: 'Drama', model: 'pooled', value: 0.1 },
      { topic: 'Comedy', model: 'pooled', value: 0.3 },
    ]);
    expect(r).not.toHaveProperty('sequential');
    expect(r).not.toHaveProperty('by_pattern');
  });

  it('buildRunReport: the sequential peers’ cost when any ran; NDCG@10 per planted pattern with an oracle', () => {
    const cost = { kind: 'gru4rec', epochs: 3, best_epoch: 2, best_valid_ndcg10: 0.2, seconds: 1 };
    const oracle = { pattern: (ex: Example) => (ex.user === 0 ? 'trend' : 'cycle') } as Oracle;
    const r = buildRunReport(outcome({ sequential: [cost], oracle }));
    expect(r.sequential).toEqual([cost]);
    // blend: user c (row 2, cycle) 0.5, user a (row 0, trend) 1.
    expect(r.by_pattern?.blend).toEqual([
      { pattern: 'cycle', users: 1, ndcg10: 0.5 },
      { pattern: 'trend', users: 1, ndcg10: 1 },
    ]);
  });
});
