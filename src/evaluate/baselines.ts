import { lowerBound } from '../data/bucket.ts';
import type { EventLog, Example } from '../data/split.ts';
import type { Scorer } from './rank.ts';

/** Event times in global order with their items, for popularity over any time window. */
export interface Timeline {
  ts: Float64Array;
  item: Int32Array;
}

const timelines = new WeakMap<EventLog, Timeline>();

/**
 * Sorts all events by time (stable on the table's order, which is deterministic). Kept per log: every
 * popularity clock and baseline of a run reads the same timeline (a 1M-event sort takes seconds).
 */
export function buildTimeline(log: EventLog): Timeline {
  let tl = timelines.get(log);
  if (!tl) {
    const order = Array.from({ length: log.ts.length }, (_, i) => i).sort(
      (a, b) => log.ts[a] - log.ts[b] || a - b,
    );
    tl = { ts: Float64Array.from(order, (i) => log.ts[i]), item: Int32Array.from(order, (i) => log.item[i]) };
    timelines.set(log, tl);
  }
  return tl;
}

/** Item counts over events with time in [from, to). Slight tie-break towards low ids is left to topK. */
export function countWindow(tl: Timeline, nItems: number, from: number, to: number): Float32Array {
  const counts = new Float32Array(nItems);
  const a = lowerBound(tl.ts, 0, tl.ts.length, from);
  const b = lowerBound(tl.ts, 0, tl.ts.length, to);
  for (let i = a; i < b; i++) counts[tl.item[i]]++;
  return counts;
}

/**
 * Item counts of every event before a time: what anyone could know at that cutoff. Advanced in one
 * forward sweep while the asked times grow (evaluation examples are sorted by cutoff); an earlier time
 * restarts the sweep. The returned array is shared: read it before the next call.
 */
export class CountClock {
  private readonly counts: Float32Array;
  private pos = 0;
  private now = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly tl: Timeline,
    readonly nItems: number,
  ) {
    this.counts = new Float32Array(nItems);
  }

  static of(log: EventLog, nItems: number): CountClock {
    return new CountClock(buildTimeline(log), nItems);
  }

  at(t: number): Float32Array {
    if (t < this.now) {
      this.counts.fill(0);
      this.pos = 0;
    }
    const { ts, item } = this.tl;
    while (this.pos < ts.length && ts[this.pos] < t) this.counts[item[this.pos++]]++;
    this.now = t;
    return this.counts;
  }
}

/** Most popular among the events before each example's cutoff. */
export function mostPopular(clock: CountClock): Scorer {
  const n = clock.nItems;
  return (examples) => {
    const out = new Float32Array(examples.length * n);
    examples.forEach((ex, r) => {
      out.set(clock.at(ex.cutoff), r * n);
    });
    return out;
  };
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
 * RecBole's Pop under leave-one-out: every item's count over all users' training events (each evaluated
 * user's events before their validation target, the single event before the test one), one vector for
 * every example. Unlike CountClock it counts other users' events after this target's cutoff, as that
 * protocol does; it exists to reproduce published leave-one-out tables.
 */
export function trainingCounts(log: EventLog, test: readonly Example[], nItems: number): Scorer {
  const counts = knownCounts(
    log,
    test.map((ex) => ({ ...ex, end: ex.end - 1 })),
    nItems,
    Number.POSITIVE_INFINITY,
  );
  return (examples) => {
    const out = new Float32Array(examples.length * nItems);
    for (let r = 0; r < examples.length; r++) out.set(counts, r * nItems);
    return out;
  };
}

/**
 * Counts over each evaluated user's events before their example and every other user's before `clock`
 * (Infinity: all of them). For novelty and the exported popularity; rankings use CountClock.
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
