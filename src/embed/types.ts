/** A sentence encoder: turns texts into L2-normalised row vectors. */
export interface Embedder {
  /** Registry name, e.g. 'use-lite', 'hashing'. */
  readonly id: string;
  /** Changes whenever the vectors would change (model files hash / hashing params); part of the cache key. */
  readonly version: string;
  readonly dim: number;
  /** Row-major `texts.length × dim`, each row L2-normalised (a text without features gives a zero row). */
  embed(texts: readonly string[]): Promise<Float32Array>;
  dispose(): void;
}

export type EncoderName = 'use-lite' | 'hashing';

export interface HashingOptions {
  dim: number;
  ngrams: number;
  seed: number;
}

export interface EmbedOptions {
  encoder: EncoderName;
  /** Sentences per encoder call. */
  batch: number;
  /** lmdb directory; null = no cache. */
  cacheDir: string | null;
  /** Defaults: dim 256, ngrams 2, seed 42. */
  hashing?: HashingOptions;
}
