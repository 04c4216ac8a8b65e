/**
 * A peer's per-user top-K lists re-scored exactly as our runs are scored.
 *
 * RecBole reports Hit/NDCG per (history → target item) case, unmasked; our runs report them per user, with
 * items the user had before the cutoff excluded. A peer's own numbers are therefore not comparable with
 * ours column by column. Given the peer's ranked lists, we apply our masking and our metric functions
 * (evaluateScorer) on the run's own test examples, so the peer gets a row in the same table as our methods.
 *
 * Dump format (tab-separated, header line required, `#` lines ignored):
 *
 *   user_id<TAB>item_ids
 *   42<TAB>318 296 593 …        (the data's own user and item ids; items best first, space-separated)
 *
 * List more than K items (K + the user's history length is safe): seen items are dropped before the top K
 * is taken, so the peer's next items move up. Items not listed are never recommended.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type LoadedConfig, loadConfig, parseConfig } from '../config/load.ts';
import { loadDatasetCached } from '../data/cache.ts';
import type { Dataset } from '../data/read.ts';
import { type EventLog, type Example, splitEvents } from '../data/split.ts';
import { env } from '../env.ts';
import { evaluateScorer, type MethodResult, type Scorer } from '../evaluate/rank.ts';
import type { RunReport } from './run-report.ts';

export const PEER_TOPK_HEADER = 'user_id\titem_ids';

/** What the re-scoring says about itself: the report prints it beside the peer's row. */
export const RECOMPUTED = 'recomputed per user with our masking and metrics';

/** User id → ranked item ids, in the dump's order. */
export function readPeerTopK(path: string): Map<string, string[]> {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines[0]?.trim() !== PEER_TOPK_HEADER)
    throw new Error(`report: ${path} must start with the header "user_id<TAB>item_ids"`);
  const lists = new Map<string, string[]>();
  lines.forEach((line, n) => {
    if (n === 0 || line.trim() === '' || line.startsWith('#')) return;
    const cells = line.split('\t');
    if (cells.length !== 2) throw new Error(`report: ${path}:${n + 1}: expected 2 tab-separated columns`);
    const user = cells[0].trim();
    if (lists.has(user)) throw new Error(`report: ${path}:${n + 1}: user ${user} is listed twice`);
    lists.set(user, cells[1].trim().split(/\s+/).filter(Boolean));
  });
  return lists;
}

export interface PeerScoring {
  result: MethodResult;
  /** Users in the dump that the data does not have. */
  unknownUsers: number;
  /** Users in the dump with no test example (not evaluated by the run either). */
  notTested: number;
  /** Test users without a list: they rank nothing and score 0. */
  missingUsers: number;
  /** Listed item ids the catalogue does not have (skipped). */
  unknownItems: number;
}

/**
 * Scores the peer's lists on `test` with our evaluation: listed items get descending scores, the rest none,
 * so after masking seen items the top K is the peer's order with seen items removed.
 */
export async function scorePeerLists(
  ds: Pick<Dataset, 'users'> & { items: Pick<Dataset['items'], 'ids'> },
  log: EventLog,
  test: readonly Example[],
  lists: ReadonlyMap<string, readonly string[]>,
  opts: { ks: readonly number[]; excludeSeen: boolean },
): Promise<PeerScoring> {
  const userIndex = new Map(ds.users.map((u, i) => [u, i]));
  const itemIndex = new Map(ds.items.ids.map((id, i) => [id, i]));
  const tested = new Set(test.map((ex) => ex.user));
  const ranked = new Map<number, Int32Array>();
  const counts = { unknownUsers: 0, notTested: 0, unknownItems: 0 };
  for (const [id, items] of lists) {
    const u = userIndex.get(id);
    if (u === undefined) counts.unknownUsers++;
    else if (!tested.has(u)) counts.notTested++;
    else {
      const known = items.map((i) => itemIndex.get(i));
      counts.unknownItems += known.filter((i) => i === undefined).length;
      ranked.set(u, Int32Array.from(known.filter((i) => i !== undefined)));
    }
  }
  const nItems = ds.items.ids.length;
  const scorer: Scorer = (examples) => {
    const out = new Float32Array(examples.length * nItems).fill(Number.NaN);
    examples.forEach((ex, r) => {
      const list = ranked.get(ex.user) ?? [];
      // A repeated item keeps its first (best) position.
      for (let j = list.length - 1; j >= 0; j--) out[r * nItems + list[j]] = list.length - j;
    });
    return out;
  };
  const result = await evaluateScorer(log, test, scorer, {
    nItems,
    ks: opts.ks,
    excludeSeen: opts.excludeSeen,
  });
  return { result, ...counts, missingUsers: tested.size - ranked.size };
}

/** The run's config: `--config` if given, else the resolved one its report recorded (paths relative to it). */
export function runConfig(run: RunReport, configPath?: string): LoadedConfig {
  if (configPath) return loadConfig(configPath);
  const path = resolve(run.config_path);
  if (run.config === undefined) return loadConfig(path);
  return {
    config: parseConfig(run.config, `${run.run_id} report.json (config)`),
    path,
    baseDir: dirname(path),
  };
}

export interface PeerOnRun extends Omit<PeerScoring, 'result'> {
  name: string;
  run: string;
  metrics: Record<string, number>;
  users: number;
  excludeSeen: boolean;
  note: string;
}

/** Re-scores the top-K dump at `path` on the test examples of `run`, reloading its data and split. */
export async function peerOnRun(
  name: string,
  path: string,
  run: RunReport,
  configPath?: string,
): Promise<PeerOnRun> {
  const lists = readPeerTopK(path);
  const { config, baseDir } = runConfig(run, configPath);
  const ds = await loadDatasetCached(config.data, baseDir, { cacheRoot: env.cacheDir });
  const fingerprint = run.dataset?.fingerprint;
  if (typeof fingerprint === 'string' && fingerprint !== ds.fingerprint)
    throw new Error(`report: the data the config names is not the data run ${run.run_id} was evaluated on`);
  const log: EventLog = { userOffsets: ds.userOffsets, item: ds.events.item, ts: ds.events.ts };
  const split = splitEvents(log, config.buckets, config.split);
  const recorded = (run.split as { examples?: { test?: number } }).examples?.test;
  if (recorded !== undefined && recorded !== split.test.length)
    throw new Error(
      `report: the config gives ${split.test.length} test examples, run ${run.run_id} recorded ${recorded}`,
    );
  const excludeSeen = config.evaluate.exclude_seen;
  const s = await scorePeerLists(ds, log, split.test, lists, { ks: config.evaluate.k, excludeSeen });
  const note =
    `${name}: ${RECOMPUTED} on the ${s.result.users} test users of run ${run.run_id} ` +
    `(seen items ${excludeSeen ? 'excluded' : 'kept'}): lists read ${lists.size}; users unknown to the data ` +
    `${s.unknownUsers}, without a test example ${s.notTested} (both ignored); test users without a list ` +
    `${s.missingUsers} (score 0); unknown item ids ${s.unknownItems} (skipped).`;
  const { result, ...counts } = s;
  return {
    name,
    run: run.run_id,
    metrics: result.metrics,
    users: result.users,
    excludeSeen,
    note,
    ...counts,
  };
}
