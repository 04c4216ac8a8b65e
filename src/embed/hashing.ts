import { normalizeRows } from '../util/vec.ts';
import type { Embedder, HashingOptions } from './types.ts';

export const HASHING_DEFAULTS: HashingOptions = { dim: 256, ngrams: 2, seed: 42 };

/** Bump when the feature extraction changes, so cached vectors from older code are not reused. */
const ALGORITHM_VERSION = 1;
const TOKEN_RE = /[\p{L}\p{N}]+/gu;

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Seeded FNV-1a over UTF-16 code units, finalised with fmix32. */
export function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Order-sensitive combination of an n-gram prefix hash with the next token's hash. */
function extend(prefix: number, next: number, order: number): number {
  return fmix32((Math.imul(prefix, 0x01000193) ^ next ^ Math.imul(order, 0x27d4eb2d)) >>> 0);
}

/** Lower-cased runs of letters/digits. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}

/** Hashed word 1..n-gram counts of one text. */
function featureCounts(tokens: readonly string[], ngrams: number, seed: number): Map<number, number> {
  const counts = new Map<number, number>();
  const hashes = tokens.map((t) => hashString(t, seed));
  for (let i = 0; i < hashes.length; i++) {
    let h = hashes[i];
    counts.set(h, (counts.get(h) ?? 0) + 1);
    for (let k = 1; k < ngrams && i + k < hashes.length; k++) {
      h = extend(h, hashes[i + k], k + 1);
      counts.set(h, (counts.get(h) ?? 0) + 1);
    }
  }
  return counts;
}

/** Writes the signed, sublinear-tf feature vector of `text` into `out` at `offset` (not normalised). */
function hashInto(text: string, opts: HashingOptions, out: Float32Array, offset: number): void {
  for (const [h, tf] of featureCounts(tokenize(text), opts.ngrams, opts.seed)) {
    // Sign from an independent re-mix so colliding features cancel in expectation instead of piling up.
    const sign = fmix32(h ^ 0x5bd1e995) & 1 ? -1 : 1;
    out[offset + (h % opts.dim)] += sign * (1 + Math.log(tf));
  }
}

function validate(opts: HashingOptions): void {
  if (!Number.isInteger(opts.dim) || opts.dim < 1) {
    throw new Error(`hashing.dim must be a positive integer, got ${opts.dim}`);
  }
  if (!Number.isInteger(opts.ngrams) || opts.ngrams < 1) {
    throw new Error(`hashing.ngrams must be a positive integer, got ${opts.ngrams}`);
  }
  if (!Number.isInteger(opts.seed)) throw new Error(`hashing.seed must be an integer, got ${opts.seed}`);
}

/** Deterministic feature-hashing encoder over lower-cased word n-grams; needs no model files. */
export function createHashingEmbedder(options: Partial<HashingOptions> = {}): Embedder {
  const opts = { ...HASHING_DEFAULTS, ...options };
  validate(opts);
  return {
    id: 'hashing',
    version: `v${ALGORITHM_VERSION}-d${opts.dim}-n${opts.ngrams}-s${opts.seed}`,
    dim: opts.dim,
    async embed(texts) {
      const out = new Float32Array(texts.length * opts.dim);
      texts.forEach((t, i) => {
        hashInto(t, opts, out, i * opts.dim);
      });
      return normalizeRows(out, opts.dim);
    },
    dispose() {},
  };
}
