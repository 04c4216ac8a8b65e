import { type NewItem, type NewItemInput, startingCount, withItems } from '../checkpoint/add-items.ts';
import { type Checkpoint, topicsOf } from '../checkpoint/load.ts';
import { userKeyOf } from '../checkpoint/user-ids.ts';
import { env } from '../env.ts';
import { sharesToVectors } from '../forecast/examples.ts';
import { type HeadSplit, predictHead, splitAtHead } from '../model/lstm.ts';
import { dominantTopic } from '../topics/kmeans.ts';
import {
  type BlendMode,
  type BlendParams,
  type BlendRow,
  blendRow,
  blendTerms,
  explainItems,
} from './blend.ts';
import { bothExcluded, ItemKinds } from './kinds.ts';
import { mmr } from './mmr.ts';
import { ItemIndex, lowRankItems, lowRankQuery, topK } from './score.ts';
import { topicItemDistribution } from './topic-mixture.ts';

/** Why one item is listed (explainItems): the blend term that lifts it most and every term's lift. */
type ItemReason = ReturnType<typeof explainItems>[number];

export interface Recommendation {
  id: string;
  title: string;
  score: number;
  /** With `explain`: the blend term that put the item in the list. */
  reason?: ItemReason['term'];
  /** With `explain`: each term's value for the item minus that term's median over the catalogue. */
  lift?: ItemReason['lift'];
  /** With `explain`: the label of the item's dominant topic. */
  topic?: string;
}

export interface UserRecommendations {
  user: string;
  mode: BlendMode;
  alpha: number;
  beta: number;
  items: Recommendation[];
  /** Forecast next-bucket topic shares, largest first. */
  topics: { topic: number; label: string; share: number }[];
}

export interface RankOptions {
  alpha?: number;
  beta?: number;
  /** MMR λ in [0, 1] over item vectors; 0 (default) = plain score order. */
  diversity?: number;
  /** Adds each item's reason, lifts and topic, read off the very blend that scored it. */
  explain?: boolean;
  /** Only items of this kind (items.json `kinds`); an unknown kind throws KindError. */
  kind?: string;
}

/** One query's blend: its parameters, per-item inputs and the scores they give (the ranking's numbers). */
export interface Blended {
  params: BlendParams;
  row: BlendRow;
  scores: Float32Array;
}

/** The LSTM half of a query: the hidden state before the linear head, and ‖l‖ of the vector l it gives. */
export interface LstmState {
  hidden: Float32Array;
  norm: number;
}

export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
}

/** How many top-scored candidates MMR re-ranks: enough to find diverse items, bounded for latency. */
const mmrPool = (k: number) => Math.max(4 * k, 50);
/** Bounds the LSTM-state cache (a state is units floats; a huge user table must not pin them all). */
const LSTM_CACHE_MAX = 50_000;

/**
 * Recommends from a checkpoint alone, with the blend → score → top-K maths of evaluation. Scores are computed
 * in the model's low rank (`lowRankItems`): the same numbers as scoring with the blended vector, several
 * times cheaper per request.
 */
export class Recommender {
  private readonly userIndex: Map<string, number>;
  /** A request's user id → the key in users.json (its pseudonym when the checkpoint holds those). */
  private readonly userKey: (id: string) => string;
  private readonly head: HeadSplit;
  private current: Checkpoint;
  private items!: ItemIndex;
  /** p(i | k) by the checkpoint's popularity (items × k): topic scores are one k-long product per item. */
  private topicItems!: ItemIndex;
  private logCount!: Float32Array;
  private priorScale!: number;
  /** Soft topic shares of every catalogue item (items × k), exactly as training computed them. */
  itemShares!: Float32Array;
  /** Item id → row, for the catalogue as it is now (items added live included). */
  readonly itemRows = new Map<string, number>();
  kinds!: ItemKinds;
  readonly mode: BlendMode;
  private readonly tau: number;
  /** The model is fixed and each user's stored sequence too, so their LSTM state is computed once. */
  private readonly lstmCache = new Map<number, LstmState>();

  constructor(
    ck: Checkpoint,
    /** mode: score with another blend mode than the checkpoint's (comparisons, tests). */
    opts: { userIdSalt?: string | null; mode?: BlendMode } = {},
  ) {
    this.current = ck;
    this.userIndex = new Map(ck.users.map((u, i) => [u, i]));
    // undefined: the process's env; null: explicitly no salt.
    this.userKey = userKeyOf(
      ck.manifest.user_ids,
      opts.userIdSalt === undefined ? env.userIdSalt : opts.userIdSalt,
    );
    this.head = splitAtHead(ck.model);
    this.indexItems();
    this.mode = opts.mode ?? ck.manifest.blend.mode ?? 'vector';
    this.tau = (ck.manifest.config as { model: { temperature: number } }).model.temperature;
  }

  /** The checkpoint served, with any items added since it was loaded. */
  get ck(): Checkpoint {
    return this.current;
  }

  /** Everything scoring reads per item, from the current catalogue. */
  private indexItems(): void {
    const ck = this.current;
    const { encoder, topics } = ck.manifest;
    const low = lowRankItems(
      ck.scoringVectors ?? ck.itemVectors,
      encoder.dim,
      this.head,
      ck.centroids,
      topics.k,
    );
    this.items = new ItemIndex(low.rows, low.rank);
    this.itemShares = topicsOf(ck).itemShares;
    this.topicItems = new ItemIndex(
      topicItemDistribution(this.itemShares, topics.k, ck.popularity),
      topics.k,
    );
    this.logCount = ck.popularity.map(Math.log1p);
    let max = 0;
    for (const c of ck.popularity) max = Math.max(max, c);
    this.priorScale = max > 0 ? 1 / Math.log1p(max) : 0;
    ck.items.ids.forEach((id, i) => {
      this.itemRows.set(id, i);
    });
    this.kinds = new ItemKinds(ck.items.kinds);
  }

  /** A new item of this catalogue from its text vector: its starting count from its topic's items. */
  newItem(input: Omit<NewItemInput, 'text'>, vector: Float32Array): NewItem {
    const { k, temperature } = this.current.manifest.topics;
    const place = {
      centroids: this.current.centroids,
      dim: this.current.manifest.encoder.dim,
      temperature,
      itemTopic: Int32Array.from({ length: this.items.n }, (_, i) => dominantTopic(this.itemShares, k, i)),
    };
    const count = startingCount(this.current, place, vector, input.kind);
    return {
      id: input.id,
      title: input.title ?? input.id,
      ...(input.kind && { kind: input.kind }),
      vector,
      count,
    };
  }

  /**
   * Appends items to the live catalogue (src/checkpoint/add-items.ts) and re-indexes it. Synchronous, so no
   * request sees half of it; rows of existing items do not move, so held item indices stay valid.
   */
  addItems(added: readonly NewItem[]): void {
    const old = [this.items, this.topicItems];
    this.current = withItems(this.current, added);
    this.indexItems();
    for (const x of old) x.dispose();
  }

  /** Row of `user` in the checkpoint's user tables; throws UnknownUserError. */
  userRow(user: string): number {
    const u = this.userIndex.get(this.userKey(user));
    if (u === undefined) {
      const ids = this.ck.manifest.user_ids === 'hmac-sha256' ? ' (ids stored as HMAC pseudonyms)' : '';
      throw new UnknownUserError(
        `unknown user "${user}" (the checkpoint has ${this.userIndex.size} users${ids})`,
      );
    }
    return u;
  }

  /** LSTM state of one bucket sequence (maxLen × inputWidth, left-padded). */
  lstmState(sequence: Float32Array): LstmState {
    const { hidden, vectors } = predictHead(this.head, sequence, 1, this.ck.manifest.model);
    let norm = 0;
    for (const x of vectors) norm += x * x;
    return { hidden, norm: Math.sqrt(norm) };
  }

  /** LSTM state of a stored user (from their checkpointed bucket sequence). */
  private storedState(u: number): LstmState {
    let v = this.lstmCache.get(u);
    if (!v) {
      const spec = this.ck.manifest.model;
      const step = spec.maxLen * spec.inputWidth;
      v = this.lstmState(this.ck.sequences.subarray(u * step, (u + 1) * step));
      if (this.lstmCache.size >= LSTM_CACHE_MAX) this.lstmCache.delete(this.lstmCache.keys().next().value!);
      this.lstmCache.set(u, v);
    }
    return v;
  }

  /** Item indices a stored user has seen. */
  seenItems(u: number): Int32Array {
    return this.ck.seen.subarray(this.ck.seenOffsets[u], this.ck.seenOffsets[u + 1]);
  }

  /**
   * The checkpoint's blend (src/recommend/blend.ts) of the LSTM state's vector l and the forecast topic
   * shares: its BlendRow holds ⟨l/‖l‖, e_i⟩ with, in vector mode, ⟨a/‖a‖, e_i⟩ for a = Σ_k shares_k ·
   * centroid_k, otherwise the topic mixture Σ_k shares_k · p(i | k); blendRow turns it into scores.
   */
  score(lstm: LstmState, shares: Float32Array, alpha: number, beta: number): Blended {
    const params = { mode: this.mode, alpha, beta };
    const row = this.blendInputs(lstm, shares);
    return { params, row, scores: blendRow(params, row, this.tau, new Float32Array(this.items.n)) };
  }

  /** The BlendRow of one query. A field the mode never reads aliases another rather than cost a product. */
  private blendInputs(lstm: LstmState, shares: Float32Array): BlendRow {
    const prior = { logCount: this.logCount, priorScale: this.priorScale };
    if (this.mode === 'vector') {
      const { encoder, topics } = this.ck.manifest;
      const arima = sharesToVectors(shares, topics.k, this.ck.centroids, encoder.dim);
      let a2 = 0;
      for (const x of arima) a2 += x * x;
      // Both halves in one product: the query at α = 1 gives ⟨l̂, e_i⟩, at α = 0 ⟨â, e_i⟩.
      const half = (alpha: number) => lowRankQuery(lstm.hidden, lstm.norm, shares, Math.sqrt(a2), alpha);
      const q = new Float32Array(2 * this.items.dim);
      q.set(half(1));
      q.set(half(0), this.items.dim);
      const both = this.items.score(q, 2);
      const n = this.items.n;
      const vector = both.subarray(n);
      return { lstm: both.subarray(0, n), vector, topic: vector, ...prior };
    }
    const l = this.items.score(lowRankQuery(lstm.hidden, lstm.norm, shares, 0, 1), 1);
    return { lstm: l, vector: l, topic: this.topicItems.score(shares, 1), ...prior };
  }

  /** Top-k item indices by score (MMR re-ranked when diversity > 0), skipping the excluded ones. */
  private top(scores: Float32Array, k: number, exclude?: Iterable<number>, diversity = 0): ArrayLike<number> {
    return diversity > 0
      ? mmr(
          topK(scores, mmrPool(k), exclude),
          scores,
          this.ck.itemVectors,
          this.ck.manifest.encoder.dim,
          k,
          diversity,
        )
      : topK(scores, k, exclude);
  }

  /** Topic shares with labels, largest first (ties by topic index). */
  labelShares(shares: ArrayLike<number>): UserRecommendations['topics'] {
    return Array.from(shares, (share, topic) => ({ topic, label: this.ck.topicLabels[topic], share })).sort(
      (a, b) => b.share - a.share || a.topic - b.topic,
    );
  }

  /**
   * The answer to one query (an LSTM state and forecast topic shares): blend, top-K and, with `explain`,
   * each item's reason from the terms of that same blend, so the explanation always matches the scores.
   */
  answer(
    lstm: LstmState,
    shares: Float32Array,
    k: number,
    opts: RankOptions & { exclude?: Iterable<number> } = {},
  ): Omit<UserRecommendations, 'user'> {
    const alpha = opts.alpha ?? this.ck.manifest.blend.alpha;
    const beta = opts.beta ?? this.ck.manifest.blend.beta;
    const { params, row, scores } = this.score(lstm, shares, alpha, beta);
    const other = opts.kind === undefined ? undefined : this.kinds.excludedBy(opts.kind);
    const top = this.top(scores, k, other ? bothExcluded(opts.exclude, other) : opts.exclude, opts.diversity);
    const why = opts.explain ? explainItems(blendTerms(params, row, this.tau), top) : null;
    const { ids, titles } = this.ck.items;
    return {
      mode: this.mode,
      alpha,
      beta,
      items: Array.from(top, (i, n) => ({
        id: ids[i],
        title: titles[i],
        score: scores[i],
        ...(why && { reason: why[n].term, lift: why[n].lift, topic: this.topicLabel(i) }),
      })),
      topics: this.labelShares(shares),
    };
  }

  /** Label of an item's dominant topic, as the report names it. */
  private topicLabel(item: number): string {
    const c = dominantTopic(this.itemShares, this.ck.manifest.topics.k, item);
    return this.ck.topicLabels[c] ?? String(c);
  }

  recommend(
    user: string,
    k: number,
    opts: RankOptions & { excludeSeen?: boolean } = {},
  ): UserRecommendations {
    return { user, ...this.recommendRow(this.userRow(user), k, opts) };
  }

  /** recommend by the user's row in users.json (batch top-K walks the rows; ids may be pseudonyms). */
  recommendRow(
    u: number,
    k: number,
    opts: RankOptions & { excludeSeen?: boolean } = {},
  ): Omit<UserRecommendations, 'user'> {
    const topics = this.ck.manifest.topics.k;
    const shares = this.ck.forecasts.subarray(u * topics, (u + 1) * topics);
    const exclude = opts.excludeSeen === false ? undefined : this.seenItems(u);
    return this.answer(this.storedState(u), shares, k, { ...opts, exclude });
  }

  dispose(): void {
    this.items.dispose();
    this.topicItems.dispose();
  }
}
