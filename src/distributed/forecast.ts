/** Topic-share forecasting of users sharded by user range: the coordinator's half and the worker's half. */
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FeatureStore } from '../features/sequence.ts';
import { shareForecasterOf } from '../forecast/from-config.ts';
import type { PooledModel } from '../forecast/pooled.ts';
import type { ExamplesForecast } from '../recommend/topic-gate.ts';
import { bufferToFloat32, float32ToBuffer, writeFileAtomic } from '../util/fs.ts';
import { sha256Hex, stableJson } from '../util/hash.ts';
import { type Cluster, runShards, type ShardJob } from './coordinator.ts';
import {
  readJson,
  readShardOutput,
  shardInputPath,
  shardPath,
  shardRanges,
  writeShardOutput,
} from './shard-files.ts';
import { inChunks } from './yield.ts';

type ForecastBlock = Parameters<typeof shareForecasterOf>[0];

/** What a worker needs besides the series: the forecaster's block and, for pooled, its fitted model. */
interface ForecasterFile {
  block: ForecastBlock;
  pooled: PooledModel | null;
}

/** A shard's input: horizon and series lengths as JSON, the series themselves in `.in.f32`. */
interface ForecastInput {
  horizon: number;
  k: number;
  /** Per example of the shard, its series' length (buckets). */
  lengths: number[];
}

/**
 * The examples' K topic-share series, topic-major per example, as float32: exact, since FeatureStore
 * computes every share in float32 (JSON text would be ~5× the bytes on the shared storage).
 */
function packSeries(series: readonly (readonly number[])[][], k: number): Float32Array {
  const out = new Float32Array(series.reduce((s, x) => s + k * (x[0]?.length ?? 0), 0));
  let at = 0;
  for (const topics of series)
    for (const s of topics) {
      out.set(s, at);
      at += s.length;
    }
  return out;
}

function unpackSeries(data: Float32Array, k: number, lengths: readonly number[]): number[][][] {
  let at = 0;
  return lengths.map((n) =>
    Array.from({ length: k }, () => {
      at += n;
      return Array.from(data.subarray(at - n, at));
    }),
  );
}

interface ForecastMeta {
  fitted: number;
  fellBack: number;
  worker: string;
}

/**
 * forecastExamples on the cluster's workers: the coordinator writes each shard's series (exactly, see
 * packSeries), a worker rebuilds the forecaster from its block and fitted model, so the shares
 * equal the in-process ones bit for bit.
 */
export function shardedForecast(
  cluster: Cluster,
  block: ForecastBlock,
  pooled: PooledModel | null,
  store: FeatureStore,
): ExamplesForecast {
  const forecaster: ForecasterFile = { block, pooled: block.model === 'pooled' ? pooled : null };
  return async (examples, horizon, label) => {
    const k = store.src.k;
    const shares = new Float32Array(examples.length * k);
    if (examples.length === 0) return { shares, fitted: 0, fellBack: 0 };
    const key = sha256Hex(
      stableJson({ forecaster, horizon, examples: examples.map((e) => [e.user, e.end]) }),
    ).slice(0, 16);
    const dir = join(cluster.storage, `forecast-${key}`);
    const ranges = shardRanges(examples.length, cluster.shards);
    mkdirSync(dir, { recursive: true });
    await writeFileAtomic(join(dir, 'forecaster.json'), JSON.stringify(forecaster));
    for (const [i, [from, to]] of ranges.entries()) {
      const series = examples.slice(from, to).map((ex) => store.topicSeries(ex.user, ex.end));
      await writeFileAtomic(shardPath(dir, i, 'in.f32'), float32ToBuffer(packSeries(series, k)));
      const lengths = series.map((topics) => topics[0]?.length ?? 0);
      await writeFileAtomic(
        shardInputPath(dir, i),
        JSON.stringify({ horizon, k, lengths } satisfies ForecastInput),
      );
    }
    await runShards(cluster, `forecast`, dir, ranges, `examples of ${label}`);
    let fitted = 0;
    let fellBack = 0;
    ranges.forEach(([from], i) => {
      const { data, meta } = readShardOutput<ForecastMeta>(dir, i);
      shares.set(data, from * k);
      fitted += meta.fitted;
      fellBack += meta.fellBack;
    });
    return { shares, fitted, fellBack };
  };
}

/** The worker's half: one shard's forecasts and fallback counts. */
export async function forecastShard(job: ShardJob): Promise<void> {
  const { block, pooled } = readJson<ForecasterFile>(join(job.dir, 'forecaster.json'));
  const { horizon, k, lengths } = readJson<ForecastInput>(shardInputPath(job.dir, job.shard));
  const data = bufferToFloat32(readFileSync(shardPath(job.dir, job.shard, 'in.f32')));
  const series = unpackSeries(data, k, lengths);
  const f = await shareForecasterOf(block, pooled);
  const shares = new Float32Array(series.length * k);
  const meta: ForecastMeta = { fitted: 0, fellBack: 0, worker: `${hostname()}:${process.pid}` };
  try {
    await inChunks(0, series.length, 256, (a, b) => {
      for (let r = a; r < b; r++) {
        const out = f.forecastShares(series[r], horizon);
        shares.set(out.shares, r * k);
        meta.fitted += out.fitted;
        meta.fellBack += out.fellBack;
      }
    });
  } finally {
    f.dispose();
  }
  await writeShardOutput(job.dir, job.shard, shares, { ...meta });
}
