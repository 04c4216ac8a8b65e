import { describe, expect, it } from 'vitest';
import { driftWeight, generateSynthetic } from '../../src/data/synth.ts';

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
    expect(() => generateSynthetic({ ...opts, topics: 9 })).toThrow(/at most 8 topics/);
    expect(() => generateSynthetic({ ...opts, events: undefined })).toThrow(/events/);
    expect(() => generateSynthetic({ ...opts, items: 3 })).toThrow(/items \(3\) must be at least topics/);
  });
});
