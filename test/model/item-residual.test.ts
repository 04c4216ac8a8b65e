import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { ItemResidual } from '../../src/model/item-residual.ts';

describe('ItemResidual', () => {
  let items: tf.Tensor2D;
  beforeAll(async () => {
    await resolveBackend('wasm');
    items = tf.tensor2d([1, 0, 0, 1, 3, 4], [3, 2]);
  });

  it('starts at zero: items score by their own unit vectors', () => {
    const r = new ItemResidual(items);
    expect(Array.from(r.scoringVectors())).toEqual([1, 0, 0, 1, 0.6000000238418579, 0.800000011920929]);
    r.dispose();
  });

  it('gives a batch its rows as a trainable leaf and steps only those rows (plain SGD)', () => {
    const r = new ItemResidual(items);
    r.step(Int32Array.of(2, 0), Float32Array.of(1, 2, -3, 4), 0.5);
    const rows = r.batchRows(Int32Array.of(0, 2), 'rows');
    expect(rows.trainable).toBe(true);
    expect(Array.from(rows.dataSync())).toEqual([1.5, -2, -0.5, -1]);
    // e_1 + r_1 = (0, 1) unchanged; e_0 + r_0 = (2.5, −2) normalised.
    const s = r.scoringVectors();
    expect(Array.from(s.subarray(2, 4))).toEqual([0, 1]);
    expect(s[0]).toBeCloseTo(2.5 / Math.hypot(2.5, 2), 6);
    rows.dispose();
    r.dispose();
  });

  it('push copies the JS rows into the variable and pull copies them back', () => {
    const r = new ItemResidual(items);
    r.step(Int32Array.of(1), Float32Array.of(-2, 0), 1);
    expect(Array.from(r.variable.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    r.push();
    expect(Array.from(r.variable.dataSync())).toEqual([0, 0, 2, 0, 0, 0]);
    r.variable.assign(tf.zeros([3, 2]));
    r.pull();
    expect(Array.from(r.batchRows(Int32Array.of(1), 'one').dataSync())).toEqual([0, 0]);
    r.dispose();
  });

  it.each(['cpu', 'wasm'])(
    'on %s, a snapshot of the variable keeps its values when the rows move on',
    async (backend) => {
      await tf.setBackend(backend);
      const r = new ItemResidual(items);
      try {
        r.step(Int32Array.of(0), Float32Array.of(-1, 0), 1);
        r.push();
        const snapshot = r.variable.clone();
        r.step(Int32Array.of(0), Float32Array.of(-1, 0), 1);
        expect(Array.from(snapshot.dataSync())).toEqual([1, 0, 0, 0, 0, 0]);
      } finally {
        r.dispose();
        await tf.setBackend('wasm');
      }
    },
  );
});
