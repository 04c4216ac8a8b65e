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
  const xs = finitePoints(series, 'ses');
  let level = xs[0];
  for (let i = 1; i < xs.length; i++) level = alpha * xs[i] + (1 - alpha) * level;
  return level;
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
      const alpha = spec.alpha ?? DEFAULT_SES_ALPHA;
      if (!(alpha > 0 && alpha <= 1)) throw new Error(`ses alpha must be in (0, 1], got ${spec.alpha}`);
      return flatForecaster(`ses(${alpha})`, (s) => sesLevel(s, alpha));
    }
    default:
      throw new Error(`unknown simple forecast model: ${JSON.stringify((spec as { model: unknown }).model)}`);
  }
}
