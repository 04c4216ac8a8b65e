import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseSampleUsers } from '../../src/evaluate/drift.ts';
import { distinctLabels } from '../../src/pipeline/evolution.ts';
import { writeReport } from '../../src/report/render.ts';
import type { RunReport } from '../../src/report/run-report.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { reportJson, trainTiny } from '../helpers/train-tiny.ts';

const sum = (v: number[]) => v.reduce((a, x) => a + x, 0);

describe('interest evolution in a run report (synthetic log with its truth)', () => {
  it('shows the users the rule picks, their shares, forecasts, truth and explained top 10; drift; terciles', async () => {
    const project = tinyProject('', { patterns: ['trend', 'cycle', 'switch'] });
    editConfig(
      project.config,
      'evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }',
      // k = 10 first: per_user.json then holds NDCG@10, the metric the rule uses.
      'evaluate: { k: [10, 20], exclude_seen: true, recent_window: 30d, truth: data/truth.json }',
    );
    const run = await trainTiny(project, 'tiny-evolution');
    const report = reportJson(run, 'report.json') as RunReport;
    const perUser = reportJson(run, 'per_user.json') as {
      users: string[];
      methods: Record<string, number[]>;
    };
    const e = report.evolution!;
    const samples = report.samples!;
    expect(e.metric).toBe('ndcg@10');
    expect(e.users).toBe(report.users_evaluated.blend);

    // The users shown are the ones the stated rule picks from the per-user metrics.
    const blend = perUser.methods.blend;
    const delta = blend.map((v, j) => v - perUser.methods.blend_no_forecast[j]);
    const byReason = new Map(samples.map((s) => [s.reason!.split(':')[0], s]));
    expect([...byReason.keys()].slice(0, 3)).toEqual(['median', 'helped most', 'hurt most']);
    const helped = byReason.get('helped most')!;
    const hurt = byReason.get('hurt most')!;
    expect(delta[perUser.users.indexOf(String(helped.user))]).toBe(Math.max(...delta));
    expect(delta[perUser.users.indexOf(String(hurt.user))]).toBe(Math.min(...delta));
    const rule = chooseSampleUsers(delta, new Array(delta.length).fill(0));
    expect(String(byReason.get('median')!.user)).toBe(perUser.users[rule[0].index]);
    expect(new Set(samples.map((s) => s.user)).size).toBe(samples.length);

    for (const s of samples) {
      // Shares sum to 1 in every bucket, forecast, observation and truth; the truth is there (synthetic run).
      for (const v of [...s.history, ...s.forecasts.map((f) => f.shares), s.observed!, s.truth!]) {
        expect(v).toHaveLength(s.labels.length);
        expect(sum(v)).toBeCloseTo(1, 5);
      }
      expect(s.forecasts.map((f) => f.model)).toEqual(['arima', 'lstm topic head']);
      expect(s.recommended).toHaveLength(10);
      for (const r of s.recommended) {
        expect(['lstm', 'popularity', 'topic']).toContain(r.term);
        expect(r.topic).toBeTruthy();
      }
    }
    // Which term put an item there follows the chosen blend: α = 1 has no topic term, α = 0 no LSTM term.
    const terms = new Set(samples.flatMap((s) => s.recommended.map((r) => r.term)));
    if (report.blend.alpha === 1) expect(terms.has('topic')).toBe(false);
    if (report.blend.alpha === 0) expect(terms.has('lstm')).toBe(false);

    // Drift quantiles are ordered, and every forecaster's movement is there beside the observed one.
    const series = e.drift.map((d) => d.series);
    for (const s of [
      'consecutive history buckets',
      'last two history buckets',
      'observed next vs last bucket',
      'arima forecast vs last bucket',
      'lstm topic head forecast vs last bucket',
      'truth vs last bucket',
    ])
      expect(series).toContain(s);
    for (const d of e.drift) {
      expect(d.p10).toBeLessThanOrEqual(d.p25);
      expect(d.p25).toBeLessThanOrEqual(d.p50);
      expect(d.p50).toBeLessThanOrEqual(d.p75);
      expect(d.p75).toBeLessThanOrEqual(d.p90);
      expect(d.p10).toBeGreaterThanOrEqual(0);
      expect(d.p90).toBeLessThanOrEqual(1);
    }
    expect(
      sum(e.histogram.filter((b) => b.series === 'observed next vs last bucket').map((b) => b.count)),
    ).toBe(e.users);

    // Terciles cover every evaluated user, for every method, and average back to the overall metric.
    for (const m of ['blend', 'topic_forecast', 'topic_blend_half', 'most_popular', 'item_knn', 'oracle']) {
      const segs = e.by_drift[m];
      expect(segs.map((s) => s.name)).toEqual(['low', 'mid', 'high']);
      expect(sum(segs.map((s) => s.users))).toBe(report.users_evaluated[m]);
      const weighted =
        sum(segs.map((s) => s.users * (s.metrics['ndcg@10'] ?? 0))) / report.users_evaluated[m];
      expect(weighted).toBeCloseTo(report.methods[m]['ndcg@10'], 10);
    }

    // The written report carries the section with its charts (the pipeline's own report.md is chart-free
    // only in writeRunReport; writeReport draws them).
    const md = readFileSync(join(run.reportDir, 'report.md'), 'utf8');
    expect(md).toContain('## Interest evolution');
    expect(md).toContain('](charts/evolution-drift.png)');
    expect(md).toContain('](charts/evolution-user-0.png)');
    const html = readFileSync(join(run.reportDir, 'report.html'), 'utf8');
    expect(html).toContain('id="fig-evolution-user-0"><svg role="img" aria-label="Line chart of user');
    // Rendering it again from the JSON alone gives the same section (the numbers behind it are in the JSON).
    const again = await writeReport(join(run.reportDir, 'again'), report, [5, 10]);
    expect(readFileSync(again.markdown, 'utf8')).toContain('## Interest evolution');
  }, 300_000);
});

describe('distinctLabels', () => {
  it('suffixes a label two kept topics share with each topic number, leaves the others', () => {
    expect(distinctLabels([3, 7, 1], ['a', 'Drama', 'x', 'Romance', 'y', 'z', 'w', 'Romance'])).toEqual([
      'Romance #3',
      'Romance #7',
      'Drama',
    ]);
    expect(distinctLabels([0, 2], ['Crime'])).toEqual(['Crime', '2']);
  });
});
