import type { Config } from '../config/schema.ts';
import type { EventLog, Example } from '../data/split.ts';
import { labelSegments, TERCILES, tercileOf } from '../evaluate/beyond-accuracy.ts';
import {
  bucketRows,
  chooseSampleUsers,
  consecutiveJsd,
  foldShares,
  histogram,
  quantiles,
  topTopics,
} from '../evaluate/drift.ts';
import { jsDivergence } from '../evaluate/forecast-error.ts';
import type { MethodResult } from '../evaluate/rank.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { targetShares } from '../model/train.ts';
import { type BlendTerm, blendTerms, explainItems } from '../recommend/blend.ts';
import type { RecommendedItem, SampleTrajectory } from '../report/charts.ts';
import type { DriftSegment, DriftSeries, EvolutionReport } from '../report/evolution.ts';
import { dominantTopic } from '../topics/kmeans.ts';
import { type AppliedBlend, blendRowsOf, type Evaluation, type ModelParts } from './evaluate.ts';

/** Topics shown per sample user (the rest summed as "other"), and items listed. */
const SHOWN_TOPICS = 4;
const LISTED = 10;

export interface EvolutionInput {
  /** The test examples the methods were evaluated on. */
  examples: readonly Example[];
  /** Evaluated methods with rows, perUser values and (for `method`) lists. */
  methods: Record<string, MethodResult>;
  store: FeatureStore;
  labels: readonly string[];
  /** Next-bucket forecasts per example (rows × k, examples' order); the first one is the configured forecaster. */
  forecasts: { model: string; shares: Float32Array }[];
  /** Generating next-bucket shares per example in the learned topics (synthetic data). */
  truth?: Float32Array | null;
  itemNames: readonly string[];
  /** Each user's id as the report shows it (default: the user index). */
  userIds?: readonly string[];
  /** The per-user metric of the rule and the terciles (default ndcg@10). */
  metric?: string;
  /** The method whose lists are explained, and the one its per-user difference is taken against. */
  method?: string;
  reference?: string;
  /** The blend's terms per example (blendTerms), to say which one put each item in the list. */
  terms?: (examples: readonly Example[]) => Promise<BlendTerm[][]>;
}

/**
 * The interest-evolution data of a run: per evaluated test user the JSD between consecutive history
 * buckets, between the last bucket and the observed next one and each forecast of it; the sample users
 * by the stated rule with their folded trajectories and explained top 10; metrics by recent-drift tercile.
 */
export async function interestEvolution(
  input: EvolutionInput,
): Promise<{ samples: SampleTrajectory[]; evolution: EvolutionReport }> {
  const { examples, methods, store, labels } = input;
  const metric = input.metric ?? 'ndcg@10';
  const method = input.method ?? 'blend';
  const reference = input.reference ?? 'blend_no_forecast';
  const main = methods[method];
  if (!main?.rows) throw new Error(`evolution: method ${method} has no per-user rows`);
  const rows = main.rows;
  const k = store.src.k;
  const observedAll = targetShares(store, examples);
  const at = (a: Float32Array, r: number) => a.subarray(r * k, (r + 1) * k);

  const consecutive: number[] = [];
  const recent = new Float64Array(rows.length);
  const moved: Record<string, number[]> = {};
  const push = (series: string, v: number) => {
    moved[series] ??= [];
    moved[series].push(v);
  };
  const histories = Array.from(rows, (r, j) => {
    const ex = examples[r];
    const h = bucketRows(store.topicSeries(ex.user, ex.end));
    const steps = consecutiveJsd(h);
    consecutive.push(...steps);
    // A user with one history bucket has shown no movement yet.
    recent[j] = steps.at(-1) ?? 0;
    const last = h.at(-1);
    if (last) {
      push('observed next vs last bucket', jsDivergence(at(observedAll, r), last));
      for (const f of input.forecasts)
        push(`${f.model} forecast vs last bucket`, jsDivergence(at(f.shares, r), last));
      if (input.truth) push('truth vs last bucket', jsDivergence(at(input.truth, r), last));
    }
    return h;
  });
  const drift: DriftSeries[] = [
    { series: 'consecutive history buckets', ...quantiles(consecutive) },
    { series: 'last two history buckets', ...quantiles(recent) },
    ...Object.entries(moved).map(([series, v]) => ({ series, ...quantiles(v) })),
  ].filter((d) => d.n > 0);
  const top = Math.max(
    0.05,
    Math.ceil(20 * Math.max(0, ...consecutive, ...(moved['observed next vs last bucket'] ?? []))) / 20,
  );
  const hist = [
    ...histogram(consecutive, 10, top).map((b) => ({ series: 'consecutive history buckets', ...b })),
    ...histogram(moved['observed next vs last bucket'] ?? [], 10, top).map((b) => ({
      series: 'observed next vs last bucket',
      ...b,
    })),
  ];

  // Metrics by recent-drift tercile, for every method evaluated on the same users.
  const segmentOf = tercileOf(recent);
  const driftOf = new Map(Array.from(rows, (r, j) => [examples[r], recent[j]]));
  const byDrift: Record<string, DriftSegment[]> = {};
  for (const [name, m] of Object.entries(methods)) {
    if (!m.rows) continue;
    const segs = labelSegments(examples, m, (ex) => TERCILES[segmentOf(driftOf.get(ex) ?? 0)]);
    byDrift[name] = TERCILES.map((name) => {
      const s = segs.find((x) => x.name === name);
      const members = [...driftOf.values()].filter((d) => TERCILES[segmentOf(d)] === name);
      return {
        name,
        users: s?.users ?? 0,
        // An empty tercile (values repeat at a cut) reports the range 0–0 and no users.
        minDrift: members.length ? Math.min(...members) : 0,
        maxDrift: members.length ? Math.max(...members) : 0,
        metrics: s?.metrics ?? {},
      };
    });
  }

  // The sample users.
  const mine = main.perUser[metric];
  const theirs = methods[reference]?.perUser[metric];
  if (!mine) throw new Error(`evolution: ${method} has no per-user ${metric}`);
  const delta = Float64Array.from(mine, (v, j) => v - (theirs?.[j] ?? 0));
  const change = Array.from(rows, (r, j) => {
    const last = histories[j].at(-1);
    const f = input.forecasts[0];
    return last && f ? jsDivergence(at(f.shares, r), last) : 0;
  });
  const chosen = chooseSampleUsers(delta, change);
  const chosenExamples = chosen.map((c) => examples[rows[c.index]]);
  const terms = input.terms ? await input.terms(chosenExamples) : null;
  const topicOfItem = (i: number) => {
    const best = dominantTopic(store.src.itemShares, k, i);
    return labels[best] ?? String(best);
  };
  const samples = chosen.map(({ index: j, reason }, s): SampleTrajectory => {
    const r = rows[j];
    const ex = examples[r];
    const keep = topTopics(histories[j], SHOWN_TOPICS);
    const fold = (v: ArrayLike<number>) => foldShares(v, keep);
    const list = Array.from(main.lists?.[j] ?? []).slice(0, LISTED);
    const why = terms ? explainItems(terms[s], list) : null;
    const target = new Set(ex.target);
    const recommended: RecommendedItem[] = list.map((item, n) => ({
      rank: n + 1,
      item: String(item),
      title: input.itemNames[item] ?? String(item),
      topic: topicOfItem(item),
      term: why?.[n].term ?? 'none',
      lift: why?.[n].lift ?? {},
      hit: target.has(item),
    }));
    return {
      user: userLabel(ex),
      reason: `${reason}: Δ${metric} ${method} − ${reference} = ${delta[j].toFixed(4)}, forecast change (JSD vs last bucket) ${change[j].toFixed(4)}`,
      labels: [...distinctLabels(keep, labels), ...(keep.length < k ? ['other'] : [])],
      history: histories[j].map(fold),
      forecasts: input.forecasts.map((f) => ({ model: f.model, shares: fold(at(f.shares, r)) })),
      observed: fold(at(observedAll, r)),
      ...(input.truth ? { truth: fold(at(input.truth, r)) } : {}),
      metrics: {
        [`${metric} ${method}`]: mine[j],
        ...(theirs ? { [`${metric} ${reference}`]: theirs[j] } : {}),
      },
      drift: recent[j],
      recommended,
    };
  });
  return {
    samples,
    evolution: {
      rule:
        `among the ${rows.length} evaluated test users, the median user by the paired per-user difference ${metric} ${method} − ${reference} ` +
        '(what the topic forecast adds), the user it helped most and the one it hurt most, and the user whose configured forecast moves farthest ' +
        "from their last history bucket (JSD); ties go to the earlier test example, and a user already shown is replaced by the next in that criterion's order. " +
        `Each panel shows the user's ${SHOWN_TOPICS} largest topics over their history (the rest as "other"; every bucket sums to 1). ` +
        `"Put there by": the term of the ${method} score (LSTM, popularity, topic mixture) that lifts the item most above that term's median over the catalogue.`,
      metric,
      users: rows.length,
      drift,
      histogram: hist,
      by_drift: byDrift,
    },
  };

  function userLabel(ex: Example): string | number {
    return input.userIds?.[ex.user] ?? ex.user;
  }
}

/** The run's interest-evolution data from its evaluation (what runTraining calls, in one line). */
export function evolutionOfRun(
  cfg: Config,
  log: EventLog,
  parts: ModelParts,
  test: readonly Example[],
  blend: AppliedBlend,
  evaluation: Evaluation,
  names: { users: readonly string[]; items: { ids: readonly string[]; titles?: readonly string[] } },
): Promise<{ samples: SampleTrajectory[]; evolution: EvolutionReport }> {
  const { forecast, lstmHead, truth } = evaluation.shares;
  const params = { mode: blend.mode, alpha: blend.alpha, beta: blend.beta };
  return interestEvolution({
    examples: test,
    methods: evaluation.methods,
    store: parts.store,
    labels: parts.topics.labels,
    forecasts: [
      { model: cfg.forecast.model, shares: forecast },
      ...(lstmHead ? [{ model: 'lstm topic head', shares: lstmHead }] : []),
    ],
    truth,
    itemNames: names.items.ids.map((id, i) => names.items.titles?.[i] || id),
    userIds: names.users,
    metric: cfg.evaluate.k.includes(10) ? 'ndcg@10' : `ndcg@${cfg.evaluate.k[0]}`,
    terms: async (examples) =>
      (await blendRowsOf(cfg, log, parts, examples, blend)).map((row) =>
        blendTerms(params, row, parts.temperature),
      ),
  });
}

/**
 * The kept topics' labels, a repeated one suffixed with its topic number: k-means often splits one genre in
 * two clusters with the same label, and a chart keyed by label would draw both as one zig-zag line.
 */
export function distinctLabels(topics: readonly number[], labels: readonly string[]): string[] {
  const names = topics.map((c) => labels[c] ?? String(c));
  return names.map((n, i) => (names.indexOf(n) === names.lastIndexOf(n) ? n : `${n} #${topics[i]}`));
}
