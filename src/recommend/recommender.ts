import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load.ts';
import { sharesToVectors } from '../forecast/examples.ts';
import { predictVectors } from '../model/lstm.ts';
import { addPrior, blendVectors, popularityPrior, scoreAll, topK } from './score.ts';

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

export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
}

/** Recommends from a checkpoint alone, with the same vector maths (blend → score → top-K) as evaluation. */
export class Recommender {
  private readonly userIndex: Map<string, number>;
  private readonly items: tf.Tensor2D;
  private readonly prior: Float32Array;

  constructor(readonly ck: Checkpoint) {
    this.userIndex = new Map(ck.users.map((u, i) => [u, i]));
    const { dim } = ck.manifest.encoder;
    this.items = tf.tensor2d(ck.itemVectors, [ck.items.ids.length, dim]);
    this.prior = popularityPrior(ck.popularity);
  }

  recommend(
    user: string,
    k: number,
    opts: { excludeSeen?: boolean; alpha?: number; beta?: number } = {},
  ): UserRecommendations {
    const u = this.userIndex.get(user);
    if (u === undefined)
      throw new UnknownUserError(`unknown user "${user}" (the checkpoint has ${this.userIndex.size} users)`);
    const { model: spec, encoder, topics } = this.ck.manifest;
    const alpha = opts.alpha ?? this.ck.manifest.blend.alpha;
    const beta = opts.beta ?? this.ck.manifest.blend.beta;
    const step = spec.maxLen * spec.inputWidth;
    const lstm = predictVectors(this.ck.model, this.ck.sequences.subarray(u * step, (u + 1) * step), 1, spec);
    const shares = this.ck.forecasts.subarray(u * topics.k, (u + 1) * topics.k);
    const arima = sharesToVectors(shares, topics.k, this.ck.centroids, encoder.dim);
    const scores = addPrior(
      scoreAll(this.items, blendVectors(lstm, arima, encoder.dim, alpha), 1),
      this.prior,
      beta,
    );
    const seen = new Set(this.ck.seen.subarray(this.ck.seenOffsets[u], this.ck.seenOffsets[u + 1]));
    const top = topK(scores, k, opts.excludeSeen === false ? undefined : (i) => seen.has(i));
    return {
      user,
      alpha,
      beta,
      items: [...top].map((i) => ({
        id: this.ck.items.ids[i],
        title: this.ck.items.titles[i],
        score: scores[i],
      })),
      topics: [...shares]
        .map((share, topic) => ({ topic, label: this.ck.topicLabels[topic], share }))
        .sort((a, b) => b.share - a.share || a.topic - b.topic),
    };
  }

  dispose(): void {
    this.items.dispose();
  }
}
