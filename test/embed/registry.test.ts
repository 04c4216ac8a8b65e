import { describe, expect, it } from 'vitest';
import { createEmbedder, ENCODERS } from '../../src/embed/registry.ts';
import type { EncoderName } from '../../src/embed/types.ts';

describe('encoder registry', () => {
  it('lists the known encoders', () => {
    expect(Object.keys(ENCODERS).sort()).toEqual(['hashing', 'use-lite']);
  });

  it('passes hashing options through, with defaults when absent', async () => {
    const custom = await createEmbedder({
      encoder: 'hashing',
      batch: 8,
      cacheDir: null,
      hashing: { dim: 64, ngrams: 3, seed: 1 },
    });
    expect([custom.id, custom.dim, custom.version]).toEqual(['hashing', 64, 'v1-d64-n3-s1']);
    const dflt = await createEmbedder({ encoder: 'hashing', batch: 8, cacheDir: null });
    expect(dflt.dim).toBe(256);
    expect((await dflt.embed(['a b'])).length).toBe(256);
  });

  it('names the valid encoders when given an unknown one', () => {
    expect(() => createEmbedder({ encoder: 'bert' as EncoderName, batch: 8, cacheDir: null })).toThrow(
      /unknown encoder 'bert'.*use-lite, hashing/,
    );
  });
});
