import type { BucketSpec } from '../config/schema.ts';

/**
 * A user's buckets as half-open ranges of event indices (absolute, into the events table).
 * `slot` is the calendar window index (or the activity step) so gaps between active buckets are known.
 */
export interface UserBuckets {
  start: number[];
  end: number[];
  slot: number[];
}

const monthIndex = (ts: number): number => {
  const d = new Date(ts * 1000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

/** Calendar slot of a timestamp, anchored to the unix epoch in UTC. */
export function calendarSlot(ts: number, every: 'month' | number): number {
  return every === 'month' ? monthIndex(ts) : Math.floor(ts / every);
}

/**
 * Buckets of events [from, to) of one user (sorted by time). Activity buckets take the next N events but
 * never split equal timestamps, so "everything before a bucket" is also "everything before its start time".
 */
export function bucketUser(ts: Float64Array, from: number, to: number, spec: BucketSpec): UserBuckets {
  const out: UserBuckets = { start: [], end: [], slot: [] };
  if ('events' in spec) {
    let i = from;
    while (i < to) {
      let j = Math.min(i + spec.events, to);
      while (j < to && ts[j] === ts[j - 1]) j++;
      out.start.push(i);
      out.end.push(j);
      out.slot.push(out.slot.length);
      i = j;
    }
    return out;
  }
  let i = from;
  while (i < to) {
    const slot = calendarSlot(ts[i], spec.every);
    let j = i + 1;
    while (j < to && calendarSlot(ts[j], spec.every) === slot) j++;
    out.start.push(i);
    out.end.push(j);
    out.slot.push(slot);
    i = j;
  }
  return out;
}

/** First index in [from, to) whose timestamp is ≥ t (ts sorted ascending within the range). */
export function lowerBound(ts: Float64Array, from: number, to: number, t: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
