import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportCheckpoint } from '../checkpoint/export.ts';
import type { Manifest } from '../checkpoint/format.ts';
import { exportedUserIds, requireSalt } from '../checkpoint/user-ids.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { loadDatasetCached } from '../data/cache.ts';
import { itemTextCutoffWarning } from '../data/item-text.ts';
import { clockOf, type EventLog, type Example, splitEvents } from '../data/split.ts';
import { type Oracle, oracleOf } from '../data/truth.ts';
import { embedCatalogue } from '../embed/catalogue.ts';
import { type BackendPref, env } from '../env.ts';
import { knownCounts } from '../evaluate/baselines.ts';
import { labelSegments } from '../evaluate/beyond-accuracy.ts';
import { chooseKnnNeighbours } from '../evaluate/knn.ts';
import { evaluateScorer, type MethodResult, vectorScorer } from '../evaluate/rank.ts';
import { analyseMethods } from '../evaluate/summary.ts';
import { FeatureStore } from '../features/sequence.ts';
import { forecastExamples } from '../forecast/examples.ts';
import { fitPooledForecaster, withForecaster, withStrength } from '../forecast/from-config.ts';
import { describeBackend, resolveBackend } from '../model/backend.ts';
import { modelSpecOf, trainOptionsOf } from '../model/from-config.ts';
import { buildSequenceModel, predict } from '../model/lstm.ts';
import { lstmVectors, sequencesOf, trainModel } from '../model/train.ts';
import { topicShares } from '../recommend/blend.ts';
import { ItemIndex } from '../recommend/score.ts';
import { writeReport } from '../report/render.ts';
import {
  methodTable,
  perUserReport,
  type RunReport,
  type SequentialCost,
  topicErrors,
} from '../report/run-report.ts';
import { trainSequential } from '../sequential/train.ts';
import { buildTopics } from '../topics/model.ts';
import { sha256Hex, stableJson } from '../util/hash.ts';
import { withSeededRandom } from '../util/seeded.ts';
import {
  BASELINES,
  chooseBlend,
  evaluateTest,
  type ModelParts,
  PAIRS,
  validationBaselines,
} from './evaluate.ts';
import { evolutionOfRun } from './evolution.ts';

export interface TrainRunOptions {
  runId?: string;
  backend?: BackendPref;
  /** Continue the run's saved epoch state (after a crash or kill) instead of starting over. */
  resume?: boolean;
  log?: (line: string) => void;
}

export interface TrainRunResult {
  runId: string;
  checkpointDir: string;
  reportDir: string;
  backend: string;
  alpha: number;
  beta: number;
  /** Validation NDCG@10 of the chosen blend (what a sweep selects on). */
  validBlendNdcg10: number;
  usersEvaluated: number;
  metrics: Record<string, Record<string, number>>;
  seconds: number;
}

/** Epoch states of unfinished runs live beside the checkpoints, removed when a run completes. */
const stateRoot = (cfg: Config) => join(cfg.run.out.checkpoints, '.train-state');

/** The most recently saved unfinished run of this config's name, for `train --resume` without a run id. */
function latestState(cfg: Config): string | null {
  const root = stateRoot(cfg);
  if (!existsSync(root)) return null;
  const runs = readdirSync(root)
    .filter((d) => d.startsWith(`${cfg.run.name}-`) && existsSync(join(root, d, 'progress.json')))
    .map((d) => ({ d, t: statSync(join(root, d, 'progress.json')).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  return runs[0]?.d ?? null;
}

/** Everything that shapes training except how long it runs: a resume under another key is refused. */
function trainStateKey(cfg: Config, dataFingerprint: string, encoderVersion: string): string {
  const { epochs: _e, patience: _p, ...train } = cfg.train;
  return sha256Hex(
    stableJson({ ...cfg, train, run: { seed: cfg.run.seed }, dataFingerprint, encoderVersion }),
  );
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** Trains and tests the configured sequential baselines (GRU4Rec, SASRec) on the model's split. */
async function sequentialBaselines(
  cfg: Config,
  log: EventLog,
  split: { train: Example[]; valid: Example[]; test: Example[] },
  nItems: number,
  say: (line: string) => void,
): Promise<{ methods: Record<string, MethodResult>; costs: SequentialCost[] }> {
  const methods: Record<string, MethodResult> = {};
  const costs: SequentialCost[] = [];
  for (const entry of cfg.evaluate.sequential) {
    const r = await trainSequential({ seed: cfg.run.seed, ...entry }, log, nItems, split.train, split.valid, {
      excludeSeen: cfg.evaluate.exclude_seen,
      log: say,
    });
    try {
      methods[entry.kind] = await evaluateScorer(log, split.test, r.scorer, {
        nItems,
        ks: cfg.evaluate.k,
        excludeSeen: cfg.evaluate.exclude_seen,
        keepLists: true,
      });
      costs.push({
        kind: entry.kind,
        epochs: r.history.length,
        best_epoch: r.bestEpoch,
        best_valid_ndcg10: r.bestValid,
        seconds: r.seconds,
      });
    } finally {
      r.dispose();
    }
  }
  return { methods, costs };
}

/** NDCG@10 and users per planted drift pattern, per method (synthetic logs): where forecasting pays or fails. */
function byPattern(methods: Record<string, MethodResult>, test: readonly Example[], oracle: Oracle) {
  return Object.fromEntries(
    Object.entries(methods)
      .filter(([, r]) => r.rows)
      .map(([name, r]) => [
        name,
        labelSegments(test, r, (ex) => oracle.pattern(ex)).map((s) => ({
          pattern: s.name,
          users: s.users,
          ndcg10: s.metrics['ndcg@10'],
        })),
      ]),
  );
}

/** The whole run, one call per stage: data → split → embed → topics → features → model → blend → evaluate → export. */
export async function runTraining(loaded: LoadedConfig, opts: TrainRunOptions = {}): Promise<TrainRunResult> {
  const { config: cfg, baseDir } = loaded;
  const say = opts.log ?? ((l: string) => console.error(l));
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = (performance.now() - since) / 1000;
    return performance.now();
  };
  const runId = opts.runId ?? (opts.resume ? latestState(cfg) : null) ?? `${cfg.run.name}-${stamp()}`;
  const reportDir = join(cfg.run.out.reports, runId);
  const checkpointDir = join(cfg.run.out.checkpoints, runId);
  const stateDir = join(stateRoot(cfg), runId);
  if (opts.resume && !existsSync(stateDir))
    throw new Error(`train --resume: no saved training state at ${stateDir}`);
  // Fails now, not after training, when the export could not pseudonymise the user ids.
  requireSalt(cfg.checkpoint.user_ids, env.userIdSalt);

  const backend = await resolveBackend(opts.backend ?? cfg.train.backend);
  say(describeBackend(backend));

  let t = performance.now();
  const dataset = await loadDatasetCached(cfg.data, baseDir, {
    quarantineDir: reportDir,
    cacheRoot: env.cacheDir,
  });
  const log: EventLog = {
    userOffsets: dataset.userOffsets,
    item: dataset.events.item,
    ts: dataset.events.ts,
  };
  const split = splitEvents(log, cfg.buckets, cfg.split);
  say(
    `data: ${dataset.users.length} users, ${dataset.items.ids.length} items, ${dataset.events.n} events ` +
      `(read ${dataset.stats.read}, quarantined ${dataset.stats.quarantined}, filtered ${dataset.stats.filtered}); ` +
      `examples train ${split.train.length} / valid ${split.valid.length} / test ${split.test.length}`,
  );
  const leak = itemTextCutoffWarning(cfg.data.extra_item_text, split.summary.cutoffs);
  if (leak) say(leak);
  t = lap('data', t);

  const emb = await embedCatalogue(dataset.items.texts, cfg.embed);
  say(
    `embed: ${emb.encoder.id} ${emb.dim}-d, ${emb.misses} encoded, ${emb.hits} from cache, ${emb.seconds.toFixed(1)}s`,
  );
  t = lap('embed', t);

  const topics = buildTopics(emb.vectors, emb.dim, dataset.items, { ...cfg.topics, seed: cfg.run.seed });
  say(
    `topics: k=${topics.k} after ${topics.iterations} iterations: ${topics.labels.slice(0, 5).join(' | ')} …`,
  );
  t = lap('topics', t);

  const store = new FeatureStore({
    ...log,
    weight: dataset.events.weight,
    itemVectors: emb.vectors,
    dim: emb.dim,
    itemShares: topics.itemShares,
    k: topics.k,
    buckets: cfg.buckets,
  });
  const spec = modelSpecOf(cfg.model, emb.dim, topics.k);
  const model = await withSeededRandom(cfg.run.seed, () => buildSequenceModel(spec));
  const items = tf.tensor2d(emb.vectors, [dataset.items.ids.length, emb.dim]);
  const nItems = dataset.items.ids.length;
  const index = new ItemIndex(emb.vectors, emb.dim);
  // Validation NDCG@10 of the LSTM alone, scored against the current item vectors (with the residual, if any).
  const validate = async (scoring: Float32Array | null) => {
    const idx = scoring ? new ItemIndex(scoring, emb.dim) : index;
    try {
      const scorer = vectorScorer(idx, split.valid, lstmVectors(model, spec, store, split.valid));
      const r = await evaluateScorer(log, split.valid, scorer, {
        nItems,
        ks: [10],
        excludeSeen: cfg.evaluate.exclude_seen,
      });
      return r.metrics['ndcg@10'];
    } finally {
      if (idx !== index) idx.dispose();
    }
  };
  const trained = await trainModel(
    model,
    spec,
    store,
    split.train,
    items,
    trainOptionsOf(cfg, {
      stateDir,
      resume: opts.resume ?? false,
      stateKey: trainStateKey(cfg, dataset.fingerprint, emb.encoder.version),
      log: say,
    }),
    validate,
  );
  items.dispose();
  index.dispose();
  t = lap('train', t);

  const scoringVectors = trained.scoringVectors ?? emb.vectors;
  const parts: ModelParts = {
    model,
    spec,
    topics,
    store,
    itemVectors: emb.vectors,
    scoringVectors,
    temperature: cfg.model.temperature,
    pooled: fitPooledForecaster(cfg.forecast, store, split.train),
  };
  const blend = await chooseBlend(cfg, log, parts, split.valid);
  const { mode, alpha, beta, curve } = blend;
  // The config as run: a validation-chosen forecast.strength is what the test and the checkpoint use.
  const ran: Config = { ...cfg, forecast: withStrength(cfg.forecast, blend.strength) };
  say(
    `blend: ${mode} α=${alpha}, β=${beta}, topic shares from ${blend.topicSource}` +
      `${cfg.forecast.model === 'pooled' ? ` (refit strength ${blend.strength})` : ''} ` +
      `(valid ndcg@10 ${Math.max(...curve.map((p) => p.ndcg10)).toFixed(4)}); ` +
      `topic_recent window ${blend.recentWindow}`,
  );
  const knn = await chooseKnnNeighbours(log, split.valid, cfg.evaluate.knn_grid, {
    nItems,
    excludeSeen: cfg.evaluate.exclude_seen,
  });
  const validation = await validationBaselines(cfg, log, split.valid, nItems);
  validation.lstm = trained.bestValid;
  validation.item_knn = Math.max(...knn.curve.map((p) => p.ndcg10));
  validation.blend = Math.max(...curve.map((p) => p.ndcg10));
  validation.topic_recent = Math.max(...blend.recentCurve.map((p) => p.ndcg10));
  say(
    `valid ndcg@10: ${Object.entries(validation)
      .map(([m, v]) => `${m} ${v.toFixed(4)}`)
      .join(', ')}`,
  );
  const oracle = cfg.evaluate.truth ? oracleOf(resolve(baseDir, cfg.evaluate.truth), dataset) : undefined;
  const evaluation = await evaluateTest(ran, log, parts, split.test, blend, knn.neighbours, oracle);
  const sequential = await sequentialBaselines(cfg, log, split, nItems, say);
  Object.assign(evaluation.methods, sequential.methods);
  for (const c of sequential.costs) validation[c.kind] = c.best_valid_ndcg10;
  const analysis = analyseMethods(evaluation.methods, {
    log,
    examples: split.test,
    nItems,
    ks: cfg.evaluate.k,
    counts: knownCounts(log, split.test, nItems, clockOf(cfg.split, split.test)),
    itemVectors: emb.vectors,
    dim: emb.dim,
    samples: cfg.evaluate.bootstrap,
    seed: cfg.run.seed,
    baselines: BASELINES,
    pairs: PAIRS,
  });
  t = lap('evaluate', t);

  const metrics = methodTable(evaluation.methods);
  const savedBlend = {
    mode,
    alpha,
    beta,
    curve,
    without_forecast: blend.withoutForecast,
    recent_window: blend.recentWindow,
    topic_source: blend.topicSource,
    strength: blend.strength,
  };
  const report: RunReport = {
    run_id: runId,
    created_at: new Date().toISOString(),
    config_path: relative(process.cwd(), loaded.path),
    backend: backend.name,
    dataset: {
      users: dataset.users.length,
      items: nItems,
      events: dataset.events.n,
      stats: dataset.stats,
      quarantine: dataset.quarantinePath,
      fingerprint: dataset.fingerprint,
    },
    split: { ...split.summary },
    methods: metrics,
    users_evaluated: Object.fromEntries(Object.entries(evaluation.methods).map(([k, r]) => [k, r.users])),
    blend: { ...savedBlend, recent_curve: blend.recentCurve, topic_curve: blend.topicCurve },
    forecast: evaluation.forecast,
    training: {
      best_epoch: trained.bestEpoch,
      best_valid_ndcg10: trained.bestValid,
      history: trained.history,
    },
    timings_s: timings,
    config: cfg,
    knn,
    ...(sequential.costs.length ? { sequential: sequential.costs } : {}),
    ...analysis,
    ...(oracle ? { by_pattern: byPattern(evaluation.methods, split.test, oracle) } : {}),
    ...(await evolutionOfRun(ran, log, parts, split.test, blend, evaluation, dataset)),
    forecast_accuracy: evaluation.forecastError,
    forecast_accuracy_valid: blend.forecastError,
    validation_ndcg10: validation,
    forecast_error: topicErrors(evaluation.forecastError, topics.labels),
  };

  // Checkpoint: every user's latest state (all their events), so recommending needs nothing else.
  const finals = dataset.users.map((_, u) => ({ user: u, end: dataset.userOffsets[u + 1] }));
  const sequences = sequencesOf(store, finals, spec.maxLen);
  const userShares = (forecast: Float32Array | null) =>
    topicShares(
      blend.topicSource,
      forecast,
      spec.topicHead ? predict(model, sequences, finals.length, spec).topics : null,
    );
  const forecasts = {
    shares: userShares(
      blend.topicSource === 'lstm-head'
        ? null
        : (
            await withForecaster(
              ran.forecast,
              (f) => forecastExamples(f, store, finals, cfg.forecast.horizon, 'forecast (users)'),
              parts.pooled,
            )
          ).shares,
    ),
  };
  const seenOffsets = new Int32Array(finals.length + 1);
  const seenList: number[] = [];
  finals.forEach((f, r) => {
    const s = new Set<number>();
    for (let i = dataset.userOffsets[f.user]; i < f.end; i++) s.add(log.item[i]);
    seenList.push(...[...s].sort((a, b) => a - b));
    seenOffsets[r + 1] = seenList.length;
  });
  const manifest: Manifest = await exportCheckpoint(checkpointDir, {
    manifest: {
      run_id: runId,
      created_at: report.created_at,
      config: ran,
      config_path: report.config_path,
      backend: backend.name,
      data_fingerprint: dataset.fingerprint,
      encoder: emb.encoder,
      model: spec,
      blend: savedBlend,
      topics: { k: topics.k, temperature: topics.temperature },
      ...(ran.forecast.model === 'pooled' ? { forecaster: parts.pooled } : {}),
      metrics,
      baselines: { item_knn_neighbours: knn.neighbours },
      user_ids: cfg.checkpoint.user_ids,
    },
    model,
    items: { ids: dataset.items.ids, titles: dataset.items.titles },
    itemVectors: emb.vectors,
    scoringVectors: trained.scoringVectors,
    topicLabels: topics.labels,
    centroids: topics.centroids,
    users: exportedUserIds(dataset.users, cfg.checkpoint.user_ids, env.userIdSalt),
    sequences,
    forecasts: forecasts.shares,
    seen: Int32Array.from(seenList),
    popularity: knownCounts(log, [], nItems, Number.POSITIVE_INFINITY),
    seenOffsets,
  });
  lap('export', t);
  timings.total = (performance.now() - t0) / 1000;
  await writeReport(
    reportDir,
    report,
    cfg.evaluate.k,
    perUserReport(evaluation.methods, split.test, dataset.users, `ndcg@${cfg.evaluate.k[0]}`),
  );
  rmSync(stateDir, { recursive: true, force: true });
  model.dispose();
  say(`checkpoint: ${checkpointDir} (${Object.keys(manifest.files).length} files)  report: ${reportDir}`);
  return {
    runId,
    checkpointDir,
    reportDir,
    backend: backend.name,
    alpha,
    beta,
    validBlendNdcg10: validation.blend,
    usersEvaluated: evaluation.methods.blend.users,
    metrics,
    seconds: timings.total,
  };
}
