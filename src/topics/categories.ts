import { normalizeRows } from '../util/vec.ts';
import { softAssign } from './kmeans.ts';

/** Topics read from the catalogue's own categories (genres, sections, planted topics). */
export interface CategoryTopics {
  k: number;
  /** Category names, one per topic: the most frequent first, ties by name. */
  labels: string[];
  /** Unit mean vector of each topic's items: places items without a kept category, and new items. */
  centroids: Float32Array;
  /** items × k: an item's share split evenly over its kept categories; items with none by their vector. */
  itemShares: Float32Array;
  /** Items that had no kept category and were placed by their text vector. */
  placed: number;
}

/**
 * One topic per category that at least `minItems` items carry. Multi-category items share evenly (a
 * "Comedy|Romance" film is half of each); an item with no kept category is softly assigned to the
 * categories' mean vectors at `temperature`, as k-means topics assign every item.
 */
export function categoryTopics(
  itemVectors: Float32Array,
  dim: number,
  categories: readonly (readonly string[])[],
  opts: { minItems: number; temperature: number },
): CategoryTopics {
  const labels = keptCategories(categories, opts.minItems);
  const k = labels.length;
  if (k < 2) {
    throw new Error(
      `topics: source categories needs at least 2 categories carried by ≥ ${opts.minItems} items each (data.items.categories), found ${k}`,
    );
  }
  const index = new Map(labels.map((l, t) => [l, t]));
  const n = categories.length;
  const shares = new Float32Array(n * k);
  const centroids = new Float32Array(k * dim);
  const unplaced: number[] = [];
  categories.forEach((cats, i) => {
    const topics = [...new Set(cats)].flatMap((c) => (index.has(c) ? [index.get(c) as number] : []));
    if (topics.length === 0) unplaced.push(i);
    for (const t of topics) {
      shares[i * k + t] = 1 / topics.length;
      for (let d = 0; d < dim; d++) centroids[t * dim + d] += itemVectors[i * dim + d] / topics.length;
    }
  });
  normalizeRows(centroids, dim);
  for (const i of unplaced) {
    const row = softAssign(itemVectors.subarray(i * dim, (i + 1) * dim), dim, centroids, opts.temperature);
    shares.set(row, i * k);
  }
  return { k, labels, centroids, itemShares: shares, placed: unplaced.length };
}

/** Categories carried by ≥ minItems items, most frequent first, ties by name. */
function keptCategories(categories: readonly (readonly string[])[], minItems: number): string[] {
  const counts = new Map<string, number>();
  for (const cats of categories) for (const c of new Set(cats)) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n >= minItems)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([c]) => c);
}
