import { mulberry32 } from '../util/random.ts';

/** One forecaster's forecasts and the realised shares: n rows × k topics, each row a distribution. */
export interface ForecastEval {
  forecast: Float32Array;
  actual: Float32Array;
}

export interface ForecastErrorOptions {
  k: number;
  /** The user of each row (n): the bootstrap resamples users, since a user's rows are not independent. */
  users: ArrayLike<number>;
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  seed?: number;
  /** A forecaster name: every row also gets its paired difference to this one (same resamples). */
  reference?: string;
}

/** A point estimate with its 95 % percentile-bootstrap interval. */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

export interface ForecastErrorRow {
  forecaster: string;
  rows: number;
  /** Mean over rows of the mean absolute share error over topics. */
  mae: Estimate;
  /** Mean over rows of the Jensen–Shannon divergence (base 2, in [0, 1]). */
  jsd: Estimate;
  /** Mean absolute error of each topic's share. */
  maeByTopic: number[];
  /** Each topic's additive part of the mean JSD (non-negative, sums to jsd.value). */
  jsdByTopic: number[];
  /** This forecaster minus the reference (negative = better), when a reference was named. */
  vsReference?: { mae: Estimate; jsd: Estimate };
  /** Series the forecaster's own model answered and those its fallback answered (per-series models). */
  series?: { fitted: number; fellBack: number };
  /** Windows the `rows` were sampled from, when the table scores a sample (evaluate.forecast_error_users). */
  of?: number;
}

const ROW_SUM_TOLERANCE = 1e-3;

/** Topic c's term of JSD(p‖q) in bits: ½p·log₂(p/m) + ½q·log₂(q/m), m = (p+q)/2; ≥ 0, 0·log 0 = 0. */
export function jsdTerm(p: number, q: number): number {
  const m = (p + q) / 2;
  const half = (x: number) => (x > 0 ? 0.5 * x * Math.log2(x / m) : 0);
  return Math.max(0, half(p) + half(q));
}

/** Jensen–Shannon divergence (base 2) of two distributions over the same k outcomes. */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`jsDivergence: lengths differ (${p.length} vs ${q.length})`);
  let s = 0;
  for (let c = 0; c < p.length; c++) s += jsdTerm(p[c], q[c]);
  return Math.min(1, s);
}

function checkRows(name: string, what: string, x: Float32Array, k: number): number {
  if (x.length % k !== 0)
    throw new Error(`forecast error: ${name}.${what} has ${x.length} values, not a multiple of k = ${k}`);
  const n = x.length / k;
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const v = x[r * k + c];
      if (!(v >= 0 && v <= 1))
        throw new Error(`forecast error: ${name}.${what} row ${r} topic ${c} is ${v}, not a share in [0, 1]`);
      sum += v;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
      throw new Error(`forecast error: ${name}.${what} row ${r} sums to ${sum}, not 1`);
    }
  }
  return n;
}

/** Per-row MAE and JSD plus per-topic sums of one forecaster. */
function rowErrors(e: ForecastEval, k: number, n: number) {
  const mae = new Float64Array(n);
  const jsd = new Float64Array(n);
  const maeByTopic = new Array<number>(k).fill(0);
  const jsdByTopic = new Array<number>(k).fill(0);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const f = e.forecast[r * k + c];
      const a = e.actual[r * k + c];
      const abs = Math.abs(f - a);
      const term = jsdTerm(f, a);
      mae[r] += abs / k;
      jsd[r] += term;
      maeByTopic[c] += abs / n;
      jsdByTopic[c] += term / n;
    }
  }
  return { mae, jsd, maeByTopic, jsdByTopic };
}

/** Sums of `values` per user group (groups: row indices of each user). */
function perUserSums(values: Float64Array, groups: number[][]): Float64Array {
  return Float64Array.from(groups, (rows) => rows.reduce((s, r) => s + values[r], 0));
}

/** Resampled user multiplicities: draws[b][u] = how often user u is in resample b (seeded, shared). */
function userDraws(users: number, resamples: number, seed: number): Uint16Array[] {
  const u = mulberry32(seed);
  return Array.from({ length: resamples }, () => {
    const counts = new Uint16Array(users);
    for (let i = 0; i < users; i++) counts[Math.floor(u() * users)]++;
    return counts;
  });
}

function percentile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Ratio Σ sums / Σ rows over each resample → 95 % percentile interval around the full-sample value. */
function estimate(sums: Float64Array, rowCounts: Float64Array, draws: Uint16Array[]): Estimate {
  const ratio = (w: (u: number) => number) => {
    let num = 0;
    let den = 0;
    for (let u = 0; u < sums.length; u++) {
      num += w(u) * sums[u];
      den += w(u) * rowCounts[u];
    }
    return num / den;
  };
  const stats = Float64Array.from(draws, (d) => ratio((u) => d[u])).sort();
  return { value: ratio(() => 1), lo: percentile(stats, 0.025), hi: percentile(stats, 0.975) };
}

/**
 * MAE and JSD of each forecaster against the realised shares, overall (with user-bootstrap CIs) and per
 * topic. Every forecaster must cover the same rows (same users, same actual shares), so the resamples are
 * paired and the differences to `reference` have honest intervals.
 */
export function forecastErrorTable(
  byForecaster: Record<string, ForecastEval>,
  opts: ForecastErrorOptions,
): ForecastErrorRow[] {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`forecast error: k must be a positive integer, got ${k}`);
  const names = Object.keys(byForecaster);
  if (names.length === 0) throw new Error('forecast error: no forecasters given');
  if (opts.reference !== undefined && !names.includes(opts.reference)) {
    throw new Error(
      `forecast error: reference ${JSON.stringify(opts.reference)} is not among ${names.join(', ')}`,
    );
  }
  const n = opts.users.length;
  if (n === 0) throw new Error('forecast error: no rows');
  const actual0 = byForecaster[names[0]].actual;
  for (const name of names) {
    const e = byForecaster[name];
    for (const [what, x] of [
      ['forecast', e.forecast],
      ['actual', e.actual],
    ] as const) {
      if (checkRows(name, what, x, k) !== n) {
        throw new Error(`forecast error: ${name}.${what} has ${x.length / k} rows but ${n} users were given`);
      }
    }
    if (e.actual.some((v, i) => v !== actual0[i])) {
      throw new Error(
        `forecast error: ${name}.actual differs from ${names[0]}.actual (rows must be the same)`,
      );
    }
  }
  const index = new Map<number, number[]>();
  for (let r = 0; r < n; r++) {
    const u = opts.users[r];
    const rows = index.get(u);
    if (rows) rows.push(r);
    else index.set(u, [r]);
  }
  const groups = [...index.keys()].sort((a, b) => a - b).map((u) => index.get(u) as number[]);
  const rowCounts = Float64Array.from(groups, (g) => g.length);
  const draws = userDraws(groups.length, opts.resamples ?? 1000, opts.seed ?? 1);
  const errors = Object.fromEntries(names.map((name) => [name, rowErrors(byForecaster[name], k, n)]));
  const sums = Object.fromEntries(
    names.map((name) => [
      name,
      { mae: perUserSums(errors[name].mae, groups), jsd: perUserSums(errors[name].jsd, groups) },
    ]),
  );
  const diff = (a: Float64Array, b: Float64Array) => a.map((x, i) => x - b[i]);
  return names.map((name) => {
    const s = sums[name];
    const row: ForecastErrorRow = {
      forecaster: name,
      rows: n,
      mae: estimate(s.mae, rowCounts, draws),
      jsd: estimate(s.jsd, rowCounts, draws),
      maeByTopic: errors[name].maeByTopic,
      jsdByTopic: errors[name].jsdByTopic,
    };
    if (opts.reference !== undefined) {
      const ref = sums[opts.reference];
      row.vsReference = {
        mae: estimate(diff(s.mae, ref.mae), rowCounts, draws),
        jsd: estimate(diff(s.jsd, ref.jsd), rowCounts, draws),
      };
    }
    return row;
  });
}

const fmt = (e: Estimate, digits: number) =>
  `${e.value.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]`;

/** The table as Markdown (values with 95 % CIs; Δ columns when a reference was used). */
export function forecastErrorMarkdown(rows: readonly ForecastErrorRow[], reference?: string): string {
  const withRef = rows.some((r) => r.vsReference);
  const head = ['forecaster', 'rows', 'MAE [95% CI]', 'JSD [95% CI]'];
  if (withRef) head.push(`ΔMAE vs ${reference ?? 'reference'}`, `ΔJSD vs ${reference ?? 'reference'}`);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [r.forecaster, String(r.rows), fmt(r.mae, 4), fmt(r.jsd, 4)];
    if (r.vsReference) cells.push(fmt(r.vsReference.mae, 4), fmt(r.vsReference.jsd, 4));
    else if (withRef) cells.push('', '');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
