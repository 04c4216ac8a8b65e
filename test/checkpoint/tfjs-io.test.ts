import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromDir, saveModelToDir } from '../../src/checkpoint/tfjs-io.ts';
import { resolveBackend } from '../../src/model/backend.ts';

const root = await mkdtemp(join(tmpdir(), 'tfjs-io-'));
afterAll(() => rm(root, { recursive: true, force: true }));
beforeAll(() => resolveBackend('auto'));

/** Masking → Dense → LSTM → Dense, seeded so the test is deterministic. */
function buildModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential();
  model.add(tf.layers.masking({ maskValue: 0, inputShape: [5, 3] }));
  model.add(tf.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: init(1) }));
  model.add(tf.layers.lstm({ units: 6, kernelInitializer: init(2), recurrentInitializer: init(3) }));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: init(4), biasInitializer: 'ones' }));
  return model;
}

/** Inputs with a masked (all-zero) trailing step so masking matters. */
function inputs(): tf.Tensor3D {
  const values = Array.from({ length: 2 * 5 * 3 }, (_, i) => (i % 5 === 4 ? 0 : Math.sin(i + 1)));
  return tf.tensor3d(values, [2, 5, 3]);
}

describe('saveModelToDir / loadModelFromDir', () => {
  it('round-trips a model with identical predictions', async () => {
    const model = buildModel();
    const dir = join(root, 'm1');
    const { files } = await saveModelToDir(model, dir);
    expect(files).toEqual([join(dir, 'model.json'), join(dir, 'weights.bin')]);

    const loaded = await loadModelFromDir(dir);
    const x = inputs();
    const before = await (model.predict(x) as tf.Tensor).data();
    const after = await (loaded.predict(x) as tf.Tensor).data();
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(['Masking', 'Dense', 'LSTM', 'Dense']);
  });

  it('writes the tfjs-node file layout: model.json + weights.bin of sum(sizes) × 4 bytes', async () => {
    const model = buildModel();
    const dir = join(root, 'm2');
    await saveModelToDir(model, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(Object.keys(json)).toEqual([
      'modelTopology',
      'weightsManifest',
      'format',
      'generatedBy',
      'convertedBy',
    ]);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(json.convertedBy).toBeNull();
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const specs = json.weightsManifest[0].weights as { name: string; shape: number[]; dtype: string }[];
    expect(specs.map((s) => s.dtype)).toEqual(specs.map(() => 'float32'));
    // dense 3·4+4, lstm 4·24 + 6·24 + 24, dense 6·2+2
    const count = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    expect(count).toBe(16 + 264 + 14);
    expect(count).toBe(model.countParams());
    const bin = await readFile(join(dir, 'weights.bin'));
    expect(bin.byteLength).toBe(count * 4);
    // Weights are stored in manifest order, little-endian float32.
    const firstKernel = model.layers[1].getWeights()[0];
    const stored = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + 48));
    expect(Array.from(stored)).toEqual(Array.from(await firstKernel.data()));
  });

  it('fails clearly on a missing directory, bad JSON and truncated weights', async () => {
    await expect(loadModelFromDir(join(root, 'absent'))).rejects.toThrow(/no model\.json in .*absent/);

    const bad = join(root, 'bad');
    await saveModelToDir(buildModel(), bad);
    const bin = await readFile(join(bad, 'weights.bin'));
    await writeFile(join(bad, 'weights.bin'), bin.subarray(0, bin.byteLength - 4));
    await expect(loadModelFromDir(bad)).rejects.toThrow(/1172 bytes, the manifest describes 1176/);

    await writeFile(join(bad, 'model.json'), '{"modelTopology":');
    await expect(loadModelFromDir(bad)).rejects.toThrow(/model\.json is not valid JSON/);
  });
});
