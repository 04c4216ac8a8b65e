import { createForecaster } from '../../src/forecast/registry.ts';
import type { Forecaster, ForecastSpec } from '../../src/forecast/types.ts';
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

/** `f`'s one-step forecast of a history. */
export const oneStep = (f: Forecaster) => (history: number[]) => f.forecast(history, 1)[0];

/** 24-point series with and without a trend, on which the ARIMA variants are held against naive and SES. */
export const VARIANT_CASES = {
  trend: linearCases(42, 150, { length: 24, sd: 0.02, trend: true }),
  flat: linearCases(43, 150, { length: 24, sd: 0.02, trend: false }),
};

/** Mean absolute one-step errors on VARIANT_CASES of `spec`'s forecaster, naive and SES (logged). */
export async function errorsBesideBaselines(spec: ForecastSpec) {
  const [f, naive, ses] = await Promise.all(
    [spec, { model: 'naive' } as const, { model: 'ses' } as const].map(createForecaster),
  );
  const errors = (g: Forecaster) => ({
    trend: meanAbsError(VARIANT_CASES.trend, oneStep(g)),
    flat: meanAbsError(VARIANT_CASES.flat, oneStep(g)),
  });
  const out = { err: errors(f), naiveErr: errors(naive), sesErr: errors(ses) };
  console.log(f.name, out);
  for (const g of [f, naive, ses]) g.dispose();
  return out;
}
