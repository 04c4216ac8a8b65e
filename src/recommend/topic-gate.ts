import type * as tf from '@tensorflow/tfjs';
import type { Example } from '../data/split.ts';
import { type FeatureStore, paddedTail } from '../features/sequence.ts';
import {
  type ExampleForecasts,
  prefixForecasts,
  type ShareForecast,
  type ShareForecaster,
} from '../forecast/examples.ts';
import { type ForecastBlock, forecasterSource } from '../forecast/from-config.ts';
import {
  type ForecasterSource,
  type ForecastJob,
  forecastExamplesMany,
  forecastJobs,
} from '../forecast/many.ts';
import type { PooledModel } from '../forecast/pooled.ts';
import { predict, type SequenceModelSpec } from '../model/lstm.ts';
import { predictExamples } from '../model/train.ts';
import { createProgress } from '../util/progress.ts';
import type { TopicSource } from './blend.ts';

/**
 * The `gated` topic source: per user, the forecaster's and the LSTM head's shares weighted by how each
 * forecast that user's last GATE_BACKTEST buckets, one step ahead from the buckets before each (all known
 * at the cutoff). The forecaster gets σ((e_head − e_forecaster)/τ). Why per user: the two fail on
 * different users (the head reads a swinging interest as a trend; the pooled forecaster is the weaker
 * reader of long steady histories), and one mean serves neither. τ is chosen on validation. (A hard
 * per-user choice among five mix weights by the same backtest tied with this on validation.)
 */
export const GATE_BACKTEST = 4;
/** Gate temperatures (units of total-variation distance) validation chooses from. */
export const GATE_TAUS = [0.005, 0.01, 0.02, 0.05] as const;

/** Per example, each forecast's mean total-variation distance over its backtest buckets (NaN: none). */
export interface GateErrors {
  forecaster: Float32Array;
  head: Float32Array;
}

/** The forecaster's weight per example; 1/2 where the history is too short to backtest. */
export function gateWeights(e: GateErrors, tau: number): Float32Array {
  return e.forecaster.map((ef, r) => {
    const d = e.head[r] - ef;
    return Number.isNaN(d) ? 0.5 : 1 / (1 + Math.exp(-d / tau));
  });
}

/** ½·Σ|p − q| of row r of a and row r of b (width k). */
function tvDistance(a: Float32Array, b: Float32Array, r: number, k: number): number {
  let s = 0;
  for (let c = r * k; c < (r + 1) * k; c++) s += Math.abs(a[c] - b[c]);
  return s / 2;
}

/**
 * Mean errors per owner: backtest point p belongs to example owner[p], `actual`, `forecaster` and `head`
 * hold its observed and forecast shares (points × k).
 */
export function backtestErrors(
  owner: Int32Array,
  examples: number,
  shares: { actual: Float32Array; forecaster: Float32Array; head: Float32Array },
  k: number,
): GateErrors {
  const sum = { forecaster: new Float64Array(examples), head: new Float64Array(examples) };
  const n = new Int32Array(examples);
  owner.forEach((o, p) => {
    sum.forecaster[o] += tvDistance(shares.forecaster, shares.actual, p, k);
    sum.head[o] += tvDistance(shares.head, shares.actual, p, k);
    n[o]++;
  });
  const mean = (s: Float64Array) => Float32Array.from(s, (v, o) => (n[o] > 0 ? v / n[o] : Number.NaN));
  return { forecaster: mean(sum.forecaster), head: mean(sum.head) };
}

/**
 * The starts of each example's last GATE_BACKTEST buckets that have at least one bucket before them; a
 * point's history is the first `length` buckets of its example's (buckets never move with the cutoff).
 */
export function backtestPoints(
  store: FeatureStore,
  examples: readonly Pick<Example, 'user' | 'end'>[],
): { points: { user: number; end: number }[]; owner: Int32Array; lengths: Int32Array; actual: Float32Array } {
  const points: { user: number; end: number }[] = [];
  const owners: number[] = [];
  const lengths: number[] = [];
  const ranges: [number, number][] = [];
  examples.forEach((ex, r) => {
    const b = store.bucketsBefore(ex.user, ex.end);
    for (let j = Math.max(1, b.start.length - GATE_BACKTEST); j < b.start.length; j++) {
      points.push({ user: ex.user, end: b.start[j] });
      owners.push(r);
      lengths.push(j);
      ranges.push([b.start[j], b.end[j]]);
    }
  });
  const k = store.src.k;
  const actual = new Float32Array(points.length * k);
  ranges.forEach(([from, to], p) => {
    store.rangeShares(from, to, actual, p * k);
  });
  return { points, owner: Int32Array.from(owners), lengths: Int32Array.from(lengths), actual };
}

export type Backtest = ReturnType<typeof backtestPoints>;

export interface BacktestForecasts {
  forecasts: ExampleForecasts;
  /** One-step forecasts at the backtest points (points × k). */
  backtest: Float32Array;
}

/**
 * Each forecaster's forecasts of the examples (`horizon` ahead) and, one step ahead, of their backtest
 * points: each example's from one prefixForecasts call on its history, so a forecaster that shares work
 * between a history's prefixes (pooled) pays for one history, not 1 + GATE_BACKTEST. On worker threads when
 * the list is large (the same numbers: forecastJobs places results by job); the threads get every job when
 * they start, so they keep working while this thread is busy with something else (the LSTM head's backtest).
 */
export async function forecastWithBacktestMany(
  sources: readonly (ForecasterSource | FoldSources)[],
  store: FeatureStore,
  examples: readonly Pick<Example, 'user' | 'end'>[],
  backtest: Backtest,
  horizon: number,
  label: string,
): Promise<BacktestForecasts[]> {
  const perExample = backtestJobs(store, examples, backtest, horizon);
  const width = perExample[0]?.length ?? 0;
  const flat = sources.flatMap((s) => ('folds' in s ? s.folds : [s]));
  // Index in `flat` of each candidate's first forecaster.
  let at = 0;
  const first = sources.map((s) => {
    const i = at;
    at += 'folds' in s ? s.folds.length : 1;
    return i;
  });
  // Example-major, so every batch holds each forecaster's share of the work.
  const jobs = perExample.flatMap((js, r) =>
    sources.flatMap((src, s) => {
      const forecaster = first[s] + ('folds' in src ? src.foldOf(examples[r]) : 0);
      return js.map((j) => ({ ...j, forecaster }));
    }),
  );
  const bar = createProgress(label, jobs.length);
  let shown = 0;
  const results = await forecastJobs(flat, jobs, {
    prefetch: Number.POSITIVE_INFINITY,
    onProgress: (done) => {
      bar.tick(done - shown);
      shown = done;
    },
  });
  bar.stop();
  const per = sources.length * width;
  return sources.map((_, s) =>
    assembleBacktest(
      perExample.map((_, r) => results.slice(r * per + s * width, r * per + (s + 1) * width)),
      store.src.k,
      backtest,
      horizon,
    ),
  );
}

/** A cross-fitted candidate: example `ex` is forecast by `folds[foldOf(ex)]`. */
export interface FoldSources {
  folds: readonly ForecasterSource[];
  foldOf: (ex: Pick<Example, 'user'>) => number;
}

/**
 * Each example's jobs: its backtest prefixes one step ahead and its whole history `horizon` ahead, in one
 * job when the horizon is 1 (the last length is the whole history), else two.
 */
function backtestJobs(
  store: FeatureStore,
  examples: readonly Pick<Example, 'user' | 'end'>[],
  backtest: Backtest,
  horizon: number,
): ForecastJob[][] {
  const mine = pointsByOwner(backtest.owner, examples.length);
  return examples.map((ex, r) => {
    const series = store.topicSeries(ex.user, ex.end);
    const lengths = mine[r].map((p) => backtest.lengths[p]);
    return horizon === 1
      ? [{ series, horizon: 1, lengths: [...lengths, series[0].length] }]
      : [
          { series, horizon: 1, lengths },
          { series, horizon },
        ];
  });
}

/** backtestJobs' results (per example, per job) as the examples' forecasts and the points' forecasts. */
function assembleBacktest(
  results: readonly (readonly ShareForecast[][])[],
  k: number,
  backtest: Backtest,
  horizon: number,
): BacktestForecasts {
  const shares = new Float32Array(results.length * k);
  const atPoints = new Float32Array(backtest.points.length * k);
  const mine = pointsByOwner(backtest.owner, results.length);
  let fitted = 0;
  let fellBack = 0;
  results.forEach((jobs, r) => {
    const out = jobs[0];
    const main = horizon === 1 ? out[out.length - 1] : jobs[1][0];
    shares.set(main.shares, r * k);
    fitted += main.fitted;
    fellBack += main.fellBack;
    mine[r].forEach((p, i) => {
      atPoints.set(out[i].shares, p * k);
    });
  });
  return { forecasts: { shares, fitted, fellBack }, backtest: atPoints };
}

/** The backtest points of each example, in order. */
function pointsByOwner(owner: Int32Array, examples: number): number[][] {
  const mine = Array.from({ length: examples }, (): number[] => []);
  owner.forEach((o, p) => {
    mine[o].push(p);
  });
  return mine;
}

/** The LSTM head's one-step forecasts at the backtest points (points × k): the same for every forecaster. */
export function headBacktest(
  store: FeatureStore,
  net: { model: tf.LayersModel; spec: SequenceModelSpec },
  backtest: Backtest,
): Float32Array {
  const head = predictExamples(
    net.model,
    net.spec,
    store,
    backtest.points,
    'lstm (topic head backtest)',
  ).topics;
  if (!head) throw new Error('blend: topic source gated needs the LSTM topic head (model.topic_head: true)');
  return head;
}

/** Gate errors of `examples` examples from the forecaster's and the head's shares at their backtest points. */
export function gateErrorsOf(
  backtest: Backtest,
  examples: number,
  shares: { forecaster: Float32Array; head: Float32Array },
  k: number,
): GateErrors {
  return backtestErrors(backtest.owner, examples, { actual: backtest.actual, ...shares }, k);
}

/**
 * Gate errors of one history given as its bucket feature rows (buckets × inputWidth) and topic series
 * (serving's histories): the same backtest storeGateErrors runs on the store.
 */
export function historyGateErrors(
  rows: Float32Array,
  series: readonly (readonly number[])[],
  net: { model: tf.LayersModel; manifest: { model: SequenceModelSpec } },
  f: ShareForecaster,
): GateErrors {
  const spec = net.manifest.model;
  const step = spec.maxLen * spec.inputWidth;
  const n = series[0]?.length ?? 0;
  const ends = Array.from(
    { length: Math.min(GATE_BACKTEST, Math.max(0, n - 1)) },
    (_, i) => n - 1 - i,
  ).reverse();
  const seqs = new Float32Array(ends.length * step);
  ends.forEach((j, p) => {
    seqs.set(paddedTail(rows.subarray(0, j * spec.inputWidth), step), p * step);
  });
  const k = series.length;
  const head = predict(net.model, seqs, ends.length, spec).topics;
  if (!head) throw new Error('blend: topic source gated needs the LSTM topic head (model.topic_head: true)');
  const actual = new Float32Array(ends.length * k);
  const forecaster = new Float32Array(ends.length * k);
  prefixForecasts(f, series, ends, 1).forEach((fc, p) => {
    forecaster.set(fc.shares, p * k);
  });
  ends.forEach((j, p) => {
    series.forEach((s, c) => {
      actual[p * k + c] = s[j];
    });
  });
  return backtestErrors(new Int32Array(ends.length), 1, { actual, forecaster, head }, k);
}

/** Forecasts of examples' topic shares somewhere else than in this process (src/distributed). */
export type ExamplesForecast = (
  examples: readonly Pick<Example, 'user' | 'end'>[],
  horizon: number,
  label: string,
) => Promise<ExampleForecasts>;

/**
 * The configured forecaster's shares for examples and, for the gated source, the gate weights from the
 * same forecaster's backtest (null otherwise): what evaluation and the exported user states both use.
 * With `o.remote` both forecasts run there (the same numbers); the LSTM head stays here.
 */
export async function gatedForecasts(
  block: ForecastBlock,
  parts: { store: FeatureStore; model: tf.LayersModel; spec: SequenceModelSpec; pooled: PooledModel | null },
  examples: readonly Pick<Example, 'user' | 'end'>[],
  o: { horizon: number; label: string; source: TopicSource; tau: number | null; remote?: ExamplesForecast },
): Promise<ExampleForecasts & { weights: Float32Array | null }> {
  const k = parts.store.src.k;
  if (o.remote) {
    const fc = await o.remote(examples, o.horizon, o.label);
    if (o.source !== 'gated') return { ...fc, weights: null };
    const backtest = backtestPoints(parts.store, examples);
    const forecaster = (await o.remote(backtest.points, 1, `${o.label}, backtest`)).shares;
    const head = headBacktest(parts.store, parts, backtest);
    const errors = gateErrorsOf(backtest, examples.length, { forecaster, head }, k);
    return { ...fc, weights: gateWeights(errors, tauOf(o.tau)) };
  }
  // On worker threads when the list is large; a gated source's head backtest runs here meanwhile.
  const source = forecasterSource(block, parts.pooled);
  if (o.source !== 'gated')
    return {
      ...(await forecastExamplesMany(source, parts.store, examples, o.horizon, o.label)),
      weights: null,
    };
  const backtest = backtestPoints(parts.store, examples);
  const started = forecastWithBacktestMany([source], parts.store, examples, backtest, o.horizon, o.label);
  const head = headBacktest(parts.store, parts, backtest);
  const [fc] = await started;
  const errors = gateErrorsOf(backtest, examples.length, { forecaster: fc.backtest, head }, k);
  return { ...fc.forecasts, weights: gateWeights(errors, tauOf(o.tau)) };
}

/** The gate's temperature, which a gated blend must have chosen on validation. */
export function tauOf(tau: number | null | undefined): number {
  if (tau === null || tau === undefined)
    throw new Error('blend: topic source gated needs its temperature (chosen on validation)');
  return tau;
}
