import { createFallback, seriesGuard, shareForecastOk } from './arima.ts';
import type { ArimaRuntime } from './arima-wasm.ts';
import { GuardedForecaster } from './guarded.ts';
import { OrderSelector } from './order-selector.ts';
import { sesFitted } from './simple.ts';
import type { FallbackReason, ForecastSpec } from './types.ts';

/**
 * One-step errors e_t = x_t − L_{t−1} (t = 1..n−1) of a level that updates L_t = L_{t−1} + g_t·e_t, its
 * final level, and the gain g_t for any t (so future errors can be carried into the level too).
 * 'ses': fitted SES, g = α. 'mean': the expanding mean, g_t = 1/(t+1).
 */
export function levelErrors(
  series: readonly number[],
  kind: 'ses' | 'mean',
): { level: number; errors: number[]; gain: (t: number) => number } {
  const alpha = kind === 'ses' ? sesFitted(series).alpha : 0;
  const gain = kind === 'ses' ? () => alpha : (t: number) => 1 / (t + 1);
  const errors: number[] = [];
  let level = series[0];
  for (let t = 1; t < series.length; t++) {
    errors.push(series[t] - level);
    level += gain(t) * (series[t] - level);
  }
  return { level, errors, gain };
}

/**
 * Fewest level errors arima-resid selects on. Its candidates are all fitted in JS (zero mean, mean, CSS
 * ARMA), so the package's 11 points do not apply; each is scored only where defined (CSS from 2p + q + 2
 * points, AICc from k + 2), and 4 is where the mean (k = 2) first competes with the zero-mean model.
 * On 4–11 point series (trend / flat / noisy shares) this beat or matched the old fallback to the level.
 */
export const MIN_RESID_ERRORS = 4;

/** See the 'arima-resid' ForecastSpec. */
export class ResidualArimaForecaster extends GuardedForecaster {
  readonly name: string;
  private readonly selector: OrderSelector;
  private readonly shrink: number;
  private readonly level: 'ses' | 'mean';

  constructor(runtime: ArimaRuntime, spec: Extract<ForecastSpec, { model: 'arima-resid' }>) {
    const shrink = spec.shrink ?? 0.5;
    if (!(shrink >= 0 && shrink <= 1))
      throw new Error(`arima-resid shrink must be in [0, 1], got ${spec.shrink}`);
    const level = spec.level ?? 'ses';
    if (level !== 'ses' && level !== 'mean') {
      throw new Error(`arima-resid level must be 'ses' or 'mean', got ${JSON.stringify(spec.level)}`);
    }
    super(createFallback(level));
    this.shrink = shrink;
    this.level = level;
    this.selector = new OrderSelector(runtime, { p: 2, d: 0, q: 2 }, { zeroMean: true });
    this.name = `arima-resid(${level}, ${shrink})|${this.fallback.name}`;
  }

  protected main(series: readonly number[], horizon: number): number[] | FallbackReason {
    // The level's errors are one point shorter than the series.
    const early = seriesGuard(series, MIN_RESID_ERRORS + 1);
    if (early) return early;
    const { level, errors, gain } = levelErrors(series, this.level);
    const reason = seriesGuard(errors, MIN_RESID_ERRORS);
    if (reason) return reason;
    const best = this.selector.rank(errors, horizon)[0];
    if (!best) return 'fit-error';
    // x_{T+h} = L_T + Σ_{j<h} g_{T+j}·e_{T+j} + e_{T+h}: forecast the errors, then shrink the correction.
    const T = series.length - 1;
    let carried = 0;
    const values = best.values.map((e, j) => {
      const v = level + this.shrink * (carried + e);
      carried += gain(T + 1 + j) * e;
      return v;
    });
    return shareForecastOk(values) ? values : 'bad-forecast';
  }

  override dispose(): void {
    this.selector.dispose();
    super.dispose();
  }
}
