import { createFallback } from './arima.ts';
import { AutoArimaForecaster } from './arima-auto.ts';
import type { ArimaRuntime } from './arima-wasm.ts';
import { GuardedForecaster } from './guarded.ts';
import { aicc, akaikeWeights } from './order-selector.ts';
import { sesFitted } from './simple.ts';
import type { FallbackReason, ForecastSpec } from './types.ts';

/** See the 'ensemble' ForecastSpec; falls back to fitted SES alone wherever arima-auto falls back. */
export class EnsembleForecaster extends GuardedForecaster {
  readonly name: string;
  private readonly auto: AutoArimaForecaster;
  private readonly weights: 'aic' | 'equal';

  constructor(runtime: ArimaRuntime, spec: Extract<ForecastSpec, { model: 'ensemble' }>) {
    const weights = spec.weights ?? 'aic';
    if (weights !== 'aic' && weights !== 'equal') {
      throw new Error(`ensemble weights must be 'aic' or 'equal', got ${JSON.stringify(spec.weights)}`);
    }
    super(createFallback('ses'));
    this.weights = weights;
    this.auto = new AutoArimaForecaster(runtime, { model: 'arima-auto', fallback: 'ses', drift: spec.drift });
    this.name = `ensemble(ses+arima-auto, ${weights})`;
  }

  protected main(series: readonly number[], horizon: number): number[] | FallbackReason {
    const s = this.auto.select(series, horizon);
    if (!('fit' in s)) return s.reason;
    const ses = sesFitted(series);
    // SES on the same footing as the ARIMA candidates: σ² = SSE/(N−1), k = 2 (α and σ²; its start is x₀).
    const n = series.length - 1;
    const w = this.weights === 'equal' ? [0.5, 0.5] : akaikeWeights([aicc(ses.sse / n, n, 2), s.fit.aicc]);
    return s.fit.values.map((v) => w[0] * ses.level + w[1] * v);
  }

  override dispose(): void {
    this.auto.dispose();
    super.dispose();
  }
}
