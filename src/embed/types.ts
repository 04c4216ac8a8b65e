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
  /** Encodes through tfjs (so one instance computes on one core under the wasm and cpu backends). */
  readonly tfjs?: boolean;
  /** embed() calls it serves at once (default 1); see withThreads. */
  readonly lanes?: number;
}

export const ENCODER_NAMES = ['use-lite', 'hashing', 'transformers'] as const;
export type EncoderName = (typeof ENCODER_NAMES)[number];

export interface HashingOptions {
  dim: number;
  ngrams: number;
  seed: number;
}

export type Pooling = 'mean' | 'cls';
export type TransformersDtype = 'fp32' | 'q8';

export interface TransformersOptions {
  /** A local model folder, or a hub id looked up as `<modelsDir>/<id>`. */
  model: string;
  pooling: Pooling;
  /** fp32 loads `onnx/model.onnx`, q8 `onnx/model_quantized.onnx`. */
  dtype: TransformersDtype;
  /** Download a hub id missing from modelsDir (off by default: this project runs offline). */
  allowRemote: boolean;
  /** Where hub ids are looked up, and downloaded to when allowRemote is on. */
  modelsDir: string;
}

export interface EmbedOptions {
  encoder: EncoderName;
  /** Sentences per encoder call. */
  batch: number;
  /** lmdb directory; null = no cache. */
  cacheDir: string | null;
  /** Defaults: dim 256, ngrams 2, seed 42. */
  hashing?: HashingOptions;
  /** Defaults: TRANSFORMERS_DEFAULTS (all-MiniLM-L6-v2 under data/models, offline). */
  transformers?: TransformersOptions;
}
