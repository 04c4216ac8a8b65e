/**
 * Embedding stage on MovieLens ml-latest-small item texts: `tsx bench/embed.ts` prints JSON.
 * (a) stage vs bare encoder throughput (use-lite, cache off), (b) warm-cache rerun speedup,
 * (c) peak RSS after embedding the whole catalogue, (d) genre sanity report per encoder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/load.ts';
import { embedWith } from '../src/config/schema.ts';
import { loadDataset } from '../src/data/read.ts';
import { embedCatalogue } from '../src/embed/catalogue.ts';
import { labelCohesion } from '../src/embed/cohesion.ts';
import { createEmbedder, embedOptionsFromConfig } from '../src/embed/registry.ts';
import type { Embedder } from '../src/embed/types.ts';
import { resolveBackend } from '../src/model/backend.ts';
import { machine, peakRssMb } from './machine.ts';

const CONFIG = fileURLToPath(new URL('../configs/movielens-small.yaml', import.meta.url));
const TINY_BERT = fileURLToPath(new URL('../test/fixtures/tiny-bert', import.meta.url));
const SAMPLE = 2000;

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const round = (x: number, d = 3) => Number(x.toFixed(d));

/** Same-first-genre vs different-first-genre mean cosine over all pairs of items. */
function cohesion(vectors: Float32Array, dim: number, genres: readonly string[]) {
  const c = labelCohesion(vectors, dim, genres);
  return {
    same_first_genre: round(c.same, 4),
    different_first_genre: round(c.different, 4),
    gap: round(c.same - c.different, 4),
    pairs: c.pairs,
  };
}

/** The bare encoder: batches straight into embed(), no dedupe, cache or progress. */
async function bareEmbed(e: Embedder, texts: readonly string[], batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += batch) await e.embed(texts.slice(i, i + batch));
  return seconds(t0);
}

export async function runEmbedBench() {
  const backend = await resolveBackend('auto');
  const loaded = loadConfig(CONFIG);
  const base = loaded.config.embed;
  const t0 = performance.now();
  const dataset = await loadDataset(loaded.config.data, loaded.baseDir);
  const load_data_s = seconds(t0);
  const texts = dataset.items.texts;
  const sample = texts.slice(0, SAMPLE);
  const useLite = embedWith(base, { encoder: 'use-lite', cache: null });
  const rssBefore = peakRssMb();

  // (c) The whole catalogue through the stage (cache off) first, so the peak RSS is this step's.
  const full = await embedCatalogue(texts, useLite);
  const peak = { items: texts.length, peak_rss_mb: peakRssMb(), peak_rss_before_mb: rssBefore };
  const fullUseLite = { vectors: full.vectors, dim: full.dim, seconds: full.seconds };

  // (a) Stage vs bare encoder on the same texts, same batch size.
  const tLoad = performance.now();
  const bare = await createEmbedder(embedOptionsFromConfig(useLite));
  const load_s = seconds(tLoad);
  let bare_s: number;
  try {
    bare_s = await bareEmbed(bare, sample, useLite.batch);
  } finally {
    bare.dispose();
  }
  const stage = await embedCatalogue(sample, useLite);
  const stageVsBare = {
    texts: sample.length,
    batch: useLite.batch,
    bare_sentences_per_s: round(sample.length / bare_s, 1),
    stage_sentences_per_s: round(sample.length / stage.seconds, 1),
    ratio: round(bare_s / stage.seconds),
    model_load_s: round(load_s),
    ratio_excluding_model_load: round(bare_s / (stage.seconds - load_s)),
    target: 0.9,
  };

  // (b) Cold then warm run through the stage with an lmdb cache.
  const cacheDir = mkdtempSync(join(tmpdir(), 'embed-bench-cache-'));
  let warmCache: Record<string, number>;
  try {
    const withCache = embedWith(useLite, { cache: cacheDir });
    const cold = await embedCatalogue(sample, withCache);
    const warm = await embedCatalogue(sample, withCache);
    if (warm.misses !== 0) throw new Error(`warm run re-encoded ${warm.misses} texts`);
    warmCache = {
      cold_s: round(cold.seconds),
      warm_s: round(warm.seconds),
      speedup: round(cold.seconds / warm.seconds, 1),
      target: 50,
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }

  // (d) Do items sharing a first genre sit closer together? Per encoder, over the whole catalogue.
  const genres = dataset.items.categories.map((c) => c[0] ?? '(none)');
  const others = {
    hashing: embedWith(base, { encoder: 'hashing', cache: null }),
    'transformers-tiny (RANDOM weights)': embedWith(base, {
      encoder: 'transformers',
      cache: null,
      transformers: { model: TINY_BERT },
    }),
  };
  const runs: Record<string, { vectors: Float32Array; dim: number; seconds: number }> = {};
  for (const [name, cfg] of Object.entries(others)) {
    const tE = performance.now();
    const e = await createEmbedder(embedOptionsFromConfig(cfg));
    try {
      const vectors = new Float32Array(texts.length * e.dim);
      for (let i = 0; i < texts.length; i += cfg.batch) {
        vectors.set(await e.embed(texts.slice(i, i + cfg.batch)), i * e.dim);
      }
      runs[name] = { vectors, dim: e.dim, seconds: seconds(tE) };
    } finally {
      e.dispose();
    }
  }
  runs['use-lite'] = fullUseLite;
  const sanity = Object.fromEntries(
    Object.entries(runs).map(([name, r]) => [
      name,
      {
        dim: r.dim,
        catalogue_s: round(r.seconds, 2),
        sentences_per_s: round(texts.length / r.seconds, 1),
        ...cohesion(r.vectors, r.dim, genres),
      },
    ]),
  );

  return {
    bench: 'embed',
    machine: machine(),
    backend: backend.name,
    data: { config: 'configs/movielens-small.yaml', items: texts.length, load_s: round(load_data_s) },
    stage_vs_bare: stageVsBare,
    warm_cache: warmCache,
    full_catalogue: peak,
    genre_sanity: sanity,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runEmbedBench(), null, 2));
}
