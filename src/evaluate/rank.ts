import type { EventLog, Example } from '../data/split.ts';
import { topK } from '../recommend/score.ts';
import { METRICS, type MetricName } from './metrics.ts';

/** Scores every catalogue item for each example: returns examples.length × nItems, row-major. */
export type Scorer = (examples: readonly Example[]) => Float32Array | Promise<Float32Array>;

export interface RankOptions {
  nItems: number;
  ks: readonly number[];
  excludeSeen: boolean;
  batch?: number;
  /** Keep each evaluated user's top max(ks) list (MethodResult.lists), for beyond-accuracy metrics. */
  keepLists?: boolean;
}

export interface MethodResult {
  /** Mean over evaluated users, keyed "ndcg@10", "recall@20", … */
  metrics: Record<string, number>;
  /** Per-user values in the same key order, for confidence intervals and paired tests. */
  perUser: Record<string, Float64Array>;
  users: number;
  /** Examples whose whole target was already seen (unrankable when seen items are excluded). */
  skipped: number;
  /** Index into `examples` of each evaluated user, in perUser order. */
  rows?: Int32Array;
  /** Top max(ks) items of each evaluated user, in perUser order (only with keepLists). */
  lists?: Int32Array[];
}

/** Items the user had before the example's cutoff. */
export function seenItems(log: EventLog, ex: Example): Set<number> {
  const s = new Set<number>();
  for (let i = log.userOffsets[ex.user]; i < ex.end; i++) s.add(log.item[i]);
  return s;
}

export async function evaluateScorer(
  log: EventLog,
  examples: readonly Example[],
  scorer: Scorer,
  opts: RankOptions,
): Promise<MethodResult> {
  const maxK = Math.max(...opts.ks);
  const names = Object.keys(METRICS) as MetricName[];
  const keys = opts.ks.flatMap((k) => names.map((m) => `${m}@${k}`));
  const values = new Map(keys.map((key) => [key, [] as number[]]));
  let skipped = 0;
  const rows: number[] = [];
  const lists: Int32Array[] = [];
  const batch = opts.batch ?? 256;
  for (let b = 0; b < examples.length; b += batch) {
    const chunk = examples.slice(b, b + batch);
    const scores = await scorer(chunk);
    chunk.forEach((ex, r) => {
      const seen = opts.excludeSeen ? seenItems(log, ex) : null;
      const relevant = new Set([...ex.target].filter((i) => !seen?.has(i)));
      if (relevant.size === 0) {
        skipped++;
        return;
      }
      const row = scores.subarray(r * opts.nItems, (r + 1) * opts.nItems);
      const ranked = topK(row, maxK, seen ?? undefined);
      for (const k of opts.ks)
        for (const m of names) values.get(`${m}@${k}`)!.push(METRICS[m](ranked, relevant, k));
      rows.push(b + r);
      if (opts.keepLists) lists.push(ranked);
    });
  }
  const metrics: Record<string, number> = {};
  const perUser: Record<string, Float64Array> = {};
  for (const [key, v] of values) {
    perUser[key] = Float64Array.from(v);
    metrics[key] = v.length ? v.reduce((a, x) => a + x, 0) / v.length : 0;
  }
  return {
    metrics,
    perUser,
    users: examples.length - skipped,
    skipped,
    rows: Int32Array.from(rows),
    ...(opts.keepLists ? { lists } : {}),
  };
}
