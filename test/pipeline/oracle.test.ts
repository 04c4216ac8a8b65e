import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { runTraining } from '../../src/pipeline/train.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

describe('a run on a synthetic log with its truth', () => {
  it('ranks with the planted shares (oracle), scores forecasts against them and splits NDCG by drift pattern', async () => {
    const project = tinyProject('', { patterns: ['trend', 'cycle', 'switch'] });
    const text = readFileSync(project.config, 'utf8').replace(
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, truth: data/truth.json }',
    );
    writeFileSync(project.config, text);
    const run = await runTraining(loadConfig(project.config), { runId: 'tiny-oracle', log: () => {} });
    const report = JSON.parse(readFileSync(join(run.reportDir, 'metrics.json'), 'utf8'));
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
  });
});
