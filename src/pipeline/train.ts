import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportRun } from '../checkpoint/from-run.ts';
import { requireSalt } from '../checkpoint/user-ids.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { loadDatasetCached } from '../data/cache.ts';
import { itemTextCutoffWarning } from '../data/item-text.ts';
import type { Dataset } from '../data/read.ts';
import { clockOf, type EventLog, type Example, type Split, splitEvents } from '../data/split.ts';
import { oracleOf } from '../data/truth.ts';
import { clusterOf } from '../distributed/cluster.ts';
import { embedCatalogueSharded } from '../distributed/embed.ts';
import { shardedForecast } from '../distributed/forecast.ts';
import { type EmbeddedCatalogue, embedCatalogue, threadsNote } from '../embed/catalogue.ts';
import { type BackendPref, env } from '../env.ts';
import { knownCounts } from '../evaluate/baselines.ts';
import { itemKindIndex, KindViews } from '../evaluate/by-kind.ts';
import { chooseKnnNeighbours } from '../evaluate/knn.ts';
import { KnnStarted } from '../evaluate/knn-thread.ts';
import { evaluateScorer, type MethodResult, SELECTION, vectorScorer } from '../evaluate/rank.ts';
import { analyseMethods } from '../evaluate/summary.ts';
import { FeatureStore, recencyName } from '../features/sequence.ts';
import { fitPooledWithNet, mayUseNet, withStrength } from '../forecast/from-config.ts';
import { describeBackend, resolveBackend } from '../model/backend.ts';
import { modelSpecOf, trainOptionsOf } from '../model/from-config.ts';
import { buildSequenceModel } from '../model/lstm.ts';
import { lstmVectors, type TrainResult, trainModel } from '../model/train.ts';
import { ItemIndex } from '../recommend/score.ts';
import { buildRunReport } from '../report/from-run.ts';
import { writeReport } from '../report/render.ts';
import { methodTable, type PairedComparison, perUserReport } from '../report/run-report.ts';
import { startPeers } from '../sequential/peers.ts';
import { buildTopics, type TopicModel } from '../topics/model.ts';
import { sha256Hex, stableJson } from '../util/hash.ts';
import { withSeededRandom } from '../util/seeded.ts';
import {
  BASELINES,
  type BlendChoice,
  chooseBlend,
  evaluateTest,
  type ModelParts,
  PAIRS,
  validationBaselines,
} from './evaluate.ts';
import { evolutionOfRun } from './evolution.ts';
import { ReferenceForecasts } from './reference-forecasts.ts';
import { segmentTables } from './segments.ts';

export interface TrainRunOptions {
  runId?: string;
  backend?: BackendPref;
  /** Continue the run's saved epoch state (after a crash or kill) instead of starting over. */
  resume?: boolean;
  /** Redis URL: item embedding and the users' topic forecasts run on `interest-evo worker`s (over distributed.redis). */
  redis?: string;
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
  /** The blend's and (synthetic data) the oracle's paired tests against the best baseline. */
  versusBest: PairedComparison[];
  seconds: number;
  /** CPU seconds of the process (all threads) per stage, as timings_s has wall seconds: on a shared machine the steadier figure. */
  cpuSeconds: Record<string, number>;
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

interface RunPaths {
  runId: string;
  reportDir: string;
  checkpointDir: string;
  stateDir: string;
}

/** Where the run writes; a resume must find the epoch state it continues. */
function runPaths(cfg: Config, opts: TrainRunOptions): RunPaths {
  const runId = opts.runId ?? (opts.resume ? latestState(cfg) : null) ?? `${cfg.run.name}-${stamp()}`;
  const stateDir = join(stateRoot(cfg), runId);
  if (opts.resume && !existsSync(stateDir))
    throw new Error(`train --resume: no saved training state at ${stateDir}`);
  return {
    runId,
    reportDir: join(cfg.run.out.reports, runId),
    checkpointDir: join(cfg.run.out.checkpoints, runId),
    stateDir,
  };
}

/**
 * Seconds per stage (each lap since the previous one) and, as `total`, since `t0`. Laps named `stage.part`
 * are parts of `stage`, whose sum `group(stage)` records (what a scale bench profiles evaluation by).
 */
function stageClock(t0: number) {
  const timings: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const c0 = cpuNow();
  let t = performance.now();
  let c = c0;
  const sum = (m: Record<string, number>, stage: string) =>
    Object.entries(m)
      .filter(([name]) => name.startsWith(`${stage}.`))
      .reduce((s, [, v]) => s + v, 0);
  return {
    timings,
    cpu,
    lap(name: string) {
      timings[name] = (performance.now() - t) / 1000;
      cpu[name] = cpuNow() - c;
      t = performance.now();
      c = cpuNow();
    },
    group(stage: string) {
      timings[stage] = sum(timings, stage);
      cpu[stage] = sum(cpu, stage);
    },
    total() {
      timings.total = (performance.now() - t0) / 1000;
      cpu.total = cpuNow() - c0;
      return timings.total;
    },
  };
}

/** The dataset (through the cache), its event log and the split; counts and any item-text leak on the log. */
async function loadAndSplit(cfg: Config, baseDir: string, reportDir: string, say: (line: string) => void) {
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
  return { dataset, log, split };
}

/**
 * Builds the sequence model under the run's seed and trains it, early stopping on the validation NDCG@10
 * of the LSTM alone scored against the current item vectors (with the residual, if any); returns it as the
 * parts the blend scores with (all but the topic-share forecaster).
 */
async function fitSequenceModel(
  cfg: Config,
  run: { log: EventLog; split: Split; store: FeatureStore; emb: EmbeddedCatalogue; topics: TopicModel },
  state: { stateDir: string; resume: boolean; stateKey: string },
  say: (line: string) => void,
): Promise<Omit<ModelParts, 'pooled'> & { trained: TrainResult }> {
  const { log, split, store, emb } = run;
  const spec = modelSpecOf(cfg.model, emb.dim, run.topics.k);
  const model = await withSeededRandom(cfg.run.seed, () => buildSequenceModel(spec));
  const nItems = emb.vectors.length / emb.dim;
  const items = tf.tensor2d(emb.vectors, [nItems, emb.dim]);
  const index = new ItemIndex(emb.vectors, emb.dim);
  const validate = async (scoring: Float32Array | null) => {
    const idx = scoring ? new ItemIndex(scoring, emb.dim) : index;
    try {
      const scorer = vectorScorer(idx, split.valid, lstmVectors(model, spec, store, split.valid));
      const r = await evaluateScorer(log, split.valid, scorer, {
        nItems,
        ...SELECTION,
        excludeSeen: cfg.evaluate.exclude_seen,
      });
      return r.metrics['ndcg@10'];
    } finally {
      if (idx !== index) idx.dispose();
    }
  };
  const options = trainOptionsOf(cfg, { ...state, log: say });
  const trained = await trainModel(model, spec, store, split.train, items, options, validate);
  items.dispose();
  index.dispose();
  return {
    model,
    spec,
    topics: run.topics,
    store,
    itemVectors: emb.vectors,
    scoringVectors: trained.scoringVectors ?? emb.vectors,
    temperature: cfg.model.temperature,
    trained,
  };
}

/**
 * The item-kNN baseline's neighbour count, chosen on validation, and the validation NDCG@10 of every part as
 * selected and of the popularity baselines (what model selection saw).
 */
async function chooseOnValidation(
  cfg: Config,
  log: EventLog,
  parts: Pick<ModelParts, 'knn'>,
  valid: readonly Example[],
  nItems: number,
  chosen: { lstm: number; blend: BlendChoice },
  say: (line: string) => void,
) {
  const knn = await chooseKnnNeighbours(log, valid, cfg.evaluate.knn_grid, {
    nItems,
    excludeSeen: cfg.evaluate.exclude_seen,
    snapshots: parts.knn?.take(valid),
  });
  const validation = await validationBaselines(cfg, log, valid, nItems);
  validation.lstm = chosen.lstm;
  validation.item_knn = Math.max(...knn.curve.map((p) => p.ndcg10));
  validation.blend = Math.max(...chosen.blend.curve.map((p) => p.ndcg10));
  validation.topic_recent = Math.max(...chosen.blend.recentCurve.map((p) => p.ndcg10));
  say(
    `valid ndcg@10: ${Object.entries(validation)
      .map(([m, v]) => `${m} ${v.toFixed(4)}`)
      .join(', ')}`,
  );
  return { knn, validation };
}

/** Intervals, paired tests, beyond-accuracy and activity segments of the test methods. */
function analyseTest(
  cfg: Config,
  log: EventLog,
  test: readonly Example[],
  emb: EmbeddedCatalogue,
  methods: Record<string, MethodResult>,
) {
  const nItems = emb.vectors.length / emb.dim;
  return analyseMethods(methods, {
    log,
    examples: test,
    nItems,
    ks: cfg.evaluate.k,
    counts: knownCounts(log, test, nItems, clockOf(cfg.split, test)),
    itemVectors: emb.vectors,
    dim: emb.dim,
    samples: cfg.evaluate.bootstrap,
    seed: cfg.run.seed,
    baselines: BASELINES,
    pairs: PAIRS,
  });
}

/** Per-user bucket features over the item vectors and topic shares (what the model and forecasters read). */
function featureStore(
  cfg: Config,
  dataset: Dataset,
  log: EventLog,
  emb: EmbeddedCatalogue,
  topics: TopicModel,
): FeatureStore {
  return new FeatureStore({
    ...log,
    weight: dataset.events.weight,
    itemVectors: emb.vectors,
    dim: emb.dim,
    itemShares: topics.itemShares,
    k: topics.k,
    buckets: cfg.buckets,
  });
}

/** Who, when, from which config and on what: the lines the report and the manifest both open with. */
function runHeader(runId: string, configPath: string, backend: string) {
  return {
    run_id: runId,
    created_at: new Date().toISOString(),
    config_path: relative(process.cwd(), configPath),
    backend,
  };
}

const embedLine = (emb: EmbeddedCatalogue) =>
  `embed: ${emb.encoder.id} ${emb.dim}-d, ${emb.misses} encoded${threadsNote(emb)}, ${emb.hits} from cache, ${emb.seconds.toFixed(1)}s`;

const topicsLine = (cfg: Config, topics: TopicModel & { iterations: number }) =>
  `topics: k=${topics.k} ${cfg.topics.source === 'categories' ? 'from the item categories' : `after ${topics.iterations} iterations`}: ${topics.labels.slice(0, 5).join(' | ')} …`;

const blendLine = (cfg: Config, b: BlendChoice) =>
  `blend: ${b.mode} α=${b.alpha}, β=${b.beta}, topic shares from ${b.topicSource}` +
  `${b.gateTau === null ? '' : ` (gate τ ${b.gateTau})`}` +
  `${cfg.forecast.model === 'pooled' ? ` (refit strength ${b.strength})` : ''} ` +
  `(valid ndcg@10 ${Math.max(...b.curve.map((p) => p.ndcg10)).toFixed(4)}); ` +
  `topic_recent ${recencyName(b.recent)}, its weight in the topic shares ${b.recentMix}`;

/**
 * The whole run, one call per stage: data → split → embed → topics → features → model → blend → validation →
 * test → sequential peers → checkpoint → report.
 */
export async function runTraining(loaded: LoadedConfig, opts: TrainRunOptions = {}): Promise<TrainRunResult> {
  const { config: cfg, baseDir } = loaded;
  const say = opts.log ?? ((l: string) => console.error(l));
  const t0 = performance.now();
  const paths = runPaths(cfg, opts);
  // Fails now, not after training, when the export could not pseudonymise the user ids.
  requireSalt(cfg.checkpoint.user_ids, env.userIdSalt);
  // Likewise an unreachable Redis: one line before any work.
  const cluster = await clusterOf(cfg, opts.redis, paths);
  const backend = await resolveBackend(opts.backend ?? cfg.train.backend);
  say(describeBackend(backend));
  const clock = stageClock(t0);

  const { dataset, log, split } = await loadAndSplit(cfg, baseDir, paths.reportDir, say);
  const nItems = dataset.items.ids.length;
  clock.lap('data');
  // The id-based peers need only the split: they train beside the rest of the run (sequential/peers.ts).
  const peersInput = {
    entries: cfg.evaluate.sequential,
    seed: cfg.run.seed,
    ks: cfg.evaluate.k,
    excludeSeen: cfg.evaluate.exclude_seen,
  };
  const peers = startPeers(peersInput, log, split, nItems, say);
  if (peers.where === 'thread')
    say(`peers: ${peersInput.entries.map((e) => e.kind).join(', ')} train on worker threads beside the run`);
  // Item-kNN needs only the split too: on a large log its snapshots are built beside the rest.
  const knnStarted = new KnnStarted(
    log,
    [split.valid, split.test],
    nItems,
    Math.max(...cfg.evaluate.knn_grid),
  );
  try {
    const emb = cluster
      ? await embedCatalogueSharded(dataset.items.texts, cfg.embed, cluster)
      : await embedCatalogue(dataset.items.texts, cfg.embed);
    say(embedLine(emb));
    clock.lap('embed');
    const topics = await buildTopics(emb.vectors, emb.dim, dataset.items, {
      ...cfg.topics,
      seed: cfg.run.seed,
    });
    say(topicsLine(cfg, topics));
    clock.lap('topics');

    const store = featureStore(cfg, dataset, log, emb, topics);
    const references = new ReferenceForecasts(cfg, store, [split.valid, split.test]);
    const stateKey = trainStateKey(cfg, dataset.fingerprint, emb.encoder.version);
    const state = { stateDir: paths.stateDir, resume: opts.resume ?? false, stateKey };
    const { trained, ...fitted } = await fitSequenceModel(
      cfg,
      { log, split, store, emb, topics },
      state,
      say,
    );
    clock.lap('train');

    const { pooled, validNets } = await fitPooledWithNet(cfg.forecast, store, split, {
      seed: cfg.run.seed,
      net: mayUseNet(cfg.forecast, cfg.split),
    });
    clock.lap('forecast_fit');
    const parts: ModelParts = {
      ...fitted,
      pooled,
      ...(validNets && { validNets }),
      references,
      knn: knnStarted,
    };
    const blend = await chooseBlend(cfg, log, parts, split.valid);
    // The config as run: a validation-chosen forecast.strength is what the test and the checkpoint use.
    const ran: Config = { ...cfg, forecast: withStrength(cfg.forecast, blend.strength) };
    say(blendLine(cfg, blend));
    clock.lap('evaluate.blend');
    const chosen = { lstm: trained.bestValid, blend };
    const { knn, validation } = await chooseOnValidation(cfg, log, parts, split.valid, nItems, chosen, say);
    clock.lap('evaluate.valid_baselines');
    const oracle = cfg.evaluate.truth ? oracleOf(resolve(baseDir, cfg.evaluate.truth), dataset) : undefined;
    const kindViews = dataset.items.kinds ? new KindViews(itemKindIndex(dataset.items.kinds)) : undefined;
    const evaluation = await evaluateTest(
      ran,
      log,
      parts,
      split.test,
      blend,
      knn.neighbours,
      oracle,
      kindViews?.evaluate,
    );
    clock.lap('evaluate.test');
    const sequential = await peers.result;
    Object.assign(evaluation.methods, sequential.methods);
    for (const c of sequential.costs) validation[c.kind] = c.best_valid_ndcg10;
    clock.lap('evaluate.peers');
    const analysis = analyseTest(cfg, log, split.test, emb, evaluation.methods);
    const segments = segmentTables(cfg, log, split.test, evaluation.methods, store, kindViews);
    clock.lap('evaluate.analysis');
    clock.group('evaluate');

    const header = runHeader(paths.runId, loaded.path, backend.name);
    const evolution = await evolutionOfRun(ran, log, parts, split.test, blend, evaluation, dataset);
    const metrics = methodTable(evaluation.methods);
    const remoteForecast = cluster ? shardedForecast(cluster, ran.forecast, parts.pooled, store) : undefined;
    const residual = trained.scoringVectors;
    const manifest = await exportRun(
      paths.checkpointDir,
      { header, config: ran, dataset, log, emb, parts, residual, blend, metrics, knn, remoteForecast },
      env.userIdSalt,
    );
    clock.lap('export');
    const seconds = clock.total();
    const report = buildRunReport({
      header,
      config: cfg,
      dataset,
      split,
      blend,
      evaluation,
      trained,
      timings: clock.timings,
      knn,
      sequential: sequential.costs,
      analysis,
      oracle,
      evolution,
      validation,
      topics,
      segments,
    });
    const perUser = perUserReport(evaluation.methods, split.test, dataset.users, `ndcg@${cfg.evaluate.k[0]}`);
    await writeReport(paths.reportDir, report, cfg.evaluate.k, perUser);
    rmSync(paths.stateDir, { recursive: true, force: true });
    if (cluster) rmSync(cluster.storage, { recursive: true, force: true });
    parts.model.dispose();
    say(
      `checkpoint: ${paths.checkpointDir} (${Object.keys(manifest.files).length} files)  report: ${paths.reportDir}`,
    );
    return {
      runId: paths.runId,
      checkpointDir: paths.checkpointDir,
      reportDir: paths.reportDir,
      backend: backend.name,
      alpha: blend.alpha,
      beta: blend.beta,
      validBlendNdcg10: validation.blend,
      usersEvaluated: evaluation.methods.blend.users,
      metrics,
      versusBest: analysis.paired.filter(
        (p) => p.b === analysis.best_baseline && (p.a === 'blend' || p.a === 'oracle'),
      ),
      seconds,
      cpuSeconds: clock.cpu,
    };
  } finally {
    peers.stop();
    await knnStarted.dispose();
  }
}
