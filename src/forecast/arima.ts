import type { ArimaModel, ArimaRuntime } from './arima-wasm.ts';
import { createSimpleForecaster } from './simple.ts';
import type { ArimaSpec, FallbackModel, FallbackReason, Forecaster, ForecastOutcome } from './types.ts';
import { assertHorizon } from './types.ts';

/** arima@0.2.8 throws below this many points (non-seasonal: d + max(p + q, 10)). */
export const MIN_ARIMA_POINTS = 11;
/** Forecasts of shares outside this range are treated as a failed fit. */
export const SHARE_FORECAST_BOUNDS = { min: -1, max: 2 } as const;
/** Keeps specs sane; higher orders on 3–30 point series only overfit. */
const MAX_ORDER = { p: 5, d: 2, q: 5 } as const;

const METHOD = { ml: 0, css: 1 } as const;
/**
 * L-BFGS (the package default). Measured on 2,000 trend+noise 24-point series, ARIMA(1,1,1) css:
 * BFGS (5) was slower (6.3k vs 6.8k series/s), disagreed by > 0.006 on 10 % of series, and was
 * slightly less accurate (MAE 0.0169 vs 0.0161), so 6 is used for both methods.
 */
const OPTIMIZER = 6;

export type ArimaOrder = readonly [p: number, d: number, q: number];

/** Points the package needs for this order (never below MIN_ARIMA_POINTS). */
export function arimaMinLength([p, d, q]: ArimaOrder): number {
  return Math.max(MIN_ARIMA_POINTS, d + Math.max(p + q, 10));
}

export function validateOrder(order: ArimaOrder): void {
  const names = ['p', 'd', 'q'] as const;
  if (!Array.isArray(order) || order.length !== 3) {
    throw new Error(`arima order must be [p, d, q], got ${JSON.stringify(order)}`);
  }
  order.forEach((v, i) => {
    const name = names[i];
    if (!Number.isInteger(v) || v < 0 || v > MAX_ORDER[name]) {
      throw new Error(`arima order ${name} must be an integer in [0, ${MAX_ORDER[name]}], got ${v}`);
    }
  });
}

/** Why this series must not reach the package, or null when it may. */
export function inputGuard(series: readonly number[], order: ArimaOrder): FallbackReason | null {
  return seriesGuard(series, arimaMinLength(order));
}

/** Why this series must not be fitted (shorter than minLength, non-finite, constant), or null. */
export function seriesGuard(series: readonly number[], minLength: number): FallbackReason | null {
  if (series.length < minLength) return 'too-short';
  // NaN/Infinity make the package return all-NaN silently (or interpolate interior NaN): never pass them.
  if (!series.every(Number.isFinite)) return 'non-finite-input';
  const first = series[0];
  if (series.every((x) => x === first)) return 'constant';
  return null;
}

/** A share forecast the guards accept: finite and inside SHARE_FORECAST_BOUNDS. */
export function shareForecastOk(values: readonly number[]): boolean {
  return values.every(
    (v) => Number.isFinite(v) && v >= SHARE_FORECAST_BOUNDS.min && v <= SHARE_FORECAST_BOUNDS.max,
  );
}

/** The simple model that answers whatever the ARIMA guards reject. */
export function createFallback(model: FallbackModel): Forecaster {
  if (!['naive', 'mean', 'ses'].includes(model)) {
    throw new Error(`arima fallback must be 'naive', 'mean' or 'ses', got ${JSON.stringify(model)}`);
  }
  return createSimpleForecaster({ model });
}

/**
 * Fixed-order ARIMA with guards; anything the guards reject is answered by the fallback model.
 * One package instance is re-trained per series (re-train frees the previous fit) and freed in dispose().
 */
export class ArimaForecaster implements Forecaster {
  readonly name: string;
  private readonly order: ArimaOrder;
  private readonly fallback: Forecaster;
  private model: ArimaModel | null;

  constructor(runtime: ArimaRuntime, spec: ArimaSpec) {
    validateOrder(spec.order);
    const method = spec.method ?? 'css';
    if (!Object.hasOwn(METHOD, method)) {
      throw new Error(`arima method must be 'css' or 'ml', got ${JSON.stringify(method)}`);
    }
    this.order = [...spec.order];
    this.fallback = createFallback(spec.fallback);
    const [p, d, q] = this.order;
    this.name = `arima(${p},${d},${q})/${method}|${this.fallback.name}`;
    this.model = new runtime.ARIMA({ p, d, q, method: METHOD[method], optimizer: OPTIMIZER, verbose: false });
  }

  forecast(series: readonly number[], horizon: number): number[] {
    return this.forecastDetailed(series, horizon).values;
  }

  forecastDetailed(series: readonly number[], horizon: number): ForecastOutcome {
    assertHorizon(horizon);
    if (!this.model) throw new Error(`${this.name}: forecaster used after dispose()`);
    const result = inputGuard(series, this.order) ?? this.fit(this.model, series, horizon);
    if (Array.isArray(result)) return { values: result, fallback: null };
    return { values: this.fallback.forecast(series, horizon), fallback: result };
  }

  /** Forecasts with the package, or says why its answer is unusable. */
  private fit(model: ArimaModel, series: readonly number[], horizon: number): number[] | FallbackReason {
    let values: number[];
    try {
      values = model.train(Array.from(series)).predict(horizon)[0];
    } catch {
      return 'fit-error';
    }
    return shareForecastOk(values) ? values : 'bad-forecast';
  }

  dispose(): void {
    this.model?.destroy();
    this.model = null;
    this.fallback.dispose();
  }
}
