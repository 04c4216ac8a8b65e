import { describe, expect, it } from 'vitest';
import { clockOf, type EventLog, type Example, heldOutUsers, splitEvents } from '../../src/data/split.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { PER_USER } from '../helpers/split.ts';

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
  const split = splitEvents(log, { events: 5 }, PER_USER);

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
  const split = splitEvents(log, spec, PER_USER);

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
    const limited = splitEvents(log, spec, { ...PER_USER, train_before: cut });
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

describe('per-user split with held-out validation users (validation: users)', () => {
  const log = randomLog(200, 5);
  const spec = { events: 5 };
  const previous = splitEvents(log, spec, PER_USER);
  const split = splitEvents(log, spec, { ...PER_USER, validation: 'users', valid_users: 0.25 });

  it('evaluates every eligible user once, on their last full bucket: a quarter for validation, the rest for test', () => {
    const validUsers = split.valid.map((e) => e.user);
    const testUsers = split.test.map((e) => e.user);
    expect(validUsers.filter((u) => testUsers.includes(u))).toEqual([]);
    // Eligibility needs one bucket fewer than with a validation bucket per user.
    expect(validUsers.length + testUsers.length).toBeGreaterThanOrEqual(previous.test.length);
    expect(validUsers.length).toBe(Math.round(0.25 * (validUsers.length + testUsers.length)));
    expect(split.summary).toMatchObject({ validation: 'users', evalUsers: { valid: validUsers.length } });
    const lastOf = new Map(previous.test.map((e) => [e.user, e]));
    for (const e of [...split.valid, ...split.test]) {
      expect(e.targetEnd - e.end).toBeGreaterThanOrEqual(5);
      expect(log.userOffsets[e.user + 1] - e.targetEnd).toBeLessThan(5);
      // Where the user is evaluated under both, it is on the same target as the test was.
      const t = lastOf.get(e.user);
      if (t) expect(e).toEqual(t);
    }
  });

  it('trains on each evaluated user up to their evaluation target and leaks nothing', () => {
    assertNoLeak(log, [...split.train, ...split.valid, ...split.test]);
    const evalEnd = new Map([...split.valid, ...split.test].map((e) => [e.user, e.end]));
    for (const ex of split.train) {
      const end = evalEnd.get(ex.user);
      if (end !== undefined) expect(ex.targetEnd).toBeLessThanOrEqual(end);
    }
    // The bucket a test user's validation target was is now a training target.
    expect(split.train.length).toBeGreaterThan(previous.train.length);
  });

  it('keeps a user on each side of a tiny log, and names a log with too few users', () => {
    expect(heldOutUsers([4, 9], 0.2).size).toBe(1);
    expect(heldOutUsers([4, 9, 11], 0.9).size).toBe(2);
    expect(() => heldOutUsers([4], 0.2)).toThrow(/at least 2 users .* has 1/);
  });

  it('holds out the same users on every call, and a larger share holds out more of them', () => {
    const again = splitEvents(log, spec, { ...PER_USER, validation: 'users', valid_users: 0.25 });
    expect(again.valid.map((e) => e.user)).toEqual(split.valid.map((e) => e.user));
    const more = splitEvents(log, spec, { ...PER_USER, validation: 'users', valid_users: 0.5 });
    const held = new Set(more.valid.map((e) => e.user));
    expect(split.valid.every((e) => held.has(e.user))).toBe(true);
    expect(more.valid.length).toBeGreaterThan(split.valid.length);
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
    const perUser = { ...PER_USER, min_history_buckets: 1 };
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
