import type { CommandModule } from 'yargs';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { type Config, ConfigSchema, embedWith } from '../config/schema.ts';
import { loadDataset } from '../data/read.ts';
import { embedCatalogue, threadsNote } from '../embed/catalogue.ts';
import { embedTexts } from '../embed/embed-texts.ts';
import { createEmbedder, embedOptionsFromConfig } from '../embed/registry.ts';
import { ENCODER_NAMES, type EncoderName } from '../embed/types.ts';
import { cosineMatrix } from '../embed/vector.ts';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend, resolveBackend } from '../model/backend.ts';
import { finish } from './output.ts';

interface Args {
  config?: string;
  text?: string[];
  encoder?: EncoderName;
  model?: string;
  backend?: BackendPref;
  json: boolean;
}

/** The embed section: the config's, else the defaults; --encoder / --model override it. */
export function embedSettings(
  loaded: LoadedConfig | null,
  encoder?: EncoderName,
  model?: string,
): Config['embed'] {
  const base = loaded?.config.embed ?? ConfigSchema.shape.embed.parse(undefined);
  const settings = encoder ? embedWith(base, { encoder }) : base;
  if (model === undefined || settings.encoder !== 'transformers') return settings;
  return { ...settings, transformers: { ...settings.transformers, model } };
}

/** Rows "i  0.123  0.456 …  text" for a terminal. */
function formatMatrix(texts: readonly string[], sim: number[][]): string {
  const header = `     ${texts.map((_, j) => String(j).padStart(7)).join('')}`;
  const rows = sim.map(
    (r, i) =>
      `${String(i).padStart(3)}  ${r.map((x) => x.toFixed(3).padStart(7)).join('')}  ${texts[i].slice(0, 60)}`,
  );
  return [header, ...rows].join('\n');
}

async function similarity(texts: string[], cfg: Config['embed'], backend: string, json: boolean) {
  const embedder = await createEmbedder(embedOptionsFromConfig(cfg));
  try {
    const r = await embedTexts(embedder, texts, { batch: cfg.batch, cache: null });
    const sim = cosineMatrix(r.vectors, r.dim);
    const encoder = { id: embedder.id, version: embedder.version, dim: embedder.dim };
    finish(json, { command: 'embed', mode: 'similarity', backend, encoder, texts, similarity: sim }, () =>
      [
        `${encoder.id} ${encoder.dim}-d (${encoder.version}), cosine similarity:`,
        formatMatrix(texts, sim),
      ].join('\n'),
    );
  } finally {
    embedder.dispose();
  }
}

async function precompute(loaded: LoadedConfig, cfg: Config['embed'], backend: string, json: boolean) {
  const dataset = await loadDataset(loaded.config.data, loaded.baseDir);
  const r = await embedCatalogue(dataset.items.texts, cfg);
  const summary = {
    command: 'embed',
    mode: 'catalogue',
    backend,
    config: loaded.path,
    items: dataset.items.texts.length,
    encoder: r.encoder,
    cache: cfg.cache,
    hits: r.hits,
    misses: r.misses,
    thread_batches: r.threadBatches,
    seconds: r.seconds,
  };
  finish(
    json,
    summary,
    () =>
      `embedded ${summary.items} items with ${r.encoder.id} ${r.encoder.dim}-d: ${r.misses} encoded${threadsNote(r)}, ` +
      `${r.hits} from cache ${cfg.cache ?? '(none)'}, ${r.seconds.toFixed(1)}s`,
  );
}

export const embedCommand: CommandModule<object, Args> = {
  command: 'embed',
  describe: 'precompute the item embeddings of a config into the cache, or compare texts (--text)',
  builder: (y) =>
    y
      .option('config', {
        type: 'string',
        describe: 'YAML config: embed its items (or take --text settings from it)',
      })
      .option('text', {
        type: 'string',
        array: true,
        describe: 'a text to compare; repeat for each (prints the cosine similarity matrix)',
      })
      .option('encoder', { choices: ENCODER_NAMES, describe: 'overrides embed.encoder' })
      .option('model', {
        type: 'string',
        describe: 'transformers model folder or hub id (overrides embed.transformers.model)',
      })
      .option('backend', {
        choices: BACKEND_PREFS,
        describe: 'tfjs backend (overrides INTEREST_EVO_BACKEND and train.backend)',
      })
      .option('json', { type: 'boolean', default: false })
      .check((a) => {
        if (!a.config && !a.text?.length) throw new Error('give --config FILE, or one or more --text "…"');
        return true;
      }) as never,
  handler: async (args) => {
    const loaded = args.config ? loadConfig(args.config) : null;
    const backend = await resolveBackend(
      requestedBackend(args.backend) ?? loaded?.config.train.backend ?? 'auto',
    );
    const cfg = embedSettings(loaded, args.encoder, args.model);
    if (args.text?.length) await similarity(args.text.map(String), cfg, backend.name, args.json);
    else if (loaded) await precompute(loaded, cfg, backend.name, args.json);
  },
};
