import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import type { Embedder } from './types.ts';

/** The parts of an embedder that identify its vectors. */
export type EmbedderKey = Pick<Embedder, 'id' | 'version' | 'dim'>;

export function cacheKey(embedder: EmbedderKey, text: string): string {
  return `${embedder.id}@${embedder.version}:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Persistent text → vector store in lmdb. Key `${id}@${version}:${sha256(text)}`, value the raw
 * little-endian Float32 bytes of one L2-normalised row. Any number of encoders can share one directory.
 */
export class EmbeddingCache {
  private db: RootDatabase<Buffer, string> | null;

  private constructor(db: RootDatabase<Buffer, string>) {
    this.db = db;
  }

  static open(dir: string): EmbeddingCache {
    if (!dir) throw new Error('EmbeddingCache.open: cache directory must be a non-empty path');
    mkdirSync(dir, { recursive: true });
    return new EmbeddingCache(open<Buffer, string>({ path: dir, encoding: 'binary', compression: false }));
  }

  private live(): RootDatabase<Buffer, string> {
    if (!this.db) throw new Error('EmbeddingCache: used after close()');
    return this.db;
  }

  /**
   * Cached vector of `text`, or undefined. A stored value of the wrong length (only possible if an
   * encoder changed without bumping its version) counts as a miss, so the next put overwrites it.
   */
  get(embedder: EmbedderKey, text: string): Float32Array | undefined {
    const bytes = this.live().getBinary(cacheKey(embedder, text));
    if (!bytes || bytes.length !== embedder.dim * 4) return undefined;
    // Copy into a fresh buffer: lmdb's Buffer need not be 4-byte aligned.
    const out = new Float32Array(embedder.dim);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  /** Stores row i of `vectors` (row-major, texts.length × dim) under texts[i]; resolves once committed. */
  async put(embedder: EmbedderKey, texts: readonly string[], vectors: Float32Array): Promise<void> {
    if (vectors.length !== texts.length * embedder.dim) {
      throw new Error(
        `EmbeddingCache.put: ${vectors.length} floats for ${texts.length} texts × dim ${embedder.dim}`,
      );
    }
    const db = this.live();
    const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
    const rowBytes = embedder.dim * 4;
    await db.batch(() => {
      texts.forEach((t, i) => {
        // lmdb copies the value into its write buffer, so a subarray view is safe.
        db.put(cacheKey(embedder, t), bytes.subarray(i * rowBytes, (i + 1) * rowBytes) as Buffer);
      });
    });
  }

  /** Number of stored vectors (all encoders). */
  get size(): number {
    return this.live().getCount();
  }

  /** Waits for pending writes and closes the environment; later calls throw. Idempotent. */
  async close(): Promise<void> {
    const db = this.db;
    if (!db) return;
    this.db = null;
    await db.flushed;
    await db.close();
  }
}
