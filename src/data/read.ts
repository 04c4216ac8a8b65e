import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { withDuck } from '../util/duck.ts';
import { stableJson } from '../util/hash.ts';
import type { Parsed } from './checks.ts';
import { type EventsTable, loadEvents, readEvents, userOffsets } from './events.ts';
import { loadExtraText } from './extra-text.ts';
import { applyFilters, KEPT } from './filters.ts';
import { addUnknownItems, type ItemsTable, itemText, loadItems, readItems } from './items.ts';
import { loadLookups } from './lookups.ts';
import { writeQuarantine } from './quarantine.ts';
import { type DataStats, dataStats, type StatsSource } from './stats.ts';

export interface Dataset {
  users: string[];
  /** CSR: user u's events are [userOffsets[u], userOffsets[u + 1]). */
  userOffsets: Int32Array;
  items: ItemsTable;
  events: EventsTable;
  stats: DataStats;
  quarantinePath: string | null;
  /** sha256 of the input files + the data config. */
  fingerprint: string;
}

export interface LoadOptions {
  /** Write `<quarantineDir>/quarantine.jsonl` with one `{file, line, reason, raw, source}` per rejected record. */
  quarantineDir?: string;
  /** Also write the kept events, in order, as Parquet (user_idx, item_idx, ts, weight, line[, text]). */
  eventsParquet?: string;
}

/**
 * The steps in order: each file is read and validated into a DuckDB table (lookups first, which the
 * others join; items before events, which must name a known item), then filters mark what is left out,
 * and the kept rows become the JS tables. Every step's table takes part in the counts and the quarantine.
 */
async function load(
  con: DuckDBConnection,
  cfg: DataConfig,
  baseDir: string,
  opts: LoadOptions,
): Promise<Dataset> {
  const text = itemText(cfg);
  const lookups = await loadLookups(con, cfg, baseDir);
  const itemsParsed = await loadItems(con, cfg, baseDir, text);
  const eventsParsed = await loadEvents(con, cfg, baseDir);
  await applyFilters(con, cfg.filters);
  await addUnknownItems(con, KEPT);
  const extra = await loadExtraText(con, cfg, baseDir);

  const items = await readItems(con, cfg, itemsParsed, text);
  const { users, events } = await readEvents(con, cfg, KEPT, opts.eventsParquet);
  const sources: StatsSource[] = [...lookups, itemsParsed].map((parsed) => ({ parsed }));
  if (extra) sources.push(extra);
  const stats = await dataStats(con, eventsParsed, events.n, sources);
  const tables = [...lookups, itemsParsed, eventsParsed, ...(extra ? [extra.parsed] : [])];
  const quarantinePath = opts.quarantineDir ? join(opts.quarantineDir, 'quarantine.jsonl') : null;
  if (quarantinePath) await writeQuarantine(con, tables, quarantinePath);
  return {
    users,
    userOffsets: userOffsets(users.length, events),
    items,
    events,
    stats,
    quarantinePath,
    fingerprint: fingerprintOf(cfg, tables),
  };
}

/** sha256 of the data config and every input file's hash, in load order. */
function fingerprintOf(cfg: DataConfig, tables: readonly Parsed[]): string {
  return createHash('sha256')
    .update(stableJson({ data: cfg, files: tables.map((t) => [t.src.label, t.src.sha256]) }))
    .digest('hex');
}

/** Reads, validates and quarantines the configured data. Relative paths resolve against `baseDir`. */
export async function loadDataset(
  cfg: DataConfig,
  baseDir: string,
  opts: LoadOptions = {},
): Promise<Dataset> {
  return withDuck(async (con) => {
    await con.run("SET TimeZone = 'UTC'");
    return load(con, cfg, baseDir, opts);
  });
}
