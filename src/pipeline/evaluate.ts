import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.ts';
import type { EventLog, Example } from '../data/split.ts';
import type { Oracle } from '../data/truth.ts';
import { baselineNames, plainBaselines } from '../evaluate/baseline-registry.ts';
import { buildTimeline, CountClock, mostPopular, recentPopular } from '../evaluate/baselines.ts';
import { BlendTops } from '../evaluate/blend-top.ts';
import { pairedTest } from '../evaluate/bootstrap.ts';
import { type ForecastErrorRow, type ForecastEval, forecastErrorTable } from '../evaluate/forecast-error.ts';
import type { KnnStarted } from '../evaluate/knn-thread.ts';
import {
  evaluateRows,
  type MethodResult,
  matrixRowScorer,
  matrixRows,
  type RankOptions,
  type RowScorer,
  type Scorer,
  SELECTION,
} from '../evaluate/rank.ts';
import { type FeatureStore, type Recency, recencyName, WHOLE_HISTORY } from '../features/sequence.ts';
import { forecastExamples, pooledForecaster, sharesToVectors } from '../forecast/examples.ts';
import {
  autoStrengths,
  forecasterSource,
  isAutoStrength,
  pooledStrength,
  withStrength,
} from '../forecast/from-config.ts';
import { type ForecasterSource, forecastExamplesMany } from '../forecast/many.ts';
import type { PooledModel, PooledVariant } from '../forecast/pooled.ts';
import { netFold, type PooledNet } from '../forecast/pooled-net.ts';
import type { SequenceModelSpec } from '../model/lstm.ts';
import { predictExamples, targetShares } from '../model/train.ts';
import {
  type BlendMode,
  type BlendParams,
  type BlendRow,
  blendGrid,
  blendKey,
  blendRow,
  mixRecent,
  type RecentMix,
  TOPIC_SOURCES,
  type TopicSource,
  topicShares,
  withRecentMix,
} from '../recommend/blend.ts';
import { ItemIndex } from '../recommend/score.ts';
import {
  backtestPoints,
  type FoldSources,
  forecastWithBacktestMany,
  GATE_TAUS,
  type GateErrors,
  gatedForecasts,
  gateErrorsOf,
  gateWeights,
  headBacktest,
} from '../recommend/topic-gate.ts';
import { oneHotTopics, TOPIC_SMOOTHING, TopicItems } from '../recommend/topic-mixture.ts';
import { SEQUENTIAL_KINDS } from '../sequential/spec.ts';
import type { TopicModel } from '../topics/model.ts';
import { Scratch } from '../util/buffers.ts';
import { once } from '../util/once.ts';
import { log1pCounts, normalizeRows } from '../util/vec.ts';
import { errorSample, REFERENCE_FORECASTERS, type ReferenceForecasts } from './reference-forecasts.ts';

export interface ModelParts {
  model: tf.LayersModel;
  spec: SequenceModelSpec;
  topics: TopicModel;
  store: FeatureStore;
  /** Text vectors of the items (features, topics, profile baselines). */
  itemVectors: Float32Array;
  /** What the LSTM's vectors are scored against: the text vectors, or text + learned residual. */
  scoringVectors: Float32Array;
  /** The contrastive temperature: LSTM scores / τ are its logits over items. */
  temperature: number;
  /** The pooled topic-share forecaster fitted on the training examples (the blend's when configured). */
  pooled: PooledModel;
  /**
   * The pooled network refitted without each validation fold's targets (fitPooledWithNet): the validation
   * forecasts of variant `net`. Absent when the config cannot choose the network.
   */
  validNets?: readonly PooledNet[];
  /** Reference forecasts started early (beside training) for the validation and test windows. */
  references?: ReferenceForecasts;
  /** Item-kNN snapshots started early (beside training) for the validation and test windows. */
  knn?: KnnStarted;
}

export type { BlendParams } from '../recommend/blend.ts';

export interface BlendPoint extends BlendParams {
  ndcg10: number;
}

export interface BlendChoice extends BlendParams {
  /** Chosen on validation NDCG@10 of the topic expert alone (config blend.topic_source: auto). */
  topicSource: TopicSource;
  /** The gate's temperature (topic source gated), chosen with the source; null for the other sources. */
  gateTau: number | null;
  /** The pooled forecaster's per-user refit strength, chosen with the source (forecast.strength: auto). */
  strength: PooledVariant;
  topicCurve: { source: TopicSource; strength: PooledVariant; tau: number | null; ndcg10: number }[];
  curve: BlendPoint[];
  /** Topic-share forecast error of every forecaster on the validation windows (what defaults come from). */
  forecastError: ForecastErrorRow[];
  /** The best setting with α = 1: the same model without the topic forecast. */
  withoutForecast: BlendParams;
  /** Which events the last-window topic baseline averages (window, recency decay), chosen with the blend. */
  recent: Recency;
  /**
   * Weight of those last-window shares in the blend's topic shares, (1 − w)·source + w·last window: the
   * forecast combined with the persistence forecast at the level of single events, which the bucket series
   * a forecaster reads cannot see. Chosen on validation after the source (0: the source alone).
   */
  recentMix: number;
  recentMixCurve: MixPoint[];
  recentCurve: (Recency & { ndcg10: number })[];
}

/** What the blend's topic shares come from, as validation chose it (all a ranking needs besides α, β). */
export type TopicChoice = Pick<BlendChoice, 'topicSource' | 'gateTau' | 'recent' | 'recentMix'>;

/** The chosen blend as the test and the report apply it. */
export type AppliedBlend = TopicChoice & Pick<BlendChoice, 'mode' | 'alpha' | 'beta'>;

export interface Evaluation {
  methods: Record<string, MethodResult>;
  forecast: { fitted: number; fellBack: number };
  /** Topic-share forecast error per forecaster on the test windows. */
  forecastError: ForecastErrorRow[];
  /**
   * Next-bucket topic shares per test example (rows × k, in the examples' order): the configured
   * forecaster's, the LSTM topic head's (when the model has one) and, on synthetic data, the generating
   * truth's expected shares in the learned topics.
   */
  shares: { forecast: Float32Array; lstmHead: Float32Array | null; truth: Float32Array | null };
}

/** Everything the rankings of one set of examples share: forecasts per example, counts by cutoff. */
interface Inputs {
  parts: ModelParts;
  examples: readonly Example[];
  row: Map<Example, number>;
  nItems: number;
  /** Unit LSTM vectors and unit topic-direction vectors (rows × dim), forecast shares (rows × k). */
  lstm: Float32Array;
  lstmTopics: Float32Array | null;
  vector: Float32Array;
  /** The configured forecaster's shares, and the shares the blend uses (from `source`). */
  forecast: Float32Array;
  shares: Float32Array;
  source: TopicSource;
  fitted: number;
  fellBack: number;
  clock: CountClock;
  scoring: ItemIndex;
  topicItems: TopicItems;
}

async function inputsFor(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  examples: readonly Example[],
  label: string,
  source: TopicSource = 'forecaster',
  gateTau: number | null = null,
  recent: RecentMix = NO_RECENT_MIX,
): Promise<Inputs> {
  const { k, dim } = parts.topics;
  const nItems = parts.itemVectors.length / dim;
  const p = predictExamples(parts.model, parts.spec, parts.store, examples, `lstm (${label})`);
  const fc = await gatedForecasts(cfg.forecast, parts, examples, {
    horizon: cfg.forecast.horizon,
    label,
    source,
    tau: gateTau,
  });
  const shares = withRecentMix(
    topicShares(source, fc.shares, p.topics, fc.weights),
    parts.store,
    examples,
    recent,
  );
  return {
    parts,
    examples,
    row: new Map(examples.map((ex, i) => [ex, i])),
    nItems,
    lstm: normalizeRows(p.vectors, dim),
    lstmTopics: p.topics,
    source,
    ...sharesOf(shares, parts),
    forecast: fc.shares,
    fitted: fc.fitted,
    fellBack: fc.fellBack,
    clock: CountClock.of(log, nItems),
    scoring: new ItemIndex(parts.scoringVectors, dim),
    topicItems: new TopicItems(parts.topics.itemShares, k),
  };
}

function disposeInputs(x: Inputs): void {
  x.scoring.dispose();
  x.topicItems.dispose();
}

/** Rows of `all` (width w) for the chunk's examples, in chunk order. */
function gather(x: Inputs, chunk: readonly Example[], all: Float32Array, w: number): Float32Array {
  const out = new Float32Array(chunk.length * w);
  chunk.forEach((ex, r) => {
    const i = x.row.get(ex);
    if (i === undefined) throw new Error('evaluate: example without forecasts');
    out.set(all.subarray(i * w, (i + 1) * w), r * w);
  });
  return out;
}

/**
 * Per-chunk matrices (rows × items), each computed on first use: log counts at each cutoff, both vector
 * scores, the topic mixture.
 */
interface Chunk {
  rows: number;
  /** Scores of the topic vector Σ_k s_k·centroid_k. */
  vector(): Float32Array;
  /**
   * Topic-mixture p(i | u) for each of several shares (rows × k) under the chunk's counts, in one pass;
   * `slot` names the scratch buffer the results live in until the next chunk.
   */
  mixtures(shares: readonly Float32Array[], slot: string, items?: TopicItems): Float32Array[];
  blendRow(r: number): BlendRow;
  /** Blend settings' top lists from each row's candidates (shared by every setting of the chunk). */
  tops: BlendTops;
}

/**
 * A chunk's matrices, computed on first use into `scratch`'s buffers: a pass hands each chunk the same
 * Scratch, so a chunk's matrices are valid until the next chunk of that pass starts.
 */
function chunkOf(x: Inputs, chunk: readonly Example[], scratch = new Scratch()): Chunk {
  const n = x.nItems;
  const rows = chunk.length;
  const size = rows * n;
  const counts = scratch.take('counts', size);
  chunk.forEach((ex, r) => {
    counts.set(x.clock.at(ex.cutoff), r * n);
  });
  // The topic-source pass reads only mixtures.
  const weights = once(() => {
    const out = scratch.take('weights', size);
    for (let i = 0; i < size; i++) out[i] = counts[i] + TOPIC_SMOOTHING;
    return out;
  });
  const mixtures = (shares: readonly Float32Array[], slot: string, items = x.topicItems) =>
    items.mixtures(shares, weights(), rows, scratch.take(slot, shares.length * size));
  const logCount = once(() => log1pCounts(counts, scratch.take('logCount', size)));
  const priorScale = once(() => priorScales(counts, rows, n));
  const dim = x.parts.topics.dim;
  const scores = (slot: string, q: Float32Array) => x.scoring.score(q, rows, scratch.take(slot, size));
  const lstm = once(() => scores('lstm', gather(x, chunk, x.lstm, dim)));
  const vector = once(() => scores('vector', gather(x, chunk, x.vector, dim)));
  const topic = once(() => mixtures([gather(x, chunk, x.shares, x.parts.topics.k)], 'topic')[0]);
  const sub = (a: Float32Array, r: number) => a.subarray(r * n, (r + 1) * n);
  const blendRow = (r: number): BlendRow => ({
    lstm: sub(lstm(), r),
    vector: sub(vector(), r),
    topic: sub(topic(), r),
    logCount: sub(logCount(), r),
    priorScale: priorScale()[r],
  });
  return { rows, vector, mixtures, blendRow, tops: new BlendTops(blendRow, x.parts.temperature) };
}

/** 1 / log(1 + max count) per row (0 for a row without counts). */
function priorScales(counts: Float32Array, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let i = r * n; i < (r + 1) * n; i++) max = Math.max(max, counts[i]);
    out[r] = max > 0 ? 1 / Math.log1p(max) : 0;
  }
  return out;
}

function blendScorer(c: Chunk, p: BlendParams, tau: number, name = blendKey(p)): RowScorer {
  return {
    name,
    fill: (r, out) => blendRow(p, c.blendRow(r), tau, out),
    top: (r, k, excluded) => c.tops.top(p, r, k, excluded),
  };
}

const NO_RECENT_MIX: RecentMix = { ...WHOLE_HISTORY, mix: 0 };

/** Weights of the last-window shares tried in the blend's topic shares (0 is the source alone). */
export const RECENT_MIXES = [0, 0.25, 0.5, 0.75] as const;

/**
 * The recent profiles the last-window topic baseline may use, chosen on validation: the last fraction of a
 * user's history, or the whole history with each older event weighted down by a per-event decay.
 */
export const RECENCIES: readonly Recency[] = [
  ...[0.05, 0.1, 0.2, 0.3, 0.5].map((window) => ({ window, decay: 0 })),
  ...[0.05, 0.1, 0.2, 0.3].map((decay) => ({ window: 1, decay })),
];

/**
 * Picks the blend's mode, α and β on the validation examples by NDCG@10 over every mode × α × β (and the
 * last-window topic baseline's window), all in one pass: the grid only recombines per-chunk matrices.
 */
export async function chooseBlend(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  valid: readonly Example[],
): Promise<BlendChoice> {
  const auto = isAutoStrength(cfg.forecast);
  const base = auto ? { ...cfg, forecast: withStrength(cfg.forecast, null) } : cfg;
  const first = await inputsFor(base, log, parts, valid, 'forecast (valid)');
  const opts = { nItems: first.nItems, ...SELECTION, excludeSeen: cfg.evaluate.exclude_seen };
  let x = first;
  try {
    // Pass 1: which topic shares (and, for strength: auto, which per-user refit) rank best alone, and
    // the last-window baseline's window.
    const strengths = await strengthForecasts(cfg, parts, valid, first);
    // The head's shares do not depend on the strength: one candidate, at the first strength.
    const sources: (TopicCandidate & (typeof strengths)[number])[] = [];
    for (const [i, f] of strengths.entries()) {
      sources.push(
        ...topicSources(cfg, { ...first, forecast: f.forecast.shares }, f.gate)
          .filter((s) => i === 0 || s.source !== 'lstm-head')
          .map((s) => ({ ...f, ...s })),
      );
    }
    const key = (p: { source: TopicSource; strength: PooledVariant; tau: number | null }) =>
      `source:${p.source}@${p.strength}/${p.tau}`;
    const scratch1 = new Scratch();
    const r1 = await evaluateRows(
      log,
      valid,
      (chunk) => {
        const p = chunkOf(first, chunk, scratch1).mixtures(
          [
            ...sources.map((s) => gather(first, chunk, s.shares, parts.topics.k)),
            ...RECENCIES.map((r) => parts.store.recentSharesOf(chunk, r)),
          ],
          'mixtures',
        );
        return [
          ...sources.map((s, j) => matrixRowScorer(p[j], first.nItems, key(s))),
          ...RECENCIES.map((r, j) =>
            matrixRowScorer(p[sources.length + j], first.nItems, `recent:${recencyName(r)}`),
          ),
        ];
      },
      {
        ...opts,
        label: 'blend: topic sources (valid)',
        matrices: 3 + sources.length + RECENCIES.length,
      },
    );
    const ndcg1 = (name: string) => r1[name]?.metrics['ndcg@10'] ?? 0;
    const topicCurve = sources.map((p) => ({
      source: p.source,
      strength: p.strength,
      tau: p.tau,
      ndcg10: ndcg1(key(p)),
    }));
    // Ties go to the earlier candidate: no refit before a refit, the forecaster before the head.
    const chosen = sources[topicCurve.reduce((b, p, i) => (p.ndcg10 > topicCurve[b].ndcg10 ? i : b), 0)];
    const recentCurve = RECENCIES.map((r) => ({ ...r, ndcg10: ndcg1(`recent:${recencyName(r)}`) }));
    const top = recentCurve.reduce((b, p) => (p.ndcg10 > b.ndcg10 ? p : b));
    const recent: Recency = { window: top.window, decay: top.decay };
    // Pass 1b: the chosen shares combined with the last window's (weight 0 is the chosen source: pass 1's).
    const alone = r1[key(chosen)];
    const fixed = cfg.blend.recent_mix;
    const mixCurve: MixPoint[] =
      fixed !== 'auto'
        ? []
        : await recentMixCurve(log, valid, first, { shares: chosen.shares, alone }, recent, {
            ...opts,
            seed: cfg.run.seed,
            samples: cfg.evaluate.bootstrap,
          });
    const mixed = fixed !== 'auto' ? { mix: fixed } : chooseMix(mixCurve);
    // The topic vectors are recomputed only when the chosen shares are not the ones `first` holds.
    x = {
      ...first,
      forecast: chosen.forecast.shares,
      fitted: chosen.forecast.fitted,
      fellBack: chosen.forecast.fellBack,
      source: chosen.source,
      ...(chosen.shares === first.shares && mixed.mix === 0
        ? {}
        : sharesOf(withRecentMix(chosen.shares, parts.store, valid, { ...recent, mix: mixed.mix }), parts)),
    };
    // Pass 2: every mode × α × β with the chosen topic shares.
    const grid = blendGrid(cfg.blend.modes as BlendMode[], cfg.blend.alpha_grid, cfg.blend.popularity_grid);
    const scratch2 = new Scratch();
    const r2 = await evaluateRows(
      log,
      valid,
      (chunk) => {
        const c = chunkOf(x, chunk, scratch2);
        return grid.map((p) => blendScorer(c, p, parts.temperature));
      },
      { ...opts, label: `blend: ${grid.length} settings (valid)`, matrices: 6 },
    );
    const curve = grid.map((p) => ({ ...p, ndcg10: r2[blendKey(p)]?.metrics['ndcg@10'] ?? 0 }));
    const best = bestOf(curve);
    const noForecast = bestOf(curve.filter((p) => p.alpha === 1));
    const resolved = { ...cfg, forecast: withStrength(cfg.forecast, chosen.strength) };
    const forecastError = await forecastAccuracy(resolved, parts, valid, x, null);
    return {
      forecastError,
      topicSource: chosen.source,
      gateTau: chosen.tau,
      strength: chosen.strength,
      topicCurve,
      mode: best.mode,
      alpha: best.alpha,
      beta: best.beta,
      curve,
      withoutForecast: { mode: noForecast.mode, alpha: 1, beta: noForecast.beta },
      recent,
      recentCurve,
      recentMix: mixed.mix,
      recentMixCurve: mixCurve,
    };
  } finally {
    disposeInputs(first);
  }
}

/** One weight of the last-window shares on validation: NDCG@10 and the paired gain over the weight 0. */
export interface MixPoint {
  mix: number;
  ndcg10: number;
  /** Lower end of the 95 % bootstrap interval of the per-user NDCG@10 gain over the source alone. */
  gainLo: number;
}

/**
 * Validation NDCG@10 of the topic expert alone at each RECENT_MIXES weight of the last-window shares, with
 * the paired interval of its gain over the weight 0 (the chosen source, which pass 1 measured: `alone`).
 */
async function recentMixCurve(
  log: EventLog,
  valid: readonly Example[],
  x: Inputs,
  chosen: { shares: Float32Array; alone: MethodResult },
  recent: Recency,
  opts: RankOptions & { seed: number; samples: number },
): Promise<MixPoint[]> {
  const { k } = x.parts.topics;
  const inner = RECENT_MIXES.filter((m) => m > 0);
  const scratch = new Scratch();
  const r = await evaluateRows(
    log,
    valid,
    (chunk) => {
      const own = gather(x, chunk, chosen.shares, k);
      const last = x.parts.store.recentSharesOf(chunk, recent);
      const p = chunkOf(x, chunk, scratch).mixtures(
        inner.map((m) => mixRecent(own, last, m)),
        'mixtures',
      );
      return inner.map((m, j) => matrixRowScorer(p[j], x.nItems, `mix:${m}`));
    },
    { ...opts, label: 'blend: last-window weight (valid)', matrices: 3 + inner.length },
  );
  const base = chosen.alone.perUser['ndcg@10'];
  return RECENT_MIXES.map((mix) => {
    const m = mix === 0 ? chosen.alone : r[`mix:${mix}`];
    const gainLo = mix === 0 ? 0 : pairedTest(m.perUser['ndcg@10'], base, opts).lo;
    return { mix, ndcg10: m.metrics['ndcg@10'], gainLo };
  });
}

/**
 * The weight whose validation gain over the source alone is surely positive (its interval above 0), the
 * best of those; else 0: a weight is a second choice on the same users after the source's, so a gain inside
 * the noise keeps the source alone.
 */
export function chooseMix(curve: readonly MixPoint[]): MixPoint {
  return curve.reduce((b, p) => (p.gainLo > 0 && p.ndcg10 > b.ndcg10 ? p : b), curve[0]);
}

const forecastsOf = (x: Inputs) => ({ shares: x.forecast, fitted: x.fitted, fellBack: x.fellBack });

/**
 * The validation forecasts at each strength the choice tries (autoStrengths for strength: auto, else the
 * configured one; `x` holds those at the first) and, when a gated source is tried, each one's gate errors:
 * the head's backtest once, the forecaster's with its forecasts (forecastWithBacktestMany).
 */
async function strengthForecasts(cfg: Config, parts: ModelParts, valid: readonly Example[], x: Inputs) {
  const grid = isAutoStrength(cfg.forecast)
    ? autoStrengths(cfg.split)
    : [cfg.forecast.model === 'pooled' ? pooledStrength(cfg.forecast) : null];
  const wanted = cfg.blend.topic_source === 'gated' || (cfg.blend.topic_source === 'auto' && x.lstmTopics);
  const backtest = wanted ? backtestPoints(parts.store, valid) : null;
  const label = `forecast (valid, strength ${grid.map((s) => s ?? 'none').join(' / ')})`;
  if (!backtest)
    return grid.map((strength, i) => ({
      strength,
      forecast:
        i === 0
          ? forecastsOf(x)
          : forecastExamples(
              validForecaster(parts, strength),
              parts.store,
              valid,
              cfg.forecast.horizon,
              label,
            ),
      gate: null,
    }));
  // Every strength's forecasts start on worker threads, then the LSTM head's backtest runs here meanwhile.
  const started = forecastWithBacktestMany(
    grid.map((s) => validSources(cfg, parts, s)),
    parts.store,
    valid,
    backtest,
    cfg.forecast.horizon,
    `${label} + backtest`,
  );
  const head = headBacktest(parts.store, parts, backtest);
  const fcs = await started;
  return grid.map((strength, i) => ({
    strength,
    forecast: fcs[i].forecasts,
    gate: gateErrorsOf(backtest, valid.length, { forecaster: fcs[i].backtest, head }, parts.topics.k),
  }));
}

/** The network of each validation fold, fitted without that fold's targets (see fitPooledWithNet). */
function foldNets(parts: ModelParts): readonly PooledNet[] {
  if (!parts.validNets)
    throw new Error('forecast: variant net needs its cross-fitted networks (none were fitted)');
  return parts.validNets;
}

/** Validation forecasts of one variant: the network of each example's fold for net (cross-fitting). */
function validForecaster(parts: ModelParts, strength: PooledVariant) {
  if (strength !== 'net') return pooledForecaster(parts.pooled, strength);
  const byFold = foldNets(parts).map((net) => pooledForecaster({ ...parts.pooled, net }, 'net'));
  return (ex: Pick<Example, 'user'>) => byFold[netFold(ex)];
}

/** validForecaster as worker threads restore it. */
function validSources(
  cfg: Config,
  parts: ModelParts,
  strength: PooledVariant,
): ForecasterSource | FoldSources {
  if (strength !== 'net') return forecasterSource(withStrength(cfg.forecast, strength), parts.pooled);
  return {
    folds: foldNets(parts).map((net) => ({ pooled: { ...parts.pooled, net }, strength: 'net' as const })),
    foldOf: netFold,
  };
}

/** One topic-share candidate of the validation choice: a source (and the gate's temperature). */
interface TopicCandidate {
  source: TopicSource;
  tau: number | null;
  shares: Float32Array;
}

/** The topic shares the blend may use, as configured (auto: every source, chosen on validation). */
function topicSources(cfg: Config, x: Inputs, gate: GateErrors | null): TopicCandidate[] {
  const sources = cfg.blend.topic_source === 'auto' ? TOPIC_SOURCES : [cfg.blend.topic_source];
  return sources
    .filter((s) => cfg.blend.topic_source !== 'auto' || s === 'forecaster' || x.lstmTopics)
    .flatMap((source): TopicCandidate[] =>
      source === 'gated'
        ? GATE_TAUS.map((tau) => ({
            source,
            tau,
            shares: topicShares(source, x.forecast, x.lstmTopics, gateWeights(needGate(gate), tau)),
          }))
        : [{ source, tau: null, shares: topicShares(source, x.forecast, x.lstmTopics) }],
    );
}

function needGate(gate: GateErrors | null): GateErrors {
  if (!gate) throw new Error('blend: topic source gated needs the LSTM topic head (model.topic_head: true)');
  return gate;
}

/** Inputs' shares and topic vectors switched to other shares. */
function sharesOf(shares: Float32Array, parts: ModelParts): Pick<Inputs, 'shares' | 'vector'> {
  const { k, dim, centroids } = parts.topics;
  return { shares, vector: normalizeRows(sharesToVectors(shares, k, centroids, dim), dim) };
}

/** Highest NDCG@10; ties go to the larger α (the learned model), then to the smaller β, then grid order. */
function bestOf(curve: readonly BlendPoint[]): BlendPoint {
  return curve.reduce((b, p) =>
    p.ndcg10 > b.ndcg10 ||
    (p.ndcg10 === b.ndcg10 && (p.alpha > b.alpha || (p.alpha === b.alpha && p.beta < b.beta)))
      ? p
      : b,
  );
}

/**
 * The baselines every report carries beside the model (the sequential peers, the topic baselines, the
 * registered ones); the paired test takes the best of them.
 */
export const BASELINES = [...SEQUENTIAL_KINDS, 'topic_recent', 'topic_static', ...baselineNames()];

/**
 * Paired tests every report carries beside blend vs the best baseline: what the topic forecast adds to the
 * model, whether forecasting beats the topic profiles it extends (and the truth, on synthetic data), and
 * the blend against each id-based peer that ran, best baseline or not.
 */
export const PAIRS = [
  ['blend', 'blend_no_forecast'],
  ['topic_blend_half', 'topic_recent'],
  ['topic_forecast', 'topic_recent'],
  ['topic_forecast', 'topic_static'],
  ['oracle', 'blend'],
  ...SEQUENTIAL_KINDS.map((kind) => ['blend', kind] as const),
] as const;

/**
 * Every method on the test examples: the blend, the blend without its popularity weight, without the
 * topic forecast, its halves alone (LSTM; topic forecast as a mixture and as the original vector), the
 * topic baselines (static and last-window profile × popularity inside the topic), item-kNN, vector
 * profiles, popularity, and, when the data carry their generating process, the oracle ranker.
 */
export async function evaluateTest(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  test: readonly Example[],
  blend: AppliedBlend & Pick<BlendChoice, 'withoutForecast'>,
  knnNeighbours: number,
  oracle?: Oracle,
  /** The ranking pass (e.g. KindViews.evaluate, which also evaluates per item kind from the same chunks). */
  evaluate: typeof evaluateRows = evaluateRows,
): Promise<Evaluation> {
  const x = await inputsFor(cfg, log, parts, test, 'forecast (test)', blend.topicSource, blend.gateTau, {
    ...blend.recent,
    mix: blend.recentMix,
  });
  const oracleItems = oracle ? new TopicItems(oneHotTopics(oracle.itemTopics, oracle.k), oracle.k) : null;
  try {
    const { nItems } = x;
    const tau = parts.temperature;
    const plain = plainBaselines({
      cfg,
      log,
      test,
      nItems,
      itemVectors: parts.itemVectors,
      dim: parts.topics.dim,
      bucketsBefore: (u, e) => parts.store.bucketsBefore(u, e),
      knnNeighbours,
      knnSnapshots: await parts.knn?.take(test),
    });
    const truthShares: Float32Array[] = [];
    const opts: RankOptions = {
      nItems,
      ks: cfg.evaluate.k,
      excludeSeen: cfg.evaluate.exclude_seen,
      keepLists: true,
      label: 'test: every method',
      matrices: 12 + Object.keys(plain).length,
    };
    const scratch = new Scratch();
    const methods = await evaluate(
      log,
      test,
      async (chunk) => {
        const c = chunkOf(x, chunk, scratch);
        const k = parts.topics.k;
        const [forecast, recent, whole, head] = c.mixtures(
          [
            gather(x, chunk, x.forecast, k),
            parts.store.recentSharesOf(chunk, blend.recent),
            parts.store.recentSharesOf(chunk, WHOLE_HISTORY),
            ...(x.lstmTopics ? [gather(x, chunk, x.lstmTopics, k)] : []),
          ],
          'mixtures',
        );
        const out: RowScorer[] = [
          blendScorer(c, blend, tau, 'blend'),
          blendScorer(c, { ...blend, beta: 0 }, tau, 'blend_no_prior'),
          blendScorer(c, blend.withoutForecast, tau, 'blend_no_forecast'),
          blendScorer(c, { mode: 'log-linear', alpha: 1, beta: 0 }, tau, 'lstm'),
          blendScorer(c, { mode: 'log-linear', alpha: 0, beta: 0 }, tau, 'topic_blend_half'),
          matrixRowScorer(forecast, nItems, 'topic_forecast'),
          matrixRowScorer(c.vector(), nItems, 'topic_vector'),
          matrixRowScorer(recent, nItems, 'topic_recent'),
          matrixRowScorer(whole, nItems, 'topic_static'),
          ...(await matrixRows(plain, chunk, nItems, scratch)),
        ];
        if (head) out.push(matrixRowScorer(head, nItems, 'topic_lstm_head'));
        if (oracle && oracleItems) {
          const s = new Float32Array(chunk.length * oracle.k);
          chunk.forEach((ex, r) => {
            s.set(oracle.shares(ex), r * oracle.k);
          });
          const [p] = c.mixtures([s], 'oracle', oracleItems);
          truthShares.push(x.topicItems.topicMass(p, chunk.length));
          out.push(matrixRowScorer(p, nItems, 'oracle'));
        }
        return out;
      },
      opts,
    );
    const truth = concat(truthShares);
    const forecastError = await forecastAccuracy(cfg, parts, test, x, truth);
    return {
      methods,
      forecast: { fitted: x.fitted, fellBack: x.fellBack },
      forecastError,
      shares: { forecast: x.forecast, lstmHead: x.lstmTopics, truth },
    };
  } finally {
    disposeInputs(x);
    oracleItems?.dispose();
  }
}

/**
 * The blend's per-item inputs for a few examples (the same computation the evaluation ranks with), so a
 * report can say which term of the score put each recommended item in the list.
 */
export async function blendRowsOf(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  examples: readonly Example[],
  topic: TopicChoice,
): Promise<BlendRow[]> {
  if (examples.length === 0) return [];
  const x = await inputsFor(
    cfg,
    log,
    parts,
    examples,
    'forecast (report)',
    topic.topicSource,
    topic.gateTau,
    {
      ...topic.recent,
      mix: topic.recentMix,
    },
  );
  try {
    const c = chunkOf(x, examples);
    return examples.map((_, r) => c.blendRow(r));
  } finally {
    disposeInputs(x);
  }
}

function concat(parts: Float32Array[]): Float32Array | null {
  if (parts.length === 0) return null;
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Topic-share forecast error on the examples' target windows: the configured forecaster, the LSTM's topic
 * head, and naive / mean / smoothing, in MAE and Jensen–Shannon divergence with user-bootstrap intervals
 * and paired differences to the mean; against the observed shares and, on synthetic data, against the
 * generating shares (the expected topic of the next event under the truth).
 */
async function forecastAccuracy(
  cfg: Config,
  parts: ModelParts,
  examples: readonly Example[],
  x: Inputs,
  truth: Float32Array | null,
): Promise<ForecastErrorRow[]> {
  const { k } = parts.topics;
  const idx = errorSample(examples.length, cfg.evaluate.forecast_error_users, cfg.run.seed);
  const sampled = idx.length < examples.length;
  const sample = idx.map((i) => examples[i]);
  const pick = (m: Float32Array) => (sampled ? pickRows(m, idx, k) : m);
  const observed = targetShares(parts.store, sample);
  const forecasts: Record<string, { shares: Float32Array; fitted?: number; fellBack?: number }> = {
    [cfg.forecast.model]: { fitted: x.fitted, fellBack: x.fellBack, shares: pick(x.forecast) },
  };
  if (x.lstmTopics) forecasts['lstm topic head'] = { shares: pick(x.lstmTopics) };
  if (x.shares !== x.forecast && x.shares !== x.lstmTopics)
    forecasts[`blend (${x.source})`] = { shares: pick(x.shares) };
  for (const model of REFERENCE_FORECASTERS.filter((m) => m !== cfg.forecast.model))
    forecasts[model] = await (parts.references?.get(model, examples) ??
      forecastExamplesMany(
        forecasterSource(withStrength({ ...cfg.forecast, model }, null), parts.pooled),
        parts.store,
        sample,
        cfg.forecast.horizon,
        `forecast (${model})`,
      ));
  const table = (actual: Float32Array, suffix: string) => {
    const byForecaster: Record<string, ForecastEval> = {};
    for (const [name, f] of Object.entries(forecasts))
      byForecaster[`${name}${suffix}`] = { forecast: f.shares, actual };
    const rows = forecastErrorTable(byForecaster, {
      k,
      users: sample.map((ex) => ex.user),
      resamples: cfg.evaluate.bootstrap,
      seed: cfg.run.seed,
      reference: `mean${suffix}`,
    });
    return rows.map((r, i) => {
      const f = Object.values(forecasts)[i];
      const withSeries =
        f.fitted === undefined ? r : { ...r, series: { fitted: f.fitted, fellBack: f.fellBack ?? 0 } };
      return sampled ? { ...withSeries, of: examples.length } : withSeries;
    });
  };
  return [...table(observed, ''), ...(truth ? table(pick(truth), ' vs truth') : [])];
}

/** Rows `idx` of a row-major matrix of width w. */
function pickRows(m: Float32Array, idx: readonly number[], w: number): Float32Array {
  const out = new Float32Array(idx.length * w);
  idx.forEach((i, r) => {
    out.set(m.subarray(i * w, (i + 1) * w), r * w);
  });
  return out;
}

/**
 * Validation NDCG@10 of the popularity baselines, so the model's selection numbers (the LSTM's early
 * stopping, the blend grid, the kNN grid) can be read against them.
 */
export async function validationBaselines(
  cfg: Config,
  log: EventLog,
  valid: readonly Example[],
  nItems: number,
): Promise<Record<string, number>> {
  const scorers: Record<string, Scorer> = {
    most_popular: mostPopular(CountClock.of(log, nItems)),
    recent_popular: recentPopular(buildTimeline(log), nItems, cfg.evaluate.recent_window),
  };
  const scratch = new Scratch();
  const r = await evaluateRows(log, valid, (chunk) => matrixRows(scorers, chunk, nItems, scratch), {
    nItems,
    ...SELECTION,
    excludeSeen: cfg.evaluate.exclude_seen,
    label: 'valid: popularity baselines',
    matrices: 2,
  });
  return Object.fromEntries(Object.entries(r).map(([name, m]) => [name, m.metrics['ndcg@10']]));
}
