import { lowerBound } from '../data/bucket.ts';
import type { EventLog, Example } from '../data/split.ts';
import { type Scorer, scoreBuffer } from './rank.ts';

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

/**
 * Item counts over the events in [t − window, t), advanced in one sweep while the asked times grow (events
 * entering the window are added, events leaving it removed; counts stay exact integers); an earlier time
 * restarts the sweep. The returned array is shared: read it before the next call.
 */
export class WindowClock {
  private readonly counts: Float32Array;
  /** Events [first, next) of the timeline are counted. */
  private first = 0;
  private next = 0;
  private now = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly tl: Timeline,
    nItems: number,
    private readonly window: number,
  ) {
    this.counts = new Float32Array(nItems);
  }

  at(t: number): Float32Array {
    if (t < this.now) {
      this.counts.fill(0);
      this.first = this.next = 0;
    }
    const { ts, item } = this.tl;
    while (this.next < ts.length && ts[this.next] < t) this.counts[item[this.next++]]++;
    while (this.first < this.next && ts[this.first] < t - this.window) this.counts[item[this.first++]]--;
    this.now = t;
    return this.counts;
  }
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
  return (examples, buffer) => {
    const out = scoreBuffer(examples.length * n, buffer);
    examples.forEach((ex, r) => {
      out.set(clock.at(ex.cutoff), r * n);
    });
    return out;
  };
}

/** Popularity over the `window` seconds of the whole log just before each example's cutoff. */
export function recentPopular(tl: Timeline, nItems: number, window: number): Scorer {
  const clock = new WindowClock(tl, nItems, window);
  return (examples, buffer) => {
    const out = scoreBuffer(examples.length * nItems, buffer);
    examples.forEach((ex, r) => {
      out.set(clock.at(ex.cutoff), r * nItems);
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
  return (examples, buffer) => {
    const out = scoreBuffer(examples.length * nItems, buffer);
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
