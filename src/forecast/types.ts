/** Why a forecaster answered with its fallback model instead of the main one. */
export type FallbackReason = 'too-short' | 'non-finite-input' | 'constant' | 'fit-error' | 'bad-forecast';

/** A forecast plus whether (and why) it came from the fallback model. */
export interface ForecastOutcome {
  values: number[];
  fallback: FallbackReason | null;
}

export interface Forecaster {
  readonly name: string;
  /** Forecast `horizon` steps ahead; returns the h-step-ahead value for h = 1..horizon. Never NaN. */
  forecast(series: readonly number[], horizon: number): number[];
  /** Same as `forecast`, also saying whether the fallback answered. Absent → never falls back. */
  forecastDetailed?(series: readonly number[], horizon: number): ForecastOutcome;
  dispose(): void;
}

export type ForecastSpec =
  | {
      model: 'arima';
      order: [number, number, number];
      fallback: FallbackModel;
      method?: 'css' | 'ml';
    }
  | { model: 'naive' }
  | { model: 'mean' }
  /** alpha omitted → fitted per series by in-sample one-step SSE over a grid. */
  | { model: 'ses'; alpha?: number }
  /**
   * Order chosen per series by AICc over p ≤ maxP, d ≤ maxD, q ≤ maxQ (defaults 2, 1, 2); with `drift`
   * (default true) every d = 1 order is also tried with a drift term.
   */
  | {
      model: 'arima-auto';
      maxP?: number;
      maxD?: number;
      maxQ?: number;
      drift?: boolean;
      fallback?: FallbackModel;
    }
  /**
   * A level (fitted SES, or the user's expanding mean) plus λ × an ARMA forecast of the level's own
   * one-step errors (order by AICc, p, q ≤ 2, the zero-mean white-noise model included): ARIMA only
   * corrects the level where its errors have structure (a trend leaves them persistently signed).
   * shrink λ in [0, 1], default 0.5; level default 'ses'; the fallback is the level itself.
   */
  | { model: 'arima-resid'; shrink?: number; level?: 'ses' | 'mean' }
  /** Fitted SES and arima-auto's pick, combined with Akaike weights (default) or equally. */
  | { model: 'ensemble'; weights?: 'aic' | 'equal'; drift?: boolean };

export type FallbackModel = 'naive' | 'mean' | 'ses';
export type ArimaSpec = Extract<ForecastSpec, { model: 'arima' }>;
export type ArimaAutoSpec = Extract<ForecastSpec, { model: 'arima-auto' }>;
export type SimpleSpec = Extract<ForecastSpec, { model: 'naive' | 'mean' | 'ses' }>;

/** Throws unless `horizon` is a positive integer. */
export function assertHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new Error(`forecast horizon must be a positive integer, got ${horizon}`);
  }
}
