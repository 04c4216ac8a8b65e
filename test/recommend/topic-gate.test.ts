import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { forecastExamples, perSeries, pooledForecaster } from '../../src/forecast/examples.ts';
import { fitPooledForecaster, fitPooledWithNet } from '../../src/forecast/from-config.ts';
import type { ForecasterSource } from '../../src/forecast/many.ts';
import { netFold } from '../../src/forecast/pooled-net.ts';
import { createForecaster } from '../../src/forecast/registry.ts';
import { evaluateCheckpoint } from '../../src/pipeline/evaluate-checkpoint.ts';
import {
  backtestErrors,
  backtestPoints,
  forecastWithBacktestMany,
  GATE_TAUS,
  gateWeights,
} from '../../src/recommend/topic-gate.ts';
import { synthLog, synthStore } from '../evaluate/synth-log.ts';
import { expectServedAlike } from '../helpers/served-alike.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { reportJson, trainTiny } from '../helpers/train-tiny.ts';

describe('the per-user gate between the forecaster and the LSTM head', () => {
  it('averages each forecast’s total-variation error over the backtest points of each example', () => {
    // k = 2; example 0 has two points, example 1 none, example 2 one.
    const owner = Int32Array.from([0, 0, 2]);
    const actual = Float32Array.from([1, 0, 0, 1, 0.5, 0.5]);
    const forecaster = Float32Array.from([1, 0, 0.5, 0.5, 0.5, 0.5]);
    const head = Float32Array.from([0, 1, 0, 1, 1, 0]);
    const e = backtestErrors(owner, 3, { actual, forecaster, head }, 2);
    expect(Array.from(e.forecaster)).toEqual([0.25, Number.NaN, 0]);
    expect(Array.from(e.head)).toEqual([0.5, Number.NaN, 0.5]);
  });

  it('forecasts examples and their backtest points in one pass with the numbers of separate passes', async () => {
    const synth = synthLog();
    const { split } = synth;
    const store = synthStore(synth);
    const pooled = fitPooledForecaster({ model: 'pooled' }, store, split.train);
    const forecasters = [
      pooledForecaster(pooled, null),
      pooledForecaster(pooled, 16),
      perSeries(await createForecaster({ model: 'ses' })),
    ];
    const bt = backtestPoints(store, split.valid);
    expect(bt.points.length).toBeGreaterThan(split.valid.length);
    // A point's history is the first `length` buckets of its example's.
    bt.points.forEach((p, i) => {
      const ex = split.valid[bt.owner[i]];
      expect(store.topicSeries(p.user, p.end)).toEqual(
        store.topicSeries(ex.user, ex.end).map((s) => s.slice(0, bt.lengths[i])),
      );
    });
    const sources: ForecasterSource[] = [
      { pooled, strength: null },
      { pooled, strength: 16 },
      { spec: { model: 'ses' } },
    ];
    // Enough jobs for two threads (forecastJobs runs fewer than 2 × 64 in-process).
    expect(split.valid.length * sources.length).toBeGreaterThan(2 * 64);
    for (const horizon of [1, 2]) {
      // The same forecasters restored on worker threads, all at once: each one's numbers alone, bit for bit.
      const threaded = await forecastWithBacktestMany(sources, store, split.valid, bt, horizon, 'test');
      forecasters.forEach((f, i) => {
        expect(threaded[i].forecasts).toEqual(forecastExamples(f, store, split.valid, horizon, 'test'));
        expect(threaded[i].backtest).toEqual(forecastExamples(f, store, bt.points, 1, 'test').shares);
      });
    }
    for (const f of forecasters) f.dispose();
  });

  it('forecasts a cross-fitted candidate with the network of each example’s fold, on threads as in-process', async () => {
    const synth = synthLog();
    const { split } = synth;
    const store = synthStore(synth);
    const { pooled, validNets } = await fitPooledWithNet({ model: 'pooled' }, store, split, {
      seed: 1,
      net: true,
    });
    const nets = validNets ?? [];
    const folds = nets.map((net) => ({ pooled: { ...pooled, net }, strength: 'net' as const }));
    const byFold = folds.map((f) => pooledForecaster(f.pooled, 'net'));
    const bt = backtestPoints(store, split.valid);
    // Enough jobs for two threads (forecastJobs runs fewer than 2 × 64 in-process).
    expect(split.valid.length * 2).toBeGreaterThan(2 * 64);
    const [routed, ridge] = await forecastWithBacktestMany(
      [
        { folds, foldOf: netFold },
        { pooled, strength: null },
      ],
      store,
      split.valid,
      bt,
      1,
      'test',
    );
    expect(routed.forecasts).toEqual(
      forecastExamples((ex) => byFold[netFold(ex)], store, split.valid, 1, 'test'),
    );
    // A backtest point is forecast by its example's fold network; the candidate after it is unaffected.
    const owners = Array.from(bt.owner, (r) => split.valid[r]);
    expect(routed.backtest).toEqual(
      forecastExamples(
        (p) => byFold[netFold(owners[bt.points.indexOf(p as (typeof bt.points)[number])])],
        store,
        bt.points,
        1,
        'test',
      ).shares,
    );
    expect(ridge.forecasts).toEqual(
      forecastExamples(pooledForecaster(pooled, null), store, split.valid, 1, 'test'),
    );
    // The two folds' networks differ, so the routing is seen.
    expect(nets[0].w1).not.toEqual(nets[1].w1);
  });

  it('weights the forecast that erred less, more so at a lower temperature, and halves without a backtest', () => {
    const e = {
      forecaster: Float32Array.from([0.1, 0.3, 0.2, Number.NaN]),
      head: Float32Array.from([0.2, 0.2, 0.2, 0.1]),
    };
    const soft = gateWeights(e, 0.05);
    const sharp = gateWeights(e, 0.01);
    expect(soft[0]).toBeGreaterThan(0.5);
    expect(soft[1]).toBeLessThan(0.5);
    expect(soft[2]).toBe(0.5);
    expect(soft[3]).toBe(0.5);
    expect(sharp[0]).toBeGreaterThan(soft[0]);
    expect(sharp[1]).toBeLessThan(soft[1]);
  });

  it('is chosen with its temperature on validation, exported, replayed by evaluate and served alike', async () => {
    const project = tinyProject('', { patterns: ['cycle', 'trend'] });
    editConfig(
      project.config,
      'blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.2] }',
      'blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.2], topic_source: gated }',
    );
    const run = await trainTiny(project, 'tiny-gated');
    const report = reportJson(run, 'metrics.json');
    const curve = report.blend.topic_curve as { source: string; tau: number | null; ndcg10: number }[];
    expect(curve.map((p) => p.tau)).toEqual([...GATE_TAUS]);
    const best = curve.reduce((b, p) => (p.ndcg10 > b.ndcg10 ? p : b));
    const ck = await loadCheckpoint(run.checkpointDir);
    expect(ck.manifest.blend.topic_source).toBe('gated');
    expect(ck.manifest.blend.gate_tau).toBe(best.tau);
    // Evaluating the checkpoint recomputes the gate on the test examples and lands on the run's metrics.
    const ev = await evaluateCheckpoint(run.checkpointDir, { log: () => {} });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
    // Serving backtests a history's own buckets: a stored user's events give the exported shares.
    await expectServedAlike(project.config, ck, [0, 11, 40]);
  });
});
