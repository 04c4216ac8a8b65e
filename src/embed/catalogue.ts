import type { Config } from '../config/schema.ts';
import { createProgress, type Progress } from '../util/progress.ts';
import { EmbeddingCache } from './cache.ts';
import { embedTexts } from './embed-texts.ts';
import { createEmbedder, embedOptionsFromConfig } from './registry.ts';
import { embedThreads, withThreads } from './threads.ts';

export interface EmbeddedCatalogue {
  vectors: Float32Array;
  dim: number;
  encoder: { id: string; version: string; dim: number };
  hits: number;
  misses: number;
  /**
   * Batches each thread encoded when a cold catalogue was spread over this process's threads (see
   * withThreads), else [] (one thread, or sharded over worker processes).
   */
  threadBatches: number[];
  seconds: number;
}

/** Item texts → unit vectors through the configured encoder and the on-disk cache. */
export async function embedCatalogue(
  texts: readonly string[],
  cfg: Config['embed'],
): Promise<EmbeddedCatalogue> {
  const t0 = performance.now();
  const options = embedOptionsFromConfig(cfg);
  const embedder = await createEmbedder(options);
  const cache = cfg.cache ? EmbeddingCache.open(cfg.cache) : null;
  // embedTexts counts distinct texts; the bar is sized on its first report.
  const progress = { bar: null as Progress | null, last: 0 };
  try {
    const r = await embedTexts(embedder, texts, {
      batch: cfg.batch,
      cache,
      spread: (batches) => withThreads(embedder, options, embedThreads(embedder, cfg.threads, batches)),
      onProgress: (done, total) => {
        progress.bar ??= createProgress(`embed (${embedder.id})`, total);
        progress.bar.tick(done - progress.last);
        progress.last = done;
      },
    });
    progress.bar?.stop();
    return {
      vectors: r.vectors,
      dim: r.dim,
      encoder: { id: embedder.id, version: embedder.version, dim: embedder.dim },
      hits: r.hits,
      misses: r.misses,
      threadBatches: r.threadBatches,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    embedder.dispose();
    await cache?.close();
  }
}

/** " on 2 threads (93 + 60 batches)" when the catalogue was spread over threads: says the copies took part. */
export const threadsNote = (emb: Pick<EmbeddedCatalogue, 'threadBatches'>): string =>
  emb.threadBatches.length > 0
    ? ` on ${emb.threadBatches.length} threads (${emb.threadBatches.join(' + ')} batches)`
    : '';
