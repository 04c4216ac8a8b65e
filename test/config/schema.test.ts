import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { ConfigSchema, embedWith, forecastSettings } from '../../src/config/schema.ts';
import { ENCODERS } from '../../src/embed/registry.ts';
import { FORECASTERS } from '../../src/forecast/registry.ts';

const base = () => JSON.parse(JSON.stringify(loadConfig('configs/movielens-small.yaml').config));
const parse = (over: object) => parseConfig({ ...base(), ...over });
const kinds = (field: 'forecast' | 'embed') => {
  // default → preprocess pipe → discriminated union of strict objects.
  const union = ConfigSchema.shape[field].def.innerType.def.out as unknown as {
    def: { discriminator: string; options: { shape: Record<string, { value: string }> }[] };
  };
  return union.def.options.map((o) => o.shape[union.def.discriminator].value);
};

describe('config schema', () => {
  it('parses every shipped config', () => {
    for (const f of readdirSync('configs').filter((n) => n.endsWith('.yaml')))
      expect(() => loadConfig(`configs/${f}`), f).not.toThrow();
  });

  it('rejects a key of another forecaster, naming it and its forecaster', () => {
    expect(() => parse({ forecast: { model: 'ses', order: [1, 1, 1] } })).toThrow(
      /forecast: "order" is a key of arima, not of model: ses/,
    );
    expect(() => parse({ forecast: { model: 'pooled', alpha: 0.5 } })).toThrow(/"alpha" is a key of ses/);
    expect(() => parse({ forecast: { model: 'arima', shrink: 0.1 } })).toThrow(/forecast.*shrink/);
    expect(() => parse({ forecast: { model: 'sarima' } })).toThrow(/forecast\.model.*'pooled' \| 'arima'/);
  });

  it("rejects another encoder's block", () => {
    expect(() => parse({ embed: { encoder: 'use-lite', hashing: { dim: 64 } } })).toThrow(
      /embed: "hashing" is a key of hashing, not of encoder: use-lite/,
    );
  });

  it('keeps the defaults: a block without `model` is pooled, each forecaster at its former defaults', () => {
    expect(parse({ forecast: { ridge: 0.02 } }).forecast).toEqual({
      model: 'pooled',
      per: 'topic',
      ridge: 0.02,
      strength: 'auto',
      horizon: 1,
    });
    const { forecast, embed, ...rest } = base();
    expect(parseConfig(rest).forecast.model).toBe('pooled');
    expect(parseConfig(rest).embed).toEqual({
      encoder: 'use-lite',
      batch: 64,
      cache: 'data/cache/embeddings',
      threads: 'auto',
    });
    expect(forecastSettings({ model: 'arima-resid' })).toEqual({
      model: 'arima-resid',
      level: 'mean',
      shrink: 0.5,
      horizon: 1,
    });
    expect(forecastSettings({ model: 'ses' }).alpha).toBe(0.3);
    expect(forecastSettings({ model: 'arima' })).toMatchObject({ order: [1, 1, 1], fallback: 'mean' });
  });

  it('reads another forecaster from a block with `model` swapped (evaluation references)', () => {
    const pooled = parse({ forecast: { model: 'pooled', strength: 5 } }).forecast;
    expect(forecastSettings({ ...pooled, model: 'ses' })).toEqual({ model: 'ses', alpha: 0.3, horizon: 1 });
    expect(forecastSettings({ ...pooled, model: 'pooled' }).strength).toBe(5);
  });

  it('parses a flat block from a config resolved before per-kind blocks (old manifests)', () => {
    const flat = {
      forecast: {
        model: 'arima-resid',
        order: [1, 1, 1],
        fallback: 'mean',
        alpha: 0.3,
        level: 'ses',
        shrink: 0.4,
        weights: 'aic',
        horizon: 1,
      },
      embed: {
        encoder: 'hashing',
        batch: 64,
        cache: null,
        hashing: { dim: 32, ngrams: 1, seed: 1 },
        transformers: {
          model: 'Xenova/all-MiniLM-L6-v2',
          pooling: 'mean',
          dtype: 'fp32',
          allow_remote: false,
          models_dir: 'data/models',
        },
      },
    };
    const c = parse(flat);
    expect(c.forecast).toEqual({ model: 'arima-resid', level: 'ses', shrink: 0.4, horizon: 1 });
    expect(c.embed).toEqual({
      encoder: 'hashing',
      batch: 64,
      cache: null,
      threads: 'auto',
      hashing: { dim: 32, ngrams: 1, seed: 1 },
    });
  });

  it('takes forecaster and encoder names from the registries', () => {
    expect(kinds('forecast').sort()).toEqual(['pooled', ...Object.keys(FORECASTERS)].sort());
    expect(kinds('embed').sort()).toEqual(Object.keys(ENCODERS).sort());
  });

  it('switches encoders keeping the shared keys', () => {
    const hashing = parse({
      embed: { encoder: 'hashing', batch: 8, cache: null, threads: 1, hashing: { dim: 64 } },
    }).embed;
    expect(embedWith(hashing, { encoder: 'use-lite' })).toEqual({
      encoder: 'use-lite',
      batch: 8,
      cache: null,
      threads: 1,
    });
    expect(embedWith(hashing, { cache: 'c' })).toMatchObject({
      encoder: 'hashing',
      cache: 'c',
      hashing: { dim: 64 },
    });
  });
});
