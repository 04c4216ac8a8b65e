import { beforeAll, describe, expect, it } from 'vitest';
import { type EventsTable, userOffsets } from '../../src/data/events.ts';
import type { Dataset } from '../../src/data/read.ts';
import { loadBadInput } from './bad-input.ts';

describe('the events of the bad input corpus', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ({ ds } = await loadBadInput());
  });

  it('sorts equal timestamps by item id, then line', () => {
    const e = ds.events;
    const rows = Array.from({ length: e.n }, (_, k) => [
      ds.items.ids[e.item[k]],
      e.ts[k],
      e.weight[k],
      e.line[k],
    ]);
    expect(rows).toEqual([
      ['10', 1000000000, 4, 2],
      ['12', 1000000009, 4, 22],
      ['10', 1000000010, 5, 19],
      ['10', 1000000010, 4, 21],
      ['11', 1000000010, 4, 20],
    ]);
  });
});

describe('userOffsets', () => {
  it('gives CSR offsets of user-sorted events, users without events included', () => {
    const events = { n: 4, user: Int32Array.of(0, 0, 2, 2) } as EventsTable;
    expect([...userOffsets(3, events)]).toEqual([0, 2, 2, 4]);
    expect([...userOffsets(0, { n: 0, user: new Int32Array(0) } as EventsTable)]).toEqual([0]);
  });
});
