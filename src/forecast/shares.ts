import type { Forecaster, ForecastOutcome } from './types.ts';
import { assertHorizon } from './types.ts';

function outcomeOf(f: Forecaster, series: readonly number[], horizon: number): ForecastOutcome {
  return f.forecastDetailed?.(series, horizon) ?? { values: f.forecast(series, horizon), fallback: null };
}

function validateShares(seriesByTopic: readonly (readonly number[])[]): void {
  if (seriesByTopic.length === 0) throw new Error('forecastShares: no topic series given');
  const T = seriesByTopic[0].length;
  if (T === 0) throw new Error('forecastShares: topic series are empty');
  seriesByTopic.forEach((s, k) => {
    if (s.length !== T)
      throw new Error(`forecastShares: topic ${k} has ${s.length} points, topic 0 has ${T}`);
  });
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

function finiteMean(series: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const x of series) {
    if (Number.isFinite(x)) {
      sum += x;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

function normalise(values: readonly number[]): number[] | null {
  const total = values.reduce((s, x) => s + x, 0);
  return total > 0 ? values.map((x) => x / total) : null;
}

/**
 * Raw per-topic forecasts → shares: clipped to [0, 1] and renormalised to sum 1; if everything clips to 0,
 * the clipped history means. `who` names the caller in the error when no topic has any share at all.
 */
export function sharesOf(
  raw: readonly number[],
  seriesByTopic: readonly (readonly number[])[],
  who: string,
): number[] {
  const shares = normalise(raw.map(clip01)) ?? normalise(seriesByTopic.map((s) => clip01(finiteMean(s))));
  if (!shares) throw new Error(`${who}: history has no positive share in any topic`);
  return shares;
}

/**
 * seriesByTopic: K series of equal length T (topic shares per bucket, columns sum to 1). Returns the
 * forecast share vector at `horizon` (K values, clipped to [0,1], renormalised to sum 1; if everything
 * clips to 0, fall back to the mean of history) and how many series used the main model vs the fallback.
 */
export function forecastShares(
  f: Forecaster,
  seriesByTopic: readonly (readonly number[])[],
  horizon: number,
): { shares: number[]; fitted: number; fellBack: number } {
  assertHorizon(horizon);
  validateShares(seriesByTopic);
  let fellBack = 0;
  const raw = seriesByTopic.map((series, k) => {
    const outcome = outcomeOf(f, series, horizon);
    if (outcome.fallback) fellBack++;
    const value = outcome.values[horizon - 1];
    if (!Number.isFinite(value))
      throw new Error(`forecastShares: ${f.name} returned ${value} for topic ${k}`);
    return value;
  });
  const shares = sharesOf(raw, seriesByTopic, 'forecastShares');
  return { shares, fitted: seriesByTopic.length - fellBack, fellBack };
}
