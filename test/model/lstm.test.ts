import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { buildSequenceModel, predict, type SequenceModelSpec } from '../../src/model/lstm.ts';
import { withSeededRandom } from '../../src/util/seeded.ts';

const spec: SequenceModelSpec = {
  cell: 'lstm',
  units: 8,
  layers: 2,
  inputProjection: 6,
  dropout: 0.1,
  recurrentDropout: 0,
  l2: 0,
  maxLen: 5,
  inputWidth: 7,
  outputDim: 4,
  topicHead: 3,
};

describe('buildSequenceModel', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('outputs an interest vector and a topic-share forecast that sums to one', () => {
    const model = buildSequenceModel(spec);
    const x = Float32Array.from({ length: 2 * 5 * 7 }, (_, i) => Math.sin(i));
    const p = predict(model, x, 2, spec);
    expect(p.vectors).toHaveLength(2 * 4);
    expect(p.topics).toHaveLength(2 * 3);
    for (let r = 0; r < 2; r++)
      expect(p.topics!.subarray(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('masks left padding: [0, 0, a, b, c] gives what an unpadded model gives for [a, b, c]', () => {
    const padded = buildSequenceModel({ ...spec, dropout: 0 });
    const short = buildSequenceModel({ ...spec, dropout: 0, maxLen: 3 });
    short.setWeights(padded.getWeights());
    const abc = Float32Array.from({ length: 3 * 7 }, (_, i) => Math.cos(i) + 0.1);
    const row = new Float32Array(5 * 7);
    row.set(abc, 2 * 7);
    const a = predict(padded, row, 1, spec).vectors;
    const b = predict(short, abc, 1, { ...spec, maxLen: 3 }).vectors;
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    padded.dispose();
    short.dispose();
  });

  it('is rebuilt identically from the same seed, differently from another', async () => {
    const w = async (seed: number) => {
      const m = await withSeededRandom(seed, () => buildSequenceModel(spec));
      const flat = m.getWeights().flatMap((t) => [...(t.dataSync() as Float32Array)]);
      m.dispose();
      return flat;
    };
    expect(await w(1)).toEqual(await w(1));
    expect(await w(1)).not.toEqual(await w(2));
    expect(tf.memory().numTensors).toBeLessThan(200);
  });
});
