/**
 * Data preparation on a synthetic log (generated into a temp dir, never committed): ingest + validate +
 * bucket, without the cache (plain), with a cold cache (prepare + write Parquet) and a warm one (read back).
 * `tsx bench/data.ts [events]` prints JSON. Targets: plain ≤ 10 s for 1M events, cold/warm ≥ 10×.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataConfigSchema } from '../src/config/data.ts';
import type { BucketSpec } from '../src/config/schema.ts';
import { bucketUser } from '../src/data/bucket.ts';
import { loadDatasetCached } from '../src/data/cache.ts';
import { type Dataset, loadDataset } from '../src/data/read.ts';
import { generateSynthetic, writeSynthetic } from '../src/data/synth.ts';
import { machine, peakRssMb } from './machine.ts';

const BUCKETS: BucketSpec = { events: 10 };

function bucketAll(ds: Dataset): number {
  let n = 0;
  for (let u = 0; u < ds.users.length; u++)
    n += bucketUser(ds.events.ts, ds.userOffsets[u], ds.userOffsets[u + 1], BUCKETS).start.length;
  return n;
}

/** Wall and CPU seconds (all threads: DuckDB runs its own) of one step. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; s: number; cpu_s: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, s: (performance.now() - t0) / 1000, cpu_s: (c.user + c.system) / 1e6 };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function runDataBench(events = 1_000_000) {
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-data-bench-'));
  try {
    const users = Math.max(1, Math.round(events / 100));
    const gen = await timed(async () =>
      writeSynthetic(
        dir,
        generateSynthetic({
          users,
          items: Math.max(8, Math.round(events / 50)),
          events,
          topics: 8,
          seed: 1,
          patterns: ['trend', 'cycle', 'switch'],
        }),
      ),
    );
    const cfg = DataConfigSchema.parse({
      events: {
        path: 'ratings.csv',
        user: 'userId',
        item: 'movieId',
        time: 'timestamp',
        time_unit: 's',
        weight: 'rating',
      },
      items: {
        path: 'movies.csv',
        id: 'movieId',
        title: 'title',
        text: '{title}. Genres: {genres}',
        categories: 'genres',
      },
    });
    const cacheRoot = join(dir, 'cache');
    const plain = await timed(async () => bucketAll(await loadDataset(cfg, dir)));
    const rssPlain = peakRssMb();
    const cold = await timed(async () => {
      const ds = await loadDatasetCached(cfg, dir, { cacheRoot });
      return { hit: ds.cache.hit, buckets: bucketAll(ds), n: ds.events.n };
    });
    const warm = await timed(async () => {
      const ds = await loadDatasetCached(cfg, dir, { cacheRoot });
      return { hit: ds.cache.hit, buckets: bucketAll(ds), n: ds.events.n };
    });
    if (
      cold.value.hit ||
      !warm.value.hit ||
      warm.value.n !== cold.value.n ||
      warm.value.buckets !== plain.value
    )
      throw new Error('data bench: the cache did not behave (miss, then an identical hit)');
    return {
      bench: 'data',
      machine: machine(),
      load_average_1m: r2((await import('node:os')).loadavg()[0]),
      data: { events: cold.value.n, users, buckets: plain.value, generate_s: r2(gen.s) },
      seconds: {
        plain_ingest_validate_bucket: r2(plain.s),
        cold_cached: r2(cold.s),
        warm_cached: r2(warm.s),
      },
      cpu_seconds: { plain: r2(plain.cpu_s), cold_cached: r2(cold.cpu_s), warm_cached: r2(warm.cpu_s) },
      cold_over_warm: r2(cold.s / warm.s),
      targets: { plain_le_10s: plain.s <= 10, cold_over_warm_ge_10: cold.s / warm.s >= 10 },
      peak_rss_mb: { after_plain: rssPlain, end: peakRssMb() },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runDataBench(Number(process.argv[2] ?? 1_000_000)), null, 2));
}
