import { createFallback, inputGuard, shareForecastOk } from './arima.ts';
import type { ArimaRuntime } from './arima-wasm.ts';
import { GuardedForecaster } from './guarded.ts';
import { type OrderFit, OrderSelector } from './order-selector.ts';
import type { ArimaAutoSpec, FallbackReason } from './types.ts';

/** The largest p, d, q arima-auto may search (and its defaults). */
const AUTO_LIMITS = { p: 2, d: 1, q: 2 } as const;

function validateLimit(name: 'p' | 'd' | 'q', value: number | undefined): number {
  const v = value ?? AUTO_LIMITS[name];
  if (!Number.isInteger(v) || v < 0 || v > AUTO_LIMITS[name]) {
    throw new Error(
      `arima-auto max${name.toUpperCase()} must be an integer in [0, ${AUTO_LIMITS[name]}], got ${v}`,
    );
  }
  return v;
}

/** What a per-series ARIMA selection produced: the forecast, or why the fallback must answer. */
type Selection = { fit: OrderFit } | { reason: FallbackReason };

function selectShareFit(selector: OrderSelector, series: readonly number[], horizon: number): Selection {
  const reason = inputGuard(series, selector.maxOrder);
  if (reason) return { reason };
  const ranked = selector.rank(series, horizon);
  if (ranked.length === 0) return { reason: 'fit-error' };
  const fit = ranked.find((f) => shareForecastOk(f.values));
  return fit ? { fit } : { reason: 'bad-forecast' };
}

/** ARIMA with its order picked per series by AICc (see OrderSelector); the guards of ArimaForecaster. */
export class AutoArimaForecaster extends GuardedForecaster {
  readonly name: string;
  private readonly selector: OrderSelector;

  constructor(runtime: ArimaRuntime, spec: ArimaAutoSpec) {
    const limits = {
      p: validateLimit('p', spec.maxP),
      d: validateLimit('d', spec.maxD),
      q: validateLimit('q', spec.maxQ),
    };
    if (limits.p + limits.q === 0) throw new Error('arima-auto needs maxP or maxQ above 0');
    super(createFallback(spec.fallback ?? 'ses'));
    const drift = spec.drift ?? true;
    this.selector = new OrderSelector(runtime, limits, { drift });
    this.name = `arima-auto(${limits.p},${limits.d},${limits.q}${drift ? ',drift' : ''})|${this.fallback.name}`;
  }

  /** The chosen fit, or why there is none (exposed for studies and tests of the selection). */
  select(series: readonly number[], horizon: number): Selection {
    if (this.disposed) throw new Error(`${this.name}: forecaster used after dispose()`);
    return selectShareFit(this.selector, series, horizon);
  }

  protected main(series: readonly number[], horizon: number): number[] | FallbackReason {
    const s = this.select(series, horizon);
    return 'fit' in s ? s.fit.values : s.reason;
  }

  override dispose(): void {
    this.selector.dispose();
    super.dispose();
  }
}
