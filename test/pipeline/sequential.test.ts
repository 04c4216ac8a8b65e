import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { reportJson, trainTiny } from '../helpers/train-tiny.ts';

describe('sequential baselines in the pipeline', () => {
  it('evaluate.sequential trains GRU4Rec on the same split and reports it beside the model, in the paired test', async () => {
    const project = tinyProject();
    editConfig(
      project.config,
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, sequential: [{ kind: gru4rec, epochs: 2, dim: 16 }] }',
    );
    const run = await trainTiny(project, 'tiny-seq');
    expect(run.metrics.gru4rec['ndcg@10']).toBeGreaterThan(0);
    const report = reportJson(run, 'metrics.json');
    expect(report.users_evaluated.gru4rec).toBe(report.users_evaluated.blend);
    expect(report.intervals.gru4rec['ndcg@10'].hi).toBeGreaterThanOrEqual(run.metrics.gru4rec['ndcg@10']);
    // The blend is tested against the peer whether or not the peer is the best baseline, and only once.
    const vsPeer = (report.paired as { a: string; b: string }[]).filter(
      (p) => p.a === 'blend' && p.b === 'gru4rec',
    );
    expect(vsPeer).toHaveLength(1);
    // Its training cost and early-stopping point are reported, and its validation score sits with the others'.
    const [cost] = report.sequential;
    expect(cost.kind).toBe('gru4rec');
    expect(cost.epochs).toBeGreaterThanOrEqual(1);
    expect(cost.epochs).toBeLessThanOrEqual(2);
    expect(cost.seconds).toBeGreaterThan(0);
    expect(report.validation_ndcg10.gru4rec).toBe(cost.best_valid_ndcg10);
    expect(readFileSync(join(run.reportDir, 'report.md'), 'utf8')).toMatch(/gru4rec \d+ epochs in \d+ s/);
  });

  it("split.protocol leave-one-out trains and tests on each user's last event, with RecBole's Pop beside the clock", async () => {
    const project = tinyProject();
    const text = readFileSync(project.config, 'utf8')
      .replace(/split: \{[^}]*\}/, 'split: { protocol: leave-one-out }')
      .replace('exclude_seen: true', 'exclude_seen: false');
    writeFileSync(project.config, text);
    const run = await trainTiny(project, 'tiny-loo');
    const report = reportJson(run, 'metrics.json');
    expect(report.split.protocol).toBe('leave-one-out');
    expect(report.split.examples.test).toBe(60);
    expect(report.users_evaluated.blend).toBe(60);
    expect(report.methods.most_popular_train['ndcg@10']).toBeGreaterThanOrEqual(0);
    expect(report.methods.most_popular['ndcg@10']).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(run.reportDir, 'report.md'), 'utf8')).toMatch(/seen items kept .* \(unmasked\)/);
  });

  it('a bad sequential entry is a config error naming the key', () => {
    const project = tinyProject();
    editConfig(
      project.config,
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d, sequential: [{ kind: bert4rec }] }',
    );
    expect(() => loadConfig(project.config)).toThrow(/evaluate\.sequential/);
  });
});
