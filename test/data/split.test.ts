import { describe, expect, it } from 'vitest';
import { clockOf, type EventLog, type Example, splitEvents } from '../../src/data/split.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** A random log: users with many tied timestamps, like real rating bursts. */
function randomLog(users: number, seed: number): EventLog {
  const rand = mulberry32(seed);
  const offsets = [0];
  const items: number[] = [];
  const ts: number[] = [];
  for (let u = 0; u < users; u++) {
    const n = 5 + Math.floor(rand() * 60);
    let t = 1_000_000_000 + Math.floor(rand() * 1e8);
    for (let i = 0; i < n; i++) {
      if (rand() < 0.6) t += Math.floor(rand() * 86_400 * 20); // else: same timestamp as the previous event
      ts.push(t);
      items.push(Math.floor(rand() * 50));
    }
    offsets.push(items.length);
  }
  return { userOffsets: Int32Array.from(offsets), item: Int32Array.from(items), ts: Float64Array.from(ts) };
}

/** Nothing at or after an example's cutoff is in its feature window. */
function assertNoLeak(log: EventLog, examples: Example[]) {
  for (const ex of examples) {
    const from = log.userOffsets[ex.user];
    for (let i = from; i < ex.end; i++) expect(log.ts[i]).toBeLessThan(ex.cutoff);
  }
}

describe('per-user chronological split', () => {
  const log = randomLog(80, 7);
  const split = splitEvents(
    log,
    { events: 5 },
    { protocol: 'per-user', test_buckets: 1, valid_buckets: 1, min_history_buckets: 2 },
  );

  it('holds out each eligible user’s last bucket for test and the one before for validation', () => {
    expect(split.test.length).toBeGreaterThan(40);
    for (const ex of split.test) expect(ex.end).toBeLessThan(log.userOffsets[ex.user + 1]);
    const validOf = new Map(split.valid.map((v) => [v.user, v]));
    for (const t of split.test) expect(validOf.get(t.user)!.end).toBeLessThan(t.end);
  });

  it('leaks nothing: features end before every target and training targets end before validation', () => {
    assertNoLeak(log, [...split.train, ...split.valid, ...split.test]);
    const validEnd = new Map(split.valid.map((v) => [v.user, v.end]));
    for (const ex of split.train) {
      const v = validEnd.get(ex.user);
      if (v === undefined) continue;
      // Each training target item occurs among the user's events between the example and the validation window.
      const window = new Set(log.item.subarray(ex.end, v));
      for (const item of ex.target) expect(window.has(item)).toBe(true);
    }
  });
});

describe('per-user split with event buckets: targets of one kind', () => {
  const log = randomLog(120, 3);
  const spec = { events: 5 };
  const split = splitEvents(log, spec, {
    protocol: 'per-user',
    test_buckets: 1,
    valid_buckets: 1,
    min_history_buckets: 2,
  });

  it('test targets are full buckets like validation targets; the events after them are counted, not used', () => {
    let trailing = 0;
    for (const t of split.test) {
      expect(t.targetEnd - t.end).toBeGreaterThanOrEqual(5);
      trailing += log.userOffsets[t.user + 1] - t.targetEnd;
      expect(log.userOffsets[t.user + 1] - t.targetEnd).toBeLessThan(5);
    }
    for (const v of split.valid) expect(v.targetEnd - v.end).toBeGreaterThanOrEqual(5);
    expect(trailing).toBeGreaterThan(0);
    expect(split.summary.trailingEvents).toBe(trailing);
  });

  it('train_before keeps only training examples whose target window ends before it; evaluation is unchanged', () => {
    const cut = 'q0.5';
    const limited = splitEvents(log, spec, {
      protocol: 'per-user',
      test_buckets: 1,
      valid_buckets: 1,
      min_history_buckets: 2,
      train_before: cut,
    });
    const t = [...log.ts].sort((a, b) => a - b)[Math.floor(0.5 * log.ts.length)];
    expect(limited.train.length).toBeGreaterThan(0);
    expect(limited.train.length).toBeLessThan(split.train.length);
    for (const ex of limited.train) expect(log.ts[ex.targetEnd - 1]).toBeLessThan(t);
    expect(limited.train).toEqual(split.train.filter((ex) => log.ts[ex.targetEnd - 1] < t));
    expect(limited.test).toEqual(split.test);
    expect(limited.valid).toEqual(split.valid);
  });

  it('orders evaluation examples by cutoff, then user', () => {
    for (const part of [split.valid, split.test])
      for (let i = 1; i < part.length; i++) {
        const [a, b] = [part[i - 1], part[i]];
        expect(a.cutoff < b.cutoff || (a.cutoff === b.cutoff && a.user < b.user)).toBe(true);
      }
  });
});

describe('global temporal split', () => {
  const log = randomLog(80, 11);
  const split = splitEvents(
    log,
    { every: 30 * 86_400 },
    {
      protocol: 'global',
      valid_from: 'q0.7',
      test_from: 'q0.85',
      horizon: 90 * 86_400,
      min_history_buckets: 1,
    },
  );
  const t1 = Date.parse(split.summary.cutoffs!.valid_from) / 1000;
  const t2 = Date.parse(split.summary.cutoffs!.test_from) / 1000;

  it('cuts at quantiles and reports the cutoffs', () => {
    expect(t1).toBeLessThan(t2);
    expect(split.valid.length).toBeGreaterThan(0);
    expect(split.test.length).toBeGreaterThan(0);
  });

  it('leaks nothing under the global clock', () => {
    assertNoLeak(log, [...split.train, ...split.valid, ...split.test]);
    for (const ex of split.train) {
      // Every training target event is before the validation cutoff.
      const from = ex.end;
      let i = from;
      const to = log.userOffsets[ex.user + 1];
      while (i < to && log.ts[i] < t1) i++;
      for (const item of ex.target) {
        let found = false;
        for (let j = from; j < i; j++) if (log.item[j] === item) found = true;
        expect(found).toBe(true);
      }
    }
    for (const ex of split.test) expect(ex.cutoff).toBe(t2);
  });

  it("gives popularity baselines the window's cutoff as their clock (per-user protocol: none)", () => {
    const global = {
      protocol: 'global',
      valid_from: 'q0.7',
      test_from: 'q0.85',
      horizon: 1,
      min_history_buckets: 1,
    } as const;
    expect(clockOf(global, split.test)).toBe(t2);
    expect(clockOf(global, [])).toBe(Number.POSITIVE_INFINITY);
    const perUser = {
      protocol: 'per-user',
      test_buckets: 1,
      valid_buckets: 1,
      min_history_buckets: 1,
    } as const;
    expect(clockOf(perUser, split.test)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects cutoffs in the wrong order', () => {
    expect(() =>
      splitEvents(
        log,
        { events: 5 },
        { protocol: 'global', valid_from: 'q0.9', test_from: 'q0.5', horizon: 1, min_history_buckets: 1 },
      ),
    ).toThrow(/valid_from/);
  });
});
