import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { type Parsed, parsed } from './checks.ts';
import { lookupJoin } from './lookups.ts';
import { col, loadSource } from './source.ts';
import { TIME_CHECKS, timeColumns, timeExpr, timePoint } from './time.ts';

export interface ExtraText {
  parsed: Parsed;
  /** Selects the filter reason of valid rows left out (after `before`); undefined when none are. */
  filteredSql: string | undefined;
}

/**
 * Reads and validates extra_item_text into `p_extra`, and builds `tg(id, tags)`: each catalogue item's
 * values, most frequent first (case-insensitive; the first spelling seen is shown). Null without
 * extra_item_text (then `tg` is empty).
 */
export async function loadExtraText(
  con: DuckDBConnection,
  cfg: DataConfig,
  baseDir: string,
): Promise<ExtraText | null> {
  const xc = cfg.extra_item_text;
  if (!xc) {
    await con.run('CREATE TEMP TABLE tg (id VARCHAR, tags VARCHAR)');
    return null;
  }
  const src = await loadSource(con, 'extra_item_text', xc, baseDir, {
    id: xc.id,
    field: xc.field,
    ...timeColumns(xc),
  });
  const fraw = col(src, xc.field);
  const dated = xc.time !== null || xc.time_columns !== null;
  const [traw, ts] = dated ? await timeExpr(con, xc, src) : ['NULL', 'NULL::DOUBLE'];
  const extra = await parsed(
    con,
    'p_extra',
    src,
    {
      id: col(src, xc.id),
      v_raw: fraw,
      v: xc.lookup ? 'lk.v' : fraw,
      known: 'it.idx IS NOT NULL',
      t_raw: traw,
      ts,
    },
    [
      ['missing_id', 'id IS NULL'],
      ['missing_field', 'v_raw IS NULL'],
      ['unknown_lookup_key', 'v IS NULL'],
      ['unknown_item', 'NOT known'],
      ...(dated ? TIME_CHECKS : []),
    ],
    `${lookupJoin(xc.lookup, fraw)} LEFT JOIN it ON it.id = ${col(src, xc.id)}`,
  );
  const before = xc.before === null ? null : await timePoint(con, xc.before, 'extra_item_text.before');
  const used = before === null ? 'reason IS NULL' : `reason IS NULL AND ts < ${before}`;
  await con.run(
    `CREATE TEMP TABLE tg AS
     WITH c AS (SELECT id, lower(v) AS key, count(*) AS n, arg_min(v, line) AS shown
                FROM p_extra WHERE ${used} GROUP BY id, lower(v)),
          r AS (SELECT *, row_number() OVER (PARTITION BY id ORDER BY n DESC, key, shown) AS rk FROM c)
     SELECT id, string_agg(shown, ', ' ORDER BY rk) AS tags FROM r WHERE rk <= ${xc.max_per_item} GROUP BY id`,
  );
  const filteredSql =
    before === null
      ? undefined
      : `SELECT 'at_or_after_before' FROM p_extra WHERE reason IS NULL AND ts >= ${before}`;
  return { parsed: extra, filteredSql };
}
