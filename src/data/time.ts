import type { DuckDBConnection } from '@duckdb/node-api';
import { queryColumns } from './columns.ts';
import { col, type Source, sqlStr } from './source.ts';

/** The time settings of a dated file (events, extra item text). */
export interface TimeSpec {
  time: string | null;
  time_unit: 's' | 'ms' | 'iso' | 'auto';
  time_columns: { year: string; month: string | null; day: string | null } | null;
}

/** A spec's time columns, for loadSource's check that they exist. */
export const timeColumns = (e: TimeSpec) => ({
  time: e.time,
  'time_columns.year': e.time_columns?.year,
  'time_columns.month': e.time_columns?.month,
  'time_columns.day': e.time_columns?.day,
});

/** Quarantine reasons for the `t_raw` / `ts` values of timeExpr. */
export const TIME_CHECKS: [reason: string, condition: string][] = [
  ['missing_time', 't_raw IS NULL'],
  ['unparseable_time', 'ts IS NULL'],
];

/** Unix seconds of a config time (seconds as they are, or a date/time string); `where` names the setting. */
export async function timePoint(con: DuckDBConnection, v: string | number, where: string): Promise<number> {
  if (typeof v === 'number') return v;
  const [[s]] = await queryColumns(con, `SELECT epoch(try_cast(${sqlStr(v)} AS TIMESTAMPTZ))::DOUBLE`);
  if (s === null) throw new Error(`data.${where}: cannot parse "${v}" as a date/time`);
  return s as number;
}

/** SQL for unix seconds of a file's time, choosing `auto` units from the data. */
export async function timeExpr(
  con: DuckDBConnection,
  e: TimeSpec,
  src: Source,
): Promise<[raw: string, ts: string]> {
  if (e.time_columns) {
    const { year, month, day } = e.time_columns;
    const int = (c: string | null) => (c ? `try_cast(${col(src, c)} AS INTEGER)` : '1');
    const raw = col(src, year);
    return [raw, `epoch(try(make_date(${int(year)}, ${int(month)}, ${int(day)})))::DOUBLE`];
  }
  const raw = col(src, e.time!);
  let unit = e.time_unit;
  if (unit === 'auto') {
    const [[numeric], [other], [median]] = await queryColumns(
      con,
      `SELECT count(n)::INTEGER, (count(t) - count(n))::INTEGER, median(abs(n))::DOUBLE
       FROM (SELECT ${raw} AS t, try_cast(${raw} AS DOUBLE) AS n FROM ${src.table} WHERE reason IS NULL)`,
    );
    unit = (numeric as number) >= (other as number) ? ((median as number) > 1e11 ? 'ms' : 's') : 'iso';
  }
  const num = `CASE WHEN isfinite(try_cast(${raw} AS DOUBLE)) THEN try_cast(${raw} AS DOUBLE) END`;
  if (unit === 's') return [raw, num];
  if (unit === 'ms') return [raw, `${num} / 1000`];
  return [raw, `epoch(try_cast(${raw} AS TIMESTAMPTZ))::DOUBLE`];
}
