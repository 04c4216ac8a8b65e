import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSynthetic, writeSynthetic } from '../../src/data/synth.ts';
import {
  itemTrueTopics,
  oracleOf,
  type PlantedUser,
  plantedShares,
  plantedWindowShares,
  readTruth,
} from '../../src/data/truth.ts';

const trend: PlantedUser = { id: 1, a: 2, b: 0, pattern: 'trend', cycles: 0, at: 0, events: 40 };

describe('planted shares', () => {
  it('averages the a → b path of a trend user over [0, events)', () => {
    const k = 5;
    const n = trend.events;
    const meanP = (n - 1) / (2 * n); // mean of e / n for e = 0 … n − 1
    const expected = new Array(k).fill(0.1 / k);
    expected[trend.a] += 0.9 * (1 - meanP);
    expected[trend.b] += 0.9 * meanP;
    const got = plantedWindowShares(trend, k, 0, n);
    got.forEach((v, t) => {
      expect(v).toBeCloseTo(expected[t], 12);
    });
    expect(got.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('gives a window one side of a switch pure a or pure b shares', () => {
    const sw: PlantedUser = { ...trend, pattern: 'switch', at: 0.5, events: 10 };
    expect(plantedWindowShares(sw, 4, 0, 5)).toEqual(plantedShares(sw, 4, 0));
    expect(plantedWindowShares(sw, 4, 5, 10)).toEqual(plantedShares(sw, 4, 1));
    expect(plantedShares(sw, 4, 0)[sw.a]).toBeCloseTo(0.925, 12);
    expect(plantedWindowShares(sw, 4, 3, 7)[sw.b]).toBeCloseTo((0.025 * 2 + 0.925 * 2) / 4, 12);
  });

  it('rejects windows outside the user history', () => {
    for (const [from, to] of [
      [0, 0],
      [-1, 3],
      [5, 41],
      [1.5, 3],
    ])
      expect(() => plantedWindowShares(trend, 5, from, to)).toThrow(/0 ≤ from < to ≤ 40/);
  });

  it('matches the topics the generator drew in each half of every history', () => {
    const d = generateSynthetic({
      users: 200,
      items: 480,
      eventsPerUser: 60,
      topics: 12,
      seed: 21,
      patterns: ['trend', 'cycle', 'switch'],
    });
    const topic = itemTrueTopics(
      { topics: d.topicNames, futureShares: d.futureShares, patterns: d.patterns, users: d.users },
      d.items.map(([, , genre]) => [genre]),
    );
    // Observed vs expected events on each user's a and b topics, summed over users, per half.
    for (const [from, to] of [
      [0, 30],
      [30, 60],
    ]) {
      let observed = 0;
      let expected = 0;
      d.users.forEach((u, i) => {
        const s = plantedWindowShares(u, 12, from, to);
        expected += (s[u.a] + s[u.b]) * (to - from);
        for (const e of d.events.slice(i * 60 + from, i * 60 + to)) {
          const t = topic[e[1] - 1];
          if (t === u.a || t === u.b) observed++;
        }
      });
      expect(Math.abs(observed - expected) / expected).toBeLessThan(0.02);
    }
    // The a-share alone, too: drift moves it away in the second half.
    let obsA = 0;
    let expA = 0;
    d.users.forEach((u, i) => {
      expA += plantedWindowShares(u, 12, 30, 60)[u.a] * 30;
      obsA += d.events.slice(i * 60 + 30, i * 60 + 60).filter((e) => topic[e[1] - 1] === u.a).length;
    });
    expect(Math.abs(obsA - expA) / expA).toBeLessThan(0.08);
  });
});

describe('readTruth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'truth-'));
  const d = generateSynthetic({ users: 8, items: 20, eventsPerUser: 12, topics: 4, seed: 2, months: 4 });
  writeSynthetic(dir, d);
  const path = join(dir, 'truth.json');
  const raw = JSON.parse(readFileSync(path, 'utf8'));
  const damaged = (edit: (t: typeof raw) => void) => {
    const t = structuredClone(raw);
    edit(t);
    const p = join(dir, 'bad.json');
    writeFileSync(p, JSON.stringify(t));
    return () => readTruth(p);
  };

  it('reads what writeSynthetic wrote', () => {
    const t = readTruth(path);
    expect(t).toEqual({
      topics: d.topicNames,
      futureShares: d.futureShares,
      patterns: d.patterns,
      users: d.users,
    });
    expect(t.users[3]).toMatchObject({ id: 4, events: 12 });
  });

  it('names the file and the problem of a damaged truth', () => {
    expect(
      damaged((t) => {
        delete t.users;
      }),
    ).toThrow(/invalid truth file .*bad\.json:\n {2}users: .*expected array/);
    expect(
      damaged((t) => {
        t.users[3].b = 9;
      }),
    ).toThrow(/users\.3\.b: topic index 9 out of range \(4 topics\)/);
    expect(
      damaged((t) => {
        t.users[0].pattern = 'spiral';
      }),
    ).toThrow(/users\.0\.pattern: /);
    expect(
      damaged((t) => {
        t.futureShares.pop();
      }),
    ).toThrow(/futureShares: has 7 entries for 8 users/);
    expect(() => readTruth(join(dir, 'ratings.csv'))).toThrow(
      /cannot read truth file .*ratings\.csv: .*JSON/,
    );
    expect(() => readTruth(join(dir, 'missing.json'))).toThrow(/cannot read truth file .*missing\.json/);
  });

  it("maps items to their planted topic by category, −1 when none is one of truth's topics", () => {
    const t = readTruth(path);
    expect(
      Array.from(itemTrueTopics(t, [['Crime'], ['Comedy', 'Romance'], [], ['SciFi', 'Horror'], ['War']])),
    ).toEqual([2, 1, -1, 0, -1]);
  });

  it("answers each example's planted window shares and pattern, refusing a log that is not the truth's", () => {
    const offsets = (counts: number[]) =>
      Int32Array.from([0, ...counts.map((_, i) => counts.slice(0, i + 1).reduce((a, b) => a + b))]);
    const data = {
      users: d.users.map((u) => String(u.id)),
      userOffsets: offsets(d.users.map((u) => u.events)),
      items: { categories: d.items.map(([, , genre]) => [genre]) },
    };
    const oracle = oracleOf(path, data);
    const u = d.users[2];
    const from = data.userOffsets[2];
    const ex = { user: 2, end: from + 4, targetEnd: from + 8, cutoff: 0, target: Int32Array.of() };
    expect(oracle.k).toBe(4);
    expect(oracle.shares(ex)).toEqual(plantedWindowShares(u, 4, 4, 8));
    expect(oracle.pattern(ex)).toBe(u.pattern);
    expect(Array.from(oracle.itemTopics)).toEqual(
      Array.from(itemTrueTopics(readTruth(path), data.items.categories)),
    );
    const short = oracleOf(path, {
      ...data,
      userOffsets: offsets(d.users.map((u, i) => u.events - (i === 2 ? 1 : 0))),
    });
    expect(() => short.pattern(ex)).toThrow(/has 11 events in the log, 12 planted/);
    const stranger = oracleOf(path, { ...data, users: data.users.map((id, i) => (i === 2 ? 'x' : id)) });
    expect(() => stranger.shares(ex)).toThrow(/user x is not in it/);
  });
});
