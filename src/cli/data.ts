import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../config/load.ts';
import { loadDatasetCached } from '../data/cache.ts';
import { formatTable, inspectDataset } from '../data/inspect.ts';

import { writeRecbole } from '../data/recbole.ts';
import { leaveOneOut, splitEvents } from '../data/split.ts';
import {
  DRIFT_PATTERNS,
  type DriftPattern,
  generateSynthetic,
  lastMonthsSplit,
  MAX_TOPICS,
  synthConfigYaml,
  writeSynthetic,
} from '../data/synth.ts';
import { DataError, TRUTH_FILE } from '../data/truth.ts';
import { writeDirAtomically } from '../util/fs.ts';
import { finish } from './output.ts';

/** Output folders are replaced as a whole, so refuse to clobber one that holds anything unless asked. */
function freshOutDir(out: string, force: boolean): string {
  const abs = resolve(out);
  if (existsSync(abs) && readdirSync(abs).length > 0 && !force)
    throw new Error(`--out ${out} exists and is not empty: pass --force to replace it`);
  mkdirSync(dirname(abs), { recursive: true });
  return abs;
}

interface InspectArgs {
  config: string;
  'cache-root': string;
  json: boolean;
}

const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect',
  describe:
    'counts, time span, sparsity, quarantine reasons and active buckets per user under several bucketings',
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'YAML config file' })
      .option('cache-root', { type: 'string', default: 'data/cache', describe: 'prepared-data cache folder' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    const { config, baseDir } = loadConfig(args.config);
    const ds = await loadDatasetCached(config.data, baseDir, { cacheRoot: args['cache-root'] });
    const r = inspectDataset(ds, config.buckets);
    finish(args.json, { ...r, cache: ds.cache }, () => {
      const b = r.eventsPerBucket;
      return [
        `${r.users} users, ${r.items} items (${r.itemsUsed} used), ${r.events} events, sparsity ${r.sparsity}`,
        `time ${r.first} … ${r.last} (${r.spanDays} days)`,
        `read ${r.counts.read} = kept ${r.counts.kept} + quarantined ${r.counts.quarantined} + filtered ${r.counts.filtered}`,
        `events per bucket (${r.activity.rows[0][0]}): ${b.buckets} buckets, mean ${b.mean}, min ${b.min}, ` +
          `p10 ${b.p10}, median ${b.median}, p90 ${b.p90}, max ${b.max}`,
        '',
        formatTable(r.activity),
        '',
        r.reasons.rows.length ? formatTable(r.reasons) : 'no quarantined or filtered records',
        '',
        `cache ${ds.cache.hit ? 'hit' : 'written'}: ${ds.cache.dir}`,
      ].join('\n');
    });
  },
};

interface ExportArgs {
  config: string;
  out: string;
  protocol: 'config' | 'leave-one-out';
  'max-history': number;
  force: boolean;
  'cache-root': string;
  json: boolean;
}

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export-recbole',
  describe:
    'write RecBole atomic files (NAME.inter, NAME.item) and our split as NAME.{train,valid,test}.inter',
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'YAML config file' })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'output folder; its name is the dataset NAME',
      })
      .option('protocol', {
        choices: ['config', 'leave-one-out'] as const,
        default: 'config' as const,
        describe: "split to export: the config's, or RecBole's leave-one-out by time",
      })
      .option('max-history', {
        type: 'number',
        default: 50,
        describe: 'most recent events per history; longer histories are cut and counted in the output',
      })
      .option('force', { type: 'boolean', default: false, describe: 'replace a non-empty --out' })
      .option('cache-root', { type: 'string', default: 'data/cache', describe: 'prepared-data cache folder' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    const maxHistory = args['max-history'];
    if (!Number.isInteger(maxHistory) || maxHistory < 1)
      throw new DataError(`--max-history must be a positive integer, got ${maxHistory}`);
    const { config, baseDir } = loadConfig(args.config);
    const out = freshOutDir(args.out, args.force);
    const ds = await loadDatasetCached(config.data, baseDir, { cacheRoot: args['cache-root'] });
    const log = { userOffsets: ds.userOffsets, item: ds.events.item, ts: ds.events.ts };
    const split =
      args.protocol === 'leave-one-out'
        ? leaveOneOut(log, config.buckets)
        : splitEvents(log, config.buckets, config.split);
    let r: ReturnType<typeof writeRecbole> | undefined;
    await writeDirAtomically(out, async (tmp) => {
      r = writeRecbole(ds, split, tmp, {
        finalDir: out,
        maxHistory,
        excludeSeen: config.evaluate.exclude_seen,
      });
    });
    const res = r as ReturnType<typeof writeRecbole>;
    finish(args.json, { ...res, protocol: split.summary.protocol }, () =>
      [
        `wrote ${res.dir} (${split.summary.protocol} split):`,
        ...Object.entries(res.rows).map(([f, n]) => `  ${f.padEnd(28)} ${n} rows`),
        res.skippedEmptyHistory ? `  skipped ${res.skippedEmptyHistory} examples with no history` : '',
        res.excludeSeen
          ? `  evaluate.exclude_seen: dropped ${res.seenTargetsDropped} valid/test targets the user had before ` +
            `the cutoff, and ${res.seenExamplesDropped} examples whose whole target was seen`
          : '  evaluate.exclude_seen is false: targets the user had before the cutoff are kept',
        `  histories cut to the last ${res.maxHistory} events (--max-history): ` +
          `${res.historiesCut} of ${res.historiesExported} exported`,
        `run: python -c "from recbole.quick_start import run_recbole; run_recbole(model='SASRec', ` +
          `dataset='${res.name}', config_file_list=['${join(res.dir, `${res.name}.yaml`)}'])"`,
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
  },
};

interface SynthArgs {
  users: number;
  items: number;
  events: number;
  topics: number;
  seed: number;
  months?: number;
  patterns: DriftPattern[];
  kinds?: string[];
  out: string;
  force: boolean;
  json: boolean;
}

/** yargs reads "--users x" as NaN, a bare "--months" as undefined, and takes 0, -3 or 2.5 as is. */
function checkSynthArgs(args: SynthArgs): void {
  const counts = { users: args.users, items: args.items, events: args.events, topics: args.topics };
  const months = 'months' in args ? { months: args.months } : {};
  for (const [k, v] of Object.entries({ ...counts, ...months }))
    if (!Number.isInteger(v) || (v as number) < 1)
      throw new DataError(`--${k} must be a positive integer, got ${v}`);
  if (args.topics > MAX_TOPICS)
    throw new DataError(`--topics must be at most ${MAX_TOPICS}, got ${args.topics}`);
  if (!Number.isInteger(args.seed)) throw new DataError(`--seed must be an integer, got ${args.seed}`);
}

const synthCommand: CommandModule<object, SynthArgs> = {
  command: 'synth',
  describe: 'generate a synthetic log with planted interest drift, its truth and a ready config',
  builder: (y) =>
    y
      .option('users', { type: 'number', default: 1000 })
      .option('items', { type: 'number', default: 2000 })
      .option('events', { type: 'number', default: 100_000, describe: 'total events' })
      .option('topics', { type: 'number', default: 8, describe: `at most ${MAX_TOPICS}` })
      .option('seed', { type: 'number', default: 1 })
      .option('months', {
        type: 'number',
        describe:
          "spread each user's events over N calendar months; the config then splits globally by month",
      })
      .option('patterns', {
        type: 'array',
        choices: DRIFT_PATTERNS,
        default: [...DRIFT_PATTERNS],
        describe: 'drift patterns drawn per user',
      })
      .option('kinds', {
        type: 'string',
        coerce: (s: string) => s.split(',').map((k) => k.trim()),
        describe: 'comma-separated item kinds, e.g. film,book,music: every topic spans every kind',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
      .option('force', { type: 'boolean', default: false, describe: 'replace a non-empty --out' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    checkSynthArgs(args);
    const out = freshOutDir(args.out, args.force);
    const t0 = performance.now();
    const data = generateSynthetic({
      users: args.users,
      items: args.items,
      events: args.events,
      topics: args.topics,
      seed: args.seed,
      months: args.months,
      patterns: args.patterns,
      kinds: args.kinds,
    });
    const name = basename(out).replace(/[^\w.-]/g, '_') || 'synth';
    const split = args.months === undefined ? undefined : lastMonthsSplit(data.events);
    const config = synthConfigYaml({
      name,
      topics: args.topics,
      seed: args.seed,
      split,
      kinds: !!args.kinds,
    });
    await writeDirAtomically(out, async (tmp) => {
      writeSynthetic(tmp, data);
      writeFileSync(join(tmp, 'config.yaml'), config);
    });
    const summary = {
      out,
      users: args.users,
      items: args.items,
      events: data.events.length,
      topics: data.topicNames,
      patterns: Object.fromEntries(
        DRIFT_PATTERNS.map((p) => [p, data.patterns.filter((q) => q === p).length]),
      ),
      ...(split ? { split } : {}),
      ...(args.kinds ? { kinds: args.kinds } : {}),
      files: ['ratings.csv', 'movies.csv', TRUTH_FILE, 'config.yaml'],
      seconds: (performance.now() - t0) / 1000,
    };
    finish(
      args.json,
      summary,
      () =>
        `wrote ${out}: ${summary.events} events, ${args.users} users, ${args.items} items, ` +
        `patterns ${JSON.stringify(summary.patterns)}\n` +
        (split ? `global split: validation from ${split.valid_from}, test from ${split.test_from}\n` : '') +
        `train: interest-evo train --config ${join(out, 'config.yaml')}`,
    );
  },
};

export const dataCommand: CommandModule = {
  command: 'data',
  describe: 'inspect data, export it for RecBole, or generate a synthetic log',
  builder: (y: Argv) =>
    y
      .command(inspectCommand)
      .command(exportCommand)
      .command(synthCommand)
      .demandCommand(1, 'name a data command: inspect, export-recbole or synth'),
  handler: () => {},
};
