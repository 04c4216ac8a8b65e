/**
 * Prepared-data cache: a loaded Dataset stored under `<cacheRoot>/<key>/` (events as Parquet, the rest as
 * JSON) so a rerun with the same inputs skips parsing and validation. The key covers the data config, each
 * input file's path, size and mtime (mtime also matters to validation: `now` defaults to it) and the loader's
 * own source code, so any edit of the inputs, the config or the loader prepares the data again.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataConfig } from '../config/data.ts';
import { withDuck } from '../util/duck.ts';
import { LITTLE_ENDIAN_HOST, writeDirAtomically } from '../util/fs.ts';
import { stableJson } from '../util/hash.ts';
import { streamColumns } from './columns.ts';
import type { EventsTable } from './events.ts';
import { type Dataset, loadDataset } from './read.ts';
import { sqlStr } from './source.ts';

export interface CacheOptions {
  /** Default `data/cache` (relative to the working directory). */
  cacheRoot?: string;
  /** Also copy quarantine.jsonl here (e.g. a run's report folder); the returned path then points here. */
  quarantineDir?: string;
}

export interface CachedDataset extends Dataset {
  cache: { dir: string; hit: boolean; key: string };
}

/** Bump when the stored layout changes. */
const LAYOUT = 1;
// Every file of the loader: an edit of any of them prepares the data again.
const LOADER_FILES = [
  'read.ts',
  'source.ts',
  'checks.ts',
  'time.ts',
  'lookups.ts',
  'items.ts',
  'item-text.ts',
  'events.ts',
  'filters.ts',
  'extra-text.ts',
  'stats.ts',
  'quarantine.ts',
  'columns.ts',
  'cache.ts',
];

/** Every file the data config reads, by config label. */
export function dataFiles(cfg: DataConfig): [label: string, path: string][] {
  const out: [string, string][] = [
    ['events', cfg.events.path],
    ['items', cfg.items.path],
  ];
  if (cfg.extra_item_text) out.push(['extra_item_text', cfg.extra_item_text.path]);
  for (const [name, spec] of Object.entries(cfg.lookups)) out.push([`lookups.${name}`, spec.path]);
  return out;
}

/** The cache key, or null when an input file is missing (then loadDataset reports it). */
export function cacheKey(cfg: DataConfig, baseDir: string): string | null {
  const files: unknown[] = [];
  for (const [label, path] of dataFiles(cfg)) {
    const abs = resolve(baseDir, path);
    if (!existsSync(abs)) return null;
    const st = statSync(abs);
    files.push([label, abs, st.size, st.mtimeMs]);
  }
  const code = LOADER_FILES.map((f) => readFileSync(new URL(`./${f}`, import.meta.url), 'utf8'));
  return createHash('sha256')
    .update(stableJson({ layout: LAYOUT, data: cfg, files, code }))
    .digest('hex')
    .slice(0, 24);
}

interface Meta {
  layout: number;
  users: string[];
  items: Dataset['items'];
  stats: Dataset['stats'];
  fingerprint: string;
  n: number;
  hasText: boolean;
  quarantine: boolean;
}

/** Reads the Parquet events chunk by chunk straight into typed arrays. */
async function readEvents(path: string, n: number, hasText: boolean): Promise<EventsTable> {
  const e: EventsTable = {
    n,
    user: new Int32Array(n),
    item: new Int32Array(n),
    ts: new Float64Array(n),
    weight: new Float32Array(n),
    line: new Int32Array(n),
    text: hasText ? new Array<string | null>(n) : null,
  };
  const cols = `user_idx, item_idx, ts, weight, line${hasText ? ', text' : ''}`;
  // A plain Parquet scan keeps the file's row order (preserve_insertion_order is on by default).
  const read = await withDuck((con) =>
    streamColumns(con, `SELECT ${cols} FROM read_parquet(${sqlStr(path)})`, [
      e.user,
      e.item,
      e.ts,
      e.weight,
      e.line,
      ...(e.text ? [e.text] : []),
    ]),
  );
  if (read !== n) throw new Error(`data cache ${path}: expected ${n} events, read ${read}`);
  return e;
}

/** Little-endian column files of the prepared events (a warm read is a few file reads, no decoding). */
const COLUMNS = ['user', 'item', 'ts', 'weight', 'line'] as const;

function writeColumns(dir: string, e: EventsTable): void {
  if (!LITTLE_ENDIAN_HOST) return;
  for (const c of COLUMNS)
    writeFileSync(
      join(dir, `events.${c}.bin`),
      new Uint8Array(e[c].buffer, e[c].byteOffset, e[c].byteLength),
    );
  if (e.text) writeFileSync(join(dir, 'events.text.json'), JSON.stringify(e.text));
}

function readColumns(dir: string, n: number, hasText: boolean): EventsTable | null {
  if (!LITTLE_ENDIAN_HOST) return null;
  try {
    const bytes = (c: string) => {
      const b = readFileSync(join(dir, `events.${c}.bin`));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    };
    const e: EventsTable = {
      n,
      user: new Int32Array(bytes('user')),
      item: new Int32Array(bytes('item')),
      ts: new Float64Array(bytes('ts')),
      weight: new Float32Array(bytes('weight')),
      line: new Int32Array(bytes('line')),
      text: hasText ? JSON.parse(readFileSync(join(dir, 'events.text.json'), 'utf8')) : null,
    };
    return e.user.length === n && e.ts.length === n ? e : null;
  } catch {
    return null;
  }
}

function offsetsOf(users: number, user: Int32Array): Int32Array {
  const off = new Int32Array(users + 1);
  for (let k = 0; k < user.length; k++) off[user[k] + 1]++;
  for (let u = 0; u < users; u++) off[u + 1] += off[u];
  return off;
}

async function readCache(dir: string): Promise<Dataset | null> {
  let meta: Meta;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  } catch {
    return null; // absent or unreadable: prepare again
  }
  if (meta.layout !== LAYOUT) return null;
  // The raw column files are the fast path; events.parquet is the same data for other tools (and the fallback).
  const events =
    readColumns(dir, meta.n, meta.hasText) ??
    (await readEvents(join(dir, 'events.parquet'), meta.n, meta.hasText));
  return {
    users: meta.users,
    userOffsets: offsetsOf(meta.users.length, events.user),
    items: meta.items,
    events,
    stats: meta.stats,
    quarantinePath: meta.quarantine ? join(dir, 'quarantine.jsonl') : null,
    fingerprint: meta.fingerprint,
  };
}

/**
 * loadDataset with a prepared-data cache. The cache folder appears atomically (temp dir + rename), so an
 * interrupted run leaves no half-written entry; quarantine.jsonl lives inside it.
 */
export async function loadDatasetCached(
  cfg: DataConfig,
  baseDir: string,
  opts: CacheOptions = {},
): Promise<CachedDataset> {
  const key = cacheKey(cfg, baseDir);
  if (key === null) {
    await loadDataset(cfg, baseDir); // throws the loader's "file not found" error
    throw new Error('internal: a data file is missing but loadDataset did not fail');
  }
  const dir = resolve(opts.cacheRoot ?? 'data/cache', key);
  let ds = await readCache(dir);
  const hit = ds !== null;
  if (!ds) {
    mkdirSync(resolve(dir, '..'), { recursive: true });
    let fresh: Dataset | null = null;
    await writeDirAtomically(dir, async (tmp) => {
      const eventsParquet = join(tmp, 'events.parquet');
      fresh = await loadDataset(cfg, baseDir, { quarantineDir: tmp, eventsParquet });
      const meta: Meta = {
        layout: LAYOUT,
        users: fresh.users,
        items: fresh.items,
        stats: fresh.stats,
        fingerprint: fresh.fingerprint,
        n: fresh.events.n,
        hasText: fresh.events.text !== null,
        quarantine: true,
      };
      writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
      writeColumns(tmp, fresh.events);
    });
    ds = { ...(fresh as unknown as Dataset), quarantinePath: join(dir, 'quarantine.jsonl') };
  }
  if (opts.quarantineDir && ds.quarantinePath) {
    mkdirSync(opts.quarantineDir, { recursive: true });
    const to = join(opts.quarantineDir, 'quarantine.jsonl');
    copyFileSync(ds.quarantinePath, to);
    ds.quarantinePath = to;
  }
  return { ...ds, cache: { dir, hit, key } };
}
