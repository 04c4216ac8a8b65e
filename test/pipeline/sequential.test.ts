import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { runTraining } from '../../src/pipeline/train.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

describe('sequential baselines in the pipeline', () => {
  it('evaluate.sequential trains GRU4Rec on the same split and reports it beside the model, in the paired test', async () => {
    const project = tinyProject();
    const text = readFileSync(project.config, 'utf8').replace(
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, sequential: [{ kind: gru4rec, epochs: 2, dim: 16 }] }',
    );
    writeFileSync(project.config, text);
    const run = await runTraining(loadConfig(project.config), { runId: 'tiny-seq', log: () => {} });
    expect(run.metrics.gru4rec['ndcg@10']).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(run.reportDir, 'metrics.json'), 'utf8'));
    expect(report.users_evaluated.gru4rec).toBe(report.users_evaluated.blend);
    expect(report.intervals.gru4rec['ndcg@10'].hi).toBeGreaterThanOrEqual(run.metrics.gru4rec['ndcg@10']);
  });

  it('a bad sequential entry is a config error naming the key', () => {
    const project = tinyProject();
    const text = readFileSync(project.config, 'utf8').replace(
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, sequential: [{ kind: bert4rec }] }',
    );
    writeFileSync(project.config, text);
    expect(() => loadConfig(project.config)).toThrow(/evaluate\.sequential/);
  });
});
