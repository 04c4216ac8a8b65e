import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { createProgress } from '../util/progress.ts';
import {
  forecastPooled,
  forecastPooledPrefixes,
  forecastPooledShrunk,
  type PooledModel,
  type PooledVariant,
} from './pooled.ts';
import { forecastPooledNet } from './pooled-net.ts';
import { forecastShares } from './shares.ts';
import type { Forecaster } from './types.ts';

/** One history's forecast shares and how many of its series the main model answered. */
export interface ShareForecast {
  shares: number[];
  fitted: number;
  fellBack: number;
}

/** Predicts one user's topic shares `horizon` buckets ahead from their K share series. */
export interface ShareForecaster {
  readonly name: string;
  forecastShares(seriesByTopic: readonly (readonly number[])[], horizon: number): ShareForecast;
  /**
   * forecastShares of the prefixes (first n points, n in `lengths`) of one history, for a forecaster that
   * shares work between them (see prefixForecasts); absent: one forecastShares per prefix.
   */
  forecastPrefixes?(
    seriesByTopic: readonly (readonly number[])[],
    lengths: readonly number[],
    horizon: number,
  ): ShareForecast[];
  dispose(): void;
}

/** `f`'s forecasts of the prefixes of one history (lengths in points), the same as one call per prefix. */
export function prefixForecasts(
  f: ShareForecaster,
  seriesByTopic: readonly (readonly number[])[],
  lengths: readonly number[],
  horizon: number,
): ShareForecast[] {
  if (f.forecastPrefixes) return f.forecastPrefixes(seriesByTopic, lengths, horizon);
  return onePerPrefix((s, h) => f.forecastShares(s, h), seriesByTopic, lengths, horizon);
}

/** One `forecast` call per prefix: what a forecaster that shares no work between prefixes does. */
function onePerPrefix(
  forecast: ShareForecaster['forecastShares'],
  seriesByTopic: readonly (readonly number[])[],
  lengths: readonly number[],
  horizon: number,
): ShareForecast[] {
  const T = seriesByTopic[0]?.length ?? 0;
  return lengths.map((n) =>
    forecast(n === T ? seriesByTopic : seriesByTopic.map((s) => s.slice(0, n)), horizon),
  );
}

/** A per-series forecaster (ARIMA family, smoothing, …) applied to each topic's series. */
export function perSeries(f: Forecaster): ShareForecaster {
  return {
    name: f.name,
    forecastShares: (series, horizon) => forecastShares(f, series, horizon),
    dispose: () => f.dispose(),
  };
}

/**
 * The pooled model (fitted on every user's training series), optionally refitted per user under a prior
 * of `strength` pseudo-pairs, or its network (`net`); it predicts one bucket ahead, so further horizons
 * feed forecasts back in.
 */
export function pooledForecaster(model: PooledModel, strength: PooledVariant): ShareForecaster {
  const net = strength === 'net' ? model.net : undefined;
  if (strength === 'net' && !net)
    throw new Error('pooled forecast: variant net, but the model has no network');
  const step = (s: readonly (readonly number[])[]) =>
    net
      ? forecastPooledNet(net, s)
      : strength === null
        ? forecastPooled(model, s)
        : forecastPooledShrunk(model, s, { strength: strength as number });
  const forecastShares = (series: readonly (readonly number[])[], horizon: number): ShareForecast => {
    let s = series.map((x) => [...x]);
    let shares = step(s);
    for (let h = 1; h < horizon; h++) {
      s = s.map((x, c) => [...x, shares[c]]);
      shares = step(s);
    }
    return { shares, fitted: series.length, fellBack: 0 };
  };
  return {
    name: net ? 'pooled-net' : 'pooled',
    forecastShares,
    // One step ahead, a history's prefixes share their feature rows; further horizons recurse per prefix.
    forecastPrefixes: (series, lengths, horizon) =>
      horizon === 1 && !net
        ? forecastPooledPrefixes(model, series, lengths, strength as number | null).map((shares) => ({
            shares,
            fitted: series.length,
            fellBack: 0,
          }))
        : onePerPrefix(forecastShares, series, lengths, horizon),
    dispose: () => {},
  };
}

export interface ExampleForecasts {
  /** examples × k forecast topic shares (rows sum to 1). */
  shares: Float32Array;
  /** Series answered by the main model vs its fallback (too short, constant, non-finite, …). */
  fitted: number;
  fellBack: number;
}

/**
 * Forecasts, for every example, the user's topic shares `horizon` buckets after its history: by `f`, or by
 * the forecaster `f(example)` names (a cross-fitted one).
 */
export function forecastExamples(
  f: ShareForecaster | ((ex: Pick<Example, 'user'>) => ShareForecaster),
  store: FeatureStore,
  examples: readonly Pick<Example, 'user' | 'end'>[],
  horizon: number,
  label = 'forecast',
): ExampleForecasts {
  const k = store.src.k;
  const shares = new Float32Array(examples.length * k);
  let fitted = 0;
  let fellBack = 0;
  const bar = createProgress(label, examples.length);
  examples.forEach((ex, r) => {
    const out = (typeof f === 'function' ? f(ex) : f).forecastShares(
      store.topicSeries(ex.user, ex.end),
      horizon,
    );
    shares.set(out.shares, r * k);
    fitted += out.fitted;
    fellBack += out.fellBack;
    bar.tick();
  });
  bar.stop();
  return { shares, fitted, fellBack };
}

/** ARIMA interest vector = Σ_k forecast share_k × topic centroid_k (rows × dim). */
export function sharesToVectors(
  shares: Float32Array,
  k: number,
  centroids: Float32Array,
  dim: number,
): Float32Array {
  const rows = shares.length / k;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      const w = shares[r * k + c];
      if (w === 0) continue;
      for (let d = 0; d < dim; d++) out[r * dim + d] += w * centroids[c * dim + d];
    }
  }
  return out;
}
