import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { timePoint } from './time.ts';

/** The events that are neither quarantined nor filtered. */
export const KEPT = 'reason IS NULL AND filter IS NULL';

/**
 * Marks valid events left out by `filters:` in `ev.filter` (counted, not quarantined): minimum rating and
 * time range, then item/user minimums applied together until both hold (k-core).
 */
export async function applyFilters(con: DuckDBConnection, fc: DataConfig['filters']): Promise<void> {
  await con.run('ALTER TABLE ev ADD COLUMN filter VARCHAR');
  const from = fc.time_from === null ? null : await timePoint(con, fc.time_from, 'filters.time_from');
  const to = fc.time_to === null ? null : await timePoint(con, fc.time_to, 'filters.time_to');
  const rules = [
    fc.min_rating === null ? null : `WHEN w < ${fc.min_rating} THEN 'min_rating'`,
    from === null ? null : `WHEN ts < ${from} THEN 'before_time_from'`,
    to === null ? null : `WHEN ts > ${to} THEN 'after_time_to'`,
  ].filter((r) => r !== null);
  if (rules.length) await con.run(`UPDATE ev SET filter = CASE ${rules.join(' ')} END WHERE reason IS NULL`);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, min, reason] of [
      ['i', fc.min_item_events, 'min_item_events'],
      ['u', fc.min_user_events, 'min_user_events'],
    ] as const) {
      if (min <= 1) continue; // every kept key has at least one event
      const r = await con.runAndReadAll(
        `UPDATE ev SET filter = '${reason}' WHERE ${KEPT} AND ${key} IN (
           SELECT ${key} FROM ev WHERE ${KEPT} GROUP BY ${key} HAVING count(*) < ${min})`,
      );
      if (r.rowsChanged > 0) changed = true;
    }
  }
}
