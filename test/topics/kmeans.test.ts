import { describe, expect, it } from 'vitest';
import { softAssign, sphericalKMeans, sphericalKMeansThreaded } from '../../src/topics/kmeans.ts';
import { topicLabels } from '../../src/topics/labels.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { normalizeRows } from '../../src/util/vec.ts';

/** Three well-separated directions in 8-d with noise. */
function clusters(nPer: number, seed: number) {
  const rand = mulberry32(seed);
  const dim = 8;
  const x = new Float32Array(3 * nPer * dim);
  const truth: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < nPer; i++) {
      const o = (c * nPer + i) * dim;
      for (let d = 0; d < dim; d++) x[o + d] = (d === c * 2 ? 1 : 0) + (rand() - 0.5) * 0.3;
      truth.push(c);
    }
  }
  return { x: normalizeRows(x, dim), dim, truth };
}

describe('sphericalKMeans', () => {
  it('recovers planted clusters and is deterministic for a seed', () => {
    const { x, dim, truth } = clusters(30, 1);
    const a = sphericalKMeans(x, dim, 3, 42, 50);
    const b = sphericalKMeans(x, dim, 3, 42, 50);
    expect([...a.assign]).toEqual([...b.assign]);
    // Same cluster ⇔ same truth label.
    for (let i = 0; i < truth.length; i++)
      for (let j = 0; j < truth.length; j += 7)
        expect(a.assign[i] === a.assign[j]).toBe(truth[i] === truth[j]);
  });
  it('soft shares sum to 1 and peak at the hard cluster', () => {
    const { x, dim } = clusters(10, 2);
    const km = sphericalKMeans(x, dim, 3, 1, 50);
    const s = softAssign(x, dim, km.centroids, 0.05);
    for (let i = 0; i < 30; i++) {
      const row = [...s.subarray(i * 3, i * 3 + 3)];
      expect(row.reduce((p, q) => p + q, 0)).toBeCloseTo(1, 5);
      expect(row.indexOf(Math.max(...row))).toBe(km.assign[i]);
    }
  });
  it('refuses more clusters than rows', () => {
    expect(() => sphericalKMeans(new Float32Array(8), 8, 2, 1, 5)).toThrow(/k=2/);
  });
});

describe('topicLabels', () => {
  it('names a topic by its over-represented terms', () => {
    const terms = [
      ['Horror'],
      ['Horror', 'Thriller'],
      ['Horror'],
      ['Comedy'],
      ['Comedy', 'Romance'],
      ['Comedy'],
    ];
    const labels = topicLabels(terms, Int32Array.from([0, 0, 0, 1, 1, 1]), 2, 1);
    expect(labels).toEqual(['Horror', 'Comedy']);
  });
});

describe('sphericalKMeansThreaded', () => {
  it('runs the restarts on threads and returns the sequential result bit for bit', async () => {
    // 4,000 noisy rows in 64-d: above the size at which restarts go to threads.
    const rand = mulberry32(11);
    const dim = 64;
    const x = normalizeRows(
      Float32Array.from({ length: 4000 * dim }, (_, i) => (i % dim === (i / dim) % 7 ? 1 : 0) + rand() - 0.5),
      dim,
    );
    const want = sphericalKMeans(x, dim, 20, 3, 50, 4);
    const got = await sphericalKMeansThreaded(x, dim, 20, 3, 50, 4);
    expect(got.objective).toBe(want.objective);
    expect(got.iterations).toBe(want.iterations);
    expect(Buffer.from(got.centroids.buffer).equals(Buffer.from(want.centroids.buffer))).toBe(true);
    expect(Buffer.from(got.assign.buffer).equals(Buffer.from(want.assign.buffer))).toBe(true);
    await expect(sphericalKMeansThreaded(x, dim, 20, 3, 50, 0)).rejects.toThrow(/restarts/);
  });
});
