import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransformersEmbedder, digestModel, locateModel } from '../../src/embed/transformers.ts';
import type { Embedder, TransformersOptions } from '../../src/embed/types.ts';
import { cosineRows } from '../../src/embed/vector.ts';

// RANDOM weights (see test/fixtures/tiny-bert/README.md): these tests check loading and plumbing, not meaning.
const FIXTURE = 'test/fixtures/tiny-bert';
const DIM = 32;
const TOY = 'Toy Story (1995). Genres: Adventure|Animation|Children|Comedy|Fantasy';
const HEAT = 'Heat (1995). Genres: Action|Crime|Thriller';
const LONG = `${'A very long title '.repeat(60)}(2001). Genres: Drama`;
const opts = (o: Partial<TransformersOptions> = {}): Partial<TransformersOptions> => ({
  model: FIXTURE,
  ...o,
});

let tmp: string;
let e: Embedder;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tjs-'));
  e = await createTransformersEmbedder(opts());
});
afterAll(() => {
  e?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

function row(v: Float32Array, i: number): Float32Array {
  return v.subarray(i * DIM, (i + 1) * DIM);
}

describe('transformers embedder on the tiny random BERT fixture', () => {
  it('loads offline and names dtype, pooling and a digest of the model files', () => {
    expect(env.allowRemoteModels).toBe(false);
    expect([e.id, e.dim]).toEqual(['transformers', DIM]);
    expect(e.version).toMatch(/^tjs4\.\d+\.\d+-fp32-mean-[0-9a-f]{12}$/);
  });

  it('gives unit rows, and a zero row for a blank text', async () => {
    const v = await e.embed([TOY, '  ', HEAT, LONG]);
    expect(v.length).toBe(4 * DIM);
    for (const i of [0, 2, 3]) expect(Math.hypot(...row(v, i))).toBeCloseTo(1, 5);
    expect(row(v, 1).every((x) => x === 0)).toBe(true);
    expect(cosineRows(v, DIM, 0, 2)).toBeLessThan(0.9999);
    expect((await e.embed([])).length).toBe(0);
  });

  it('is deterministic across instances and independent of the batch (padding is masked)', async () => {
    const other = await createTransformersEmbedder(opts());
    try {
      const together = await e.embed([HEAT, TOY, LONG]);
      expect(await other.embed([HEAT, TOY, LONG])).toEqual(together);
      for (const [i, text] of [HEAT, TOY, LONG].entries()) {
        const alone = await other.embed([text]);
        for (let k = 0; k < DIM; k++) expect(together[i * DIM + k]).toBeCloseTo(alone[k], 5);
      }
    } finally {
      other.dispose();
    }
  });

  it('pools by the first token with pooling cls', async () => {
    const cls = await createTransformersEmbedder(opts({ pooling: 'cls' }));
    try {
      expect(cls.version).toMatch(/-fp32-cls-/);
      const a = await cls.embed([TOY]);
      const b = await e.embed([TOY]);
      expect(Math.hypot(...a)).toBeCloseTo(1, 5);
      expect(a).not.toEqual(b);
    } finally {
      cls.dispose();
    }
  });

  it('finds a hub id under modelsDir and gives the same vectors as the folder', async () => {
    const models = join(tmp, 'models');
    cpSync(FIXTURE, join(models, 'test-org', 'tiny-bert'), { recursive: true });
    const hub = await createTransformersEmbedder({ model: 'test-org/tiny-bert', modelsDir: models });
    try {
      expect(hub.version).toBe(e.version);
      expect(await hub.embed([TOY])).toEqual(await e.embed([TOY]));
    } finally {
      hub.dispose();
    }
  });

  it('refuses to go online for a missing hub id unless allow_remote is set', () => {
    const base: TransformersOptions = {
      model: 'org/absent',
      pooling: 'mean',
      dtype: 'fp32',
      allowRemote: false,
      modelsDir: tmp,
    };
    expect(() => locateModel(base)).toThrow(/model 'org\/absent' not found.*allow_remote: true/);
    expect(locateModel({ ...base, allowRemote: true })).toEqual({
      dir: join(tmp, 'org', 'absent'),
      loadAs: 'org/absent',
    });
    expect(locateModel({ ...base, model: FIXTURE })).toEqual({
      dir: resolve(FIXTURE),
      loadAs: resolve(FIXTURE),
    });
  });

  it('names the missing ONNX file for a dtype the folder lacks', async () => {
    await expect(createTransformersEmbedder(opts({ dtype: 'q8' }))).rejects.toThrow(
      /lacks onnx\/model_quantized\.onnx \(dtype q8\)/,
    );
  });

  it('rejects an unknown pooling or dtype by name', async () => {
    await expect(createTransformersEmbedder(opts({ pooling: 'max' as never }))).rejects.toThrow(
      /pooling must be 'mean' or 'cls', got 'max'/,
    );
    await expect(createTransformersEmbedder(opts({ dtype: 'fp16' as never }))).rejects.toThrow(
      /dtype must be/,
    );
  });

  it('changes the version digest when a model file changes, not when the folder moves', async () => {
    const copy = join(tmp, 'copy');
    cpSync(FIXTURE, copy, { recursive: true });
    const base = await digestModel(resolve(FIXTURE), 'fp32');
    expect(await digestModel(copy, 'fp32')).toBe(base);
    writeFileSync(join(copy, 'tokenizer_config.json'), '{"model_max_length": 64}\n');
    expect(await digestModel(copy, 'fp32')).not.toBe(base);
    expect(e.version.endsWith(base)).toBe(true);
  });

  it('refuses to embed after dispose', async () => {
    const other = await createTransformersEmbedder(opts());
    other.dispose();
    await expect(other.embed([TOY])).rejects.toThrow(/after dispose/);
  });
});
