import { categoryTopics } from './categories.ts';
import { softAssign, sphericalKMeansThreaded } from './kmeans.ts';
import { titleWords, topicLabels } from './labels.ts';

/** The topics artifact: unit centroids in item-embedding space, readable labels, soft-assignment temperature. */
export interface TopicModel {
  k: number;
  dim: number;
  centroids: Float32Array;
  labels: string[];
  temperature: number;
  /** Soft topic shares of every catalogue item (items × k). */
  itemShares: Float32Array;
}

export interface TopicOptions {
  source: 'kmeans' | 'categories';
  k: number;
  /** categories: the items a category needs to be a topic (config topics.min_items). */
  min_items: number;
  temperature: number;
  iterations: number;
  restarts: number;
  seed: number;
}

export async function buildTopics(
  itemVectors: Float32Array,
  dim: number,
  items: { titles: readonly string[]; categories: readonly (readonly string[])[] },
  opts: TopicOptions,
): Promise<TopicModel & { iterations: number }> {
  if (opts.source === 'categories') {
    const c = categoryTopics(itemVectors, dim, items.categories, {
      minItems: opts.min_items,
      temperature: opts.temperature,
    });
    return { ...c, dim, temperature: opts.temperature, iterations: 0 };
  }
  const km = await sphericalKMeansThreaded(
    itemVectors,
    dim,
    opts.k,
    opts.seed,
    opts.iterations,
    opts.restarts,
  );
  // Categories (genres) name a topic best; title words fill in when the data has none.
  const terms = items.titles.map((t, i) =>
    items.categories[i]?.length ? [...items.categories[i]] : titleWords(t),
  );
  return {
    k: opts.k,
    dim,
    centroids: km.centroids,
    labels: topicLabels(terms, km.assign, opts.k),
    temperature: opts.temperature,
    itemShares: softAssign(itemVectors, dim, km.centroids, opts.temperature),
    iterations: km.iterations,
  };
}
