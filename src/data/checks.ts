import type { DuckDBConnection } from '@duckdb/node-api';
import type { Source } from './source.ts';

/** A source's validated rows: `table(line, reason, …values)`; reason NULL = valid. */
export interface Parsed {
  src: Source;
  table: string;
}

/**
 * Creates the parsed table of `src`; each row gets the first failing check as its reason. Values named
 * `*_raw` serve the checks only and are not stored.
 */
export async function parsed(
  con: DuckDBConnection,
  table: string,
  src: Source,
  values: Record<string, string>,
  checks: [reason: string, condition: string][],
  from = '',
): Promise<Parsed> {
  const vals = Object.entries(values).map(([k, e]) => `${e} AS ${k}`);
  const reason = checks.map(([r, c]) => `WHEN ${c} THEN '${r}'`).join(' ');
  const dropped = ['reason0', ...Object.keys(values).filter((k) => k.endsWith('_raw'))];
  await con.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS
     SELECT * EXCLUDE (${dropped.join(', ')}), CASE WHEN reason0 IS NOT NULL THEN reason0 ${reason} END AS reason
     FROM (SELECT s.line, s.reason AS reason0, ${vals.join(', ')} FROM ${src.table} s ${from})`,
  );
  return { src, table };
}

/** Marks all but the first (by line) of each group of equal `keys` among still-valid rows. */
export async function markDuplicates(con: DuckDBConnection, table: string, keys: string, reason: string) {
  await con.run(
    `UPDATE ${table} SET reason = '${reason}' WHERE line IN (
       SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY ${keys} ORDER BY line) AS rn
                         FROM ${table} WHERE reason IS NULL) WHERE rn > 1)`,
  );
}
