/**
 * How the two forecasts become one ranking. Per user and item:
 * - `log-linear` (product of experts): α·(⟨l̂, v_i⟩/τ + β·log(1+c_i)) + (1−α)·log p_topic(i | u)
 * - `mixture`: α·softmax_i(⟨l̂, v_i⟩/τ + β·log(1+c_i)) + (1−α)·p_topic(i | u)
 * - `vector` (the original): α·⟨l̂, v_i⟩ + (1−α)·⟨â, v_i⟩ + β·log(1+c_i)/log(1+max c)
 * where l̂ is the LSTM's unit forecast vector, τ its contrastive temperature, v_i the item's scoring vector,
 * p_topic the forecast topic shares × each topic's item distribution (topic-mixture.ts), â the unit
 * vector Σ_k s_k·centroid_k, and c_i the item's count known at the cutoff.
 */

import type { FeatureStore, Recency } from '../features/sequence.ts';

export const BLEND_MODES = ['log-linear', 'mixture', 'vector'] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

export interface BlendParams {
  mode: BlendMode;
  alpha: number;
  beta: number;
}

/** One user's per-item inputs (each nItems long). */
export interface BlendRow {
  lstm: Float32Array;
  vector: Float32Array;
  topic: Float32Array;
  logCount: Float32Array;
  /** 1 / log(1 + max count): scales the vector mode's prior into [0, 1]. */
  priorScale: number;
}

/** Keeps log p finite for items a topic forecast gives no mass. */
const LOG_FLOOR = 1e-30;

/**
 * A setting's per-row constants: the vector mode's prior weight and the mixture mode's softmax normaliser
 * (max and Σ_i exp(o_i − max) of the LSTM expert's logits o_i over the whole catalogue).
 */
export interface BlendConstants {
  priorWeight: number;
  max: number;
  z: number;
}

/** The LSTM expert's logit of one item as blendRow stores it (float32): ⟨l̂, v_i⟩/τ + β·log(1+c_i), 0 at α = 0. */
const logit = (p: BlendParams, tau: number, lstm: number, logCount: number) =>
  p.alpha > 0 ? Math.fround(lstm / tau + p.beta * logCount) : 0;

export function blendConstants(p: BlendParams, x: BlendRow, tau: number): BlendConstants {
  const k = { priorWeight: p.beta * x.priorScale, max: 0, z: 1 };
  if (p.mode !== 'mixture') return k;
  // One pass (online softmax): the sum is rescaled whenever a new maximum appears.
  let max = Number.NEGATIVE_INFINITY;
  let z = 0;
  for (let i = 0; i < x.lstm.length; i++) {
    const o = logit(p, tau, x.lstm[i], x.logCount[i]);
    if (o > max) {
      z = z * Math.exp(max - o) + 1;
      max = o;
    } else z += Math.exp(o - max);
  }
  return { ...k, max, z };
}

/**
 * The blend's score of one item from its inputs (lstm ⟨l̂, v_i⟩, vector ⟨â, v_i⟩, topic p_topic(i | u),
 * logCount log(1+c_i)); stored into a Float32Array it is blendRow's value bit for bit. It never decreases
 * when any input grows (α ∈ [0, 1], β ≥ 0), which is what lets evaluation bound the items it skips.
 */
export function blendValue(
  p: BlendParams,
  tau: number,
  k: BlendConstants,
  lstm: number,
  vector: number,
  topic: number,
  logCount: number,
): number {
  if (p.mode === 'vector') return vectorValue(p.alpha, k, lstm, vector, logCount);
  const o = logit(p, tau, lstm, logCount);
  if (p.mode === 'log-linear') return logLinearValue(p.alpha, o, Math.log(topic + LOG_FLOOR));
  return mixtureValue(p.alpha, k, Math.exp(o - k.max), topic);
}

// The three modes from an item's inputs and, for the two that need one, its logarithm or exponential (which
// BlendColumns computes once for many settings).
const vectorValue = (a: number, k: BlendConstants, lstm: number, vector: number, logCount: number) =>
  a * lstm + (1 - a) * vector + k.priorWeight * logCount;
const logLinearValue = (a: number, o: number, logTopic: number) => (a < 1 ? a * o + (1 - a) * logTopic : o);
const mixtureValue = (a: number, k: BlendConstants, expert: number, topic: number) =>
  (a * expert) / k.z + (1 - a) * topic;

/** Writes the blend's scores of every item into `out`. */
export function blendRow(p: BlendParams, x: BlendRow, tau: number, out: Float32Array): Float32Array {
  return blendValues(p, tau, blendConstants(p, x, tau), x, out);
}

/** blendValue of each position of the inputs into `out`, under a row's constants (blendConstants). */
export function blendValues(
  p: BlendParams,
  tau: number,
  k: BlendConstants,
  x: Pick<BlendRow, 'lstm' | 'vector' | 'topic' | 'logCount'>,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < out.length; i++)
    out[i] = blendValue(p, tau, k, x.lstm[i], x.vector[i], x.topic[i], x.logCount[i]);
  return out;
}

/**
 * One row's inputs at a few items (evaluation's candidates), scored under many settings: the logarithm of
 * each item's topic probability is taken once for every log-linear setting, and the LSTM expert's
 * exponential once per constants (a β) for every mixture setting, instead of once per setting. Each value is
 * blendValue's, bit for bit.
 */
export class BlendColumns {
  private logTopic: Float64Array | null = null;
  private readonly experts = new Map<string, Float64Array>();

  constructor(
    private readonly x: Pick<BlendRow, 'lstm' | 'vector' | 'topic' | 'logCount'>,
    private readonly tau: number,
  ) {}

  values(p: BlendParams, k: BlendConstants, out: Float32Array): Float32Array {
    const { lstm, vector, topic, logCount } = this.x;
    const a = p.alpha;
    if (p.mode === 'vector') {
      for (let i = 0; i < out.length; i++) out[i] = vectorValue(a, k, lstm[i], vector[i], logCount[i]);
    } else if (p.mode === 'log-linear') {
      const lt = this.logTopics();
      for (let i = 0; i < out.length; i++)
        out[i] = logLinearValue(a, logit(p, this.tau, lstm[i], logCount[i]), lt[i]);
    } else {
      const e = this.expert(p, k);
      for (let i = 0; i < out.length; i++) out[i] = mixtureValue(a, k, e[i], topic[i]);
    }
    return out;
  }

  private logTopics(): Float64Array {
    this.logTopic ??= Float64Array.from(this.x.topic, (t) => Math.log(t + LOG_FLOOR));
    return this.logTopic;
  }

  /** exp(o_i − max): o depends on β and on whether α > 0, max on the row's constants. */
  private expert(p: BlendParams, k: BlendConstants): Float64Array {
    const key = `${p.beta}:${p.alpha > 0}:${k.max}`;
    let e = this.experts.get(key);
    if (!e) {
      const { lstm, logCount } = this.x;
      e = Float64Array.from(lstm, (l, i) => Math.exp(logit(p, this.tau, l, logCount[i]) - k.max));
      this.experts.set(key, e);
    }
    return e;
  }
}

/**
 * The settings a validation grid tries: every mode × α × β, without the duplicates whose rankings are the
 * same by construction (α = 0 ignores β and, outside `vector`, is the topic forecast alone; at α = 1
 * `mixture` ranks as `log-linear`).
 */
export function blendGrid(
  modes: readonly BlendMode[],
  alphas: readonly number[],
  betas: readonly number[],
): BlendParams[] {
  const out: BlendParams[] = [];
  const seen = new Set<string>();
  for (const mode of modes)
    for (const alpha of alphas)
      for (const beta of betas) {
        const m = mode !== 'vector' && (alpha === 0 || alpha === 1) ? 'log-linear' : mode;
        const p = { mode: m, alpha, beta: alpha === 0 && m !== 'vector' ? 0 : beta };
        const key = blendKey(p);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(p);
      }
  return out;
}

export const blendKey = (p: BlendParams) => `${p.mode}:${p.alpha}:${p.beta}`;

/**
 * Where the blend's topic shares come from: the topic-share forecaster, the LSTM's topic head, their mean,
 * or their per-user gated mix (topic-gate.ts).
 */
export const TOPIC_SOURCES = ['forecaster', 'lstm-head', 'average', 'gated'] as const;
export type TopicSource = (typeof TOPIC_SOURCES)[number];

/**
 * The blend's topic shares (rows × k) for a source, from the forecaster's and the head's shares; `gated`
 * also needs the forecaster's weight per row (gateWeights).
 */
export function topicShares(
  source: TopicSource,
  forecast: Float32Array | null,
  head: Float32Array | null,
  weights: Float32Array | null = null,
): Float32Array {
  const need = (x: Float32Array | null, what: string) => {
    if (!x) throw new Error(`blend: topic source ${source} needs ${what}`);
    return x;
  };
  if (source === 'forecaster') return need(forecast, "the forecaster's shares");
  const h = need(head, 'the LSTM topic head (model.topic_head: true)');
  if (source === 'lstm-head') return h;
  const f = need(forecast, "the forecaster's shares");
  if (source === 'average') return f.map((x, i) => (x + h[i]) / 2);
  const w = need(weights, 'per-user gate weights');
  const k = f.length / w.length;
  return f.map((x, i) => {
    const wf = w[Math.floor(i / k)];
    return wf * x + (1 - wf) * h[i];
  });
}

/** One additive term of a blend score (see blendTerms). */
export interface BlendTerm {
  name: 'lstm' | 'popularity' | 'topic';
  values: Float32Array;
}

/**
 * The blend's score split into the additive terms blendRow sums (same order of operations, so the terms
 * add up to blendRow's output): `lstm` α·⟨l̂, v_i⟩/τ (vector: α·⟨l̂, v_i⟩; mixture: the whole LSTM expert
 * α·softmax(…), its popularity inside), `popularity` α·β·log(1+c_i) (vector: β·log(1+c_i)/log(1+max c)),
 * `topic` (1−α)·log p_topic(i | u) (mixture: (1−α)·p_topic; vector: (1−α)·⟨â, v_i⟩). Terms with zero
 * weight are left out.
 */
export function blendTerms(p: BlendParams, x: BlendRow, tau: number): BlendTerm[] {
  const { alpha: a, beta: b } = p;
  const n = x.lstm.length;
  const out: BlendTerm[] = [];
  const term = (name: BlendTerm['name'], f: (i: number) => number) =>
    out.push({ name, values: Float32Array.from({ length: n }, (_, i) => f(i)) });
  if (p.mode === 'vector') {
    if (a > 0) term('lstm', (i) => a * x.lstm[i]);
    if (a < 1) term('topic', (i) => (1 - a) * x.vector[i]);
    if (b > 0) term('popularity', (i) => b * x.priorScale * x.logCount[i]);
    return out;
  }
  if (p.mode === 'mixture') {
    const expert = new Float32Array(n);
    if (a > 0) {
      blendRow({ mode: 'mixture', alpha: 1, beta: b }, x, tau, expert);
      term('lstm', (i) => a * expert[i]);
    }
    if (a < 1) term('topic', (i) => (1 - a) * x.topic[i]);
    return out;
  }
  if (a > 0) term('lstm', (i) => a * (x.lstm[i] / tau));
  if (a > 0 && b > 0) term('popularity', (i) => a * b * x.logCount[i]);
  if (a < 1) term('topic', (i) => (1 - a) * Math.log(x.topic[i] + LOG_FLOOR));
  return out;
}

/**
 * Which term put each item where it is: the term whose value for the item stands highest above that
 * term's median over the catalogue (adding a constant to a term never changes the ranking, so each term
 * is read relative to its typical value). Returns the term name and every term's lift, per item.
 */
export function explainItems(
  terms: readonly BlendTerm[],
  items: ArrayLike<number>,
): { term: BlendTerm['name'] | 'none'; lift: Partial<Record<BlendTerm['name'], number>> }[] {
  const medians = terms.map((t) => {
    const s = Float32Array.from(t.values).sort();
    return s.length ? s[Math.floor((s.length - 1) / 2)] : 0;
  });
  return Array.from(items, (i) => {
    const lift: Partial<Record<BlendTerm['name'], number>> = {};
    let best: BlendTerm['name'] | 'none' = 'none';
    let top = Number.NEGATIVE_INFINITY;
    terms.forEach((t, j) => {
      const v = t.values[i] - medians[j];
      lift[t.name] = v;
      if (v > top) {
        top = v;
        best = t.name;
      }
    });
    return { term: best, lift };
  });
}

/**
 * The blend's topic shares combined with the recent-profile shares (rows × k each): (1 − mix)·shares +
 * mix·recent, the forecast pooled with the persistence forecast at the level of single events.
 */
export function mixRecent(shares: Float32Array, recent: Float32Array, mix: number): Float32Array {
  if (recent.length !== shares.length)
    throw new Error(`blend: ${recent.length} recent shares for ${shares.length} topic shares`);
  return mix === 0 ? shares : shares.map((s, i) => (1 - mix) * s + mix * recent[i]);
}

/** The recent profile's weight in the blend's topic shares, and which events that profile averages. */
export interface RecentMix extends Recency {
  mix: number;
}

/** mixRecent with each `{ user, end }`'s recent shares from the store (not computed when mix is 0). */
export function withRecentMix(
  shares: Float32Array,
  store: FeatureStore,
  at: readonly { user: number; end: number }[],
  recent: RecentMix,
): Float32Array {
  return recent.mix === 0 ? shares : mixRecent(shares, store.recentSharesOf(at, recent), recent.mix);
}
