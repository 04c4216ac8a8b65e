import { describe, expect, it } from 'vitest';
import { categoryTopics } from '../../src/topics/categories.ts';

/** Unit 2-d vectors at the given angles (degrees). */
const at = (...deg: number[]) =>
  Float32Array.from(deg.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));

describe('categoryTopics: one topic per item category', () => {
  const vectors = at(0, 10, 90, 80, 45, 5, 85);
  const cats = [['A'], ['A'], ['B'], ['B', 'A'], ['B'], [], ['rare']];

  it('keeps categories carried by min_items items, most frequent first, and splits multi-category items evenly', () => {
    const t = categoryTopics(vectors, 2, cats, { minItems: 2, temperature: 0.05 });
    expect(t.k).toBe(2);
    expect(t.labels).toEqual(['A', 'B']);
    const row = (i: number) => Array.from(t.itemShares.subarray(i * 2, i * 2 + 2));
    expect(row(0)).toEqual([1, 0]);
    expect(row(2)).toEqual([0, 1]);
    expect(row(3)).toEqual([0.5, 0.5]);
    expect(t.placed).toBe(2);
  });

  it('places items without a kept category by their vector, nearest category mean first', () => {
    const t = categoryTopics(vectors, 2, cats, { minItems: 2, temperature: 0.05 });
    const [a5, b5] = t.itemShares.subarray(10, 12);
    const [a6, b6] = t.itemShares.subarray(12, 14);
    expect(a5 + b5).toBeCloseTo(1, 6);
    expect(a5).toBeGreaterThan(0.9);
    expect(a6 + b6).toBeCloseTo(1, 6);
    expect(b6).toBeGreaterThan(0.9);
    for (let c = 0; c < 2; c++)
      expect(Math.hypot(t.centroids[2 * c], t.centroids[2 * c + 1])).toBeCloseTo(1, 6);
  });

  it('ties in frequency go by name, so the order does not depend on the catalogue order', () => {
    const a = categoryTopics(at(0, 90), 2, [['y'], ['x']], { minItems: 1, temperature: 0.1 });
    const b = categoryTopics(at(90, 0), 2, [['x'], ['y']], { minItems: 1, temperature: 0.1 });
    expect(a.labels).toEqual(['x', 'y']);
    expect(b.labels).toEqual(['x', 'y']);
  });

  it('fewer than two kept categories is one clear error', () => {
    expect(() => categoryTopics(vectors, 2, cats, { minItems: 4, temperature: 0.05 })).toThrow(
      /topics: source categories needs at least 2 categories carried by ≥ 4 items each \(data.items.categories\), found 0/,
    );
  });
});
