import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  bootstrapIntervals,
  pairedTest,
  quantileSorted,
} from '../../src/evaluate/bootstrap.ts';
import { mulberry32 } from '../../src/util/random.ts';

const draws = (n: number, seed: number, f: (u: number) => number) => {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => f(r()));
};

describe('bootstrap intervals', () => {
  it('type-7 quantiles', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });

  it('percentile CI brackets the mean, is seeded, and narrows like 1/√n', () => {
    const small = draws(100, 1, (u) => (u < 0.3 ? 1 : 0));
    const big = draws(1600, 2, (u) => (u < 0.3 ? 1 : 0));
    const a = bootstrapInterval(small, { seed: 5 });
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    expect(bootstrapInterval(small, { seed: 5 })).toEqual(a);
    const cont = draws(100, 9, (u) => u);
    expect(bootstrapInterval(cont, { seed: 6 })).not.toEqual(bootstrapInterval(cont, { seed: 5 }));
    const b = bootstrapInterval(big, { seed: 5 });
    // Bernoulli(0.3): half-width ≈ 1.96·√(0.21/n) → 0.090 at n=100, 0.022 at n=1600.
    expect((a.hi - a.lo) / 2).toBeGreaterThan(0.07);
    expect((a.hi - a.lo) / 2).toBeLessThan(0.11);
    expect((a.hi - a.lo) / (b.hi - b.lo)).toBeGreaterThan(3);
    expect((a.hi - a.lo) / (b.hi - b.lo)).toBeLessThan(5);
    expect(b.lo).toBeLessThan(0.3);
    expect(b.hi).toBeGreaterThan(0.3);
  });

  it('a constant series has a zero-width interval; all metrics share the resamples', () => {
    const ci = bootstrapIntervals(
      { c: new Float64Array(50).fill(0.25), x: draws(50, 3, (u) => u) },
      { samples: 200 },
    );
    expect(ci.c).toEqual({ mean: 0.25, lo: 0.25, hi: 0.25 });
    expect(ci.x.hi).toBeGreaterThan(ci.x.lo);
    expect(() => bootstrapIntervals({ a: [1, 2], b: [1] })).toThrow(/different lengths/);
    expect(() => bootstrapInterval([1], { samples: 0 })).toThrow(/samples must be a positive integer/);
    expect(() => bootstrapInterval([1], { level: 1 })).toThrow(/level must be in/);
  });
});

describe('paired test', () => {
  it('identical methods: difference 0, p = 1', () => {
    const a = draws(200, 4, (u) => u);
    const t = pairedTest(a, a, { randomisation: true });
    expect(t.diff).toBe(0);
    expect(t.p).toBe(1);
    expect(t.pRandomisation).toBe(1);
  });

  it('a consistent improvement is significant; its CI excludes 0 and contains the true shift', () => {
    const b = draws(300, 5, (u) => u);
    const noise = draws(300, 6, (u) => (u - 0.5) * 0.2);
    const a = b.map((x, i) => x + 0.05 + noise[i]);
    const t = pairedTest(a, b, { randomisation: true, seed: 1 });
    expect(t.n).toBe(300);
    expect(t.lo).toBeGreaterThan(0);
    expect(t.lo).toBeLessThan(0.05);
    expect(t.hi).toBeGreaterThan(0.05);
    expect(t.p).toBeLessThan(0.01);
    expect(t.pRandomisation).toBeLessThan(0.01);
  });

  it('gives the ratio of the means with an interval from the same resamples; NaN when b has mean 0', () => {
    const b = draws(300, 8, (u) => 0.1 + u * 0.1);
    const noise = draws(300, 9, (u) => (u - 0.5) * 0.02);
    const a = b.map((x, i) => 1.2 * x + noise[i]);
    const t = pairedTest(a, b, { seed: 3 });
    const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
    expect(t.ratio).toBeCloseTo(mean(a) / mean(b), 12);
    expect(t.ratioLo).toBeLessThan(t.ratio);
    expect(t.ratioHi).toBeGreaterThan(t.ratio);
    // a is 1.2 × b per user up to zero-mean noise: the interval is tight around 1.2, far from 1.
    expect(t.ratioLo).toBeGreaterThan(1.15);
    expect(t.ratioHi).toBeLessThan(1.25);
    // The difference's interval is what it was before the ratio shared its resamples.
    const d = pairedTest(a, b, { seed: 3 });
    expect([d.lo, d.hi]).toEqual([t.lo, t.hi]);
    const zero = pairedTest([0.1, 0.2], [0, 0]);
    expect([zero.ratio, zero.ratioLo, zero.ratioHi]).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(zero.diff).toBeCloseTo(0.15, 12);
  });

  it('differences that cancel out are not significant', () => {
    const b = draws(300, 7, (u) => u);
    const a = b.map((x, i) => x + (i % 2 ? 0.2 : -0.2)); // per-user noise, mean difference exactly 0
    const t = pairedTest(a, b, { randomisation: true, seed: 2 });
    expect(t.lo).toBeLessThan(0);
    expect(t.hi).toBeGreaterThan(0);
    expect(t.p).toBeGreaterThan(0.05);
    expect(t.pRandomisation).toBeGreaterThan(0.05);
    expect(() => pairedTest([], [])).toThrow(/at least one user/);
  });
});
