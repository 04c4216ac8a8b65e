import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  driftWeight,
  generateSynthetic,
  HOME_KIND_SHARE,
  lastMonthsSplit,
  type SynthOptions,
  synthDataYaml,
  writeSynthetic,
} from '../../src/data/synth.ts';
import { plantedShares } from '../../src/data/truth.ts';

describe('synthetic log with planted drift', () => {
  const opts = {
    users: 90,
    items: 200,
    events: 9_001,
    topics: 5,
    seed: 11,
    patterns: ['trend', 'cycle', 'switch'] as const,
  };
  const d = generateSynthetic(opts);

  it('writes exactly the requested total of events, spread evenly over users', () => {
    expect(d.events.length).toBe(9_001);
    const perUser = new Map<number, number>();
    for (const [u] of d.events) perUser.set(u, (perUser.get(u) ?? 0) + 1);
    expect(perUser.get(1)).toBe(101); // 9001 = 90 × 100 + 1
    expect(perUser.get(2)).toBe(100);
    // each user's events are in time order
    for (let k = 1; k < d.events.length; k++)
      if (d.events[k][0] === d.events[k - 1][0]) expect(d.events[k][3]).toBeGreaterThan(d.events[k - 1][3]);
  });

  it('draws every pattern and plants valid future shares', () => {
    for (const p of ['trend', 'cycle', 'switch'])
      expect(d.patterns.filter((q) => q === p).length).toBeGreaterThan(15);
    for (const s of d.futureShares) {
      expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      expect(Math.max(...s)).toBeGreaterThan(0.4);
    }
  });

  it('plants drift visible in the data: late events follow the planted future topic', () => {
    const topicOf = new Map(d.items.map(([id, , genre]) => [id, genre]));
    let agree = 0;
    let total = 0;
    for (let u = 0; u < opts.users; u++) {
      if (d.patterns[u] !== 'switch') continue;
      const top = d.futureShares[u].indexOf(Math.max(...d.futureShares[u]));
      const last = d.events.filter((e) => e[0] === u + 1).slice(-10);
      for (const e of last) {
        total++;
        if (topicOf.get(e[1]) === d.topicNames[top]) agree++;
      }
    }
    expect(agree / total).toBeGreaterThan(0.8);
  });

  it('shapes trend, cycle and switch weights', () => {
    expect(driftWeight('trend', 0.25, 0, 0)).toBe(0.25);
    expect(driftWeight('cycle', 0, 2, 0)).toBeCloseTo(0, 12);
    expect(driftWeight('cycle', 0.5, 2, 0)).toBeCloseTo(0, 12); // a full period at p = 1/cycles
    expect(driftWeight('cycle', 0.25, 2, 0)).toBeCloseTo(1, 12);
    expect([driftWeight('switch', 0.49, 0, 0.5), driftWeight('switch', 0.5, 0, 0.5)]).toEqual([0, 1]);
  });

  it('is deterministic per seed and rejects bad options', () => {
    expect(generateSynthetic(opts)).toEqual(d);
    expect(generateSynthetic({ ...opts, seed: 12 }).events).not.toEqual(d.events);
    expect(() => generateSynthetic({ ...opts, topics: 17 })).toThrow(/at most 16 topics, got 17/);
    expect(() => generateSynthetic({ ...opts, topics: 2.5 })).toThrow(/topics must be a positive integer/);
    for (const months of [0, -1, 2.5, Number.NaN])
      expect(() => generateSynthetic({ ...opts, months })).toThrow(
        /synth: months must be a positive integer/,
      );
    expect(() => generateSynthetic({ ...opts, events: undefined })).toThrow(/events/);
    expect(() => generateSynthetic({ ...opts, items: 3 })).toThrow(/items \(3\) must be at least topics/);
  });

  it('records every planted parameter per user, consistent with the log and futureShares', () => {
    expect(d.users).toHaveLength(opts.users);
    d.users.forEach((user, u) => {
      expect(user.id).toBe(u + 1);
      expect(user.a).not.toBe(user.b);
      expect(user.pattern).toBe(d.patterns[u]);
      expect(d.futureShares[u]).toEqual(plantedShares(user, opts.topics, 1));
    });
    expect(d.users.map((user) => user.events)).toEqual(
      d.users.map((user) => d.events.filter((e) => e[0] === user.id).length),
    );
  });
});

describe('synthetic log output for up to 8 topics', () => {
  // Hashes of ratings.csv + movies.csv + futureShares written before topics 9–16 and `months` existed.
  const cases: [SynthOptions, string][] = [
    [
      { users: 90, items: 200, events: 9_001, topics: 5, seed: 11, patterns: ['trend', 'cycle', 'switch'] },
      'c41f4771542b6f4a',
    ],
    [
      { users: 33, items: 300, events: 5_000, topics: 8, seed: 99, patterns: ['cycle', 'switch'] },
      '966839fadd10d96d',
    ],
    [{ users: 60, items: 120, eventsPerUser: 50, topics: 4, seed: 3 }, '4f5e87e4c465e8d7'],
  ];
  it.each(cases)('is byte-identical to the earlier generator (%#)', (o, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-fp-'));
    writeSynthetic(dir, generateSynthetic(o));
    const h = createHash('sha256');
    for (const f of ['ratings.csv', 'movies.csv']) h.update(readFileSync(join(dir, f)));
    h.update(JSON.stringify(JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')).futureShares));
    expect(h.digest('hex').slice(0, 16)).toBe(expected);
  });
});

describe('synthetic log with more than 8 topics', () => {
  it.each([12, 16])('generates %i distinct topics whose title words never overlap', (topics) => {
    const d = generateSynthetic({ users: 200, items: topics * 40, eventsPerUser: 30, topics, seed: 4 });
    expect(new Set(d.topicNames).size).toBe(topics);
    const topicOfWord = new Map<string, string>();
    for (const [, title, genre] of d.items)
      for (const w of title.split(' ').slice(0, 2)) {
        expect(topicOfWord.get(w) ?? genre).toBe(genre);
        topicOfWord.set(w, genre);
      }
    const genreOf = new Map(d.items.map(([id, , genre]) => [id, genre]));
    expect(new Set(d.events.map((e) => genreOf.get(e[1]))).size).toBe(topics);
    expect(new Set(d.users.flatMap((u) => [u.a, u.b])).size).toBe(topics);
  });
});

describe('synthetic log over calendar months', () => {
  const months = 6;
  const d = generateSynthetic({ users: 50, items: 100, events: 3_000, topics: 4, seed: 8, months });
  const origin = Date.UTC(2011, 2, 1) / 1000;
  const end = Date.UTC(2011, 2 + months, 1) / 1000;
  const byUser = new Map<number, number[]>();
  for (const [u, , , t] of d.events) byUser.set(u, [...(byUser.get(u) ?? []), t]);

  it("spreads each user's events over the N months from a common origin", () => {
    expect(byUser.size).toBe(50);
    for (const ts of byUser.values()) {
      for (let k = 1; k < ts.length; k++) expect(ts[k]).toBeGreaterThanOrEqual(ts[k - 1]);
      expect(ts[0]).toBeGreaterThanOrEqual(origin);
      // start jitter (< 3 days) plus the jitter inside the first of n equal slots
      expect(ts[0]).toBeLessThan(origin + 3 * 86_400 + (end - origin) / ts.length);
      expect(ts.at(-1)).toBeLessThan(end);
      expect((ts.at(-1) as number) - ts[0]).toBeGreaterThan((months * 30.44 - 8) * 86_400);
      const monthsSeen = new Set(ts.map((t) => new Date(t * 1000).toISOString().slice(0, 7)));
      expect(monthsSeen.size).toBe(months);
    }
  });

  it('keeps the same planted users and items as without months (only times differ)', () => {
    const plain = generateSynthetic({ users: 50, items: 100, events: 3_000, topics: 4, seed: 8 });
    expect(d.items).toEqual(plain.items);
    expect(d.users.map((u) => u.events)).toEqual(plain.users.map((u) => u.events));
  });

  it('puts the test split on the last full month and validation on the one before', () => {
    expect(lastMonthsSplit(d.events)).toEqual({ valid_from: '2011-07-01', test_from: '2011-08-01' });
    // A log ending mid-month: that month is not full, so the test month is the one before.
    const cut = d.events.filter((e) => e[3] < Date.UTC(2011, 7, 15) / 1000);
    expect(lastMonthsSplit(cut)).toEqual({ valid_from: '2011-06-01', test_from: '2011-07-01' });
    const short = generateSynthetic({ users: 5, items: 10, events: 300, topics: 2, seed: 1, months: 3 });
    expect(() => lastMonthsSplit(short.events)).toThrow(/needs 2 history months .* use --months 4 or more/);
  });
});

/** sha256 prefixes of the default log (no kinds) as written before kinds existed (commit 5c88d87). */
const DEFAULT_HASHES = ['5ae6ed9a11153270', '12416869072f9a32', '7208db05e10aa8c8'];
const DEFAULT_OPTS = {
  users: 40,
  items: 120,
  events: 3000,
  topics: 6,
  seed: 9,
  patterns: ['trend', 'cycle', 'switch'] as const,
};

describe('synthetic log with item kinds', () => {
  const kinds = ['film', 'book', 'music'];
  const d = generateSynthetic({ users: 200, items: 240, eventsPerUser: 60, topics: 4, seed: 5, kinds });

  it('puts every topic’s words on items of every kind', () => {
    expect(d.itemKinds).toHaveLength(240);
    const pairs = new Set(d.items.map(([, , genre], i) => `${genre}|${d.itemKinds?.[i]}`));
    expect(pairs.size).toBe(4 * 3);
    // Same topic, other kind: the title words come from the same topic list.
    expect(d.items[0][2]).toBe(d.items[4][2]);
    expect(d.itemKinds?.[0]).not.toBe(d.itemKinds?.[4]);
  });

  it('draws HOME_KIND_SHARE of a user’s events from one kind and the rest from the others', () => {
    const kindOf = (item: number) => d.itemKinds?.[item - 1] as string;
    const byUser = new Map<number, Map<string, number>>();
    for (const [u, item] of d.events) {
      const m = byUser.get(u) ?? new Map<string, number>();
      m.set(kindOf(item), (m.get(kindOf(item)) ?? 0) + 1);
      byUser.set(u, m);
    }
    let home = 0;
    for (const m of byUser.values()) home += Math.max(...m.values());
    expect(home / d.events.length).toBeGreaterThan(HOME_KIND_SHARE - 0.05);
    expect(home / d.events.length).toBeLessThan(HOME_KIND_SHARE + 0.1);
    // Every kind is somebody's home kind.
    const homes = new Set([...byUser.values()].map((m) => [...m].sort((a, b) => b[1] - a[1])[0][0]));
    expect(homes).toEqual(new Set(kinds));
  });

  it('writes the kind column and a config that reads it; refuses too few items or a repeated kind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-kinds-'));
    writeSynthetic(dir, d);
    const movies = readFileSync(join(dir, 'movies.csv'), 'utf8').split('\n');
    expect(movies[0]).toBe('movieId,title,genres,kind');
    expect(movies[1].endsWith(',film')).toBe(true);
    expect(synthDataYaml('', true)).toContain('kind: kind');
    expect(() =>
      generateSynthetic({ users: 5, items: 10, eventsPerUser: 5, topics: 4, seed: 1, kinds }),
    ).toThrow('synth: items (10) must be at least topics × kinds (12) so every topic has every kind');
    expect(() =>
      generateSynthetic({ users: 5, items: 40, eventsPerUser: 5, topics: 4, seed: 1, kinds: ['a', 'a'] }),
    ).toThrow('synth: kinds must be distinct');
  });

  it('leaves the default log byte for byte as it was before kinds existed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-default-'));
    writeSynthetic(dir, generateSynthetic({ ...DEFAULT_OPTS }));
    const sha = (f: string) =>
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex')
        .slice(0, 16);
    expect([sha('ratings.csv'), sha('movies.csv'), sha('truth.json')]).toEqual(DEFAULT_HASHES);
  });
});
