/** Item embedding sharded by item range: the coordinator's half and the worker's half. */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { EmbeddingCache } from '../embed/cache.ts';
import { type EmbeddedCatalogue, embedCatalogue } from '../embed/catalogue.ts';
import { embedTexts } from '../embed/embed-texts.ts';
import { createEmbedder, embedOptionsFromConfig } from '../embed/registry.ts';
import type { Embedder } from '../embed/types.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { sha256Hex, stableJson } from '../util/hash.ts';
import { type Cluster, runShards, type ShardJob } from './coordinator.ts';
import { readJson, readShardOutput, shardInputPath, shardRanges, writeShardOutput } from './shard-files.ts';
import { inChunks } from './yield.ts';

interface EmbedMeta {
  encoder: EmbeddedCatalogue['encoder'];
  hits: number;
  misses: number;
  worker: string;
}

/**
 * embedCatalogue on the cluster's workers: the same vectors (row i for texts[i]) for any encoder whose
 * output for a text does not depend on the other texts of its batch (the hashing encoder; neural
 * encoders up to float rounding of batched kernels). hits/misses count per shard.
 */
export async function embedCatalogueSharded(
  texts: readonly string[],
  cfg: Config['embed'],
  cluster: Cluster,
): Promise<EmbeddedCatalogue> {
  if (texts.length === 0) return embedCatalogue(texts, cfg);
  const t0 = performance.now();
  const key = sha256Hex(stableJson({ cfg, texts: sha256Hex(JSON.stringify(texts)) })).slice(0, 16);
  const dir = join(cluster.storage, `embed-${key}`);
  const ranges = shardRanges(texts.length, cluster.shards);
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'embed.json'), JSON.stringify(cfg));
  for (const [i, [from, to]] of ranges.entries())
    await writeFileAtomic(shardInputPath(dir, i), JSON.stringify(texts.slice(from, to)));
  await runShards(cluster, 'embed', dir, ranges, 'items');
  const parts = ranges.map((_, i) => readShardOutput<EmbedMeta>(dir, i));
  const { encoder } = parts[0].meta;
  const vectors = new Float32Array(texts.length * encoder.dim);
  ranges.forEach(([from], i) => {
    vectors.set(parts[i].data, from * encoder.dim);
  });
  return {
    vectors,
    dim: encoder.dim,
    encoder,
    hits: parts.reduce((s, p) => s + p.meta.hits, 0),
    misses: parts.reduce((s, p) => s + p.meta.misses, 0),
    threadBatches: [],
    seconds: (performance.now() - t0) / 1000,
  };
}

/** A worker keeps one encoder per config (loading USE-lite takes seconds), closed with the worker. */
const embedders = new Map<string, Promise<Embedder>>();

export async function disposeEmbedders(): Promise<void> {
  for (const e of embedders.values()) (await e).dispose();
  embedders.clear();
}

/** The worker's half: embeds one shard's texts and writes its vectors and counts. */
export async function embedShard(job: ShardJob): Promise<void> {
  const cfg = readJson<Config['embed']>(join(job.dir, 'embed.json'));
  const texts = readJson<string[]>(shardInputPath(job.dir, job.shard));
  const key = stableJson(cfg);
  if (!embedders.has(key)) embedders.set(key, createEmbedder(embedOptionsFromConfig(cfg)));
  const embedder = await (embedders.get(key) as Promise<Embedder>);
  const cache = cfg.cache ? EmbeddingCache.open(cfg.cache) : null;
  const vectors = new Float32Array(texts.length * embedder.dim);
  const counts = { hits: 0, misses: 0 };
  try {
    await inChunks(0, texts.length, cfg.batch * 4, async (a, b) => {
      const r = await embedTexts(embedder, texts.slice(a, b), { batch: cfg.batch, cache });
      vectors.set(r.vectors, a * embedder.dim);
      counts.hits += r.hits;
      counts.misses += r.misses;
    });
  } finally {
    await cache?.close();
  }
  const encoder = { id: embedder.id, version: embedder.version, dim: embedder.dim };
  const meta: EmbedMeta = { encoder, ...counts, worker: `${hostname()}:${process.pid}` };
  await writeShardOutput(job.dir, job.shard, vectors, { ...meta });
}
