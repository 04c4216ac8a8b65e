import { type Config, type ForecastConfigModel, forecastSettings } from '../config/schema.ts';
import type { Example } from '../data/split.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { targetShares } from '../model/train.ts';
import type { ShareForecaster } from './examples.ts';
import { type ForecasterSource, shareForecasterFrom } from './many.ts';
import { fitPooled, type PooledExample, type PooledModel, type PooledVariant } from './pooled.ts';
import { fitPooledNets, NET_FOLDS, netFold, type PooledNet } from './pooled-net.ts';
import type { ForecastSpec } from './types.ts';

/**
 * A forecast block as a caller may hold it: the config's, or the config's with `model` swapped (evaluation's
 * reference forecasters); forecastSettings reads the named forecaster's keys from it, defaults for the rest.
 */
export type ForecastBlock = { model: ForecastConfigModel };

export function forecastSpec(block: ForecastBlock): ForecastSpec {
  const cfg = forecastSettings(block);
  switch (cfg.model) {
    case 'arima':
      return { model: 'arima', order: cfg.order, fallback: cfg.fallback };
    case 'arima-auto':
      return { model: 'arima-auto', fallback: cfg.fallback };
    case 'arima-resid':
      return { model: 'arima-resid', level: cfg.level, shrink: cfg.shrink };
    case 'ensemble':
      return { model: 'ensemble', weights: cfg.weights };
    case 'ses':
      return cfg.alpha === null ? { model: 'ses' } : { model: 'ses', alpha: cfg.alpha };
    case 'pooled':
      throw new Error('forecast: pooled is fitted on the training data, not built from a spec');
    default:
      return { model: cfg.model };
  }
}

/** Candidates of `forecast.strength: auto`, chosen on validation (chooseBlend); null = no per-user refit. */
export const STRENGTH_GRID: readonly PooledVariant[] = [null, 4, 16, 64, 'net'];

/**
 * Whether validation targets sit where test targets do (per-user, held-out validation users). The network
 * learns from the validation targets, so elsewhere (the bucket or month before the test) validation scores
 * it where it was taught and tests it where it was not: on three planted-drift logs with `validation:
 * previous` validation took it every time and it gained nothing on test, once losing 0.0026 (README, Results).
 */
export const validatesAtTestPosition = (split: Config['split']) =>
  split.protocol === 'per-user' && split.validation === 'users';

/** What `strength: auto` tries: every candidate, the network only where validation can judge it. */
export function autoStrengths(split: Config['split']): readonly PooledVariant[] {
  return validatesAtTestPosition(split) ? STRENGTH_GRID : STRENGTH_GRID.filter((s) => s !== 'net');
}

/** The pooled forecaster's variant (refit strength or net); `auto` must have been resolved on validation first. */
export function pooledStrength(block: ForecastBlock): PooledVariant {
  const { strength } = forecastSettings({ ...block, model: 'pooled' });
  if (strength === 'auto')
    throw new Error('forecast.strength: auto is chosen on validation; this block was never resolved');
  return strength;
}

/** The block with `strength` set (a pooled block after its validation choice; others unchanged). */
export function withStrength<B extends ForecastBlock>(block: B, strength: PooledVariant): B {
  return block.model === 'pooled' ? { ...block, strength } : block;
}

/**
 * Runs fn with the configured topic-share forecaster: a per-series one from the registry, or the pooled
 * model fitted on the training examples (fitPooledForecaster) — its only state, saved in the checkpoint.
 */
export async function withForecaster<T>(
  block: ForecastBlock,
  fn: (f: ShareForecaster) => T,
  pooled: PooledModel | null,
): Promise<T> {
  const f = await shareForecasterOf(block, pooled);
  try {
    return fn(f);
  } finally {
    f.dispose();
  }
}

/** The configured topic-share forecaster, restored from its block (and the fitted pooled model, if pooled). */
export async function shareForecasterOf(
  block: ForecastBlock,
  pooled: PooledModel | null,
): Promise<ShareForecaster> {
  return shareForecasterFrom(forecasterSource(block, pooled));
}

/** What a worker thread restores the block's forecaster from (forecastJobs). */
export function forecasterSource(block: ForecastBlock, pooled: PooledModel | null): ForecasterSource {
  if (block.model === 'pooled') {
    if (!pooled) throw new Error('forecast: model pooled needs its fitted model (none was given)');
    return { pooled, strength: pooledStrength(block) };
  }
  return { spec: forecastSpec(block) };
}

/** forecast.strength left to validation (pooled only): chooseBlend resolves it, withStrength records it. */
export const isAutoStrength = (block: ForecastBlock) =>
  block.model === 'pooled' && forecastSettings({ ...block, model: 'pooled' }).strength === 'auto';

/**
 * Fits the pooled forecaster on every training example's series and next-bucket shares; with another
 * forecaster configured (pooled is then a reference in the evaluation) at pooled's default settings.
 */
export function fitPooledForecaster(
  block: ForecastBlock,
  store: FeatureStore,
  train: readonly Example[],
): PooledModel {
  return fitRidge(block, trainExamples(store, train));
}

function fitRidge(block: ForecastBlock, train: readonly PooledExample[]): PooledModel {
  const { ridge, per } = forecastSettings({ ...block, model: 'pooled' });
  return fitPooled(train, { ridge, per });
}

function trainExamples(store: FeatureStore, train: readonly Example[]): PooledExample[] {
  if (train.length === 0) throw new Error('forecast: pooled needs training examples, the split has none');
  return pooledExamples(store, train);
}

function pooledExamples(store: FeatureStore, examples: readonly Example[]): PooledExample[] {
  const targets = targetShares(store, examples);
  const k = store.src.k;
  return examples.map((ex, r) => ({
    series: store.topicSeries(ex.user, ex.end),
    target: targets.subarray(r * k, (r + 1) * k),
  }));
}

/** Whether a block's pooled forecaster may forecast with its network (strength net, or auto trying it). */
export function mayUseNet(block: ForecastBlock, split: Config['split']): boolean {
  if (block.model !== 'pooled') return false;
  const { strength } = forecastSettings({ ...block, model: 'pooled' });
  return strength === 'net' || (strength === 'auto' && autoStrengths(split).includes('net'));
}

/**
 * fitPooledForecaster, plus (with `net`: when the config may use it, mayUseNet) the network, fitted on the training examples and
 * the validation targets: a validation target sits where a test target does (the end of a history), and
 * only those examples teach what happens there. Cross-fitting keeps validation honest: `validNets[f]` is
 * fitted without fold f's validation targets and forecasts fold f (netFold); the test and the checkpoint
 * use the network fitted on all of them.
 */
export async function fitPooledWithNet(
  block: ForecastBlock,
  store: FeatureStore,
  split: { train: readonly Example[]; valid: readonly Example[] },
  opts: { seed: number; net: boolean },
): Promise<{ pooled: PooledModel; validNets: PooledNet[] | null }> {
  // One set of training examples for the ridge and the networks.
  const train = trainExamples(store, split.train);
  const pooled = fitRidge(block, train);
  if (!opts.net) return { pooled, validNets: null };
  const valid = pooledExamples(store, split.valid);
  const folds = split.valid.map(netFold);
  const sets = [
    ...Array.from({ length: NET_FOLDS }, (_, f) => [...train, ...valid.filter((_, r) => folds[r] !== f)]),
    [...train, ...valid],
  ];
  const nets = await fitPooledNets(sets, opts.seed, `pooled net (${NET_FOLDS} validation folds + test)`);
  return { pooled: { ...pooled, net: nets[NET_FOLDS] }, validNets: nets.slice(0, NET_FOLDS) };
}
