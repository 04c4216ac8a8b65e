import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { ItemResidual } from '../../src/model/item-residual.ts';
import { TrainedWeights } from '../../src/model/trained-weights.ts';

describe('TrainedWeights', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it("snapshots the model's weights then the residual, and restores both from a snapshot", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const residual = new ItemResidual(tf.tensor2d([1, 0, 0, 1], [2, 2]));
    const weights = new TrainedWeights(model, residual);
    expect(weights.extras).toEqual([residual.variable]);
    residual.step(Int32Array.of(0), Float32Array.of(1, 1), 1);
    const saved = weights.snapshot();
    expect(saved).toHaveLength(model.weights.length + 1);
    expect(Array.from(saved.at(-1)!.dataSync())).toEqual([-1, -1, 0, 0]);
    const kernel = Array.from(model.getWeights()[0].dataSync());

    model.setWeights(model.getWeights().map((w) => tf.zerosLike(w)));
    residual.step(Int32Array.of(1), Float32Array.of(1, 1), 1);
    weights.restore(saved);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual(kernel);
    // The JS rows follow the restored variable.
    expect(Array.from(residual.batchRows(Int32Array.of(0, 1), 'rows').dataSync())).toEqual([-1, -1, 0, 0]);
    residual.dispose();
  });

  it('without a residual, has no extras and snapshots the model alone', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const weights = new TrainedWeights(model, null);
    expect(weights.extras).toEqual([]);
    expect(weights.snapshot()).toHaveLength(model.weights.length);
  });
});
