import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { markdownTable, writeReport, writeRunReport } from '../../src/report/render.ts';
import type { RunReport } from '../../src/report/run-report.ts';
import { syntheticRunReport } from './run-fixture.ts';

describe('run report', () => {
  let report: RunReport;
  beforeAll(async () => {
    report = await syntheticRunReport();
  });

  it('writes report.{json,md,html} with CIs, the paired test, beyond-accuracy and every chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const files = await writeReport(dir, report, [5, 10]);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(readFileSync(files.metrics, 'utf8')).toBe(readFileSync(files.json, 'utf8'));
    const md = readFileSync(files.markdown, 'utf8');
    const blend = report.methods.blend['ndcg@10'].toFixed(4);
    const ci = report.intervals!.blend['ndcg@10'];
    expect(md).toContain(`**${blend}** [${ci.lo.toFixed(4)}, ${ci.hi.toFixed(4)}]`);
    expect(ci.lo).toBeLessThan(report.methods.blend['ndcg@10']);
    // Paired row: blend (last-bucket profile) against the best baseline, item_knn on this data.
    const p = report.paired![0];
    expect(p.b).toBe('item_knn');
    expect(md).toMatch(
      new RegExp(`\\| blend \\| item_knn \\| ndcg@5 \\| ${p.n} \\| ${p.diff.toFixed(4)} \\|`),
    );
    // …and the ratio of the means with its interval.
    expect(md).toContain(
      `| ${p.ratio.toFixed(3)} × | [${p.ratioLo.toFixed(3)} ×, ${p.ratioHi.toFixed(3)} ×] |`,
    );
    expect(md).toContain('| most_popular |');
    expect(md).toContain('coverage@10');
    expect(md).toContain('item_knn neighbours: **');
    const users = report.samples!.map((_, i) => `evolution-user-${i}`);
    expect(users.length).toBeGreaterThanOrEqual(3);
    const charts = ['metrics', 'surface', 'forecast-error', 'training', 'evolution-drift', ...users];
    expect(files.charts.map((f) => f.split('/').pop())).toEqual(charts.map((c) => `${c}.png`));
    for (const c of charts) {
      expect(md).toContain(`](charts/${c}.png)`);
      expect(existsSync(join(dir, 'charts', `${c}.png`))).toBe(true);
    }
    expect(md).toContain('## Interest evolution');
    expect(md).toContain(`**User ${report.samples![0].user}** (median`);
    expect(md).toMatch(/\| 1 \| item \d+ \| (alpha|beta|gamma|delta) \|/); // the top-10 table

    const html = readFileSync(files.html, 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(charts.length);
    expect(html.match(/<svg role="img" aria-label="[^"]+"/g)).toHaveLength(charts.length); // alt text
    expect(html).toContain('<h2>Interest evolution</h2>');
    expect(html).not.toMatch(/<script|<link|<img|src=|href="http/i); // self-contained, nothing to fetch
    expect(html).toContain('<td class="r"><strong>');
  });

  it('writeRunReport stays synchronous and chart-free for the pipeline; markdownTable bolds the best', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const out = writeRunReport(dir, report, [10]);
    const md = readFileSync(out.markdown, 'utf8');
    expect(md).toContain('| most_popular |');
    expect(md).not.toContain('![');
    expect(JSON.parse(readFileSync(out.json, 'utf8')).run_id).toBe('synthetic-run');
    const t = markdownTable({ a: { 'ndcg@10': 0.1 }, b: { 'ndcg@10': 0.2 } }, ['ndcg@10']);
    expect(t.split('\n')).toEqual([
      '| method | ndcg@10 |',
      '|---|---:|',
      '| a | 0.1000 |',
      '| b | **0.2000** |',
    ]);
  });

  it("states the last-window weight with each weight's validation NDCG@10 and its gain's lower end", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const blend = {
      ...report.blend,
      recent_window: 1,
      recent_decay: 0.2,
      recent_curve: [
        { window: 0.1, ndcg10: 0.11 },
        { window: 1, decay: 0.2, ndcg10: 0.115 },
      ],
      recent_mix: 0.25,
      recent_mix_curve: [
        { mix: 0, ndcg10: 0.1, gainLo: 0 },
        { mix: 0.25, ndcg10: 0.12, gainLo: 0.003 },
      ],
    };
    const md = readFileSync((await writeReport(dir, { ...report, blend }, [5, 10])).markdown, 'utf8');
    expect(md).toContain('topic_recent profile: decay 0.2 (last 0.1: 0.1100, decay 0.2: 0.1150)');
    expect(md).toContain(
      "weight of that profile's shares in the blend's topic shares: **0.25** (0: 0.1000, 0.25: 0.1200 (gain's lower end 0.0030)",
    );
  });

  it('a minimal report (no optional fields) still renders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const {
      intervals,
      paired,
      beyond,
      segments,
      knn,
      forecast_error,
      samples,
      evolution,
      config,
      bootstrap,
      ...minimal
    } = report;
    const files = await writeReport(
      dir,
      { ...minimal, training: { ...minimal.training, history: [] } },
      [10],
    );
    const md = readFileSync(files.markdown, 'utf8');
    expect(files.charts.map((f) => f.split('/').pop())).toEqual(['metrics.png', 'surface.png']);
    expect(md).not.toContain('Beyond accuracy');
    expect(md).not.toContain('Interest evolution');
    expect(md).not.toMatch(/\d \[\d/); // no intervals
  });
});
