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
    const off = new ResultCache<number>(0);
    off.set('a', 'k', 1);
    expect(off.get('a', 'k')).toBeUndefined();
  });
});
