import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { dataCommand } from '../../src/cli/data.ts';

/** Runs `interest-evo data …` in-process and returns what it printed on stdout. */
async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await yargs(args)
      .command(dataCommand)
      .option('json', { type: 'boolean', default: false })
      .strict()
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

const lastJson = (out: string) => JSON.parse(out.trimEnd().split('\n').at(-1) as string);

describe('interest-evo data', () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-data-'));
  const syn = join(root, 'syn');
  const cache = join(root, 'cache');
  afterEach(() => vi.restoreAllMocks());

  it('synth writes data, truth and a config, and refuses to overwrite without --force', async () => {
    const out = await run(
      [
        'data',
        'synth',
        '--users',
        '40',
        '--items',
        '80',
        '--events',
        '2000',
        '--topics',
        '4',
        '--seed',
        '5',
      ].concat(['--out', syn, '--json']),
    );
    const r = lastJson(out);
    expect(r.events).toBe(2000);
    expect(readdirSync(syn).sort()).toEqual(['config.yaml', 'movies.csv', 'ratings.csv', 'truth.json']);
    expect(JSON.parse(readFileSync(join(syn, 'truth.json'), 'utf8')).futureShares).toHaveLength(40);
    await expect(run(['data', 'synth', '--out', syn])).rejects.toThrow(/not empty: pass --force/);
  });

  it('inspect prints a table, or one JSON line last', async () => {
    const cfg = join(syn, 'config.yaml');
    const human = await run(['data', 'inspect', '--config', cfg, '--cache-root', cache]);
    expect(human).toMatch(/40 users, 80 items .* 2000 events/);
    expect(human).toMatch(/config \(10 events\)\s+0\s+0/); // 50 events a user: 5 buckets
    const r = lastJson(await run(['data', 'inspect', '--config', cfg, '--cache-root', cache, '--json']));
    expect(r).toMatchObject({ users: 40, events: 2000, cache: { hit: true } });
    expect(r.activity.rows.map((row: unknown[]) => row[0])).toEqual([
      'config (10 events)',
      'day',
      'week',
      'month',
      '10 events',
    ]);
  });

  it('export-recbole writes the files our split implies', async () => {
    const out = join(root, 'rb', 'syn');
    const r = lastJson(
      await run([
        'data',
        'export-recbole',
        '--config',
        join(syn, 'config.yaml'),
        '--out',
        out,
        '--cache-root',
        cache,
        '--json',
      ]),
    );
    expect(r.name).toBe('syn');
    expect(readdirSync(out).sort()).toEqual([
      'syn.inter',
      'syn.item',
      'syn.test.inter',
      'syn.train.inter',
      'syn.valid.inter',
      'syn.yaml',
    ]);
    expect(r.rows['syn.inter']).toBe(2000);
    const test = readFileSync(join(out, 'syn.test.inter'), 'utf8').trim().split('\n');
    expect(test.length - 1).toBe(r.rows['syn.test.inter']);
    expect(test.length - 1).toBeGreaterThan(40); // one row per distinct target item of each user's last bucket
    const loo = lastJson(
      await run([
        'data',
        'export-recbole',
        '--config',
        join(syn, 'config.yaml'),
        '--out',
        out,
        '--force',
        '--protocol',
        'leave-one-out',
        '--cache-root',
        cache,
        '--json',
      ]),
    );
    expect(loo.protocol).toBe('leave-one-out');
    expect(loo.rows['syn.test.inter']).toBe(40);
    expect(loo.rows['syn.valid.inter']).toBe(40);
  });

  it('names a missing config column clearly', async () => {
    const cfg = join(syn, 'bad.yaml');
    writeFileSync(cfg, readFileSync(join(syn, 'config.yaml'), 'utf8').replace('user: userId', 'user: uid'));
    await expect(run(['data', 'inspect', '--config', cfg, '--cache-root', cache])).rejects.toThrow(
      /ratings\.csv: column "uid" \(data\.events\.user\) does not exist/,
    );
  });
});
