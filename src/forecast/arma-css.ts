/**
 * ARMA(p, q) with a mean, fitted by conditional sum of squares in plain JS, for p, q ≤ 2.
 *
 * Why not the package for these: arima@0.2.8's d = 0 fits (which always estimate a mean) cost 1–4 ms each
 * on 24-point series, 10–50× its d = 1 fits, which made the 16-candidate AICc search ~20 ms per series.
 * This fit is the same model and criterion (R's CSS convention: condition on the first p points, pre-sample
 * errors 0) minimised by Nelder–Mead inside the stationary/invertible region, ~0.1 ms per fit.
 *
 * Model: y_t = x_t − μ;  y_t = Σ φ_i y_{t−i} + e_t + Σ θ_j e_{t−j}.
 */
export interface ArmaFit {
  mu: number;
  phi: number[];
  theta: number[];
  /** Mean squared CSS residual over the n − p conditioned points. */
  sigma2: number;
}

/** Root bound for p, q ≤ 2: |roots| of 1 − φ₁B − φ₂B² (and 1 + θ₁B + θ₂B²) outside the unit circle. */
const EDGE = 0.999;

/** Whether 1 − a₁B − a₂B² (order m ≤ 2, coefficients v[at..at+m)) has its roots outside the unit circle. */
function stationary(v: readonly number[], at: number, m: number, sign: 1 | -1): boolean {
  if (m === 0) return true;
  const a1 = sign * v[at];
  if (m === 1) return Math.abs(a1) < EDGE;
  const a2 = sign * v[at + 1];
  return a2 + a1 < EDGE && a2 - a1 < EDGE && Math.abs(a2) < EDGE;
}

/**
 * CSS residuals for v = [μ, φ₁..φ_p, θ₁..θ_q]: e_t for t ≥ p (0 before), written into e; returns Σ e_t².
 * Allocation-free: it is the inner loop of the fit.
 */
function cssResiduals(
  x: readonly number[],
  v: readonly number[],
  p: number,
  q: number,
  e: Float64Array,
): number {
  const mu = v[0];
  let sse = 0;
  for (let t = 0; t < x.length; t++) {
    if (t < p) {
      e[t] = 0;
      continue;
    }
    let r = x[t] - mu;
    for (let i = 0; i < p; i++) r -= v[1 + i] * (x[t - 1 - i] - mu);
    for (let j = 0; j < q && j < t; j++) r -= v[1 + p + j] * e[t - 1 - j];
    e[t] = r;
    sse += r * r;
  }
  return sse;
}

/** out[j] = c_j + t·(w_j − c_j): the point at t along the line from the centroid c to the worst vertex w. */
function along(out: number[], centroid: readonly number[], worst: readonly number[], t: number): void {
  for (let j = 0; j < centroid.length; j++) {
    const c = centroid[j];
    out[j] = c + t * (worst[j] - c);
  }
}

/**
 * Nelder–Mead minimisation (standard coefficients), deterministic from the start point and steps.
 * Allocation-free per iteration (it is the fit's hot loop): vertices and trial points are reused buffers,
 * so f may modify its argument but must not keep a reference to it.
 */
export function nelderMead(
  f: (v: number[]) => number,
  start: readonly number[],
  steps: readonly number[],
  maxEvals = 400,
  tol = 1e-9,
): { x: number[]; fx: number } {
  const dim = start.length;
  const simplex = [start.slice(), ...start.map((_, i) => start.map((v, j) => (i === j ? v + steps[i] : v)))];
  const values = simplex.map(f);
  const centroid = start.slice();
  // An accepted trial point is swapped into the simplex; the worst vertex's buffer becomes the next trial.
  let reflected = start.slice();
  let trial = start.slice();
  let evals = dim + 1;
  while (evals < maxEvals) {
    // Stable insertion sort by value, in place: the same order as a stable sort with comparator
    // (a, b) => values[a] − values[b] (NaN from ∞ − ∞ counts as equal in both).
    for (let i = 1; i <= dim; i++) {
      for (let j = i; j > 0 && values[j - 1] - values[j] > 0; j--) {
        const v = values[j];
        values[j] = values[j - 1];
        values[j - 1] = v;
        const s = simplex[j];
        simplex[j] = simplex[j - 1];
        simplex[j - 1] = s;
      }
    }
    if (Math.abs(values[dim] - values[0]) <= tol * (Math.abs(values[0]) + tol)) break;
    // Summed left to right from 0: fits are pinned bit-for-bit (see the tests), so keep this order.
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += simplex[i][j];
      centroid[j] = s / dim;
    }
    const worst = simplex[dim];
    along(reflected, centroid, worst, -1);
    const fr = f(reflected);
    evals++;
    if (fr < values[0]) {
      along(trial, centroid, worst, -2);
      const fe = f(trial);
      evals++;
      if (fe < fr) {
        simplex[dim] = trial;
        trial = worst;
        values[dim] = fe;
      } else {
        simplex[dim] = reflected;
        reflected = worst;
        values[dim] = fr;
      }
    } else if (fr < values[dim - 1]) {
      simplex[dim] = reflected;
      reflected = worst;
      values[dim] = fr;
    } else {
      along(trial, centroid, worst, fr < values[dim] ? -0.5 : 0.5);
      const fc = f(trial);
      evals++;
      if (fc < Math.min(fr, values[dim])) {
        simplex[dim] = trial;
        trial = worst;
        values[dim] = fc;
      } else {
        const lowest = simplex[0];
        for (let i = 1; i <= dim; i++) {
          const pt = simplex[i];
          for (let j = 0; j < dim; j++) pt[j] = lowest[j] + 0.5 * (pt[j] - lowest[j]);
          values[i] = f(pt);
        }
        evals += dim;
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best], fx: values[best] };
}

/** CSS fit of ARMA(p, q) with a mean; null when the series is too short for the order (n − p ≤ p + q + 1). */
export function fitArmaCss(x: readonly number[], p: number, q: number): ArmaFit | null {
  const n = x.length;
  if (p > 2 || q > 2 || n - p <= p + q + 1) return null;
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const e = new Float64Array(n);
  const objective = (v: number[]) => {
    // θ's polynomial is 1 + θ₁B + θ₂B²: invertible iff −θ passes the stationarity test.
    if (!stationary(v, 1, p, 1) || !stationary(v, 1 + p, q, -1)) return Number.POSITIVE_INFINITY;
    return cssResiduals(x, v, p, q, e);
  };
  if (q === 0) {
    const ols = arOls(x, p);
    if (ols && stationary(ols, 1, p, 1)) {
      return { mu: ols[0], phi: ols.slice(1), theta: [], sigma2: cssResiduals(x, ols, p, 0, e) / (n - p) };
    }
  }
  const start = [mean, ...new Array(p + q).fill(0)];
  const steps = [Math.max(0.1 * sd, 1e-6), ...new Array(p + q).fill(0.1)];
  const { x: best, fx } = nelderMead(objective, start, steps, 200 * (p + q + 1));
  if (!Number.isFinite(fx)) return null;
  return { mu: best[0], phi: best.slice(1, 1 + p), theta: best.slice(1 + p), sigma2: fx / (n - p) };
}

/**
 * Pure AR(p ≤ 2): CSS is least squares of x_t on [1, x_{t−1}, …] (t ≥ p), solved in closed form.
 * Returns [μ, φ…] (μ = c / (1 − Σφ)), or null when singular or the implied mean is undefined (Σφ ≈ 1).
 */
function arOls(x: readonly number[], p: number): number[] | null {
  const m = p + 1;
  const A = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  const row = new Array<number>(m).fill(1); // [1, x_{t−1}, …], refilled per t
  for (let t = p; t < x.length; t++) {
    for (let i = 1; i <= p; i++) row[i] = x[t - i];
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) A[a][b] += row[a] * row[b];
      A[a][m] += row[a] * x[t];
    }
  }
  // Gauss–Jordan with partial pivoting on the (p+1)×(p+1) normal equations.
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    if (Math.abs(A[piv][c]) < 1e-12) return null;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= m; k++) A[r][k] -= f * A[c][k];
    }
  }
  const coef = A.map((row, i) => row[m] / row[i]);
  const phiSum = coef.slice(1).reduce((s, v) => s + v, 0);
  if (Math.abs(1 - phiSum) < 1e-9) return null;
  return [coef[0] / (1 - phiSum), ...coef.slice(1)];
}

/** Forecasts for h = 1..horizon (future errors 0). */
export function forecastArma(x: readonly number[], fit: ArmaFit, horizon: number): number[] {
  const { mu, phi, theta } = fit;
  const e = new Float64Array(x.length);
  cssResiduals(x, [mu, ...phi, ...theta], phi.length, theta.length, e);
  const y = x.map((v) => v - mu);
  const errs = Array.from(e);
  const out: number[] = [];
  for (let h = 0; h < horizon; h++) {
    const t = y.length;
    let v = 0;
    for (let i = 0; i < phi.length; i++) v += phi[i] * y[t - 1 - i];
    for (let j = 0; j < theta.length; j++) if (t - 1 - j >= 0) v += theta[j] * errs[t - 1 - j];
    y.push(v);
    errs.push(0);
    out.push(v + mu);
  }
  return out;
}
