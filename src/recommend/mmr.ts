/**
 * Maximal marginal relevance re-ranking (Carbonell & Goldstein 1998): greedily picks the candidate
 * maximising (1 − λ)·score − λ·max cosine to the items already picked. λ = 0 keeps the score order;
 * λ = 1 only spreads. Ties go to the earlier candidate, so the result is deterministic.
 */
export function mmr(
  candidates: ArrayLike<number>,
  scores: ArrayLike<number>,
  vectors: Float32Array,
  dim: number,
  k: number,
  lambda: number,
): number[] {
  if (!(lambda >= 0 && lambda <= 1)) throw new Error(`mmr: λ must be in [0, 1], got ${lambda}`);
  const pool = Array.from(candidates);
  const take = Math.min(k, pool.length);
  if (lambda === 0) return pool.slice(0, take);
  const norm = pool.map((i) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[i * dim + d] ** 2;
    return Math.sqrt(s);
  });
  // maxSim[c]: largest cosine between candidate c and anything picked so far.
  const maxSim = new Float64Array(pool.length).fill(Number.NEGATIVE_INFINITY);
  const used = new Uint8Array(pool.length);
  const picked: number[] = [];
  while (picked.length < take) {
    let best = -1;
    let bestVal = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < pool.length; c++) {
      if (used[c]) continue;
      const penalty = picked.length ? maxSim[c] : 0;
      const val = (1 - lambda) * scores[pool[c]] - lambda * penalty;
      if (val > bestVal) {
        bestVal = val;
        best = c;
      }
    }
    used[best] = 1;
    picked.push(pool[best]);
    const b = pool[best] * dim;
    for (let c = 0; c < pool.length; c++) {
      if (used[c]) continue;
      let dot = 0;
      const o = pool[c] * dim;
      for (let d = 0; d < dim; d++) dot += vectors[o + d] * vectors[b + d];
      const cos = norm[c] > 0 && norm[best] > 0 ? dot / (norm[c] * norm[best]) : 0;
      if (cos > maxSim[c]) maxSim[c] = cos;
    }
  }
  return picked;
}
