import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { errorSample } from '../../src/pipeline/reference-forecasts.ts';
import { runTraining } from '../../src/pipeline/train.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';

describe('errorSample: the windows the forecast-error tables score', () => {
  it('takes every window up to the cap, else a seeded sample of distinct sorted indices', () => {
    expect(errorSample(5, 5, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(errorSample(5, null, 1)).toEqual([0, 1, 2, 3, 4]);
    const s = errorSample(1000, 50, 7);
    expect(s).toHaveLength(50);
    expect(new Set(s).size).toBe(50);
    expect([...s].sort((a, b) => a - b)).toEqual(s);
    expect(s.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(errorSample(1000, 50, 7)).toEqual(s);
    expect(errorSample(1000, 50, 8)).not.toEqual(s);
  });
});

describe('forecast_error_users', () => {
  it('scores the error tables on the sample and leaves every ranking as it was', async () => {
    const runWith = async (cap: string, id: string) => {
      const project = tinyProject();
      editConfig(
        project.config,
        'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
        `evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, truth: data/truth.json, forecast_error_users: ${cap} }`,
      );
      const run = await runTraining(loadConfig(project.config), { runId: id, log: () => {} });
      return { run, report: JSON.parse(readFileSync(join(run.reportDir, 'metrics.json'), 'utf8')) };
    };
    const all = await runWith('null', 'tiny-all');
    const few = await runWith('9', 'tiny-few');
    type Row = { forecaster: string; rows: number; of?: number };
    // Every test window (also those no ranking metric counts, e.g. a target of only seen items).
    const tested = (all.report.forecast_accuracy as Row[])[0].rows;
    expect(tested).toBeGreaterThanOrEqual(all.report.users_evaluated.blend);
    expect(tested).toBeGreaterThan(9);
    for (const r of all.report.forecast_accuracy as Row[]) {
      expect(r.rows).toBe(tested);
      expect(r.of).toBeUndefined();
    }
    const sampled = few.report.forecast_accuracy as Row[];
    // Every forecaster, against the observed and the generating shares, on the same 9 windows.
    expect(sampled.map((r) => r.forecaster)).toEqual(
      (all.report.forecast_accuracy as Row[]).map((r) => r.forecaster),
    );
    for (const r of sampled) expect([r.rows, r.of]).toEqual([9, tested]);
    expect(readFileSync(join(few.run.reportDir, 'report.md'), 'utf8')).toMatch(`| 9 of ${tested} |`);
    expect(few.run.metrics).toEqual(all.run.metrics);
  });
});
