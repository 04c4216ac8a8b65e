import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { createServer } from '../../src/serve/server.ts';
import { spawnCli } from '../helpers/cli.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

const cli = (...args: string[]) => spawnCli(args);

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('interest-evo CLI', () => {
  const project = tinyProject();
  let checkpoint: string;
  let summary: {
    metrics: Record<string, Record<string, number>>;
    versusBest: {
      a: string;
      b: string;
      metric: string;
      diff: number;
      ratio: number;
      ratioLo: number;
      ratioHi: number;
    }[];
  };
  beforeAll(async () => {
    const r = await cli('train', '--config', project.config, '--run-id', 'cli-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    summary = lastJson(r.stdout);
    checkpoint = lastJson(r.stdout).checkpointDir;
  }, 300_000);

  it('train --json ends with one machine-readable summary line', async () => {
    expect(checkpoint).toMatch(/cli-run$/);
    // The blend against the best baseline (no truth here, so no oracle row), as a difference and a ratio.
    const [v] = summary.versusBest;
    expect(summary.versusBest.map((p) => p.a)).toEqual(['blend']);
    // The metric of the paired tests: NDCG at the first of evaluate.k (5 in this config).
    expect(v.metric).toBe('ndcg@5');
    const [a, b] = [summary.metrics.blend[v.metric], summary.metrics[v.b][v.metric]];
    expect(v.diff).toBeCloseTo(a - b, 10);
    expect(v.ratio).toBeCloseTo(a / b, 10);
    expect(v.ratioLo).toBeLessThanOrEqual(v.ratio);
    expect(v.ratioHi).toBeGreaterThanOrEqual(v.ratio);
  });

  it('recommend prints titles, scores and forecast topics; --json is the last line', async () => {
    const human = await cli('recommend', '--checkpoint', checkpoint, '--user', '1', '--k', '3');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/forecast topics/);
    const r = await cli('recommend', '--checkpoint', checkpoint, '--user', '1', '--k', '3', '--json');
    const out = lastJson(r.stdout);
    expect(out.items).toHaveLength(3);
    expect(out.topics[0].share).toBeGreaterThan(0);
  });

  it('recommend --interest ranks for free-text interests alone; --kind on a catalogue without kinds is one line', async () => {
    const r = await cli(
      'recommend',
      '--checkpoint',
      checkpoint,
      '--interest',
      'galaxy alien orbit',
      '--k',
      '4',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ user: '(interests)', events: 1, buckets: 1 });
    expect(lastJson(r.stdout).items).toHaveLength(4);
    const bad = await cli('recommend', '--checkpoint', checkpoint, '--user', '1', '--kind', 'book');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n').at(-1)).toBe(
      "interest-evo: kind: this catalogue's items have no kind (config data.items.kind)",
    );
  });

  it('recommend --explain prints each item’s reason and topic; its --json items are the HTTP explain=true items', async () => {
    const args = ['recommend', '--checkpoint', checkpoint, '--user', '1', '--k', '4', '--backend', 'cpu'];
    const human = await cli(...args, '--explain');
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(4);
    for (const line of lines)
      expect(line).toMatch(
        /^ +\d\. -?\d+\.\d{3} .*\[.+\] {2}← (lstm|popularity|topic) [+-]\d+\.\d{3} over median; topic \S/,
      );
    const out = lastJson((await cli(...args, '--explain', '--json')).stdout);

    await resolveBackend('cpu');
    const server = await createServer({ checkpoint });
    try {
      const url = '/v1/users/1/recommendations?k=4&explain=true';
      const http = (await server.app.inject({ method: 'GET', url })).json();
      expect(out.items).toEqual(http.items);
      expect(out.items[0]).toHaveProperty('reason');
      const plain = (await server.app.inject({ method: 'GET', url: url.replace('true', 'false') })).json();
      expect(lastJson((await cli(...args, '--json')).stdout).items).toEqual(plain.items);
    } finally {
      await server.close();
    }
  });

  it('an unknown user or a missing checkpoint is a clear error with a non-zero exit', async () => {
    const u = await cli('recommend', '--checkpoint', checkpoint, '--user', 'ghost');
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/unknown user "ghost"/);
    const c = await cli('recommend', '--checkpoint', `${checkpoint}-missing`, '--user', '1');
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/checkpoint directory not found/);
  });

  it('a bad config key fails before any work, naming the key', async () => {
    const bad = tinyProject('surprise: 1\n');
    const r = await cli('train', '--config', bad.config);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/surprise/);
  });

  it('--help lists the commands with examples', async () => {
    const r = await cli('--help');
    expect(r.stdout).toMatch(/train/);
    expect(r.stdout).toMatch(/recommend --checkpoint/);
  });
});
