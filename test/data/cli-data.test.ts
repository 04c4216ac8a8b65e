import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { dataCommand } from '../../src/cli/data.ts';
import { loadConfig } from '../../src/config/load.ts';
import { resolveCutoff, splitEvents } from '../../src/data/split.ts';
import { readTruth } from '../../src/data/truth.ts';

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
    expect(test.length - 1).toBeGreaterThan(40); // one row per unseen target item of each user's last bucket
    // evaluate.exclude_seen (true by default): no written test target is in its (uncut) history
    expect(r).toMatchObject({ excludeSeen: true, maxHistory: 50, historiesCut: 0 });
    for (const row of test.slice(1)) {
      const [, history, target] = row.split('\t');
      expect(history.split(' ')).not.toContain(target);
    }
    const { config } = loadConfig(join(syn, 'config.yaml'));
    expect(config.evaluate.exclude_seen).toBe(true);
    const human = await run(
      ['data', 'export-recbole', '--config', join(syn, 'config.yaml'), '--out', out, '--force'].concat([
        '--max-history',
        '5',
        '--cache-root',
        cache,
      ]),
    );
    expect(human).toContain(
      `dropped ${r.seenTargetsDropped} valid/test targets the user had before the cutoff, ` +
        `and ${r.seenExamplesDropped} examples whose whole target was seen`,
    );
    expect(human).toMatch(/histories cut to the last 5 events \(--max-history\): (\d+) of \1 exported/);
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
    // one valid and one test case per user, less those whose single target item the user already had
    const cases = loo.rows['syn.test.inter'] + loo.rows['syn.valid.inter'];
    expect(loo.seenExamplesDropped).toBeGreaterThan(0);
    expect(cases + loo.seenExamplesDropped).toBe(80);
    expect(loo.seenTargetsDropped).toBe(loo.seenExamplesDropped);
  });

  it('names a missing config column clearly', async () => {
    const cfg = join(syn, 'bad.yaml');
    writeFileSync(cfg, readFileSync(join(syn, 'config.yaml'), 'utf8').replace('user: userId', 'user: uid'));
    await expect(run(['data', 'inspect', '--config', cfg, '--cache-root', cache])).rejects.toThrow(
      /ratings\.csv: column "uid" \(data\.events\.user\) does not exist/,
    );
  });

  it('synth --months writes a global monthly split whose cutoffs fall inside the data', async () => {
    const dir = join(root, 'months');
    const r = lastJson(
      await run(
        ['data', 'synth', '--users', '30', '--items', '60', '--events', '2400', '--topics', '12'].concat([
          '--months',
          '8',
          '--seed',
          '3',
          '--out',
          dir,
          '--json',
        ]),
      ),
    );
    expect(r.split).toEqual({ valid_from: '2011-09-01', test_from: '2011-10-01' });
    const { config } = loadConfig(join(dir, 'config.yaml'));
    expect(config.buckets).toEqual({ every: 'month' });
    expect(config.split).toEqual({
      protocol: 'global',
      valid_from: '2011-09-01',
      test_from: '2011-10-01',
      horizon: 31 * 86_400,
      min_history_buckets: 2,
    });
    expect(config.topics.source).toBe('categories');

    const rows = readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n').slice(1);
    const events = rows.map((l) => l.split(',').map(Number));
    const ts = Float64Array.from(events, (e) => e[3]);
    if (config.split.protocol !== 'global') throw new Error('expected a global split');
    const [t1, t2] = [resolveCutoff(config.split.valid_from, ts), resolveCutoff(config.split.test_from, ts)];
    expect(Math.min(...ts)).toBeLessThan(t1);
    expect(Math.max(...ts)).toBeGreaterThan(t2 + 27 * 86_400); // the test month is (almost) fully covered
    // Every user has history, a validation and a test window under this split.
    const userOffsets = Int32Array.from({ length: 31 }, (_, u) => u * 80);
    const split = splitEvents(
      { userOffsets, item: Int32Array.from(events, (e) => e[1]), ts },
      config.buckets,
      config.split,
    );
    expect(split.summary.evalUsers).toEqual({ valid: 30, test: 30 });
    expect(readTruth(join(dir, 'truth.json')).users).toHaveLength(30);
  });

  it('synth names a bad numeric option in one line', async () => {
    const synth = (...args: string[]) => run(['data', 'synth', '--out', join(root, 'bad'), ...args]);
    const cases: [string[], RegExp][] = [
      [['--users', '-3'], /^--users must be a positive integer, got -3$/],
      [['--items', '0'], /^--items must be a positive integer, got 0$/],
      [['--events', 'many'], /^--events must be a positive integer, got NaN$/],
      [['--topics', '2.5'], /^--topics must be a positive integer, got 2\.5$/],
      [['--months'], /^--months must be a positive integer, got undefined$/],
      [['--months', '0'], /^--months must be a positive integer, got 0$/],
      [['--seed', '0.5'], /^--seed must be an integer, got 0\.5$/],
      [['--topics', '17', '--users', '5', '--events', '50'], /^--topics must be at most 16, got 17$/],
    ];
    // DataError: the CLI's main prints its message alone, without a stack trace.
    for (const [args, message] of cases)
      await expect(synth(...args)).rejects.toMatchObject({
        name: 'DataError',
        message: expect.stringMatching(message),
      });
    expect(existsSync(join(root, 'bad'))).toBe(false);
  });
});
