import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Recency } from '../../src/features/sequence.ts';
import { STRENGTH_GRID } from '../../src/forecast/from-config.ts';
import { chooseMix, type MixPoint, RECENCIES, RECENT_MIXES } from '../../src/pipeline/evaluate.ts';
import { evaluateCheckpoint } from '../../src/pipeline/evaluate-checkpoint.ts';
import { expectServedAlike } from '../helpers/served-alike.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { reportJson, trainTiny } from '../helpers/train-tiny.ts';

describe('a run on a synthetic log with its truth', () => {
  it('ranks with the planted shares (oracle), scores forecasts against them and splits NDCG by drift pattern', async () => {
    const project = tinyProject('', { patterns: ['trend', 'cycle', 'switch'] });
    editConfig(
      project.config,
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, truth: data/truth.json }',
    );
    const run = await trainTiny(project, 'tiny-oracle');
    const report = reportJson(run, 'metrics.json');
    // The generating shares rank far above popularity alone.
    expect(run.metrics.oracle['ndcg@10']).toBeGreaterThan(run.metrics.most_popular['ndcg@10']);
    expect(report.forecast_accuracy.map((r: { forecaster: string }) => r.forecaster)).toContain(
      'mean vs truth',
    );
    // Every evaluated user falls in exactly one planted pattern, for every method.
    const patterns = report.by_pattern.blend as { pattern: string; users: number; ndcg10: number }[];
    expect(patterns.map((p) => p.pattern)).toEqual(['cycle', 'switch', 'trend']);
    expect(patterns.reduce((a, p) => a + p.users, 0)).toBe(report.users_evaluated.blend);
    const weighted = patterns.reduce((a, p) => a + p.users * p.ndcg10, 0) / report.users_evaluated.blend;
    expect(weighted).toBeCloseTo(run.metrics.blend['ndcg@10'], 10);
    expect(readFileSync(join(run.reportDir, 'report.md'), 'utf8')).toMatch(/by planted drift pattern/);
    // The last-window weight: on these few validation users no gain's interval clears 0, so none.
    const mixes = report.blend.recent_mix_curve as MixPoint[];
    expect(mixes.map((p) => p.mix)).toEqual([...RECENT_MIXES]);
    expect(Math.max(...mixes.map((p) => p.ndcg10))).toBeGreaterThan(mixes[0].ndcg10);
    expect(mixes.every((p) => p.gainLo <= 0)).toBe(true);
    expect(report.blend.recent_mix).toBe(0);
    // The recent profile: every window and decay tried, the best on validation taken.
    const recents = report.blend.recent_curve as (Recency & { ndcg10: number })[];
    expect(recents.map(({ window, decay }) => ({ window, decay }))).toEqual([...RECENCIES]);
    const top = recents.reduce((b, p) => (p.ndcg10 > b.ndcg10 ? p : b));
    expect([report.blend.recent_window, report.blend.recent_decay]).toEqual([top.window, top.decay]);
  });

  it('chooses the pooled refit strength or network on validation and runs the test and the checkpoint with it', async () => {
    const project = tinyProject('', { patterns: ['cycle'] });
    editConfig(
      project.config,
      'forecast: { model: arima, order: [1, 1, 1], fallback: ses, horizon: 1 }',
      'forecast: { model: pooled }',
    );
    editConfig(project.config, 'min_history_buckets: 2 }', 'min_history_buckets: 2, validation: users }');
    const run = await trainTiny(project, 'tiny-strength');
    const report = reportJson(run, 'metrics.json');
    const curve = report.blend.topic_curve as { source: string; strength: number | null; ndcg10: number }[];
    // Every strength and the network (held-out validation users) were tried for the forecaster; the head
    // once (it does not depend on the strength).
    expect(curve.filter((p) => p.source === 'forecaster').map((p) => p.strength)).toEqual([...STRENGTH_GRID]);
    expect(curve.filter((p) => p.source === 'lstm-head')).toHaveLength(1);
    const best = Math.max(...curve.map((p) => p.ndcg10));
    const chosen = curve.find((p) => p.ndcg10 === best);
    expect(report.blend.strength).toBe(chosen?.strength);
    // Then the weight of the last-window shares in those shares: 0 is the chosen source alone.
    const mixes = report.blend.recent_mix_curve as MixPoint[];
    expect(mixes[0]).toEqual({ mix: 0, ndcg10: best, gainLo: 0 });
    expect(report.blend.recent_mix).toBe(chooseMix(mixes).mix);
    expect(report.config.forecast.strength).toBe('auto');
    const manifest = JSON.parse(readFileSync(join(run.checkpointDir, 'manifest.json'), 'utf8'));
    expect(manifest.config.forecast.strength).toBe(report.blend.strength);
    expect(manifest.blend.strength).toBe(report.blend.strength);
    expect(manifest.blend.recent_mix).toBe(report.blend.recent_mix);
    expect([manifest.blend.recent_window, manifest.blend.recent_decay]).toEqual([
      report.blend.recent_window,
      report.blend.recent_decay,
    ]);
    // Re-evaluating under the config as written (strength: auto) replays the checkpoint's choice.
    const ev = await evaluateCheckpoint(run.checkpointDir, {
      config: loadConfig(project.config),
      log: () => {},
    });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
  });

  it('forecasts with the pooled network when told (strength: net): exported, replayed and served alike', async () => {
    const project = tinyProject('', { patterns: ['cycle', 'switch'] });
    editConfig(
      project.config,
      'forecast: { model: arima, order: [1, 1, 1], fallback: ses, horizon: 1 }',
      'forecast: { model: pooled, strength: net }',
    );
    const run = await trainTiny(project, 'tiny-net');
    const report = reportJson(run, 'metrics.json');
    expect(report.blend.strength).toBe('net');
    const ck = await loadCheckpoint(run.checkpointDir);
    expect(ck.manifest.blend.strength).toBe('net');
    expect((ck.manifest.config as { forecast: unknown }).forecast).toMatchObject({
      model: 'pooled',
      strength: 'net',
    });
    // The test network: fitted on every training example and every validation target.
    const { examples } = reportJson(run, 'report.json').split;
    expect(ck.manifest.forecaster?.examples).toBe(examples.train);
    expect(ck.manifest.forecaster?.net?.examples).toBe(examples.train + examples.valid);
    const ev = await evaluateCheckpoint(run.checkpointDir, { log: () => {} });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
    // Serving a stored user's own events forecasts with the same network: the exported shares.
    await expectServedAlike(project.config, ck, [0, 17, 42], { items: false });
  });

  it('a fixed last-window weight (blend.recent_mix) is used as given, and evaluate --checkpoint replays it (validation on held-out users)', async () => {
    const project = tinyProject('', { patterns: ['trend', 'switch'] });
    editConfig(
      project.config,
      'blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.2] }',
      'blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.2], recent_mix: 0.5 }',
    );
    editConfig(project.config, 'min_history_buckets: 2 }', 'min_history_buckets: 2, validation: users }');
    const run = await trainTiny(project, 'tiny-mix');
    const report = reportJson(run, 'metrics.json');
    // 60 users, each evaluated once: half for validation, half for test.
    expect(reportJson(run, 'report.json').split).toMatchObject({
      validation: 'users',
      evalUsers: { valid: 30, test: 30 },
    });
    expect(report.blend.recent_mix).toBe(0.5);
    expect(report.blend.recent_mix_curve).toEqual([]);
    // The topic half alone differs from the forecaster alone: the last window is in its shares.
    expect(run.metrics.topic_blend_half['ndcg@10']).not.toBe(run.metrics.topic_forecast['ndcg@10']);
    const manifest = JSON.parse(readFileSync(join(run.checkpointDir, 'manifest.json'), 'utf8'));
    expect(manifest.blend.recent_mix).toBe(0.5);
    const ev = await evaluateCheckpoint(run.checkpointDir, {
      config: loadConfig(project.config),
      log: () => {},
    });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
    expect(ev.metrics.topic_blend_half['ndcg@10']).toBeCloseTo(run.metrics.topic_blend_half['ndcg@10'], 12);
  });
});
