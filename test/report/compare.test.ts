import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { reportCommand } from '../../src/cli/report.ts';
import { comparisonColumns, loadPeer, loadRun, normaliseMetricKey } from '../../src/report/compare.ts';
import { writeRunReport } from '../../src/report/metrics-report.ts';
import { syntheticRunReport } from './run-fixture.ts';

describe('interest-evo report (run comparison)', () => {
  let root: string;
  let runA: string;
  let runB: string;
  let peer: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'compare-'));
    const r = await syntheticRunReport();
    runA = join(root, 'reports', 'A');
    runB = join(root, 'reports', 'B');
    writeRunReport(runA, r, [10]);
    writeRunReport(
      runB,
      {
        ...r,
        run_id: 'run-b',
        methods: { blend: { ...r.methods.blend, 'ndcg@10': 0.9 } },
        intervals: undefined,
      },
      [10],
    );
    peer = join(root, 'recbole.json');
    writeFileSync(
      peer,
      JSON.stringify({ test_result: { 'NDCG@10': 0.05, 'hit@10': 0.12, 'recall@10': 0.07, note: 'x' } }),
    );
  });
  afterEach(() => vi.restoreAllMocks());

  it('loads runs and RecBole-style peers, normalising metric names', () => {
    expect(loadRun(runA).run_id).toBe('synthetic-run');
    expect(loadRun(join(runA, 'metrics.json')).run_id).toBe('synthetic-run');
    expect(normaliseMetricKey('Hit@10')).toBe('hr@10');
    expect(loadPeer(`GRU4Rec=${peer}`)).toEqual({
      source: 'peer',
      method: 'GRU4Rec',
      metrics: { 'ndcg@10': 0.05, 'hr@10': 0.12, 'recall@10': 0.07 },
    });
    expect(() => loadPeer(peer)).toThrow(/NAME=path/);
    expect(() => loadPeer(`x=${join(root, 'nope.json')}`)).toThrow(/does not exist/);
    expect(() => loadRun(root)).toThrow(/no report.json or metrics.json/);
    writeFileSync(join(root, 'bad.json'), '{"x": 1}');
    expect(() => loadRun(join(root, 'bad.json'))).toThrow(/not a run report/);
    expect(
      comparisonColumns([{ source: 's', method: 'm', metrics: { 'ndcg@20': 1, 'hr@5': 1, 'mrr@10': 1 } }]),
    ).toEqual(['ndcg@5', 'recall@5', 'hr@5', 'ndcg@20', 'recall@20', 'hr@20']);
  });

  it('prints a side-by-side table and writes comparison.{md,html} with --out', async () => {
    const out = join(root, 'cmp');
    mkdirSync(out);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    await yargs()
      .command(reportCommand)
      .parseAsync([
        'report',
        '--runs',
        runA,
        runB,
        '--peer',
        `GRU4Rec=${peer}`,
        '--methods',
        'blend',
        'most_popular',
        '--out',
        out,
        '--json',
      ]);
    const summary = JSON.parse(lines.join('').trim().split('\n').pop()!);
    expect(summary.rows.map((r: { source: string; method: string }) => `${r.source}/${r.method}`)).toEqual([
      'synthetic-run/blend',
      'synthetic-run/most_popular',
      'run-b/blend',
      'peer/GRU4Rec',
    ]);
    const md = readFileSync(join(out, 'comparison.md'), 'utf8');
    expect(md).toMatch(/\| run-b \| blend \| 75 \|( \*\*0\.\d{4}\*\* \|){3} \*\*0\.9000\*\* \|/);
    expect(md).toMatch(/\| synthetic-run \| blend \| 75 \| \*\*0\.\d{4}\*\* \[0\.\d{4}, 0\.\d{4}\] \|/);
    expect(md).toContain('| peer | GRU4Rec | — | — | — | — | 0.0500 | 0.0700 | 0.1200 |');
    expect(readFileSync(join(out, 'comparison.html'), 'utf8')).toContain('<td>GRU4Rec</td>');
  });
});
