import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/sequence.ts';
import { resolveBackend } from '../../src/model/backend.ts';
import {
  oneHotTopics,
  TOPIC_SMOOTHING,
  TopicItems,
  topicItemDistribution,
} from '../../src/recommend/topic-mixture.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** n items × k soft memberships (rows sum to 1) and counts, seeded. */
function catalogue(n: number, k: number, seed: number) {
  const rand = mulberry32(seed);
  const m = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += m[i * k + c] = rand() ** 4;
    for (let c = 0; c < k; c++) m[i * k + c] /= s;
  }
  const counts = Float32Array.from({ length: n }, () => Math.floor(rand() * 50));
  return { m, counts };
}

describe('topic-mixture scoring', () => {
  it('p(i | u) = Σ_k s_k · p(i | k), with p(i | k) ∝ membership × (count + ε), each topic summing to 1', () => {
    const n = 30;
    const k = 4;
    const { m, counts } = catalogue(n, k, 3);
    const p = topicItemDistribution(m, k, counts);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += p[i * k + c];
      expect(s).toBeCloseTo(1, 5);
    }
    // Direct formula for item 7, topic 2.
    let z = 0;
    for (let i = 0; i < n; i++) z += m[i * k + 2] * (counts[i] + TOPIC_SMOOTHING);
    expect(p[7 * k + 2]).toBeCloseTo((m[7 * k + 2] * (counts[7] + TOPIC_SMOOTHING)) / z, 6);

    const shares = Float32Array.of(0.1, 0.6, 0.3, 0, 0.25, 0.25, 0.25, 0.25);
    const items = new TopicItems(m, k);
    const weights = new Float32Array(2 * n);
    for (let r = 0; r < 2; r++) for (let i = 0; i < n; i++) weights[r * n + i] = counts[i] + TOPIC_SMOOTHING;
    const [got] = items.mixtures([shares], weights, 2);
    for (let r = 0; r < 2; r++) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        let want = 0;
        for (let c = 0; c < k; c++) want += shares[r * k + c] * p[i * k + c];
        expect(got[r * n + i]).toBeCloseTo(want, 5);
        total += got[r * n + i];
      }
      expect(total).toBeCloseTo(1, 4);
    }
    // Expected topic of a draw from the mixture: Σ_i p(i | u) m_ik.
    const mass = items.topicMass(got, 2);
    expect(mass.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 4);
    items.dispose();
  });

  it('inside a topic, the more popular of two equally central items ranks first; across topics, the shares decide', () => {
    // Items 0, 1 in topic 0 (counts 1 and 9); items 2, 3 in topic 1 (counts 100, 100).
    const m = oneHotTopics(Int32Array.of(0, 0, 1, 1), 2);
    const counts = Float32Array.of(1, 9, 100, 100);
    const items = new TopicItems(m, 2);
    const w = counts.map((c) => c + TOPIC_SMOOTHING);
    const s = Array.from(items.mixtures([Float32Array.of(0.9, 0.1)], w, 1)[0]);
    items.dispose();
    expect(s[1]).toBeGreaterThan(s[0]);
    // A user forecast to be 90 % in topic 0 gets its items first although topic 1's are far more popular.
    expect(s[1]).toBeGreaterThan(s[2]);
    expect(s[0]).toBeGreaterThan(s[3]);
  });

  it('one-hot memberships leave items without a topic at zero, and window shares average memberships', () => {
    const m = oneHotTopics(Int32Array.of(1, -1, 0), 2);
    expect(Array.from(m)).toEqual([0, 1, 0, 0, 1, 0]);
    // The last-window topic baseline reads window shares through FeatureStore.rangeShares.
    const store = new FeatureStore({
      userOffsets: Int32Array.of(0, 4),
      item: Int32Array.of(0, 2, 2, 1),
      ts: Float64Array.of(1, 2, 3, 4),
      weight: new Float32Array(4).fill(1),
      itemVectors: new Float32Array(3),
      dim: 1,
      itemShares: m,
      k: 2,
      buckets: { events: 2 },
    });
    const out = new Float32Array(2);
    store.rangeShares(0, 3, out);
    expect(out[0]).toBeCloseTo(2 / 3, 6);
    expect(out[1]).toBeCloseTo(1 / 3, 6);
    store.rangeShares(1, 1, out);
    expect(Array.from(out)).toEqual([0, 0]);
    expect(() => new TopicItems(new Float32Array(5), 2)).toThrow(/not a multiple of k = 2/);
  });
});

describe('TopicItems.mixtures', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('gives each share matrix the scores of its own product (the former one-at-a-time pass), bit for bit', () => {
    const rand = mulberry32(21);
    const [n, k, rows] = [700, 9, 13];
    const membership = Float32Array.from({ length: n * k }, () => (rand() < 0.3 ? rand() : 0));
    const items = new TopicItems(membership, k);
    const weights = Float32Array.from({ length: rows * n }, () => Math.floor(rand() * 20) + 0.5);
    const shares = [0, 1, 2].map(() => Float32Array.from({ length: rows * k }, rand));
    const got = items.mixtures(shares, weights, rows);
    for (const [j, s] of shares.entries()) {
      const want = tf.tidy(() => {
        const w = tf.tensor2d(weights, [rows, n]);
        const m = tf.tensor2d(membership, [n, k]);
        const q = tf.divNoNan(tf.tensor2d(s, [rows, k]), tf.matMul(w, m));
        return tf.mul(w, tf.matMul(q, m, false, true)).dataSync();
      });
      expect(got[j]).toEqual(want);
      expect(items.mixtures([s], weights, rows)[0]).toEqual(want);
    }
    items.dispose();
  });
});
