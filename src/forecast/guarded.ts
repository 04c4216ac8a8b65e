import type { FallbackReason, Forecaster, ForecastOutcome } from './types.ts';
import { assertHorizon } from './types.ts';

/** Base of the order-selecting forecasters: guard → main model, else fallback; one-shot dispose. */
export abstract class GuardedForecaster implements Forecaster {
  abstract readonly name: string;
  protected disposed = false;

  constructor(protected readonly fallback: Forecaster) {}

  protected abstract main(series: readonly number[], horizon: number): number[] | FallbackReason;

  forecast(series: readonly number[], horizon: number): number[] {
    return this.forecastDetailed(series, horizon).values;
  }

  forecastDetailed(series: readonly number[], horizon: number): ForecastOutcome {
    assertHorizon(horizon);
    if (this.disposed) throw new Error(`${this.name}: forecaster used after dispose()`);
    const result = this.main(series, horizon);
    if (Array.isArray(result)) return { values: result, fallback: null };
    return { values: this.fallback.forecast(series, horizon), fallback: result };
  }

  dispose(): void {
    this.disposed = true;
    this.fallback.dispose();
  }
}
