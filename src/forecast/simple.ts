import type { Forecaster, SimpleSpec } from './types.ts';
import { assertHorizon } from './types.ts';

export const DEFAULT_SES_ALPHA = 0.3;

/** Finite points of `series` in order; the simple models skip NaN/Infinity rather than propagate them. */
function finitePoints(series: readonly number[], model: string): number[] {
  const out = series.filter(Number.isFinite);
  if (out.length === 0) {
    throw new Error(`${model} forecast: series has no finite values (length ${series.length})`);
  }
  return out;
}

export function naiveLevel(series: readonly number[]): number {
  const xs = finitePoints(series, 'naive');
  return xs[xs.length - 1];
}

export function meanLevel(series: readonly number[]): number {
  const xs = finitePoints(series, 'mean');
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Simple exponential smoothing level, initialised at the first value. */
export function sesLevel(series: readonly number[], alpha: number): number {
  return sesFit(finitePoints(series, 'ses'), alpha).level;
}

/** Final level and sum of squared one-step errors (t = 1..n−1) of SES over finite points `xs`. */
function sesFit(xs: readonly number[], alpha: number): { level: number; sse: number } {
  let level = xs[0];
  let sse = 0;
  for (let i = 1; i < xs.length; i++) {
    const err = xs[i] - level;
    sse += err * err;
    level += alpha * err;
  }
  return { level, sse };
}

/** α grid for fitted SES: 0.05, 0.10, …, 1 (fine enough for 6–60 point series, 20 cheap passes). */
export const SES_ALPHA_GRID: readonly number[] = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);

/**
 * SES with α chosen by the smallest in-sample one-step SSE over SES_ALPHA_GRID (ties → smaller α, the
 * smoother model). With < 3 points there is at most one error to judge by, so α stays at the default.
 */
export function sesFitted(series: readonly number[]): { alpha: number; level: number; sse: number } {
  const xs = finitePoints(series, 'ses');
  if (xs.length < 3) return { alpha: DEFAULT_SES_ALPHA, ...sesFit(xs, DEFAULT_SES_ALPHA) };
  let best = { alpha: SES_ALPHA_GRID[0], ...sesFit(xs, SES_ALPHA_GRID[0]) };
  for (const alpha of SES_ALPHA_GRID.slice(1)) {
    const fit = sesFit(xs, alpha);
    if (fit.sse < best.sse - 1e-15) best = { alpha, ...fit };
  }
  return best;
}

/** A flat-forecast model: every horizon gets the same level. */
function flatForecaster(name: string, level: (series: readonly number[]) => number): Forecaster {
  return {
    name,
    forecast(series, horizon) {
      assertHorizon(horizon);
      return new Array<number>(horizon).fill(level(series));
    },
    dispose() {},
  };
}

export function createSimpleForecaster(spec: SimpleSpec): Forecaster {
  switch (spec.model) {
    case 'naive':
      return flatForecaster('naive', naiveLevel);
    case 'mean':
      return flatForecaster('mean', meanLevel);
    case 'ses': {
      const alpha = spec.alpha;
      if (alpha === undefined) return flatForecaster('ses(fit)', (s) => sesFitted(s).level);
      if (!(alpha > 0 && alpha <= 1)) throw new Error(`ses alpha must be in (0, 1], got ${spec.alpha}`);
      return flatForecaster(`ses(${alpha})`, (s) => sesLevel(s, alpha));
    }
    default:
      throw new Error(`unknown simple forecast model: ${JSON.stringify((spec as { model: unknown }).model)}`);
  }
}
