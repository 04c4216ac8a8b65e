import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.ts';
import type { Dataset } from '../data/read.ts';
import type { EventLog } from '../data/split.ts';
import type { EmbeddedCatalogue } from '../embed/catalogue.ts';
import { knownCounts } from '../evaluate/baselines.ts';
import type { FeatureStore } from '../features/sequence.ts';
import type { PooledModel } from '../forecast/pooled.ts';
import { predict, type SequenceModelSpec } from '../model/lstm.ts';
import { sequencesOf } from '../model/train.ts';
import { topicShares, withRecentMix } from '../recommend/blend.ts';
import { type ExamplesForecast, gatedForecasts } from '../recommend/topic-gate.ts';
import { type ChosenBlend, savedBlend } from '../report/from-run.ts';
import type { TopicModel } from '../topics/model.ts';
import { type CheckpointContent, exportCheckpoint } from './export.ts';
import type { Manifest } from './format.ts';
import { exportedUserIds } from './user-ids.ts';

/** What a finished training run hands the checkpoint. */
export interface RunArtifacts {
  header: Pick<Manifest, 'run_id' | 'created_at' | 'config_path' | 'backend'>;
  /** The config as run: a validation-chosen forecast.strength in place of auto. */
  config: Config;
  dataset: Pick<Dataset, 'users' | 'userOffsets' | 'items' | 'fingerprint'>;
  log: EventLog;
  emb: Pick<EmbeddedCatalogue, 'encoder' | 'vectors'>;
  parts: {
    model: tf.LayersModel;
    spec: SequenceModelSpec;
    topics: TopicModel;
    store: FeatureStore;
    pooled: PooledModel;
  };
  /** unit(e_i + r_i) when the model learned an item residual, else null (scoring uses the text vectors). */
  residual: Float32Array | null;
  blend: ChosenBlend;
  metrics: Manifest['metrics'];
  knn: { neighbours: number };
  /** Where the users' topic forecasts run when not in this process (a cluster's workers). */
  remoteForecast?: ExamplesForecast;
}

/** CSR of the distinct items in each user's events, ascending: what recommending excludes as seen. */
export function seenLists(
  userOffsets: Int32Array,
  item: Int32Array,
): { seen: Int32Array; seenOffsets: Int32Array } {
  const users = userOffsets.length - 1;
  const seenOffsets = new Int32Array(users + 1);
  const seen: number[] = [];
  for (let u = 0; u < users; u++) {
    const s = new Set<number>();
    for (let i = userOffsets[u]; i < userOffsets[u + 1]; i++) s.add(item[i]);
    for (const x of [...s].sort((a, b) => a - b)) seen.push(x);
    seenOffsets[u + 1] = seen.length;
  }
  return { seen: Int32Array.from(seen), seenOffsets };
}

function manifestOf(a: RunArtifacts): CheckpointContent['manifest'] {
  const { config, parts } = a;
  return {
    run_id: a.header.run_id,
    created_at: a.header.created_at,
    config,
    config_path: a.header.config_path,
    backend: a.header.backend,
    data_fingerprint: a.dataset.fingerprint,
    encoder: a.emb.encoder,
    model: parts.spec,
    blend: savedBlend(a.blend),
    topics: { k: parts.topics.k, temperature: parts.topics.temperature },
    ...(config.forecast.model === 'pooled' ? { forecaster: parts.pooled } : {}),
    metrics: a.metrics,
    baselines: { item_knn_neighbours: a.knn.neighbours },
    user_ids: config.checkpoint.user_ids,
  };
}

/**
 * Every user's latest state (all their events) and what the blend makes of it, so recommending needs
 * nothing else; written atomically, the manifest as it landed returned.
 */
export async function exportRun(dir: string, a: RunArtifacts, userIdSalt: string | null): Promise<Manifest> {
  const { dataset, parts, config } = a;
  const { model, spec, store } = parts;
  const finals = dataset.users.map((_, u) => ({ user: u, end: dataset.userOffsets[u + 1] }));
  const sequences = sequencesOf(store, finals, spec.maxLen);
  const fc =
    a.blend.topicSource === 'lstm-head'
      ? null
      : await gatedForecasts(config.forecast, parts, finals, {
          horizon: config.forecast.horizon,
          label: 'forecast (users)',
          source: a.blend.topicSource,
          tau: a.blend.gateTau,
          remote: a.remoteForecast,
        });
  const head = spec.topicHead ? predict(model, sequences, finals.length, spec).topics : null;
  return exportCheckpoint(dir, {
    manifest: manifestOf(a),
    model,
    items: {
      ids: dataset.items.ids,
      titles: dataset.items.titles,
      ...(dataset.items.kinds && { kinds: dataset.items.kinds }),
    },
    itemVectors: a.emb.vectors,
    scoringVectors: a.residual,
    itemShares: config.topics.source === 'categories' ? parts.topics.itemShares : null,
    topicLabels: parts.topics.labels,
    centroids: parts.topics.centroids,
    users: exportedUserIds(dataset.users, config.checkpoint.user_ids, userIdSalt),
    sequences,
    forecasts: withRecentMix(
      topicShares(a.blend.topicSource, fc?.shares ?? null, head, fc?.weights ?? null),
      store,
      finals,
      { ...a.blend.recent, mix: a.blend.recentMix },
    ),
    ...seenLists(dataset.userOffsets, a.log.item),
    popularity: knownCounts(a.log, [], dataset.items.ids.length, Number.POSITIVE_INFINITY),
  });
}
