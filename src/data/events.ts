import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { markDuplicates, type Parsed, parsed } from './checks.ts';
import { queryColumns, streamColumns } from './columns.ts';
import { lookupJoin } from './lookups.ts';
import { col, idOrder, loadSource, sqlStr } from './source.ts';
import { TIME_CHECKS, timeColumns, timeExpr, timePoint } from './time.ts';

/** Sorted by user index, then ts, then item id (numeric-aware), then source line. */
export interface EventsTable {
  n: number;
  user: Int32Array;
  item: Int32Array;
  /** Unix seconds. */
  ts: Float64Array;
  weight: Float32Array;
  /** 1-based source line. */
  line: Int32Array;
  text: (string | null)[] | null;
}

const DAY = 86_400;

/**
 * Reads and validates the events file into `ev(u, i, ts, w, x, known)` against the catalogue `it`; the
 * first of exact duplicates (user, item, time, weight, text) is kept.
 */
export async function loadEvents(con: DuckDBConnection, cfg: DataConfig, baseDir: string): Promise<Parsed> {
  const ec = cfg.events;
  const src = await loadSource(con, 'events', ec, baseDir, {
    user: ec.user,
    item: ec.item,
    ...timeColumns(ec),
    weight: ec.weight,
    text: ec.text,
  });
  const [traw, ts] = await timeExpr(con, ec, src);
  const minTime = await timePoint(con, cfg.validation.min_time, 'validation.min_time');
  const maxTime = cfg.validation.now
    ? await timePoint(con, cfg.validation.now, 'validation.now')
    : src.mtimeMs / 1000 + DAY;
  const textRaw = ec.text ? col(src, ec.text) : 'NULL::VARCHAR';
  const out = await parsed(
    con,
    'ev',
    src,
    {
      u: col(src, ec.user),
      i: col(src, ec.item),
      t_raw: traw,
      ts,
      w_raw: ec.weight ? col(src, ec.weight) : "'1'",
      w: ec.weight ? `try_cast(${col(src, ec.weight)} AS DOUBLE)` : '1.0::DOUBLE',
      x_raw: textRaw,
      x: ec.text_lookup ? 'lk.v' : textRaw,
      known: 'it.idx IS NOT NULL',
    },
    [
      ['missing_user', 'u IS NULL'],
      ['missing_item', 'i IS NULL'],
      ...TIME_CHECKS,
      ['time_before_min', `ts < ${minTime}`],
      ['time_after_max', `ts > ${maxTime}`],
      ['missing_weight', 'w_raw IS NULL'],
      ['non_numeric_weight', 'w IS NULL OR NOT isfinite(w)'],
      ['unknown_text_key', 'x_raw IS NOT NULL AND x IS NULL'],
      ...(cfg.allow_unknown_items ? [] : ([['unknown_item', 'NOT known']] as [string, string][])),
    ],
    `${lookupJoin(ec.text_lookup, textRaw)} LEFT JOIN it ON it.id = ${col(src, ec.item)}`,
  );
  await markDuplicates(con, 'ev', 'u, i, ts, w, x', 'duplicate_event');
  return out;
}

/**
 * The events `kept` selects as JS columns, with users indexed by id (numeric-aware) and, when
 * `eventsParquet` is given, also written there in the same order.
 */
export async function readEvents(
  con: DuckDBConnection,
  cfg: DataConfig,
  kept: string,
  eventsParquet: string | undefined,
): Promise<{ users: string[]; events: EventsTable }> {
  await con.run(
    `CREATE TEMP TABLE us AS SELECT u, (row_number() OVER (ORDER BY ${idOrder('u')}) - 1)::INTEGER AS uidx
     FROM (SELECT DISTINCT u FROM ev WHERE ${kept})`,
  );
  const [users] = await queryColumns(con, 'SELECT u FROM us ORDER BY uidx');
  const [[n]] = await queryColumns(con, `SELECT count(*)::INTEGER FROM ev WHERE ${kept}`);
  const hasText = cfg.events.text !== null;
  const events: EventsTable = {
    n: n as number,
    user: new Int32Array(n as number),
    item: new Int32Array(n as number),
    ts: new Float64Array(n as number),
    weight: new Float32Array(n as number),
    line: new Int32Array(n as number),
    text: hasText ? new Array<string | null>(n as number) : null,
  };
  // Ranking the catalogue's ids once is cheaper than ordering every event by the id expression.
  let sql = `WITH io AS (SELECT idx, id, row_number() OVER (ORDER BY ${idOrder('id')}) AS ord FROM it)
     SELECT us.uidx AS user_idx, io.idx AS item_idx, ev.ts, ev.w::FLOAT AS weight, ev.line${hasText ? ', ev.x AS text' : ''}
     FROM ev JOIN us USING (u) JOIN io ON io.id = ev.i
     WHERE ${kept} ORDER BY us.uidx, ev.ts, io.ord, ev.line`;
  if (eventsParquet) {
    // Sorted once, written once; a plain Parquet scan returns the rows in file order.
    await con.run(`COPY (${sql}) TO ${sqlStr(eventsParquet)} (FORMAT parquet, COMPRESSION zstd)`);
    sql = `SELECT * FROM read_parquet(${sqlStr(eventsParquet)})`;
  }
  const read = await streamColumns(con, sql, [
    events.user,
    events.item,
    events.ts,
    events.weight,
    events.line,
    ...(events.text ? [events.text] : []),
  ]);
  if (read !== events.n) throw new Error(`internal: read ${read} of ${events.n} events`);
  return { users: users as string[], events };
}

/** CSR offsets of user-sorted events: user u's events are [offsets[u], offsets[u + 1]). */
export function userOffsets(users: number, events: EventsTable): Int32Array {
  const offsets = new Int32Array(users + 1);
  for (let k = 0; k < events.n; k++) offsets[events.user[k] + 1]++;
  for (let u = 0; u < users; u++) offsets[u + 1] += offsets[u];
  return offsets;
}
