import type { EventLog, Example } from '../data/split.ts';
import { activitySegments, beyondAccuracy, type Segment } from './beyond-accuracy.ts';
import { bootstrapIntervals, type PairedResult, pairedTest } from './bootstrap.ts';
import type { MethodResult } from './rank.ts';

/** Everything the report says about uncertainty and lists, computed from the evaluated methods. */
export interface MethodAnalysis {
  intervals: Record<string, Record<string, { lo: number; hi: number }>>;
  bootstrap: { samples: number; seed: number; level: number };
  paired: (PairedResult & { a: string; b: string; metric: string })[];
  /** The best of the baselines that ran, by the paired metric (what the first paired rows test against). */
  best_baseline?: string;
  beyond: Record<string, Record<string, number>>;
  segments: Record<string, Segment[]>;
}

export interface AnalysisInput {
  log: EventLog;
  examples: readonly Example[];
  nItems: number;
  ks: readonly number[];
  /** Training popularity (knownCounts on the same examples) for novelty. */
  counts: Float32Array;
  itemVectors?: Float32Array;
  dim?: number;
  samples?: number;
  seed?: number;
  level?: number;
  /** Method compared against the best of `baselines` (by `metric`, default ndcg@<first k>). */
  focus?: string;
  baselines?: readonly string[];
  metric?: string;
  /** Further [a, b] pairs to test (skipped when either method was not run or the pair was already tested). */
  pairs?: readonly (readonly [string, string])[];
}

/**
 * The ranker fed the generating process (synthetic data only), tested against the best baseline when it
 * ran: its ratio is the most any ranking can reach over that baseline.
 */
const CEILING = 'oracle';

/** The baseline with the highest mean `metric` (ties to the earlier name), or undefined if none was run. */
export function bestBaseline(
  methods: Record<string, MethodResult>,
  baselines: readonly string[],
  metric: string,
): string | undefined {
  let best: string | undefined;
  for (const b of baselines) {
    const v = methods[b]?.metrics[metric];
    if (v !== undefined && (best === undefined || v > methods[best].metrics[metric])) best = b;
  }
  return best;
}

/**
 * Intervals for every method's metrics, beyond-accuracy metrics for methods evaluated with keepLists, the
 * activity-segment breakdown, and the paired tests of `focus` (and the ceiling) against the best baseline.
 */
export function analyseMethods(methods: Record<string, MethodResult>, input: AnalysisInput): MethodAnalysis {
  const boot = { samples: input.samples ?? 1000, seed: input.seed ?? 0, level: input.level ?? 0.95 };
  const intervals: MethodAnalysis['intervals'] = {};
  const beyond: MethodAnalysis['beyond'] = {};
  const segments: MethodAnalysis['segments'] = {};
  for (const [name, r] of Object.entries(methods)) {
    const ci = bootstrapIntervals(r.perUser, boot);
    intervals[name] = Object.fromEntries(Object.entries(ci).map(([k, v]) => [k, { lo: v.lo, hi: v.hi }]));
    if (r.lists) beyond[name] = beyondAccuracy(r, input).metrics;
    if (r.rows) segments[name] = activitySegments(input.log, input.examples, r);
  }
  const metric = input.metric ?? `ndcg@${input.ks[0]}`;
  const paired: MethodAnalysis['paired'] = [];
  const focus = input.focus ?? 'blend';
  const rival = bestBaseline(methods, input.baselines ?? [], metric);
  const pairs = [
    ...(rival ? [[focus, rival] as const, [CEILING, rival] as const] : []),
    ...(input.pairs ?? []),
  ];
  const tested = new Set<string>();
  for (const [a, b] of pairs) {
    // A pair also listed as the best-baseline test is tested once.
    if (!methods[a] || !methods[b] || tested.has(`${a} vs ${b}`)) continue;
    tested.add(`${a} vs ${b}`);
    const t = pairedTest(methods[a].perUser[metric], methods[b].perUser[metric], {
      ...boot,
      randomisation: true,
    });
    paired.push({ a, b, metric, ...t });
  }
  return { intervals, bootstrap: boot, paired, beyond, segments, ...(rival && { best_baseline: rival }) };
}
