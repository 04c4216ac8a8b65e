import type { EventLog, Example } from '../data/split.ts';
import { env } from '../env.ts';
import { type ItemIndex, topK } from '../recommend/score.ts';
import { Scratch } from '../util/buffers.ts';
import { createProgress } from '../util/progress.ts';
import { hitsAt, METRICS, type MetricName } from './metrics.ts';

/**
 * Scores every catalogue item for each example: returns examples.length × nItems, row-major. `out`, when
 * given, is a zero-filled buffer of that size the scorer may fill and return instead of allocating
 * (evaluation hands each chunk the previous chunk's buffer: see util/buffers.ts).
 */
export type Scorer = (
  examples: readonly Example[],
  out?: Float32Array,
) => Float32Array | Promise<Float32Array>;

/** `out` when a caller gave one, else a fresh zero-filled buffer of `length`. */
export const scoreBuffer = (length: number, out?: Float32Array): Float32Array =>
  out ?? new Float32Array(length);

export interface RankOptions {
  nItems: number;
  ks: readonly number[];
  /** Which of METRICS to compute at each k (default all): a choice on validation reads one. */
  metrics?: readonly MetricName[];
  excludeSeen: boolean;
  /** Rows per chunk; default: as many as `matrices` rows × items float32 matrices fit in chunkBytes() (≤ 256). */
  batch?: number;
  /** Row × item matrices a chunk holds at once (default 1). */
  matrices?: number;
  /** Shows a progress bar over the examples under this name (none without). */
  label?: string;
  /** Keep each evaluated user's top max(ks) list (MethodResult.lists), for beyond-accuracy metrics. */
  keepLists?: boolean;
}

export interface MethodResult {
  /** Mean over evaluated users, keyed "ndcg@10", "recall@20", … */
  metrics: Record<string, number>;
  /** Per-user values in the same key order, for confidence intervals and paired tests. */
  perUser: Record<string, Float64Array>;
  users: number;
  /** Examples whose whole target was already seen (unrankable when seen items are excluded). */
  skipped: number;
  /** Index into `examples` of each evaluated user, in perUser order. */
  rows?: Int32Array;
  /** Top max(ks) items of each evaluated user, in perUser order (only with keepLists). */
  lists?: Int32Array[];
}

/** What every choice on validation reads (early stopping, α/β, neighbours, windows): NDCG@10 alone. */
export const SELECTION = { ks: [10], metrics: ['ndcg'] } as const satisfies Pick<
  RankOptions,
  'ks' | 'metrics'
>;

/**
 * What a chunk's row × item score matrices may take (env.chunkMb): chunks of examples are sized to it. The
 * tfjs backend holds about as much again while a chunk's products run (its wasm memory never shrinks).
 */
export const chunkBytes = () => env.chunkMb * 2 ** 20;

/** Rows per chunk so that `matrices` float32 rows × nItems matrices fit in chunkBytes() (1 to 256). */
export function chunkRows(nItems: number, matrices: number): number {
  return Math.max(1, Math.min(256, Math.floor(chunkBytes() / (4 * nItems * matrices))));
}

/** Items the user had before the example's cutoff. */
export function seenItems(log: EventLog, ex: Example): Set<number> {
  const s = new Set<number>();
  for (let i = log.userOffsets[ex.user]; i < ex.end; i++) s.add(log.item[i]);
  return s;
}

/** One method's scores for row r of the current chunk, written into `out` (nItems long). */
export interface RowScorer {
  name: string;
  fill(r: number, out: Float32Array): void;
  /** The row's top k (as topK over fill's row ranks them) when known without a whole row; null: fill. */
  top?(r: number, k: number, excluded: ReadonlySet<number> | null): Int32Array | null;
}

/** A scorer's top k of row r: its own shortcut when it has one, else its whole row ranked. */
function rankRow(s: RowScorer, r: number, k: number, excluded: Set<number> | null, row: Float32Array) {
  const top = s.top?.(r, k, excluded);
  if (top) return top;
  s.fill(r, row);
  return topK(row, k, excluded ?? undefined);
}

/**
 * Evaluates many methods in one pass over the examples: `prepare` computes whatever a chunk needs once
 * (model outputs, counts at each cutoff) and returns the methods' row scorers over it, so a grid of
 * blend settings costs one combination and one top-K per setting instead of a full re-scoring.
 */
export async function evaluateRows(
  log: EventLog,
  examples: readonly Example[],
  prepare: (chunk: readonly Example[]) => Promise<readonly RowScorer[]> | readonly RowScorer[],
  opts: RankOptions,
): Promise<Record<string, MethodResult>> {
  const maxK = Math.max(...opts.ks);
  const metrics = metricKeys(opts).map(({ key, k, m }) => ({ key, k, f: METRICS[m] }));
  const acc = new Map<string, { values: number[][]; rows: number[]; lists: Int32Array[] }>();
  let skipped = 0;
  const row = new Float32Array(opts.nItems);
  const batch = opts.batch ?? chunkRows(opts.nItems, opts.matrices ?? 1);
  const bar = opts.label ? createProgress(opts.label, examples.length) : null;
  for (let b = 0; b < examples.length; b += batch) {
    const chunk = examples.slice(b, b + batch);
    const scorers = await prepare(chunk);
    for (const s of scorers)
      if (!acc.has(s.name)) acc.set(s.name, { values: metrics.map(() => []), rows: [], lists: [] });
    chunk.forEach((ex, r) => {
      const seen = opts.excludeSeen ? seenItems(log, ex) : null;
      const relevant = new Set([...ex.target].filter((i) => !seen?.has(i)));
      if (relevant.size === 0) {
        skipped++;
        return;
      }
      for (const s of scorers) {
        const ranked = rankRow(s, r, maxK, seen, row);
        const a = acc.get(s.name)!;
        const hits = hitsAt(ranked, relevant, maxK);
        metrics.forEach((m, j) => {
          a.values[j].push(m.f(hits, Math.min(m.k, hits.length), relevant.size, m.k));
        });
        a.rows.push(b + r);
        if (opts.keepLists) a.lists.push(ranked);
      }
    });
    bar?.tick(chunk.length);
  }
  bar?.stop();
  const out: Record<string, MethodResult> = {};
  for (const [name, a] of acc) {
    const means: Record<string, number> = {};
    const perUser: Record<string, Float64Array> = {};
    metrics.forEach(({ key }, j) => {
      const v = a.values[j];
      perUser[key] = Float64Array.from(v);
      means[key] = v.length ? v.reduce((x, y) => x + y, 0) / v.length : 0;
    });
    out[name] = {
      metrics: means,
      perUser,
      users: a.rows.length,
      skipped,
      rows: Int32Array.from(a.rows),
      ...(opts.keepLists ? { lists: a.lists } : {}),
    };
  }
  return out;
}

/** A scorer from one precomputed query vector per example (examples identified by object). */
export function vectorScorer(items: ItemIndex, examples: readonly Example[], vectors: Float32Array): Scorer {
  const { dim } = items;
  const row = new Map(examples.map((ex, i) => [ex, i]));
  return (chunk, out) => {
    const q = new Float32Array(chunk.length * dim);
    chunk.forEach((ex, r) => {
      const i = row.get(ex);
      if (i === undefined) throw new Error('vectorScorer: example without a vector');
      q.set(vectors.subarray(i * dim, (i + 1) * dim), r * dim);
    });
    return items.score(q, chunk.length, out);
  };
}

/** A row scorer over a chunk × nItems score matrix: each row ranked where it lies, without a copy. */
export function matrixRowScorer(m: Float32Array, nItems: number, name: string): RowScorer {
  const rowOf = (r: number) => m.subarray(r * nItems, (r + 1) * nItems);
  return {
    name,
    fill: (r, out) => out.set(rowOf(r)),
    top: (r, k, excluded) => topK(rowOf(r), k, excluded ?? undefined),
  };
}

/**
 * Row scorers over a whole-chunk score matrix (chunk × nItems) from plain scorers, each filling its own
 * `scratch` buffer (a pass hands every chunk the same Scratch; by default the buffers are fresh).
 */
export async function matrixRows(
  scorers: Record<string, Scorer>,
  chunk: readonly Example[],
  nItems: number,
  scratch = new Scratch(),
): Promise<RowScorer[]> {
  const out: RowScorer[] = [];
  for (const [name, scorer] of Object.entries(scorers)) {
    const buffer = scratch.take(`scorer:${name}`, chunk.length * nItems).fill(0);
    out.push(matrixRowScorer(await scorer(chunk, buffer), nItems, name));
  }
  return out;
}

export async function evaluateScorer(
  log: EventLog,
  examples: readonly Example[],
  scorer: Scorer,
  opts: RankOptions,
): Promise<MethodResult> {
  const scratch = new Scratch();
  const r = await evaluateRows(
    log,
    examples,
    (chunk) => matrixRows({ m: scorer }, chunk, opts.nItems, scratch),
    opts,
  );
  return r.m ?? emptyResult(opts, examples.length);
}

/** The "ndcg@10"-style keys a pass computes, with their k and metric, in result order. */
function metricKeys(opts: Pick<RankOptions, 'ks' | 'metrics'>) {
  const names = opts.metrics ?? (Object.keys(METRICS) as MetricName[]);
  return opts.ks.flatMap((k) => names.map((m) => ({ key: `${m}@${k}`, k, m })));
}

/** No example had a rankable target. */
function emptyResult(opts: RankOptions, skipped: number): MethodResult {
  const keys = metricKeys(opts).map(({ key }) => key);
  return {
    metrics: Object.fromEntries(keys.map((key) => [key, 0])),
    perUser: Object.fromEntries(keys.map((key) => [key, new Float64Array(0)])),
    users: 0,
    skipped,
    rows: new Int32Array(0),
    ...(opts.keepLists ? { lists: [] } : {}),
  };
}
