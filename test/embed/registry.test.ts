import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.ts';
import { createEmbedder, ENCODERS, embedOptionsFromConfig } from '../../src/embed/registry.ts';
import { ENCODER_NAMES, type EncoderName } from '../../src/embed/types.ts';

describe('encoder registry', () => {
  it('lists the known encoders', () => {
    expect(Object.keys(ENCODERS).sort()).toEqual(['hashing', 'transformers', 'use-lite']);
    expect([...ENCODER_NAMES].sort()).toEqual(Object.keys(ENCODERS).sort());
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
      /unknown encoder 'bert'.*use-lite, hashing, transformers/,
    );
  });
});

describe('embedOptionsFromConfig', () => {
  const parseEmbed = (raw: unknown) => ConfigSchema.shape.embed.parse(raw);

  it('builds a transformers encoder from the embed config section alone', async () => {
    const cfg = parseEmbed({
      encoder: 'transformers',
      cache: null,
      transformers: { model: 'test/fixtures/tiny-bert', pooling: 'cls' },
    });
    const opts = embedOptionsFromConfig(cfg);
    expect(opts.transformers).toEqual({
      model: 'test/fixtures/tiny-bert',
      pooling: 'cls',
      dtype: 'fp32',
      allowRemote: false,
      modelsDir: 'data/models',
    });
    const e = await createEmbedder(opts);
    try {
      expect([e.id, e.dim]).toEqual(['transformers', 32]);
      expect(e.version).toMatch(/-fp32-cls-/);
    } finally {
      e.dispose();
    }
  });

  it('defaults to use-lite and rejects unknown transformers keys', () => {
    expect(embedOptionsFromConfig(parseEmbed({})).encoder).toBe('use-lite');
    const transformers = (t: object) => parseEmbed({ encoder: 'transformers', transformers: t });
    expect(() => transformers({ model: 'x', remote: true })).toThrow(/remote/);
    expect(() => transformers({ pooling: 'max' })).toThrow();
    expect(() => parseEmbed({ transformers: { model: 'x' } })).toThrow(
      /transformers.{0,3} is a key of transformers, not of encoder: use-lite/,
    );
  });
});
