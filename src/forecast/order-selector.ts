import type { ArimaOrder } from './arima.ts';
import type { ArimaModel, ArimaRuntime } from './arima-wasm.ts';
import { fitArmaCss, forecastArma } from './arma-css.ts';

/** Same optimiser settings as ArimaForecaster (css, L-BFGS): see arima.ts. */
const CSS = { method: 1, optimizer: 6 } as const;
/** Keeps log σ² finite when a candidate fits a short series exactly. */
const SIGMA2_FLOOR = 1e-12;

/** One candidate order fitted to one series. */
export interface OrderFit {
  order: ArimaOrder;
  /** d = 1 with a drift term (the mean of the differences). */
  drift: boolean;
  /** Forecasts for h = 1..horizon. */
  values: number[];
  sigma2: number;
  /** Estimated parameters, σ² included. */
  k: number;
  aicc: number;
}

/**
 * Gaussian AICc with constants dropped: n·ln σ² + 2k + 2k(k+1)/(n−k−1). The small-sample term matters
 * here: share series have 11–60 points and candidates up to 6 parameters. Infinite when n ≤ k + 1.
 */
export function aicc(sigma2: number, n: number, k: number): number {
  if (n - k - 1 <= 0) return Number.POSITIVE_INFINITY;
  return n * Math.log(Math.max(sigma2, SIGMA2_FLOOR)) + 2 * k + (2 * k * (k + 1)) / (n - k - 1);
}

/** Akaike weights exp(−Δ/2), normalised; non-finite criteria get weight 0. */
export function akaikeWeights(criteria: readonly number[]): number[] {
  const best = Math.min(...criteria);
  const raw = criteria.map((c) => (Number.isFinite(c) ? Math.exp(-(c - best) / 2) : 0));
  const total = raw.reduce((s, x) => s + x, 0);
  return raw.map((x) => x / total);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/**
 * Fits every ARIMA(p,d,q) with p ≤ maxP, d ≤ maxD, q ≤ maxQ to a series and ranks them by AICc.
 *
 * - d = 1 candidates are fitted by the package (CSS); σ² is read from its WASM struct (ArimaRuntime.fitStats).
 *   d = 0 candidates (ARMA with a mean) are fitted by the same CSS criterion in JS (arma-css.ts): the
 *   package's d = 0 fits cost 1–4 ms each, 10–50× its d = 1 fits.
 * - All candidates are scored on the same n = N − maxD points, so d = 0 and d = 1 compete on equal footing
 *   (each one's σ² is a mean squared one-step error, which does not depend on n).
 * - (0,0,0) (the mean) and (0,1,0) (the random walk) are computed here: the package returns garbage for
 *   p = q = 0. d = 0 models carry a mean; the package's d = 1 models have no drift.
 * - `drift` adds every d = 1 order with a drift term (ARMA with a mean on the differences, in JS).
 * - `zeroMean` adds the zero-mean white-noise model (forecast 0, k = 1), for series of errors.
 */
export class OrderSelector {
  readonly orders: ArimaOrder[] = [];
  private readonly models = new Map<string, ArimaModel>();

  constructor(
    private readonly runtime: ArimaRuntime,
    readonly limits: { p: number; d: number; q: number },
    private readonly opts: { zeroMean?: boolean; drift?: boolean } = {},
  ) {
    for (let d = 0; d <= limits.d; d++)
      for (let p = 0; p <= limits.p; p++) for (let q = 0; q <= limits.q; q++) this.orders.push([p, d, q]);
  }

  /** The largest order (what the length guard must allow for). */
  get maxOrder(): ArimaOrder {
    return [this.limits.p, this.limits.d, this.limits.q];
  }

  /** Candidates sorted best first (ties → fewer parameters, then enumeration order). Empty if all failed. */
  rank(series: readonly number[], horizon: number): OrderFit[] {
    const n = series.length - this.limits.d;
    const fits: OrderFit[] = [];
    const add = (
      order: ArimaOrder,
      fit: { values: number[]; sigma2: number } | null,
      k: number,
      drift = false,
    ) => {
      if (!fit || !(fit.sigma2 >= 0) || !fit.values.every(Number.isFinite)) return;
      const criterion = aicc(fit.sigma2, n, k);
      // Too few points for k parameters: no criterion to rank it by.
      if (Number.isFinite(criterion)) fits.push({ order, drift, ...fit, k, aicc: criterion });
    };
    if (this.opts.zeroMean) {
      add([0, 0, 0], { values: new Array(horizon).fill(0), sigma2: mean(series.map((x) => x * x)) }, 1);
    }
    const diffs = series.slice(1).map((x, i) => x - series[i]);
    for (const order of this.orders) {
      const [p, d, q] = order;
      // k: ARMA coefficients + σ² (+ the mean for d = 0, + the drift).
      if (d === 1 && this.opts.drift) add(order, withDrift(series, diffs, p, q, horizon), p + q + 2, true);
      if (p + q === 0) {
        add(order, d === 0 ? meanModel(series, horizon) : randomWalk(series, horizon), d === 0 ? 2 : 1);
      } else {
        const fit = d === 0 ? fitJs(series, p, q, horizon) : this.fitPackage(order, series, horizon);
        add(order, fit, p + q + (d === 0 ? 1 : 0) + 1);
      }
    }
    return fits.sort((a, b) => a.aicc - b.aicc || a.k - b.k);
  }

  private fitPackage(order: ArimaOrder, series: readonly number[], horizon: number) {
    const key = order.join(',');
    let model = this.models.get(key);
    if (!model) {
      const [p, d, q] = order;
      model = new this.runtime.ARIMA({ p, d, q, ...CSS, verbose: false });
      this.models.set(key, model);
    }
    try {
      const [values, mse] = model.train(Array.from(series)).predict(horizon);
      // A negative or non-finite forecast variance marks a numerically broken fit (seen for (2,0,2) on
      // short series).
      if (!mse.every((v) => Number.isFinite(v) && v >= 0)) return null;
      return { values, sigma2: this.runtime.fitStats(model).sigma2 };
    } catch {
      return null;
    }
  }

  dispose(): void {
    for (const m of this.models.values()) m.destroy();
    this.models.clear();
  }
}

/** d = 0 candidates: the same CSS model as the package's, fitted in JS (see arma-css.ts for why). */
function fitJs(series: readonly number[], p: number, q: number, horizon: number) {
  const fit = fitArmaCss(series, p, q);
  return fit && { values: forecastArma(series, fit, horizon), sigma2: fit.sigma2 };
}

/** ARIMA(p,1,q) with drift = ARMA(p,q) with a mean on the differences, forecasts integrated back. */
function withDrift(
  series: readonly number[],
  diffs: readonly number[],
  p: number,
  q: number,
  horizon: number,
) {
  const fit = p + q === 0 ? meanModel(diffs, horizon) : fitJs(diffs, p, q, horizon);
  if (!fit) return null;
  let level = series[series.length - 1];
  return { values: fit.values.map((dx) => (level += dx)), sigma2: fit.sigma2 };
}

function meanModel(series: readonly number[], horizon: number) {
  const m = mean(series);
  return { values: new Array(horizon).fill(m), sigma2: mean(series.map((x) => (x - m) ** 2)) };
}

function randomWalk(series: readonly number[], horizon: number) {
  const diffs = series.slice(1).map((x, i) => (x - series[i]) ** 2);
  return { values: new Array(horizon).fill(series[series.length - 1]), sigma2: mean(diffs) };
}
