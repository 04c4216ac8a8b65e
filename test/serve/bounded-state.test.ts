import { describe, expect, it } from 'vitest';
import { ResultCache } from '../../src/serve/result-cache.ts';
import { UserEvents } from '../../src/serve/user-events.ts';

describe('the server’s bounded in-memory state', () => {
  it('UserEvents keeps the newest events per user and the most recently updated users', () => {
    const s = new UserEvents(2, 3);
    expect(
      s.append(
        'a',
        [1, 2].map((ts) => ({ item: 'x', ts })),
      ),
    ).toBe(2);
    expect(
      s.append(
        'a',
        [3, 4].map((ts) => ({ item: 'x', ts })),
      ),
    ).toBe(3);
    expect(s.get('a')?.map((e) => e.ts)).toEqual([2, 3, 4]);
    s.append('b', [{ item: 'y', ts: 1 }]);
    s.append('a', [{ item: 'x', ts: 5 }]);
    s.append('c', [{ item: 'z', ts: 1 }]);
    // b was least recently updated.
    expect(s.get('b')).toBeUndefined();
    expect(s.users).toBe(2);
    s.clear();
    expect(s.get('a')).toBeUndefined();
  });

  it('ResultCache evicts the least recently used user, forgets on demand, and 0 disables it', () => {
    const c = new ResultCache<number>(2);
    c.set('a', 'k', 1);
    c.set('b', 'k', 2);
    expect(c.get('a', 'k')).toBe(1);
    c.set('c', 'k', 3);
    expect(c.get('b', 'k')).toBeUndefined();
    expect(c.get('a', 'k')).toBe(1);
    c.forget('a');
    expect(c.get('a', 'k')).toBeUndefined();
    expect(c.size).toBe(1);
    const off = new ResultCache<number>(0);
    off.set('a', 'k', 1);
    expect(off.get('a', 'k')).toBeUndefined();
  });

  it('ResultCache bounds answers in total and per user, whatever the mix of users and queries', () => {
    const c = new ResultCache<number>(10, 4);
    // One user with many distinct queries keeps only their newest 4.
    for (let q = 0; q < 9; q++) c.set('a', `q${q}`, q);
    expect(c.size).toBe(4);
    expect(c.get('a', 'q0')).toBeUndefined();
    expect(c.get('a', 'q8')).toBe(8);
    // Many users: never more than 10 answers, the most recent ones kept.
    for (let u = 0; u < 50; u++) for (let q = 0; q < 3; q++) c.set(`u${u}`, `q${q}`, u * 10 + q);
    expect(c.size).toBeLessThanOrEqual(10);
    expect(c.get('u49', 'q2')).toBe(492);
    expect(c.get('u0', 'q0')).toBeUndefined();
    // Re-storing the same key does not count twice.
    c.set('u49', 'q2', 7);
    c.set('u49', 'q2', 8);
    expect(c.get('u49', 'q2')).toBe(8);
    expect(c.size).toBeLessThanOrEqual(10);
    // A bound below one user's answers still holds, keeping the newest.
    const tight = new ResultCache<number>(2, 16);
    for (let q = 0; q < 5; q++) tight.set('a', `q${q}`, q);
    expect(tight.size).toBe(2);
    expect(tight.get('a', 'q4')).toBe(4);
    expect(tight.get('a', 'q3')).toBe(3);
  });
});
