import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/read.ts';
import { EVENT_LINES, loadBadInput } from './bad-input.ts';

describe('bad input corpus', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ({ ds } = await loadBadInput());
  });

  it('accounts for every line with the right reason', () => {
    const expected: Record<string, number> = {};
    for (const [, r] of EVENT_LINES) if (r && r !== 'min_rating') expected[r] = (expected[r] ?? 0) + 1;
    const s = ds.stats;
    expect(s.read).toBe(EVENT_LINES.length);
    expect(s.read).toBe(s.kept + s.quarantined + s.filtered);
    expect(s.byReason).toEqual(expected);
    // User 3's only valid event is filtered by min_rating; user 1 keeps 1 event, user 5 keeps 4.
    expect(s.filteredByReason).toEqual({ min_rating: 1 });
    expect(s.kept).toBe(5);
    expect(ds.users).toEqual(['1', '5']);
    expect([...ds.userOffsets]).toEqual([0, 1, 5]);
  });
});
