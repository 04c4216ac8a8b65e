/**
 * RecBole atomic files for a side-by-side run on exactly our data and split.
 *
 * `interest-evo data export-recbole --config C --out recbole/NAME` writes recbole/NAME/NAME.{inter,item},
 * the pre-split NAME.{train,valid,test}.inter and NAME.yaml (data_path, benchmark_filename, load_col,
 * alias_of_item_id, MAX_ITEM_LIST_LENGTH, full-ranking Hit/NDCG@10). Then, with RecBole 1.2 installed:
 *
 *   python -c "from recbole.quick_start import run_recbole; \
 *     run_recbole(model='SASRec', dataset='NAME', config_file_list=['recbole/NAME/NAME.yaml'])"
 *
 * Each pre-split row is one (history → target item) case scored against all items, so RecBole's Hit@10 is
 * our per-target hit rate. RecBole's own leave-one-out needs NAME.inter without benchmark_filename.
 * With `excludeSeen` (the config's evaluate.exclude_seen) the valid and test files leave out targets the
 * user had before the cutoff, as our evaluation does; training targets are all kept, as our training keeps
 * them. Histories longer than `maxHistory` are cut, and the result counts how many were.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { seenItems } from '../evaluate/rank.ts';
import type { Dataset } from './read.ts';
import type { Example } from './split.ts';

export interface RecboleSplit {
  train: readonly Example[];
  valid: readonly Example[];
  test: readonly Example[];
}

export interface RecboleExportOptions {
  /** Most recent events kept in a history (RecBole's MAX_ITEM_LIST_LENGTH). */
  maxHistory?: number;
  /** Leave out valid/test targets the user had before the cutoff (our evaluate.exclude_seen). */
  excludeSeen?: boolean;
}

export interface RecboleExport {
  name: string;
  dir: string;
  /** Rows written per file name. */
  rows: Record<string, number>;
  /** Examples dropped because the user had no history before the cutoff. */
  skippedEmptyHistory: number;
  excludeSeen: boolean;
  /** Valid/test target rows left out because the user had the item before the cutoff. */
  seenTargetsDropped: number;
  /** Valid/test examples left out because their whole target was already seen. */
  seenExamplesDropped: number;
  maxHistory: number;
  /** Exported examples whose history was longer than maxHistory and was cut to its last maxHistory events. */
  historiesCut: number;
  /** Exported examples (all parts). */
  historiesExported: number;
}

const MAX_EXACT_FLOAT32 = 2 ** 24;

/** RecBole splits token_seq fields on spaces and rows on tabs/newlines: ids must not contain any. */
function token(id: string, what: string): string {
  if (/\s/.test(id) || id === '')
    throw new Error(`export-recbole: ${what} id ${JSON.stringify(id)} contains whitespace`);
  return id;
}

/** Free text as a token_seq: whitespace runs become single spaces. */
const words = (s: string) => s.replace(/\s+/g, ' ').trim();

/** 1-based dense rank of each timestamp: float32 holds integers up to 2^24 exactly, unix seconds it does not. */
export function denseTimeRank(ts: Float64Array): Int32Array {
  const distinct = Float64Array.from(new Set(ts)).sort();
  if (distinct.length > MAX_EXACT_FLOAT32)
    throw new Error(`export-recbole: ${distinct.length} distinct timestamps exceed float32's exact range`);
  const out = new Int32Array(ts.length);
  for (let k = 0; k < ts.length; k++) {
    let lo = 0;
    let hi = distinct.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid] < ts[k]) lo = mid + 1;
      else hi = mid;
    }
    out[k] = lo + 1;
  }
  return out;
}

/** The RecBole config for the pre-split files (sequential models, full ranking, HR/NDCG@10). */
export function recboleYaml(name: string, dataPath: string, maxHistory: number): string {
  return `# RecBole 1.2 config for ${name}, written by interest-evo data export-recbole.
data_path: ${JSON.stringify(dataPath)}
dataset: ${name}
benchmark_filename: [train, valid, test]
USER_ID_FIELD: user_id
ITEM_ID_FIELD: item_id
load_col: { inter: [user_id, item_id_list, item_id] }
alias_of_item_id: [item_id_list]
MAX_ITEM_LIST_LENGTH: ${maxHistory}
eval_args: { order: TO, group_by: user, mode: full }
metrics: [Hit, NDCG]
topk: [10, 20]
valid_metric: NDCG@10
`;
}

/**
 * Writes NAME.inter, NAME.item, NAME.{train,valid,test}.inter and NAME.yaml into `dir`, which must exist.
 * RecBole reads `<data_path>/NAME/NAME.*`, so NAME is the basename of `finalDir` (default `dir`); pass
 * `finalDir` when writing into a temporary folder that is renamed into place afterwards.
 */
export function writeRecbole(
  ds: Dataset,
  split: RecboleSplit,
  dir: string,
  opts: RecboleExportOptions & { finalDir?: string } = {},
): RecboleExport {
  const finalDir = resolve(opts.finalDir ?? dir);
  const name = basename(finalDir);
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`export-recbole: folder name "${name}" must be letters, digits, _ . -`);
  const maxHistory = opts.maxHistory ?? 50;
  const e = ds.events;
  const users = ds.users.map((u) => token(u, 'user'));
  const items = ds.items.ids.map((i) => token(i, 'item'));
  const rows: Record<string, number> = {};
  const write = (file: string, header: string, lines: string[]) => {
    writeFileSync(join(dir, file), `${header}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    rows[file] = lines.length;
  };

  const rank = denseTimeRank(e.ts);
  const inter: string[] = new Array(e.n);
  for (let u = 0; u < users.length; u++)
    for (let k = ds.userOffsets[u]; k < ds.userOffsets[u + 1]; k++)
      inter[k] = `${users[u]}\t${items[e.item[k]]}\t${e.weight[k]}\t${rank[k]}`;
  write(`${name}.inter`, 'user_id:token\titem_id:token\trating:float\ttimestamp:float', inter);

  const itemLines = items.map(
    (id, j) =>
      `${id}\t${words(ds.items.titles[j])}\t${ds.items.categories[j].map((c) => c.replace(/\s+/g, '_')).join(' ')}`,
  );
  write(`${name}.item`, 'item_id:token\ttitle:token_seq\tgenre:token_seq', itemLines);

  const log = { userOffsets: ds.userOffsets, item: e.item, ts: e.ts };
  const counts = { skipped: 0, seenTargets: 0, seenExamples: 0, cut: 0, exported: 0 };
  for (const part of ['train', 'valid', 'test'] as const) {
    const lines: string[] = [];
    for (const ex of split[part]) {
      const start = ds.userOffsets[ex.user];
      if (ex.end <= start) {
        counts.skipped++;
        continue;
      }
      const seen = opts.excludeSeen && part !== 'train' ? seenItems(log, ex) : null;
      const targets = seen ? ex.target.filter((t) => !seen.has(t)) : ex.target;
      counts.seenTargets += ex.target.length - targets.length;
      if (targets.length === 0) {
        counts.seenExamples++;
        continue;
      }
      const from = Math.max(start, ex.end - maxHistory);
      counts.exported++;
      if (from > start) counts.cut++;
      const history = Array.from(e.item.subarray(from, ex.end), (i) => items[i]).join(' ');
      for (const t of targets) lines.push(`${users[ex.user]}\t${history}\t${items[t]}`);
    }
    write(`${name}.${part}.inter`, 'user_id:token\titem_id_list:token_seq\titem_id:token', lines);
  }
  writeFileSync(join(dir, `${name}.yaml`), recboleYaml(name, dirname(finalDir), maxHistory));
  return {
    name,
    dir: finalDir,
    rows,
    skippedEmptyHistory: counts.skipped,
    excludeSeen: opts.excludeSeen ?? false,
    seenTargetsDropped: counts.seenTargets,
    seenExamplesDropped: counts.seenExamples,
    maxHistory,
    historiesCut: counts.cut,
    historiesExported: counts.exported,
  };
}
