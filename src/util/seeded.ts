import { mulberry32 } from './random.ts';

/**
 * Runs fn with Math.random replaced by a seeded PRNG. tfjs draws initial weights and dropout masks from
 * Math.random when a layer has no seed (and a fixed per-layer seed would repeat one dropout mask every
 * batch), so this is what makes "same config + seed + backend → same weights" hold.
 */
export async function withSeededRandom<T>(seed: number, fn: () => Promise<T> | T): Promise<T> {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}
