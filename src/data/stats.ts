import type { DuckDBConnection } from '@duckdb/node-api';
import type { Parsed } from './checks.ts';
import { countBy, queryColumns } from './columns.ts';

/** Per-file counts for the non-event tables (items, extra item text, lookups): read = kept + quarantined + filtered. */
export interface SourceStats {
  file: string;
  read: number;
  kept: number;
  quarantined: number;
  byReason: Record<string, number>;
  /** Valid rows left out on purpose (extra item text after `before`). */
  filtered: number;
  filteredByReason: Record<string, number>;
}

/** Event counts: read = kept + quarantined + filtered. */
export interface DataStats {
  read: number;
  kept: number;
  quarantined: number;
  filtered: number;
  byReason: Record<string, number>;
  filteredByReason: Record<string, number>;
  sources: Record<string, SourceStats>;
}

const total = (byReason: Record<string, number>) => Object.values(byReason).reduce((a, b) => a + b, 0);

/** Counts of `table`; `filteredSql` selects the filter reason of valid rows left out (NULL = kept). */
async function sourceStats(
  con: DuckDBConnection,
  table: string,
  file: string,
  filteredSql?: string,
): Promise<SourceStats> {
  const byReason = await countBy(con, `SELECT reason FROM ${table} WHERE reason IS NOT NULL`);
  const filteredByReason = filteredSql ? await countBy(con, filteredSql) : {};
  const [[read]] = await queryColumns(con, `SELECT count(*)::INTEGER FROM ${table}`);
  const quarantined = total(byReason);
  const filtered = total(filteredByReason);
  const kept = (read as number) - quarantined - filtered;
  return { file, read: read as number, kept, quarantined, byReason, filtered, filteredByReason };
}

/** A non-event table to count; `filteredSql` as in sourceStats. */
export interface StatsSource {
  parsed: Parsed;
  filteredSql?: string;
}

/**
 * The counts of the events table `events` (`kept` of its rows were read) and of the other `sources`;
 * throws when the event counts do not add up.
 */
export async function dataStats(
  con: DuckDBConnection,
  events: Parsed,
  kept: number,
  sources: readonly StatsSource[],
): Promise<DataStats> {
  const evStats = await sourceStats(con, events.table, events.src.file);
  const filteredByReason = await countBy(
    con,
    `SELECT filter FROM ${events.table} WHERE reason IS NULL AND filter IS NOT NULL`,
  );
  const bySource: Record<string, SourceStats> = {};
  for (const { parsed: t, filteredSql } of sources) {
    bySource[t.src.label] = await sourceStats(con, t.table, t.src.file, filteredSql);
  }
  const stats: DataStats = {
    read: evStats.read,
    kept,
    quarantined: evStats.quarantined,
    filtered: total(filteredByReason),
    byReason: evStats.byReason,
    filteredByReason,
    sources: bySource,
  };
  if (stats.read !== stats.kept + stats.quarantined + stats.filtered) {
    throw new Error(`internal: event counts do not add up: ${JSON.stringify(stats)}`);
  }
  return stats;
}
