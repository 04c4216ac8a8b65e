import { describe, expect, it } from 'vitest';
import { expandSeries } from '../../src/forecast/expand.ts';

describe('expandSeries', () => {
  const series = [
    [0.5, 0.2, 1],
    [0.5, 0.8, 0],
  ];

  it('skip returns the active buckets as they are (a copy)', () => {
    const out = expandSeries(series, [3, 5, 6], 'skip');
    expect(out).toEqual(series);
    expect(out[0]).not.toBe(series[0]);
  });

  it('zeros inserts zero-share rows for inactive slots, also up to `until`', () => {
    expect(expandSeries(series, [3, 5, 6], 'zeros')).toEqual([
      [0.5, 0, 0.2, 1],
      [0.5, 0, 0.8, 0],
    ]);
    expect(expandSeries(series, [3, 5, 6], 'zeros', 9)).toEqual([
      [0.5, 0, 0.2, 1, 0, 0],
      [0.5, 0, 0.8, 0, 0, 0],
    ]);
    expect(expandSeries(series, [3, 5, 6], 'zeros', 7)).toEqual(expandSeries(series, [3, 5, 6], 'zeros'));
    expect(expandSeries([[], []], [], 'zeros')).toEqual([[], []]);
  });

  it('rejects inconsistent input', () => {
    expect(() => expandSeries(series, [3, 5], 'zeros')).toThrow(/topic 0 has 3 points but 2 slots/);
    expect(() => expandSeries(series, [3, 3, 4], 'zeros')).toThrow(/strictly increasing/);
    expect(() => expandSeries(series, [3, 4.5, 6], 'skip')).toThrow(/strictly increasing integers/);
    expect(() => expandSeries(series, [3, 5, 6], 'zeros', 6)).toThrow(/until/);
    expect(() => expandSeries(series, [3, 5, 6], 'carry' as never)).toThrow(/mode must be/);
  });
});
