import { dirname, join, resolve } from 'node:path';
import { manifestRecency } from '../checkpoint/format.ts';
import { type Checkpoint, loadCheckpoint, topicsOf } from '../checkpoint/load.ts';
import { type LoadedConfig, parseConfig } from '../config/load.ts';
import { loadDatasetCached } from '../data/cache.ts';
import { type EventLog, splitEvents } from '../data/split.ts';
import { oracleOf } from '../data/truth.ts';
import { type BackendPref, env } from '../env.ts';
import { FeatureStore } from '../features/sequence.ts';
import { fitPooledForecaster, isAutoStrength, withStrength } from '../forecast/from-config.ts';
import { describeBackend, resolveBackend } from '../model/backend.ts';
import { methodTable } from '../report/run-report.ts';
import { evaluateTest } from './evaluate.ts';

export interface CheckpointEvaluation {
  checkpoint: string;
  usersEvaluated: number;
  metrics: Record<string, Record<string, number>>;
  /** Largest |recomputed − stored| over the blend's metrics: 0 means the checkpoint reproduces its run. */
  maxDriftFromManifest: number;
}

/** Recomputes the test metrics from a checkpoint and the data its config names (or another config). */
export async function evaluateCheckpoint(
  dir: string,
  opts: { config?: LoadedConfig; backend?: BackendPref; log?: (l: string) => void } = {},
): Promise<CheckpointEvaluation> {
  const say = opts.log ?? ((l: string) => console.error(l));
  const ck: Checkpoint = await loadCheckpoint(dir);
  const loaded = opts.config ?? {
    config: parseConfig(ck.manifest.config, `${join(dir, 'manifest.json')} (config)`),
    path: resolve(ck.manifest.config_path),
    baseDir: dirname(resolve(ck.manifest.config_path)),
  };
  // Another config may leave forecast.strength to validation: the checkpoint's choice is the one to replay.
  const cfg = isAutoStrength(loaded.config.forecast)
    ? { ...loaded.config, forecast: withStrength(loaded.config.forecast, ck.manifest.blend.strength ?? null) }
    : loaded.config;
  say(describeBackend(await resolveBackend(opts.backend ?? cfg.train.backend)));
  const dataset = await loadDatasetCached(cfg.data, loaded.baseDir, { cacheRoot: env.cacheDir });
  if (
    dataset.items.ids.length !== ck.items.ids.length ||
    dataset.items.ids.some((id, i) => id !== ck.items.ids[i])
  ) {
    throw new Error(`evaluate: the data's item catalogue differs from the checkpoint's (${dir}/items.json)`);
  }
  const log: EventLog = {
    userOffsets: dataset.userOffsets,
    item: dataset.events.item,
    ts: dataset.events.ts,
  };
  const split = splitEvents(log, cfg.buckets, cfg.split);
  const topics = topicsOf(ck);
  const { k, dim } = topics;
  const store = new FeatureStore({
    ...log,
    weight: dataset.events.weight,
    itemVectors: ck.itemVectors,
    dim,
    itemShares: topics.itemShares,
    k,
    buckets: cfg.buckets,
  });
  const ev = await evaluateTest(
    cfg,
    log,
    {
      model: ck.model,
      spec: ck.manifest.model,
      topics,
      store,
      itemVectors: ck.itemVectors,
      scoringVectors: ck.scoringVectors ?? ck.itemVectors,
      temperature: cfg.model.temperature,
      pooled: ck.manifest.forecaster ?? fitPooledForecaster(cfg.forecast, store, split.train),
    },
    split.test,
    blendOf(ck.manifest.blend),
    ck.manifest.baselines.item_knn_neighbours,
    cfg.evaluate.truth ? oracleOf(resolve(loaded.baseDir, cfg.evaluate.truth), dataset) : undefined,
  );
  const metrics = methodTable(ev.methods);
  const stored = ck.manifest.metrics.blend ?? {};
  const drift = Math.max(
    0,
    ...Object.entries(metrics.blend).map(([key, v]) => Math.abs(v - (stored[key] ?? v))),
  );
  return { checkpoint: dir, usersEvaluated: ev.methods.blend.users, metrics, maxDriftFromManifest: drift };
}

/** The manifest's blend with the defaults of checkpoints written before topic-mixture scoring. */
function blendOf(b: Checkpoint['manifest']['blend']) {
  const mode = b.mode ?? 'vector';
  return {
    mode,
    alpha: b.alpha,
    beta: b.beta,
    withoutForecast: b.without_forecast ?? { mode, alpha: 1, beta: b.beta },
    topicSource: b.topic_source ?? 'forecaster',
    gateTau: b.gate_tau ?? null,
    recent: manifestRecency(b),
    recentMix: b.recent_mix ?? 0,
  };
}
