import type { Checkpoint } from '../checkpoint/load.ts';
import { sharesToVectors } from '../forecast/examples.ts';
import { predictVectors } from '../model/lstm.ts';
import { mmr } from './mmr.ts';
import { addPrior, blendVectors, ItemIndex, popularityPrior, topK } from './score.ts';

export interface Recommendation {
  id: string;
  title: string;
  score: number;
}

export interface UserRecommendations {
  user: string;
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
}

export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
}

/** How many top-scored candidates MMR re-ranks: enough to find diverse items, bounded for latency. */
const mmrPool = (k: number) => Math.max(4 * k, 50);
/** Bounds the LSTM-vector cache (a vector is dim floats; a huge user table must not pin them all). */
const LSTM_CACHE_MAX = 50_000;

/** Recommends from a checkpoint alone, with the same vector maths (blend → score → top-K) as evaluation. */
export class Recommender {
  private readonly userIndex: Map<string, number>;
  private readonly items: ItemIndex;
  private readonly prior: Float32Array;
  /** The model is fixed and each user's stored sequence too, so their LSTM vector is computed once. */
  private readonly lstmCache = new Map<number, Float32Array>();

  constructor(readonly ck: Checkpoint) {
    this.userIndex = new Map(ck.users.map((u, i) => [u, i]));
    const { dim } = ck.manifest.encoder;
    this.items = new ItemIndex(ck.scoringVectors ?? ck.itemVectors, dim);
    this.prior = popularityPrior(ck.popularity);
  }

  /** Row of `user` in the checkpoint's user tables; throws UnknownUserError. */
  userRow(user: string): number {
    const u = this.userIndex.get(user);
    if (u === undefined)
      throw new UnknownUserError(`unknown user "${user}" (the checkpoint has ${this.userIndex.size} users)`);
    return u;
  }

  /** LSTM interest vector of a stored user (from their checkpointed bucket sequence). */
  lstmVector(u: number): Float32Array {
    let v = this.lstmCache.get(u);
    if (!v) {
      const spec = this.ck.manifest.model;
      const step = spec.maxLen * spec.inputWidth;
      v = predictVectors(this.ck.model, this.ck.sequences.subarray(u * step, (u + 1) * step), 1, spec);
      if (this.lstmCache.size >= LSTM_CACHE_MAX) this.lstmCache.delete(this.lstmCache.keys().next().value!);
      this.lstmCache.set(u, v);
    }
    return v;
  }

  /** Item indices a stored user has seen. */
  seenItems(u: number): Int32Array {
    return this.ck.seen.subarray(this.ck.seenOffsets[u], this.ck.seenOffsets[u + 1]);
  }

  /** score_i = ⟨α·l/‖l‖ + (1−α)·a/‖a‖, e_i⟩ + β·prior_i for one LSTM vector l and one ARIMA vector a. */
  scoreVectors(lstm: Float32Array, arima: Float32Array, alpha: number, beta: number): Float32Array {
    const { dim } = this.ck.manifest.encoder;
    return addPrior(this.items.score(blendVectors(lstm, arima, dim, alpha), 1), this.prior, beta);
  }

  /** Top-k items by score (MMR re-ranked when diversity > 0), skipping the excluded item indices. */
  rank(scores: Float32Array, k: number, exclude?: Iterable<number>, diversity = 0): Recommendation[] {
    const top =
      diversity > 0
        ? mmr(
            topK(scores, mmrPool(k), exclude),
            scores,
            this.ck.itemVectors,
            this.ck.manifest.encoder.dim,
            k,
            diversity,
          )
        : topK(scores, k, exclude);
    return [...top].map((i) => ({
      id: this.ck.items.ids[i],
      title: this.ck.items.titles[i],
      score: scores[i],
    }));
  }

  /** Topic shares with labels, largest first (ties by topic index). */
  labelShares(shares: ArrayLike<number>): UserRecommendations['topics'] {
    return Array.from(shares, (share, topic) => ({ topic, label: this.ck.topicLabels[topic], share })).sort(
      (a, b) => b.share - a.share || a.topic - b.topic,
    );
  }

  recommend(
    user: string,
    k: number,
    opts: RankOptions & { excludeSeen?: boolean } = {},
  ): UserRecommendations {
    const u = this.userRow(user);
    const { encoder, topics } = this.ck.manifest;
    const alpha = opts.alpha ?? this.ck.manifest.blend.alpha;
    const beta = opts.beta ?? this.ck.manifest.blend.beta;
    const shares = this.ck.forecasts.subarray(u * topics.k, (u + 1) * topics.k);
    const arima = sharesToVectors(shares, topics.k, this.ck.centroids, encoder.dim);
    const scores = this.scoreVectors(this.lstmVector(u), arima, alpha, beta);
    const exclude = opts.excludeSeen === false ? undefined : this.seenItems(u);
    return {
      user,
      alpha,
      beta,
      items: this.rank(scores, k, exclude, opts.diversity),
      topics: this.labelShares(shares),
    };
  }

  dispose(): void {
    this.items.dispose();
  }
}
