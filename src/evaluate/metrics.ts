/**
 * Ranking metrics for one user. `ranked` is the top list (best first), `relevant` the target items.
 * Each is the standard definition (RecBole's metrics.py), so numbers are comparable with peers.
 */

/** Which of the first k ranked items are relevant: what every metric below is computed from. */
export function hitsAt(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): Uint8Array {
  const h = new Uint8Array(Math.min(k, ranked.length));
  for (let i = 0; i < h.length; i++) h[i] = relevant.has(ranked[i]) ? 1 : 0;
  return h;
}

/**
 * A metric from the hits of the top k: `hits` from hitsAt with at least `n` = min(k, ranked length)
 * entries (a longer list's hits serve every smaller k without a copy), and the number of relevant items.
 */
type HitMetric = (hits: Uint8Array, n: number, relevant: number, k: number) => number;

const sum = (h: Uint8Array, n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += h[i];
  return s;
};

const firstHit = (h: Uint8Array, n: number) => {
  for (let i = 0; i < n; i++) if (h[i]) return i;
  return -1;
};

/**
 * Each metric from hits: HR@K = 1 if any of the top K is relevant; Recall@K = hits / |relevant|;
 * Precision@K = hits / K; NDCG@K = Σ_{i<K, r_i relevant} 1/log2(i+2) ÷ Σ_{i<min(K,|relevant|)} 1/log2(i+2);
 * MRR@K = 1 / rank of the first relevant item within the top K (0 if none).
 */
export const METRICS = {
  ndcg: (h, n, relevant, k) => {
    let dcg = 0;
    for (let i = 0; i < n; i++) if (h[i]) dcg += 1 / Math.log2(i + 2);
    let idcg = 0;
    for (let i = 0; i < Math.min(k, relevant); i++) idcg += 1 / Math.log2(i + 2);
    return idcg > 0 ? dcg / idcg : 0;
  },
  recall: (h, n, relevant) => (relevant ? sum(h, n) / relevant : 0),
  hr: (h, n) => (firstHit(h, n) < 0 ? 0 : 1),
  mrr: (h, n) => {
    const i = firstHit(h, n);
    return i < 0 ? 0 : 1 / (i + 1);
  },
  precision: (h, n, _relevant, k) => sum(h, n) / k,
} as const satisfies Record<string, HitMetric>;

const byName =
  (m: MetricName) =>
  (ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number => {
    const h = hitsAt(ranked, relevant, k);
    return METRICS[m](h, h.length, relevant.size, k);
  };

export const ndcg = byName('ndcg');
export const recall = byName('recall');
export const hitRate = byName('hr');
export const mrr = byName('mrr');
export const precision = byName('precision');

export type MetricName = keyof typeof METRICS;

/** The metrics the report's tables and charts show for each K (metrics.json has all of METRICS). */
export const REPORT_METRICS: readonly MetricName[] = ['ndcg', 'recall', 'hr'];

/** The report's metric columns ("ndcg@10", …): REPORT_METRICS for each K, in the order of `ks`. */
export function reportColumns(ks: readonly number[]): string[] {
  return ks.flatMap((k) => REPORT_METRICS.map((m) => `${m}@${k}`));
}
