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
      fallback: 'naive' | 'mean' | 'ses';
      method?: 'css' | 'ml';
    }
  | { model: 'naive' }
  | { model: 'mean' }
  | { model: 'ses'; alpha?: number };

export type ArimaSpec = Extract<ForecastSpec, { model: 'arima' }>;
export type SimpleSpec = Exclude<ForecastSpec, ArimaSpec>;

/** Throws unless `horizon` is a positive integer. */
export function assertHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new Error(`forecast horizon must be a positive integer, got ${horizon}`);
  }
}
