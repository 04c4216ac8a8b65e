import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../src/util/random.ts';

describe('mulberry32', () => {
  it('is deterministic per seed, uniform in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    expect(mulberry32(8)()).not.toBe(mulberry32(7)());
  });

  it('gaussian has mean ≈ 0 and sd ≈ 1', () => {
    const g = gaussian(mulberry32(1));
    const xs = Array.from({ length: 20_000 }, g);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeCloseTo(1, 1);
  });
});
