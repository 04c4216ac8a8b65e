/**
 * Scale-out: the sharded stages (item embedding, the users' topic-share forecasts) on 1 vs 2 `interest-evo
 * worker` processes over one Redis, on a `data synth` log (hashing encoder; ARIMA(1,1,1) per user and
 * topic over 4-event buckets, so the series are long enough to fit), against the same stages in-process.
 * Item embedding is also timed with the offline default encoder (USE-lite) on the first DIST_TEXT_ITEMS
 * items (default 1,000; 0 skips it): the hashing encoder is too fast for a shard to be worth a job. Its
 * vectors are compared by largest difference (batched kernels may round differently per shard).
 * Outputs must be identical; the ratios are measured in this run, best of 2 interleaved rounds, with the
 * load average beside them (this machine is shared).
 *   npx tsx bench/distributed.ts      (DIST_EVENTS=300k for a shorter run; default 1M)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../src/config/load.ts';
import { loadDatasetCached } from '../src/data/cache.ts';
import { DRIFT_PATTERNS, generateSynthetic, synthConfigYaml, writeSynthetic } from '../src/data/synth.ts';
import type { Cluster } from '../src/distributed/coordinator.ts';
import { embedCatalogueSharded } from '../src/distributed/embed.ts';
import { shardedForecast } from '../src/distributed/forecast.ts';
import { embedCatalogue } from '../src/embed/catalogue.ts';
import { FeatureStore } from '../src/features/sequence.ts';
import { forecastExamples } from '../src/forecast/examples.ts';
import { withForecaster } from '../src/forecast/from-config.ts';
import { resolveBackend } from '../src/model/backend.ts';
import { buildTopics } from '../src/topics/model.ts';
import { startRedis } from '../test/helpers/redis.ts';
import { machine } from './machine.ts';
import { parseSize } from './scale.ts';

const TOPICS = 8;
const SHARDS = 8;
const FORECAST = { model: 'arima', order: [1, 1, 1], fallback: 'ses', horizon: 1 } as const;
const BIN = new URL('../bin/interest-evo.js', import.meta.url).pathname;

/**
 * `n` worker processes of the real CLI, resolved once each takes jobs (start-up is not timed). Each in its
 * own session, as separately started services are: with Linux's scheduler autogroups (on here) all
 * processes of one session share one group's fair share of the CPU, so children of this bench would split
 * the bench's one share however many there are.
 */
async function startWorkers(redis: string, n: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, '--json'], {
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, INTEREST_EVO_PROGRESS: 'off' },
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
      return child;
    }),
  );
}

/** SIGTERM: each worker finishes its job (none is running here) and exits. */
async function stopWorkers(workers: ChildProcess[]) {
  const exits = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(exits);
}

const seconds = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

const sameBytes = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.length !== b.length ? Infinity : a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

export async function runDistributedBench(events: number, textItems: number) {
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-dist-bench-'));
  // The workers resolve the same backend (auto) at start; USE-lite's vectors depend on it.
  const backend = await resolveBackend('auto');
  const redis = await startRedis();
  try {
    const users = Math.round(events / 100);
    writeSynthetic(
      dir,
      generateSynthetic({
        users,
        items: Math.round(events / 50),
        events,
        topics: TOPICS,
        seed: 1,
        patterns: DRIFT_PATTERNS,
      }),
    );
    const cfg = parse(synthConfigYaml({ name: 'dist', topics: TOPICS, seed: 1 }));
    cfg.buckets = { events: 4 };
    cfg.forecast = FORECAST;
    writeFileSync(join(dir, 'config.yaml'), stringify(cfg));
    const { config, baseDir } = loadConfig(join(dir, 'config.yaml'));
    const data = await loadDatasetCached(config.data, baseDir, {
      quarantineDir: dir,
      cacheRoot: join(dir, 'cache'),
    });
    const texts = data.items.texts;
    // No cache: every round must really encode.
    const useLite = { ...config.embed, encoder: 'use-lite' as const, cache: null };
    const useTexts = texts.slice(0, textItems);

    // In-process reference: the outputs every sharded run must equal, and the single-process speed.
    const t0 = performance.now();
    const emb = await embedCatalogue(texts, config.embed);
    const embedLocal = (performance.now() - t0) / 1000;
    const t2 = performance.now();
    const useEmb = useTexts.length > 0 ? await embedCatalogue(useTexts, useLite) : null;
    const useLocal = (performance.now() - t2) / 1000;
    const topics = await buildTopics(emb.vectors, emb.dim, data.items, { ...config.topics, seed: 1 });
    const store = new FeatureStore({
      userOffsets: data.userOffsets,
      item: data.events.item,
      ts: data.events.ts,
      weight: data.events.weight,
      itemVectors: emb.vectors,
      dim: emb.dim,
      itemShares: topics.itemShares,
      k: topics.k,
      buckets: config.buckets,
    });
    const finals = data.users.map((_, u) => ({ user: u, end: data.userOffsets[u + 1] }));
    const t1 = performance.now();
    const local = await withForecaster(config.forecast, (f) => forecastExamples(f, store, finals, 1), null);
    const forecastLocal = (performance.now() - t1) / 1000;

    const best: Record<string, { embed: number; forecast: number; use: number }> = {};
    const identical: boolean[] = [];
    const load: number[][] = [];
    let useDiff = 0;
    for (let round = 0; round < 2; round++) {
      for (const n of [1, 2]) {
        const workers = await startWorkers(redis.url, n);
        const cluster: Cluster = {
          redis: redis.url,
          shards: SHARDS,
          attempts: 1,
          storage: mkdtempSync(join(dir, `storage-${round}-${n}-`)),
        };
        load.push(loadavg());
        let vectors: Float32Array = new Float32Array();
        let shares: Float32Array = new Float32Array();
        const embed = await seconds(async () => {
          vectors = (await embedCatalogueSharded(texts, config.embed, cluster)).vectors;
        });
        let useVectors: Float32Array = new Float32Array();
        const use = await seconds(async () => {
          if (useEmb) useVectors = (await embedCatalogueSharded(useTexts, useLite, cluster)).vectors;
        });
        const remote = shardedForecast(cluster, config.forecast, null, store);
        const forecast = await seconds(async () => {
          shares = (await remote(finals, 1, 'users')).shares;
        });
        identical.push(sameBytes(vectors, emb.vectors) && sameBytes(shares, local.shares));
        if (useEmb) useDiff = Math.max(useDiff, maxAbsDiff(useVectors, useEmb.vectors));
        await stopWorkers(workers);
        const key = `${n} worker${n > 1 ? 's' : ''}`;
        best[key] = {
          embed: Math.min(best[key]?.embed ?? Infinity, embed),
          forecast: Math.min(best[key]?.forecast ?? Infinity, forecast),
          use: Math.min(best[key]?.use ?? Infinity, use),
        };
      }
    }
    const one = best['1 worker'];
    const two = best['2 workers'];
    const round = (x: number, d = 2) => Number(x.toFixed(d));
    return {
      events,
      users,
      items: texts.length,
      topics: TOPICS,
      shards: SHARDS,
      forecaster: 'arima(1,1,1) css, fallback ses; series = 4-event buckets',
      backend: backend.name,
      use_lite_items: useTexts.length,
      seconds: {
        in_process: {
          embed: round(embedLocal),
          forecast: round(forecastLocal),
          embed_use_lite: round(useLocal),
        },
        '1 worker': {
          embed: round(one.embed),
          forecast: round(one.forecast),
          embed_use_lite: round(one.use),
        },
        '2 workers': {
          embed: round(two.embed),
          forecast: round(two.forecast),
          embed_use_lite: round(two.use),
        },
      },
      per_worker_throughput: {
        'items/s (hashing embed)': Math.round(texts.length / one.embed),
        ...(useEmb && { 'items/s (use-lite embed)': round(useTexts.length / one.use, 1) }),
        'users/s (forecast, K topics each)': Math.round(users / one.forecast),
        'series/s (forecast)': Math.round((users * TOPICS) / one.forecast),
      },
      speedup_2_vs_1: {
        embed: round(one.embed / two.embed),
        forecast: round(one.forecast / two.forecast),
        both: round((one.embed + one.forecast) / (two.embed + two.forecast)),
        ...(useEmb && {
          embed_use_lite: round(one.use / two.use),
          use_lite_embed_and_forecast: round((one.use + one.forecast) / (two.use + two.forecast)),
        }),
      },
      one_worker_vs_in_process: {
        embed: round(embedLocal / one.embed),
        forecast: round(forecastLocal / one.forecast),
        ...(useEmb && { embed_use_lite: round(useLocal / one.use) }),
      },
      outputs_identical_to_in_process: identical.every(Boolean),
      ...(useEmb && { use_lite_max_abs_diff_to_in_process: useDiff }),
      loadavg_1_5_15_at_each_timed_run: load.map((l) => l.map((x) => round(x))),
      uptime: execFileSync('uptime', { encoding: 'utf8' }).trim(),
    };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const events = parseSize(process.env.DIST_EVENTS ?? '1M');
  const textItems = Number(process.env.DIST_TEXT_ITEMS ?? 1000);
  console.log(
    JSON.stringify({ machine: machine(), ...(await runDistributedBench(events, textItems)) }, null, 2),
  );
}
