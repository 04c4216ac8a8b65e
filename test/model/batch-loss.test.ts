import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchLoss, candidates } from '../../src/model/batch-loss.ts';
import { buildSequenceModel, predict } from '../../src/model/lstm.ts';
import { tinySpec } from '../helpers/model-spec.ts';

describe('candidates', () => {
  it("lists the batch's targets first, then distinct sampled items; y spreads each row's mass over its targets", () => {
    const draws = [0.95, 0.05, 0.55];
    const c = candidates([Int32Array.of(3, 1), Int32Array.of(1)], 10, 3, () => draws.shift()!);
    expect(Array.from(c.ids)).toEqual([3, 1, 9, 0, 5]);
    expect(c.width).toBe(5);
    expect(Array.from(c.y)).toEqual([0.5, 0.5, 0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('stops sampling once every item is a candidate', () => {
    const c = candidates([Int32Array.of(0)], 2, 100, () => 0.9);
    expect(Array.from(c.ids)).toEqual([0, 1]);
  });
});

describe('batchLoss', () => {
  const spec = tinySpec({ cell: 'gru', maxLen: 2, inputWidth: 3, outputDim: 2, topicHead: 2 });
  const opts = {
    loss: 'cosine',
    temperature: 0.1,
    negatives: 0,
    l2: 0,
    topicWeight: 0,
    residualL2: 0,
  } as const;

  it('is 1 − cos to the mean target (cosine) plus λ·KL, and reports the KL', () => {
    const model = buildSequenceModel(spec);
    const items = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const x = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
    const [a, b] = predict(model, x, 1, spec).vectors;
    tf.tidy(() => {
      const batch = {
        x: tf.tensor3d(x, [1, 2, 3]),
        targets: [Int32Array.of(0)],
        candidates: null,
        candidateRows: null,
        residualRows: null,
        shares: tf.tensor2d([[0.5, 0.5]]),
      };
      const plain = batchLoss(model, spec, items, batch, opts);
      const l0 = plain.loss().dataSync()[0];
      const kl = plain.kl.value!.dataSync()[0];
      expect(kl).toBeGreaterThanOrEqual(0);
      expect(l0).toBeCloseTo(1 - a / Math.hypot(a, b), 5);
      const weighted = batchLoss(model, spec, items, batch, { ...opts, topicWeight: 2 });
      expect(weighted.loss().dataSync()[0]).toBeCloseTo(l0 + 2 * kl, 5);
      tf.dispose([plain.kl.value!, weighted.kl.value!]);
    });
  });

  it('is the cross-entropy of softmax(cos(ŷ, candidate)/τ) against the targets (contrastive), with the residual added and renormalised', () => {
    const model = buildSequenceModel(spec);
    const x = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
    const [a, b] = predict(model, x, 1, spec).vectors;
    const u = [a / Math.hypot(a, b), b / Math.hypot(a, b)];
    // Three candidates (unit rows); the target is candidate 1.
    const rows = [
      [1, 0],
      [0.6, 0.8],
      [0, -1],
    ];
    const c = { ids: Int32Array.of(4, 7, 2), y: Float32Array.of(0, 1, 0), width: 3 };
    const tau = 0.1;
    const expected = (cand: number[][]) => {
      const logits = cand.map((r) => (u[0] * r[0] + u[1] * r[1]) / tau);
      const m = Math.max(...logits);
      return -(logits[1] - m - Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0)));
    };
    const residual = [
      [0, 1],
      [0, 0],
      [2, 0],
    ];
    const withResidual = rows.map((r, i) => {
      const v = [r[0] + residual[i][0], r[1] + residual[i][1]];
      return v.map((z) => z / Math.hypot(v[0], v[1]));
    });
    tf.tidy(() => {
      const batch = (residualRows: tf.Variable | null) => ({
        x: tf.tensor3d(x, [1, 2, 3]),
        targets: [Int32Array.of(7)],
        candidates: c,
        candidateRows: tf.tensor2d(rows),
        residualRows,
        shares: null,
      });
      const o = { ...opts, loss: 'contrastive', temperature: tau } as const;
      const items = tf.zeros([8, 2]) as tf.Tensor2D;
      expect(batchLoss(model, spec, items, batch(null), o).loss().dataSync()[0]).toBeCloseTo(
        expected(rows),
        4,
      );
      const r = tf.variable(tf.tensor2d(residual));
      expect(batchLoss(model, spec, items, batch(r), o).loss().dataSync()[0]).toBeCloseTo(
        expected(withResidual),
        4,
      );
      r.dispose();
    });
  });
});
