import { gaussian, mulberry32 } from '../../src/util/random.ts';

export interface Case {
  history: number[];
  /** The realised next observation (same process, one step on). */
  next: number;
}

/** `count` seeded series of `length` points: base + slope·t + N(0, sd²), plus the next draw. */
export function linearCases(
  seed: number,
  count: number,
  opts: { length: number; sd: number; trend: boolean },
): Case[] {
  const uniform = mulberry32(seed);
  const noise = gaussian(uniform);
  return Array.from({ length: count }, () => {
    const base = 0.2 + 0.3 * uniform();
    const slope = opts.trend ? (0.01 + 0.01 * uniform()) * (uniform() < 0.5 ? -1 : 1) : 0;
    const at = (t: number) => base + slope * t + opts.sd * noise();
    return { history: Array.from({ length: opts.length }, (_, t) => at(t)), next: at(opts.length) };
  });
}

export function meanAbsError(cases: readonly Case[], predict: (history: number[]) => number): number {
  return cases.reduce((s, c) => s + Math.abs(predict(c.history) - c.next), 0) / cases.length;
}
