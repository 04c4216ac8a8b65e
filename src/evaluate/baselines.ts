import { lowerBound } from '../data/bucket.ts';
import type { EventLog, Example } from '../data/split.ts';
import type { Scorer } from './rank.ts';

/** Event times in global order with their items, for popularity over any time window. */
export interface Timeline {
  ts: Float64Array;
  item: Int32Array;
}

/** Sorts all events by time (stable on the table's order, which is deterministic). */
export function buildTimeline(log: EventLog): Timeline {
  const order = Array.from({ length: log.ts.length }, (_, i) => i).sort(
    (a, b) => log.ts[a] - log.ts[b] || a - b,
  );
  return { ts: Float64Array.from(order, (i) => log.ts[i]), item: Int32Array.from(order, (i) => log.item[i]) };
}

/** Item counts over events with time in [from, to). Slight tie-break towards low ids is left to topK. */
export function countWindow(tl: Timeline, nItems: number, from: number, to: number): Float32Array {
  const counts = new Float32Array(nItems);
  const a = lowerBound(tl.ts, 0, tl.ts.length, from);
  const b = lowerBound(tl.ts, 0, tl.ts.length, to);
  for (let i = a; i < b; i++) counts[tl.item[i]]++;
  return counts;
}

function repeatRows(row: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(row.length * rows);
  for (let r = 0; r < rows; r++) out.set(row, r * row.length);
  return out;
}

/** Most popular over the training interactions (the same counts for every user). */
export function mostPopular(trainCounts: Float32Array): Scorer {
  return (examples) => repeatRows(trainCounts, examples.length);
}

/** Popularity over the `window` seconds of the whole log just before each example's cutoff. */
export function recentPopular(tl: Timeline, nItems: number, window: number): Scorer {
  const memo = new Map<number, Float32Array>();
  return (examples) => {
    const out = new Float32Array(examples.length * nItems);
    examples.forEach((ex, r) => {
      let c = memo.get(ex.cutoff);
      if (!c) {
        c = countWindow(tl, nItems, ex.cutoff - window, ex.cutoff);
        memo.set(ex.cutoff, c);
        if (memo.size > 4096) memo.delete(memo.keys().next().value!);
      }
      out.set(c, r * nItems);
    });
    return out;
  };
}

/**
 * Popularity known at evaluation time: each evaluated user's events before their cutoff, and every other
 * user's events before `clock` (the global cutoff; Infinity under the per-user protocol, where a user
 * without a target contributes all events, as in RecBole's leave-one-out).
 */
export function knownCounts(
  log: EventLog,
  examples: readonly Example[],
  nItems: number,
  clock: number,
): Float32Array {
  const counts = new Float32Array(nItems);
  const endOf = new Map(examples.map((ex) => [ex.user, ex.end]));
  for (let u = 0; u + 1 < log.userOffsets.length; u++) {
    const from = log.userOffsets[u];
    const end = endOf.get(u) ?? lowerBound(log.ts, from, log.userOffsets[u + 1], clock);
    for (let i = from; i < end; i++) counts[log.item[i]]++;
  }
  return counts;
}
