import { describe, expect, it } from 'vitest';
import {
  forecastErrorMarkdown,
  forecastErrorTable,
  jsDivergence,
} from '../../src/evaluate/forecast-error.ts';

const f32 = (...rows: number[][]) => Float32Array.from(rows.flat());

describe('jsDivergence (base 2)', () => {
  it('matches hand-computed values', () => {
    expect(jsDivergence([1, 0], [0, 1])).toBe(1);
    expect(jsDivergence([0.3, 0.7], [0.3, 0.7])).toBe(0);
    // m = (0.75, 0.25): ½[½log₂(0.5/0.75) + ½log₂(0.5/0.25)] + ½[log₂(1/0.75)] = 0.311278…
    const expected = 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * 1) + 0.5 * Math.log2(1 / 0.75);
    expect(expected).toBeCloseTo(0.3112781, 6);
    expect(jsDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(expected, 12);
    expect(jsDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(expected, 12);
    expect(() => jsDivergence([1], [0.5, 0.5])).toThrow(/lengths differ/);
  });
});

describe('forecastErrorTable', () => {
  // 3 rows, k = 2; users 7, 7, 9.
  const actual = f32([1, 0], [0.5, 0.5], [0, 1]);
  const perfect = { forecast: actual.slice(), actual };
  const off = { forecast: f32([0.5, 0.5], [0.5, 0.5], [1, 0]), actual };

  it('computes MAE and JSD overall and per topic', () => {
    const [p, o] = forecastErrorTable({ perfect, off }, { k: 2, users: [7, 7, 9], resamples: 200 });
    expect(p.mae).toEqual({ value: 0, lo: 0, hi: 0 });
    expect(p.jsd.value).toBe(0);
    // off: row MAEs 0.5, 0, 1 → 0.5; per topic |0.5−1|,0,|1−0| → (0.5+0+1)/3 for both topics
    expect(o.rows).toBe(3);
    expect(o.mae.value).toBeCloseTo(0.5, 6);
    expect(o.maeByTopic[0]).toBeCloseTo(0.5, 6);
    expect(o.maeByTopic[1]).toBeCloseTo(0.5, 6);
    // row JSDs: 0.311278, 0, 1 → mean 0.437093
    const j = (0.3112781244591328 + 0 + 1) / 3;
    expect(o.jsd.value).toBeCloseTo(j, 6);
    expect(o.jsdByTopic[0] + o.jsdByTopic[1]).toBeCloseTo(j, 6);
    expect(o.jsdByTopic.every((x) => x >= 0)).toBe(true);
  });

  it('bootstraps over users: seeded, paired, CI brackets the value', () => {
    const opts = { k: 2, users: [7, 7, 9], resamples: 500, seed: 3, reference: 'perfect' };
    const a = forecastErrorTable({ perfect, off }, opts);
    expect(forecastErrorTable({ perfect, off }, opts)).toEqual(a);
    const o = a[1];
    // user 7's rows average 0.25 MAE, user 9's 1: a resample is all-7 (0.25), all-9 (1) or mixed (0.5)
    expect(o.mae.lo).toBeCloseTo(0.25, 6);
    expect(o.mae.hi).toBeCloseTo(1, 6);
    expect(o.vsReference?.mae).toEqual(o.mae); // reference error is 0 in every resample
    expect(a[0].vsReference?.jsd).toEqual({ value: 0, lo: 0, hi: 0 });
    const md = forecastErrorMarkdown(a, 'perfect');
    expect(md.split('\n')).toHaveLength(4);
    expect(md).toContain('| off | 3 | 0.5000 [0.2500, 1.0000]');
  });

  it('rejects inconsistent input with a clear error', () => {
    expect(() => forecastErrorTable({ off }, { k: 2, users: [1, 2] })).toThrow(/3 rows but 2 users/);
    expect(() => forecastErrorTable({ off }, { k: 4, users: [1] })).toThrow(/not a multiple of k = 4/);
    const bad = { forecast: f32([0.5, 0.6], [0.5, 0.5], [1, 0]), actual };
    expect(() => forecastErrorTable({ bad }, { k: 2, users: [1, 1, 2] })).toThrow(
      /bad.forecast row 0 sums to/,
    );
    const other = { forecast: off.forecast, actual: perfect.forecast.map((x) => 1 - x) };
    expect(() => forecastErrorTable({ off, other }, { k: 2, users: [1, 1, 2] })).toThrow(/actual differs/);
    expect(() => forecastErrorTable({ off }, { k: 2, users: [1, 1, 2], reference: 'x' })).toThrow(
      /reference/,
    );
  });
});
