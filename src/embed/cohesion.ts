export interface Cohesion {
  /** Mean cosine over unordered pairs with the same label. */
  same: number;
  /** Mean cosine over unordered pairs with different labels. */
  different: number;
  pairs: { same: number; different: number };
}

/**
 * Mean dot product (= cosine for unit rows) of same-label vs different-label pairs, exact over all
 * pairs in O(n·dim): over any set, Σ_{i≠j} vᵢ·vⱼ = |Σv|² − Σ|vᵢ|². A sanity check that an encoder
 * places related items (e.g. same first genre) closer together.
 */
export function labelCohesion(vectors: Float32Array, dim: number, labels: readonly string[]): Cohesion {
  if (vectors.length !== labels.length * dim) {
    throw new Error(`labelCohesion: ${vectors.length} floats for ${labels.length} labels × dim ${dim}`);
  }
  const acc = () => ({ sum: new Float64Array(dim), sq: 0, n: 0 });
  const groups = new Map<string, ReturnType<typeof acc>>();
  const all = acc();
  labels.forEach((label, i) => {
    let g = groups.get(label);
    if (!g) {
      g = acc();
      groups.set(label, g);
    }
    for (const a of [g, all]) {
      for (let k = 0; k < dim; k++) {
        const x = vectors[i * dim + k];
        a.sum[k] += x;
        a.sq += x * x;
      }
      a.n++;
    }
  });
  // Ordered-pair sums; halved counts below report unordered pairs (the means are the same).
  const pairDots = (a: ReturnType<typeof acc>) => a.sum.reduce((s, x) => s + x * x, 0) - a.sq;
  let sameDots = 0;
  let samePairs = 0;
  for (const g of groups.values()) {
    sameDots += pairDots(g);
    samePairs += g.n * (g.n - 1);
  }
  const diffPairs = all.n * (all.n - 1) - samePairs;
  return {
    same: samePairs ? sameDots / samePairs : Number.NaN,
    different: diffPairs ? (pairDots(all) - sameDots) / diffPairs : Number.NaN,
    pairs: { same: samePairs / 2, different: diffPairs / 2 },
  };
}
