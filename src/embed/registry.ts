import type { EmbedConfig } from '../config/schema.ts';
import { createHashingEmbedder } from './hashing.ts';
import { createTransformersEmbedder } from './transformers.ts';
import type { Embedder, EmbedOptions, EncoderName } from './types.ts';
import { createUseLiteEmbedder } from './use-lite.ts';

/** Encoder factories by name: adding an encoder = one file + one line here. */
export const ENCODERS: Record<EncoderName, (opts: EmbedOptions) => Promise<Embedder>> = {
  'use-lite': () => createUseLiteEmbedder(),
  hashing: async (opts) => createHashingEmbedder(opts.hashing),
  transformers: (opts) => createTransformersEmbedder(opts.transformers),
};

export function createEmbedder(opts: EmbedOptions): Promise<Embedder> {
  const factory = Object.hasOwn(ENCODERS, opts.encoder) ? ENCODERS[opts.encoder] : undefined;
  if (!factory) {
    throw new Error(
      `unknown encoder '${opts.encoder}'; expected one of: ${Object.keys(ENCODERS).join(', ')}`,
    );
  }
  return factory(opts);
}

/** The `embed:` config section as encoder options, so new encoder settings need no pipeline change. */
export function embedOptionsFromConfig(cfg: EmbedConfig): EmbedOptions {
  const common = { encoder: cfg.encoder, batch: cfg.batch, cacheDir: cfg.cache };
  switch (cfg.encoder) {
    case 'hashing':
      return { ...common, hashing: cfg.hashing };
    case 'transformers': {
      const t = cfg.transformers;
      const transformers = {
        model: t.model,
        pooling: t.pooling,
        dtype: t.dtype,
        allowRemote: t.allow_remote,
        modelsDir: t.models_dir,
      };
      return { ...common, transformers };
    }
    default:
      return common;
  }
}
