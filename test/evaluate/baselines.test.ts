import { describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import { buildTimeline, CountClock, mostPopular, WindowClock } from '../../src/evaluate/baselines.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** Users with random event times (sorted per user), so the global time order interleaves them. */
function randomLog(users: number, nItems: number, seed: number): EventLog {
  const rand = mulberry32(seed);
  const offsets = [0];
  const item: number[] = [];
  const ts: number[] = [];
  for (let u = 0; u < users; u++) {
    const times = Array.from({ length: 3 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 1000)).sort(
      (a, b) => a - b,
    );
    for (const t of times) {
      ts.push(t);
      item.push(Math.floor(rand() * nItems));
    }
    offsets.push(item.length);
  }
  return { userOffsets: Int32Array.from(offsets), item: Int32Array.from(item), ts: Float64Array.from(ts) };
}

/** Counts of every event strictly before t, recounted from scratch. */
function recount(log: EventLog, nItems: number, t: number): number[] {
  const c = new Array<number>(nItems).fill(0);
  log.ts.forEach((x, e) => {
    if (x < t) c[log.item[e]]++;
  });
  return c;
}

describe('CountClock: popularity known at a cutoff', () => {
  const log = randomLog(40, 25, 11);

  it('equals a recount of the events before each time, whether times grow or go back', () => {
    const clock = CountClock.of(log, 25);
    for (const t of [0, 5, 5, 300, 999, 1000, 120, 121, 2000, -1])
      expect(Array.from(clock.at(t))).toEqual(recount(log, 25, t));
  });

  it('most-popular ranks each example by the counts before its own cutoff, never after', async () => {
    const ex = (user: number, cutoff: number): Example => ({
      user,
      end: log.userOffsets[user],
      targetEnd: log.userOffsets[user + 1],
      cutoff,
      target: Int32Array.of(0),
    });
    const examples = [ex(0, 100), ex(1, 500), ex(2, 900)];
    const scores = (await mostPopular(CountClock.of(log, 25))(examples)) as Float32Array;
    examples.forEach((e, r) => {
      expect(Array.from(scores.subarray(r * 25, (r + 1) * 25))).toEqual(recount(log, 25, e.cutoff));
    });
  });
});

describe('WindowClock', () => {
  it('counts the events in [t − window, t) like a fresh count, as times grow, repeat or go back', () => {
    const rand = mulberry32(19);
    const n = 500;
    const log: EventLog = {
      userOffsets: Int32Array.of(0, n),
      item: Int32Array.from({ length: n }, () => Math.floor(rand() * 12)),
      ts: Float64Array.from({ length: n }, () => Math.floor(rand() * 1000)),
    };
    const tl = buildTimeline(log);
    const clock = new WindowClock(tl, 12, 100);
    const times = [
      ...Array.from({ length: 40 }, () => Math.floor(rand() * 1100)).sort((a, b) => a - b),
      500,
      500,
      20,
      990,
    ];
    for (const t of times) {
      const want = new Float32Array(12);
      for (let i = 0; i < n; i++) if (log.ts[i] >= t - 100 && log.ts[i] < t) want[log.item[i]]++;
      expect(clock.at(t)).toEqual(want);
    }
  });
});
