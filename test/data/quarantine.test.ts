import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/read.ts';
import { EVENT_LINES, loadBadInput } from './bad-input.ts';

describe('quarantine of the bad input corpus', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ({ ds } = await loadBadInput());
  });

  it('writes one quarantine line per rejected record with file, line, reason and raw text', () => {
    const rows = readFileSync(ds.quarantinePath!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events = rows.filter((r) => r.source === 'events');
    const want = EVENT_LINES.flatMap(([, r], k) =>
      r && r !== 'min_rating' ? [{ file: 'events.csv', line: k + 2, reason: r }] : [],
    );
    expect(events.map(({ file, line, reason }) => ({ file, line, reason }))).toEqual(want);
    expect(events.find((r) => r.line === 6).raw).toBe('2,10,3.0,notatime'); // CR stripped
    expect(events.at(-1).raw).toBe('5,"12,3.0,1000000006');
    const items = rows.filter((r) => r.source === 'items');
    expect(items.map((r) => [r.line, r.reason])).toEqual([
      [6, 'duplicate_item_id'],
      [7, 'missing_id'],
    ]);
  });
});
