import { type ArimaOrder, createFallback, inputGuard, seriesGuard, shareForecastOk } from './arima.ts';
import type { ArimaModel, ArimaRuntime } from './arima-wasm.ts';
import { fitArmaCss, forecastArma } from './arma-css.ts';
import { sesFitted } from './simple.ts';
import type { ArimaAutoSpec, FallbackReason, Forecaster, ForecastOutcome, ForecastSpec } from './types.ts';
import { assertHorizon } from './types.ts';

/** Same optimiser settings as ArimaForecaster (css, L-BFGS): see arima.ts. */
const CSS = { method: 1, optimizer: 6 } as const;
/** Keeps log σ² finite when a candidate fits a short series exactly. */
const SIGMA2_FLOOR = 1e-12;
const AUTO_LIMITS = { p: 2, d: 1, q: 2 } as const;

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

function validateLimit(name: 'p' | 'd' | 'q', value: number | undefined): number {
  const v = value ?? AUTO_LIMITS[name];
  if (!Number.isInteger(v) || v < 0 || v > AUTO_LIMITS[name]) {
    throw new Error(
      `arima-auto max${name.toUpperCase()} must be an integer in [0, ${AUTO_LIMITS[name]}], got ${v}`,
    );
  }
  return v;
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

/** Base for the selectors below: guard → main model, else fallback; one-shot dispose. */
abstract class GuardedForecaster implements Forecaster {
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
