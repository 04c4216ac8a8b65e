/**
 * Recommendations for a dated history that is not in the checkpoint (an ad-hoc one, or a stored user's
 * new events), computed on the fly through the training path: events → a small FeatureStore (one user,
 * a local item table holding the history's catalogue items plus one pseudo-item per free-text event) →
 * bucket features / topic-share series → LSTM + ARIMA → blend + prior → top-K.
 */
import { manifestRecency } from '../checkpoint/format.ts';
import type { Config } from '../config/schema.ts';
import { createEmbedder, embedOptionsFromConfig } from '../embed/registry.ts';
import type { Embedder, EmbedOptions } from '../embed/types.ts';
import { FeatureStore, paddedTail, rowsRecentShares } from '../features/sequence.ts';
import type { ShareForecaster } from '../forecast/examples.ts';
import { shareForecasterOf } from '../forecast/from-config.ts';
import { predict } from '../model/lstm.ts';
import { softAssign } from '../topics/kmeans.ts';
import { mixRecent, topicShares } from './blend.ts';
import {
  EncoderMismatchError,
  type HistoryEvent,
  type ResolvedEvent,
  resolveHistory,
} from './history-request.ts';
import type { RankOptions, Recommender, UserRecommendations } from './recommender.ts';
import { gateWeights, historyGateErrors, tauOf } from './topic-gate.ts';

/** The checkpoint's settings this path needs (the manifest stores the run's parsed config). */
interface HistoryConfig {
  buckets: Config['buckets'];
  forecast: Config['forecast'];
  embed: Config['embed'];
}

/** Embedder options from the checkpoint's config; never the on-disk cache (a server must not write). */
function embedOptions(embed: Config['embed']): EmbedOptions {
  return { ...embedOptionsFromConfig(embed), cacheDir: null };
}

/**
 * A stored user's state as a prefix for new events: their checkpointed bucket rows (the padding
 * removed) and those rows' topic-share columns as the series ARIMA continues.
 */
export interface HistoryPrefix {
  rows: Float32Array;
  series: number[][];
  /** Item indices to exclude besides the new events' own items. */
  seen: ArrayLike<number>;
}

export interface HistoryResult extends Omit<UserRecommendations, 'user'> {
  buckets: number;
  events: number;
}

export class HistoryRecommender {
  private readonly cfg: HistoryConfig;
  private embedder: Promise<Embedder> | undefined;
  private forecaster: Promise<ShareForecaster> | undefined;

  /** `makeEmbedder` replaces createEmbedder (tests); its version must still match the manifest's. */
  constructor(
    readonly rec: Recommender,
    private readonly makeEmbedder: (opts: EmbedOptions) => Promise<Embedder> = createEmbedder,
  ) {
    const config = rec.ck.manifest.config as Partial<HistoryConfig> | null;
    if (!config?.buckets || !config.forecast || !config.embed) {
      throw new Error('checkpoint manifest.config lacks buckets/forecast/embed');
    }
    this.cfg = config as HistoryConfig;
  }

  /** Validates events against the checkpoint's catalogue (see resolveHistory). */
  resolve(events: readonly HistoryEvent[]): ResolvedEvent[] {
    return resolveHistory(events, this.rec.itemRows);
  }

  /** The checkpoint's encoder, created on first use; refused if it would not reproduce the catalogue vectors. */
  private async encoder(): Promise<Embedder> {
    const want = this.rec.ck.manifest.encoder;
    this.embedder ??= this.makeEmbedder(embedOptions(this.cfg.embed)).then((e) => {
      if (e.id !== want.id || e.version !== want.version || e.dim !== want.dim) {
        e.dispose();
        throw new EncoderMismatchError(
          `free-text events need encoder ${want.id} ${want.version} (${want.dim}-d); this server has ${e.id} ${e.version} (${e.dim}-d)`,
        );
      }
      return e;
    });
    // A failed creation is not cached, so a later request may retry.
    this.embedder.catch(() => {
      this.embedder = undefined;
    });
    return this.embedder;
  }

  /** Unit vectors of texts from the checkpoint's encoder (texts × dim). */
  async embed(texts: readonly string[]): Promise<Float32Array> {
    return (await this.encoder()).embed([...texts]);
  }

  /** Throws EncoderMismatchError now rather than at the first text event's recommendation. */
  async checkEncoder(): Promise<void> {
    await this.encoder();
  }

  private forecasterOf(): Promise<ShareForecaster> {
    this.forecaster ??= shareForecasterOf(this.cfg.forecast, this.rec.ck.manifest.forecaster ?? null);
    return this.forecaster;
  }

  /** Bucket rows (buckets × width) and topic series of the events, through FeatureStore. */
  private async features(events: ResolvedEvent[]) {
    const { ck } = this.rec;
    const { dim, k } = { dim: ck.manifest.encoder.dim, k: ck.manifest.topics.k };
    // Local item table: catalogue items used, then one pseudo-item per distinct text.
    const local = new Map<number, number>();
    const texts = new Map<string, number>();
    for (const e of events) {
      if (e.text === null) {
        if (!local.has(e.item)) local.set(e.item, local.size);
      } else if (!texts.has(e.text)) texts.set(e.text, texts.size);
    }
    const nLocal = local.size + texts.size;
    const itemVectors = new Float32Array(nLocal * dim);
    const itemShares = new Float32Array(nLocal * k);
    const catShares = this.rec.itemShares;
    for (const [item, j] of local) {
      itemVectors.set(ck.itemVectors.subarray(item * dim, (item + 1) * dim), j * dim);
      itemShares.set(catShares.subarray(item * k, (item + 1) * k), j * k);
    }
    if (texts.size) {
      const vectors = await this.embed([...texts.keys()]);
      itemVectors.set(vectors, local.size * dim);
      itemShares.set(softAssign(vectors, dim, ck.centroids, ck.manifest.topics.temperature), local.size * k);
    }
    // Time order as in training; equal times keep the order given.
    const sorted = [...events].sort((a, b) => a.ts - b.ts || a.order - b.order);
    const n = sorted.length;
    const store = new FeatureStore({
      userOffsets: Int32Array.of(0, n),
      item: Int32Array.from(sorted, (e) =>
        e.text === null ? local.get(e.item)! : local.size + texts.get(e.text)!,
      ),
      ts: Float64Array.from(sorted, (e) => e.ts),
      weight: Float32Array.from(sorted, (e) => e.weight),
      itemVectors,
      dim,
      itemShares,
      k,
      buckets: this.cfg.buckets,
    });
    const buckets = store.bucketsBefore(0, n).start.length;
    const rows = new Float32Array(buckets * store.width);
    store.sequence(0, n, buckets, rows);
    return { rows, series: store.topicSeries(0, n), buckets, store, events: n };
  }

  /**
   * The last-window topic shares the blend mixes in (manifest blend.recent_window, recent_decay): from the events
   * themselves for a new history; from the bucket rows for a stored user continuing (the checkpoint keeps
   * their buckets, not single events).
   */
  private lastWindow(
    feats: { store: FeatureStore; events: number },
    rows: Float32Array | null,
  ): Float32Array {
    const { manifest } = this.rec.ck;
    const recent = manifestRecency(manifest.blend);
    if (rows) return rowsRecentShares(rows, manifest.encoder.dim, manifest.topics.k, recent);
    const out = new Float32Array(manifest.topics.k);
    if (feats.events > 0) feats.store.recentShares(0, feats.events, recent, out);
    return out;
  }

  /** A stored user's checkpointed state, as the prefix `recommend` continues from. */
  prefixOf(u: number): HistoryPrefix {
    const { ck } = this.rec;
    const { maxLen, inputWidth } = ck.manifest.model;
    const { dim } = ck.manifest.encoder;
    const { k } = ck.manifest.topics;
    const seq = ck.sequences.subarray(u * maxLen * inputWidth, (u + 1) * maxLen * inputWidth);
    // Left padding is all-zero rows; a real bucket row always has a positive log-count feature.
    let first = 0;
    while (first < maxLen && seq.subarray(first * inputWidth, (first + 1) * inputWidth).every((x) => x === 0))
      first++;
    const rows = seq.slice(first * inputWidth);
    const series = Array.from({ length: k }, (_, c) =>
      Array.from({ length: maxLen - first }, (_, j) => rows[j * inputWidth + dim + c]),
    );
    return { rows, series, seen: this.rec.seenItems(u) };
  }

  /** Recommendations for `events`, continuing `prefix` (a stored user's state) when given. */
  async recommend(
    events: readonly HistoryEvent[],
    k: number,
    opts: RankOptions & { prefix?: HistoryPrefix; excludeSeen?: boolean } = {},
  ): Promise<HistoryResult> {
    const resolved = this.resolve(events);
    const { ck } = this.rec;
    const spec = ck.manifest.model;
    const feats = await this.features(resolved);
    const prefix = opts.prefix;
    // The LSTM sees the last maxLen buckets of prefix ++ new, left-padded with zero rows as in training.
    const allRows = prefix ? concat(prefix.rows, feats.rows) : feats.rows;
    const seq = paddedTail(allRows, spec.maxLen * spec.inputWidth);
    const lstm = this.rec.lstmState(seq);
    const series = prefix ? prefix.series.map((s, c) => [...s, ...feats.series[c]]) : feats.series;
    // The blend's topic shares come from where validation chose: the forecaster, the LSTM's topic head, or both.
    const source = ck.manifest.blend.topic_source ?? 'forecaster';
    const f = source === 'lstm-head' ? null : await this.forecasterOf();
    const forecast = f && Float32Array.from(f.forecastShares(series, this.cfg.forecast.horizon).shares);
    const weights =
      f && source === 'gated'
        ? gateWeights(historyGateErrors(allRows, series, ck, f), tauOf(ck.manifest.blend.gate_tau))
        : null;
    const shares = mixRecent(
      topicShares(source, forecast, spec.topicHead ? predict(ck.model, seq, 1, spec).topics : null, weights),
      this.lastWindow(feats, prefix ? allRows : null),
      ck.manifest.blend.recent_mix ?? 0,
    );
    // Seen = the stored user's items plus the history's own catalogue items.
    const seen = new Set<number>(prefix ? Array.from(prefix.seen) : []);
    for (const e of resolved) if (e.text === null) seen.add(e.item);
    const exclude = opts.excludeSeen === false ? undefined : seen;
    return {
      ...this.rec.answer(lstm, shares, k, { ...opts, exclude }),
      buckets: allRows.length / spec.inputWidth,
      events: resolved.length,
    };
  }

  async dispose(): Promise<void> {
    const [e, f] = await Promise.allSettled([this.embedder, this.forecaster]);
    if (e.status === 'fulfilled') e.value?.dispose();
    if (f.status === 'fulfilled') f.value?.dispose();
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
