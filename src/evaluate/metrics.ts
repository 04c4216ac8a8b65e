/**
 * Ranking metrics for one user. `ranked` is the top list (best first), `relevant` the target items.
 * Each is the standard definition (RecBole's metrics.py), so numbers are comparable with peers.
 */

/** HR@K = 1 if any of the top K is relevant, else 0. */
export function hitRate(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) return 1;
  return 0;
}

/** Recall@K = |top K ∩ relevant| / |relevant|. */
export function recall(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return relevant.size ? hits(ranked, relevant, k) / relevant.size : 0;
}

/** Precision@K = |top K ∩ relevant| / K. */
export function precision(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return hits(ranked, relevant, k) / k;
}

/** NDCG@K = Σ_{i<K, r_i relevant} 1/log2(i+2) ÷ Σ_{i<min(K,|relevant|)} 1/log2(i+2). */
export function ndcg(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++)
    if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

/** MRR@K = 1 / rank of the first relevant item within the top K (0 if none). */
export function mrr(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) return 1 / (i + 1);
  return 0;
}

function hits(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let h = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) h++;
  return h;
}

export const METRICS = { ndcg, recall, hr: hitRate, mrr, precision } as const;
export type MetricName = keyof typeof METRICS;

/** The metrics the report's tables and charts show for each K (metrics.json has all of METRICS). */
export const REPORT_METRICS: readonly MetricName[] = ['ndcg', 'recall', 'hr'];

/** The report's metric columns ("ndcg@10", …): REPORT_METRICS for each K, in the order of `ks`. */
export function reportColumns(ks: readonly number[]): string[] {
  return ks.flatMap((k) => REPORT_METRICS.map((m) => `${m}@${k}`));
}
