import { availableParallelism } from 'node:os';
import type { Example } from '../data/split.ts';
import { createProgress } from '../util/progress.ts';
import { gaussian, mulberry32, shuffle } from '../util/random.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import { type PooledExample, validateSeries } from './pooled.ts';
import { sharesOf } from './shares.ts';

/**
 * The pooled forecaster's nonlinear learner: one small network, shared by every topic, from a topic's
 * recent share points and the history's length to its next share. The ridge is linear in level, slope and
 * cycle features, so it cannot say "an interest that rose, fell and rose again is about to rise", nor let
 * the answer depend on where in a history the forecast stands; the network learns both from everyone's
 * histories, and above all from the validation targets, the only examples at the end of a history, where a
 * test target is (fitPooledWithNet). Without them it tied the ridge (50-event development log, seed 211:
 * 1.021 × topic_recent vs 1.154 × with them; README, Results).
 */

/** Recent points the network reads (left-padded with the series mean when the history is shorter). */
export const NET_LAGS = 8;
/** Inputs: NET_LAGS points, the series mean, 1/T and ln T / 4 (how long the history is). */
const NET_INPUTS = NET_LAGS + 3;
const NET_HIDDEN = 32;
/** Training: Adam, this many passes over the rows, capped at NET_ROW_BUDGET row visits in all. */
const NET_EPOCHS = 60;
const NET_ROW_BUDGET = 6_000_000;
const NET_BATCH = 256;
const NET_LR = 3e-3;

/**
 * Folds of the validation examples (by user): the validation forecasts of fold f come from a network fitted
 * without fold f's targets, so the choice on validation sees out-of-sample forecasts (see fitPooledWithNet).
 */
export const NET_FOLDS = 2;
export const netFold = (ex: Pick<Example, 'user'>) => ex.user % NET_FOLDS;

/** Plain JSON: a checkpoint rebuilds the network from it alone (see parsePooledNet). */
export interface PooledNet {
  kind: 'pooled-net';
  version: 1;
  lags: number;
  hidden: number;
  /** NET_INPUTS × hidden, row-major. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
  /** Examples fitted on. */
  examples: number;
}

/** One topic's network inputs from its series x_1..x_T (T ≥ 1). */
function inputsOf(x: readonly number[], out: Float64Array, at = 0): void {
  const T = x.length;
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / T;
  for (let i = 0; i < NET_LAGS; i++) {
    const t = T - NET_LAGS + i;
    out[at + i] = t >= 0 ? x[t] : mean;
  }
  out[at + NET_LAGS] = mean;
  out[at + NET_LAGS + 1] = 1 / T;
  out[at + NET_LAGS + 2] = Math.log(T) / 4;
}

/** The network's raw output for the inputs at `at`, and (when given) its hidden activations. */
function forward(
  net: Pick<PooledNet, 'w1' | 'b1' | 'w2' | 'b2' | 'hidden'>,
  x: Float64Array,
  at: number,
  h?: Float64Array,
) {
  let out = net.b2;
  for (let j = 0; j < net.hidden; j++) {
    let z = net.b1[j];
    for (let i = 0; i < NET_INPUTS; i++) z += x[at + i] * net.w1[i * net.hidden + j];
    const a = Math.max(z, 0);
    if (h) h[j] = a;
    out += a * net.w2[j];
  }
  return out;
}

/** Training rows of a set of examples: each topic of each example a row (its series → its next share). */
export interface NetRows {
  X: Float64Array;
  y: Float64Array;
  rows: number;
  examples: number;
}

export function netRows(examples: readonly PooledExample[]): NetRows {
  if (examples.length === 0) throw new Error('pooled net: no examples to fit');
  const k = examples[0].series.length;
  for (const ex of examples) validateSeries(ex.series, k);
  const rows = examples.length * k;
  const X = new Float64Array(rows * NET_INPUTS);
  const y = new Float64Array(rows);
  examples.forEach((ex, e) => {
    ex.series.forEach((s, c) => {
      inputsOf(s, X, (e * k + c) * NET_INPUTS);
      y[e * k + c] = ex.target[c];
    });
  });
  return { X, y, rows, examples: examples.length };
}

/** Epochs a fit on `rows` rows runs (NET_EPOCHS, fewer when the row budget says so). */
export const netEpochs = (rows: number) =>
  Math.max(1, Math.min(NET_EPOCHS, Math.floor(NET_ROW_BUDGET / rows)));

/**
 * Fits the network on its rows: squared error, Adam with a seeded initialisation and shuffle, so the same
 * rows and seed give the same network wherever it runs (in-process or on a worker thread); `onEpoch` after
 * each pass.
 */
export function fitNetRows({ X, y, rows, examples }: NetRows, seed: number, onEpoch: () => void): PooledNet {
  const H = NET_HIDDEN;
  const rand = mulberry32(seed);
  const normal = gaussian(rand);
  const net = {
    hidden: H,
    w1: Array.from({ length: NET_INPUTS * H }, () => normal() / Math.sqrt(NET_INPUTS)),
    b1: new Array<number>(H).fill(0),
    w2: Array.from({ length: H }, () => normal() / Math.sqrt(H)),
    b2: 0,
  };
  train(net, X, y, rows, rand, onEpoch);
  return { kind: 'pooled-net', version: 1, lags: NET_LAGS, ...net, examples };
}

/** fitNetRows in-process, with a progress bar under `label`. */
export function fitPooledNet(
  examples: readonly PooledExample[],
  seed: number,
  label = 'pooled net',
): PooledNet {
  const data = netRows(examples);
  const bar = createProgress(label, netEpochs(data.rows));
  const net = fitNetRows(data, seed, () => bar.tick());
  bar.stop();
  return net;
}

/** Below this many row visits in all, threads cost more to start than they save. */
const THREAD_MIN_VISITS = 2_000_000;

/**
 * One network per example set, all with `seed`: on worker threads at once when the work is large (the
 * same networks as fitPooledNet, bit for bit), one progress bar over every set's epochs.
 */
export async function fitPooledNets(
  sets: readonly (readonly PooledExample[])[],
  seed: number,
  label: string,
  opts: { threads?: boolean } = {},
): Promise<PooledNet[]> {
  const data = sets.map(netRows);
  const epochs = data.map((d) => netEpochs(d.rows));
  const visits = data.reduce((n, d, i) => n + d.rows * epochs[i], 0);
  const bar = createProgress(
    label,
    epochs.reduce((a, b) => a + b, 0),
  );
  const threads = opts.threads ?? (visits >= THREAD_MIN_VISITS && availableParallelism() > 1);
  try {
    if (!threads) return data.map((d) => fitNetRows(d, seed, () => bar.tick()));
    return await Promise.all(data.map((d) => fitOnThread(d, seed, () => bar.tick())));
  } finally {
    bar.stop();
  }
}

function fitOnThread(data: NetRows, seed: number, onEpoch: () => void): Promise<PooledNet> {
  const worker = startTsWorker(new URL('./net-worker.ts', import.meta.url), { data, seed });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: NetWorkerMessage) => {
      if ('epoch' in m) return onEpoch();
      void worker.terminate();
      resolve(m.net);
    });
    worker.once('error', (e) => reject(new Error(`pooled net: fit thread failed: ${e.message}`)));
    worker.once('exit', (code) => reject(new Error(`pooled net: fit thread exited with code ${code}`)));
  });
}

/** What net-worker.ts posts: one message per epoch, then the network. */
export type NetWorkerMessage = { epoch: number } | { net: PooledNet };

type Params = { hidden: number; w1: number[]; b1: number[]; w2: number[]; b2: number };

/** Minibatch Adam on mean squared error; the last parameter slot is b2. */
function train(
  net: Params,
  X: Float64Array,
  y: Float64Array,
  rows: number,
  rand: () => number,
  onEpoch: () => void,
): void {
  const H = net.hidden;
  const n = NET_INPUTS * H + H + H + 1;
  const grad = new Float64Array(n);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const h = new Float64Array(H);
  const order = Array.from({ length: rows }, (_, i) => i);
  const epochs = netEpochs(rows);
  let step = 0;
  for (let ep = 0; ep < epochs; ep++) {
    shuffle(order, rand);
    for (let from = 0; from < rows; from += NET_BATCH) {
      const to = Math.min(rows, from + NET_BATCH);
      grad.fill(0);
      for (let b = from; b < to; b++) {
        const r = order[b];
        const at = r * NET_INPUTS;
        const g = (2 * (forward(net, X, at, h) - y[r])) / (to - from);
        grad[n - 1] += g;
        for (let j = 0; j < H; j++) {
          grad[NET_INPUTS * H + H + j] += g * h[j];
          if (h[j] <= 0) continue;
          const gz = g * net.w2[j];
          grad[NET_INPUTS * H + j] += gz;
          for (let i = 0; i < NET_INPUTS; i++) grad[i * H + j] += gz * X[at + i];
        }
      }
      step++;
      adam(net, grad, m, v, step);
    }
    onEpoch();
  }
}

function adam(net: Params, grad: Float64Array, m: Float64Array, v: Float64Array, step: number): void {
  const H = net.hidden;
  const c1 = 1 - 0.9 ** step;
  const c2 = 1 - 0.999 ** step;
  const update = (i: number) => {
    m[i] = 0.9 * m[i] + 0.1 * grad[i];
    v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
    return (NET_LR * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
  };
  for (let i = 0; i < NET_INPUTS * H; i++) net.w1[i] -= update(i);
  for (let j = 0; j < H; j++) net.b1[j] -= update(NET_INPUTS * H + j);
  for (let j = 0; j < H; j++) net.w2[j] -= update(NET_INPUTS * H + H + j);
  net.b2 -= update(grad.length - 1);
}

/** The next bucket's K shares of one user's history (K equal-length series, T ≥ 1). */
export function forecastPooledNet(net: PooledNet, seriesByTopic: readonly (readonly number[])[]): number[] {
  validateSeries(seriesByTopic, seriesByTopic.length);
  const x = new Float64Array(NET_INPUTS);
  const raw = seriesByTopic.map((s) => {
    inputsOf(s, x);
    return forward(net, x, 0);
  });
  return sharesOf(raw, seriesByTopic, 'pooled net forecast');
}

/** Checks a saved PooledNet (e.g. parsed JSON) and returns it typed; throws naming the first mismatch. */
export function parsePooledNet(data: unknown): PooledNet {
  const m = data as PooledNet;
  const fail = (what: string): never => {
    throw new Error(`pooled net: ${what}`);
  };
  if (m?.kind !== 'pooled-net') fail(`kind must be 'pooled-net', got ${JSON.stringify(m?.kind)}`);
  if (m.version !== 1) fail(`unsupported version ${JSON.stringify(m.version)}`);
  if (m.lags !== NET_LAGS) fail(`lags ${m.lags} differ from this build's ${NET_LAGS}`);
  if (!Number.isInteger(m.hidden) || m.hidden < 1) fail(`hidden must be a positive integer, got ${m.hidden}`);
  const finite = (a: unknown, len: number) =>
    Array.isArray(a) && a.length === len && a.every((x) => Number.isFinite(x));
  if (!finite(m.w1, NET_INPUTS * m.hidden)) fail(`w1 must be ${NET_INPUTS} × ${m.hidden} finite numbers`);
  if (!finite(m.b1, m.hidden)) fail(`b1 must be ${m.hidden} finite numbers`);
  if (!finite(m.w2, m.hidden)) fail(`w2 must be ${m.hidden} finite numbers`);
  if (!Number.isFinite(m.b2)) fail(`b2 must be a finite number, got ${m.b2}`);
  return m;
}
