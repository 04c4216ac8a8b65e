import type { EventLog, Example } from '../data/split.ts';
import { normalizeRows, type SparseRows, sparseDot, sparseRows } from '../util/vec.ts';
import type { MethodResult } from './rank.ts';

/**
 * Metrics of the recommended lists themselves (not of their hits): catalogue coverage, novelty and
 * intra-list diversity, plus accuracy broken down by how much history each user had.
 */

/** Fraction of the catalogue that appears in at least one user's top K. */
export function coverage(lists: readonly ArrayLike<number>[], k: number, nItems: number): number {
  const seen = new Uint8Array(nItems);
  let distinct = 0;
  for (const l of lists)
    for (let r = 0; r < Math.min(k, l.length); r++)
      if (!seen[l[r]]) {
        seen[l[r]] = 1;
        distinct++;
      }
  return nItems ? distinct / nItems : 0;
}

/**
 * Self-information −log2 p(i) of each item, p from training popularity with add-one smoothing so items
 * never seen in training stay finite (they are the most novel).
 */
export function selfInformation(counts: Float32Array): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  const denom = total + counts.length;
  return Float64Array.from(counts, (c) => -Math.log2((c + 1) / denom));
}

/** Per-user mean self-information of the top K. */
export function novelty(lists: readonly ArrayLike<number>[], k: number, info: Float64Array): Float64Array {
  return Float64Array.from(lists, (l) => {
    const m = Math.min(k, l.length);
    let s = 0;
    for (let r = 0; r < m; r++) s += info[l[r]];
    return m ? s / m : 0;
  });
}

/** Per-user mean pairwise (1 − cos) among the top K; `unitVectors` rows must be L2-normalised. */
export function intraListDiversity(
  lists: readonly ArrayLike<number>[],
  k: number,
  unitVectors: Float32Array,
  dim: number,
): Float64Array {
  const sparse = sparseOf(unitVectors, dim);
  return Float64Array.from(lists, (l) => {
    const m = Math.min(k, l.length);
    if (m < 2) return 0;
    let s = 0;
    for (let a = 0; a < m; a++)
      for (let b = a + 1; b < m; b++) s += 1 - sparseDot(sparse, l[a], unitVectors, l[b] * dim);
    return s / ((m * (m - 1)) / 2);
  });
}

/** Unit item vectors and their nonzeros, once per catalogue (every method's lists read the same). */
const unitCache = new WeakMap<Float32Array, { unit: Float32Array; sparse: SparseRows }>();

function unitOf(itemVectors: Float32Array, dim: number) {
  let u = unitCache.get(itemVectors);
  if (!u) {
    const unit = normalizeRows(Float32Array.from(itemVectors), dim);
    u = { unit, sparse: sparseRows(unit, dim) };
    unitCache.set(itemVectors, u);
    unitCache.set(unit, u);
  }
  return u;
}

const sparseOf = (unitVectors: Float32Array, dim: number) =>
  unitCache.get(unitVectors)?.sparse ?? sparseRows(unitVectors, dim);

export interface BeyondAccuracyInput {
  nItems: number;
  ks: readonly number[];
  /** Training popularity (e.g. knownCounts) for novelty. */
  counts: Float32Array;
  /** Item vectors (nItems × dim) for diversity; omitted → no diversity. */
  itemVectors?: Float32Array;
  dim?: number;
}

export interface BeyondAccuracy {
  /** "coverage@10", "novelty@10", "ild@10", … (means over users for novelty and ILD). */
  metrics: Record<string, number>;
  /** Per-user novelty and ILD in the method's perUser order, for intervals. */
  perUser: Record<string, Float64Array>;
}

/** Beyond-accuracy metrics of one method's lists (evaluateScorer with keepLists). */
export function beyondAccuracy(result: MethodResult, input: BeyondAccuracyInput): BeyondAccuracy {
  const lists = result.lists;
  if (!lists) throw new Error('beyond-accuracy: the method was evaluated without keepLists');
  const info = selfInformation(input.counts);
  const unit = input.itemVectors && input.dim ? unitOf(input.itemVectors, input.dim).unit : null;
  const metrics: Record<string, number> = {};
  const perUser: Record<string, Float64Array> = {};
  const avg = (v: Float64Array) => (v.length ? v.reduce((a, x) => a + x, 0) / v.length : 0);
  for (const k of input.ks) {
    metrics[`coverage@${k}`] = coverage(lists, k, input.nItems);
    perUser[`novelty@${k}`] = novelty(lists, k, info);
    metrics[`novelty@${k}`] = avg(perUser[`novelty@${k}`]);
    if (unit && input.dim) {
      perUser[`ild@${k}`] = intraListDiversity(lists, k, unit, input.dim);
      metrics[`ild@${k}`] = avg(perUser[`ild@${k}`]);
    }
  }
  return { metrics, perUser };
}

export interface Segment {
  name: 'low' | 'mid' | 'high';
  /** History length range (events before the example's end) of the users in the segment. */
  minHistory: number;
  maxHistory: number;
  users: number;
  metrics: Record<string, number>;
}

/** Mean of every metric over users grouped by a label (e.g. a synthetic user's planted drift pattern). */
export function labelSegments(
  examples: readonly Example[],
  result: MethodResult,
  labelOf: (ex: Example) => string,
): { name: string; users: number; metrics: Record<string, number> }[] {
  const rows = result.rows;
  if (!rows) throw new Error('segments: the method result has no rows (evaluate with the current rank.ts)');
  const groups = new Map<string, number[]>();
  rows.forEach((r, j) => {
    const name = labelOf(examples[r]);
    const members = groups.get(name);
    if (members) members.push(j);
    else groups.set(name, [j]);
  });
  return [...groups.keys()].sort().map((name) => {
    const members = groups.get(name) as number[];
    const metrics: Record<string, number> = {};
    for (const [key, v] of Object.entries(result.perUser))
      metrics[key] = members.reduce((a, j) => a + v[j], 0) / members.length;
    return { name, users: members.length, metrics };
  });
}

export const TERCILES = ['low', 'mid', 'high'] as const;

/**
 * The tercile (0 low, 1 mid, 2 high) of a value among `values`, cut at their 1/3 and 2/3 quantiles by value
 * (equal values stay together, so a tercile may be empty when values repeat a lot).
 */
export function tercileOf(values: ArrayLike<number>): (x: number) => 0 | 1 | 2 {
  const sorted = Float64Array.from(values).sort();
  const q1 = sorted[Math.floor(sorted.length / 3)] ?? 0;
  const q2 = sorted[Math.floor((2 * sorted.length) / 3)] ?? 0;
  return (x) => (x < q1 ? 0 : x < q2 ? 1 : 2);
}

/**
 * Accuracy by user-activity tercile: users are split by history length at its 1/3 and 2/3 quantiles
 * (by value, so equal lengths stay together; a segment may be empty when lengths repeat a lot).
 */
export function activitySegments(
  log: EventLog,
  examples: readonly Example[],
  result: MethodResult,
): Segment[] {
  const rows = result.rows;
  if (!rows) throw new Error('segments: the method result has no rows (evaluate with the current rank.ts)');
  const len = Float64Array.from(rows, (r) => examples[r].end - log.userOffsets[examples[r].user]);
  const segmentOf = tercileOf(len);
  return TERCILES.map((name, s) => {
    const members = [...len.keys()].filter((u) => segmentOf(len[u]) === s);
    const lens = members.map((u) => len[u]);
    const [minHistory, maxHistory] = lens.reduce(
      ([lo, hi], x) => [Math.min(lo, x), Math.max(hi, x)],
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    );
    const metrics: Record<string, number> = {};
    for (const [key, v] of Object.entries(result.perUser))
      metrics[key] = members.length ? members.reduce((a, u) => a + v[u], 0) / members.length : Number.NaN;
    return {
      name,
      minHistory: lens.length ? minHistory : Number.NaN,
      maxHistory: lens.length ? maxHistory : Number.NaN,
      users: members.length,
      metrics,
    };
  });
}
