import { describe, expect, it } from 'vitest';
import {
  HistoryError,
  type HistoryEvent,
  resolveHistory,
  UnknownItemError,
} from '../../src/recommend/history-request.ts';

const ids = ['i0', 'i1', 'i2'];
const index = new Map(ids.map((id, i) => [id, i]));
const resolve = (events: HistoryEvent[]) => resolveHistory(events, index);

describe('resolveHistory', () => {
  it('resolves catalogue items to indices and keeps texts, times, weights and input order', () => {
    expect(
      resolve([
        { item: 'i2', ts: '2020-01-01T00:00:00Z' },
        { text: 'space adventure', ts: 1_577_923_200, weight: 0.5 },
      ]),
    ).toEqual([
      { item: 2, text: null, ts: 1_577_836_800, weight: 1, order: 0 },
      { item: -1, text: 'space adventure', ts: 1_577_923_200, weight: 0.5, order: 1 },
    ]);
  });

  it('refuses bad events with typed errors naming the event', () => {
    expect(() => resolve([{ item: 'no-such-item', ts: 1 }])).toThrow(UnknownItemError);
    expect(() =>
      resolve([
        { item: ids[0], ts: 1 },
        { item: 'x', ts: 2 },
      ]),
    ).toThrow(/events\[1\]\.item: unknown item "x"/);
    expect(() => resolve([{ item: ids[0], text: 'a', ts: 1 }])).toThrow(/exactly one of/);
    expect(() => resolve([{ ts: 1 }])).toThrow(HistoryError);
    expect(() => resolve([{ item: ids[0], ts: 'yesterday' }])).toThrow(/events\[0\]\.ts/);
    expect(() => resolve([{ item: ids[0], ts: 1e15 }])).toThrow(/events\[0\]\.ts/);
    expect(() => resolve([{ item: ids[0], ts: 1, weight: -1 }])).toThrow(/weight/);
    expect(() => resolve([])).toThrow(/non-empty/);
  });

  it('carries the HTTP status a server answers with: 400 for malformed events, 422 for unknown items', () => {
    const statusOf = (events: HistoryEvent[]) => {
      try {
        resolve(events);
      } catch (e) {
        return (e as HistoryError).status;
      }
    };
    expect(statusOf([{ item: ids[0], ts: 'yesterday' }])).toBe(400);
    expect(statusOf([{ text: ' ', ts: 1 }])).toBe(400);
    expect(statusOf([{ item: 'x', ts: 1 }])).toBe(422);
  });
});
