import { createHashingEmbedder } from './hashing.ts';
import type { EmbedOptions, Embedder, EncoderName } from './types.ts';
import { createUseLiteEmbedder } from './use-lite.ts';

/** Encoder factories by name: adding an encoder = one file + one line here. */
export const ENCODERS: Record<EncoderName, (opts: EmbedOptions) => Promise<Embedder>> = {
  'use-lite': () => createUseLiteEmbedder(),
  hashing: async (opts) => createHashingEmbedder(opts.hashing),
};

export function createEmbedder(opts: EmbedOptions): Promise<Embedder> {
  const factory = Object.hasOwn(ENCODERS, opts.encoder) ? ENCODERS[opts.encoder] : undefined;
  if (!factory) {
    throw new Error(`unknown encoder '${opts.encoder}'; expected one of: ${Object.keys(ENCODERS).join(', ')}`);
  }
  return factory(opts);
}
