import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { reportCommand } from '../../src/cli/report.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadDatasetCached } from '../../src/data/cache.ts';
import { splitEvents } from '../../src/data/split.ts';
import { generateSynthetic, synthConfigYaml, writeSynthetic } from '../../src/data/synth.ts';
import { env } from '../../src/env.ts';
import { CountClock, mostPopular } from '../../src/evaluate/baselines.ts';
import { evaluateScorer } from '../../src/evaluate/rank.ts';
import { topK } from '../../src/recommend/score.ts';
import { comparisonColumns, loadPeer, loadRun, normaliseMetricKey } from '../../src/report/compare.ts';
import { writeRunReport } from '../../src/report/render.ts';
import { syntheticRunReport } from './run-fixture.ts';

/** Runs `interest-evo report …` in-process and returns the --json summary. */
async function report(args: string[]) {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    lines.push(String(s));
    return true;
  });
  await yargs()
    .command(reportCommand)
    .parseAsync(['report', ...args, '--json']);
  vi.restoreAllMocks();
  return JSON.parse(lines.join('').trim().split('\n').pop()!);
}

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
    const summary = await report(
      ['--runs', runA, runB, '--peer', `GRU4Rec=${peer}`, '--methods', 'blend', 'most_popular'].concat([
        '--out',
        out,
      ]),
    );
    expect(summary.rows.map((r: { source: string; method: string }) => `${r.source}/${r.method}`)).toEqual([
      'synthetic-run/blend',
      'synthetic-run/most_popular',
      'run-b/blend',
    ]);
    const md = readFileSync(join(out, 'comparison.md'), 'utf8');
    expect(md).toMatch(/\| run-b \| blend \| 75 \|( \*\*0\.\d{4}\*\* \|){3} \*\*0\.9000\*\* \|/);
    expect(md).toMatch(/\| synthetic-run \| blend \| 75 \| \*\*0\.\d{4}\*\* \[0\.\d{4}, 0\.\d{4}\] \|/);
    expect(readFileSync(join(out, 'comparison.html'), 'utf8')).toContain('<td>GRU4Rec</td>');
  });

  it('keeps a peer metrics.json (per case) in its own table, never in the per-user columns', async () => {
    const out = join(root, 'cmp-case');
    mkdirSync(out);
    const summary = await report(['--runs', runA, '--peer', `GRU4Rec=${peer}`, '--out', out]);
    expect(summary.rows.some((r: { method: string }) => r.method === 'GRU4Rec')).toBe(false);
    expect(summary.perCase).toEqual([
      { source: 'peer', method: 'GRU4Rec', metrics: { 'ndcg@10': 0.05, 'hr@10': 0.12, 'recall@10': 0.07 } },
    ]);
    const md = readFileSync(join(out, 'comparison.md'), 'utf8');
    const [perUser, perCase] = md.split('## Peer metrics (per case, as reported by the peer)');
    expect(perUser).not.toContain('GRU4Rec');
    expect(perCase).toContain('Per-case, as reported by the peer; not comparable column by column');
    expect(perCase).toContain('| source | method | users | ndcg@10 (per case) | recall@10 (per case) |');
    expect(perCase).toContain('| peer | GRU4Rec | — | **0.0500** | **0.0700** | **0.1200** |');
  });
});

describe('interest-evo report --peer with a top-K dump', () => {
  const root = mkdtempSync(join(tmpdir(), 'compare-topk-'));
  const cacheDir = env.cacheDir;
  afterEach(() => {
    env.cacheDir = cacheDir;
    vi.restoreAllMocks();
  });

  it("re-scores the peer on the run's test users with our masking and metrics", async () => {
    env.cacheDir = join(root, 'cache');
    const data = join(root, 'syn');
    mkdirSync(data);
    writeSynthetic(data, generateSynthetic({ users: 40, items: 60, events: 2000, topics: 4, seed: 2 }));
    const configPath = join(data, 'config.yaml');
    writeFileSync(configPath, synthConfigYaml({ name: 'syn', topics: 4, seed: 2 }));
    const { config, baseDir } = loadConfig(configPath);
    const ds = await loadDatasetCached(config.data, baseDir, { cacheRoot: env.cacheDir });
    const log = { userOffsets: ds.userOffsets, item: ds.events.item, ts: ds.events.ts };
    const split = splitEvents(log, config.buckets, config.split);
    const nItems = ds.items.ids.length;
    const scorer = mostPopular(CountClock.of(log, nItems));
    const ours = await evaluateScorer(log, split.test, scorer, {
      nItems,
      ks: config.evaluate.k,
      excludeSeen: config.evaluate.exclude_seen,
    });
    const run = join(root, 'reports', 'disk-run');
    mkdirSync(run, { recursive: true });
    writeFileSync(
      join(run, 'report.json'),
      JSON.stringify({
        run_id: 'disk-run',
        config_path: configPath,
        config,
        dataset: { fingerprint: ds.fingerprint },
        split: split.summary,
        methods: { most_popular: ours.metrics },
        users_evaluated: { most_popular: ours.users },
      }),
    );
    // The peer dump: the same popularity ranking, unmasked, plus a user the data does not have.
    const scores = await scorer(split.test);
    const lines = split.test.map((ex, r) => {
      const ranked = topK(scores.subarray(r * nItems, (r + 1) * nItems), 60);
      return `${ds.users[ex.user]}\t${Array.from(ranked, (i) => ds.items.ids[i]).join(' ')}`;
    });
    const dump = join(root, 'pop.tsv');
    writeFileSync(dump, ['user_id\titem_ids', ...lines, 'ghost\t1 2 3'].join('\n'));
    const rb = join(root, 'rb.json');
    writeFileSync(rb, JSON.stringify({ 'ndcg@10': 0.5 }));

    const out = join(root, 'cmp');
    const summary = await report(['--runs', run, '--peer', `pop=${dump}`, `rb=${rb}`, '--out', out]);
    const [mine, theirs] = summary.rows;
    expect(theirs).toMatchObject({
      source: 'peer (recomputed on disk-run)',
      method: 'pop',
      users: ours.users,
    });
    for (const key of ['ndcg@10', 'recall@10', 'hr@10', 'ndcg@20'])
      expect(theirs.metrics[key]).toBeCloseTo(mine.metrics[key], 12);
    expect(summary.peers[0]).toMatchObject({
      unknownUsers: 1,
      notTested: 0,
      missingUsers: 0,
      excludeSeen: true,
    });
    expect(summary.perCase.map((r: { method: string }) => r.method)).toEqual(['rb']);
    const md = readFileSync(join(out, 'comparison.md'), 'utf8');
    expect(md).toContain(
      `pop: recomputed per user with our masking and metrics on the ${ours.users} test users of run disk-run`,
    );
    expect(md).toContain('users unknown to the data 1, without a test example 0 (both ignored)');
  });
});
