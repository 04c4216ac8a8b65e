import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { stableJson } from '../util/hash.ts';
import { streamColumns } from './columns.ts';
import { parseTemplate, renderTemplate, templateColumns } from './item-text.ts';
import { col, loadSource, type Source, sqlStr } from './source.ts';

export interface ItemsTable {
  ids: string[];
  titles: string[];
  texts: string[];
  categories: string[][];
}

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

const DAY = 86_400;

/** ORDER BY terms for ids: integers numerically, then everything else by bytes. */
const idOrder = (e: string): string =>
  `CASE WHEN regexp_full_match(${e}, '[0-9]{1,38}') THEN ${e}::HUGEINT END NULLS LAST, ${e}`;

async function columns(con: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const r = await con.runAndReadAll(sql);
  const cols = r.getColumns() as unknown[][];
  // An empty result has no chunks, hence no columns.
  return cols.length ? cols : Array.from({ length: r.columnCount }, () => []);
}

async function counts(con: DuckDBConnection, sql: string): Promise<Record<string, number>> {
  const [keys, ns] = await columns(
    con,
    `SELECT k, count(*)::INTEGER FROM (${sql}) t(k) GROUP BY k ORDER BY k`,
  );
  return Object.fromEntries(keys.map((k, j) => [String(k), ns[j] as number]));
}

async function timePoint(con: DuckDBConnection, v: string | number, where: string): Promise<number> {
  if (typeof v === 'number') return v;
  const [[s]] = await columns(con, `SELECT epoch(try_cast(${sqlStr(v)} AS TIMESTAMPTZ))::DOUBLE`);
  if (s === null) throw new Error(`data.${where}: cannot parse "${v}" as a date/time`);
  return s as number;
}

/** A source's validated rows: `table(line, reason, …values)`; reason NULL = valid. */
interface Parsed {
  src: Source;
  table: string;
}

/**
 * Creates the parsed table of `src`; each row gets the first failing check as its reason. Values named
 * `*_raw` serve the checks only and are not stored.
 */
async function parsed(
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
async function markDuplicates(con: DuckDBConnection, table: string, keys: string, reason: string) {
  await con.run(
    `UPDATE ${table} SET reason = '${reason}' WHERE line IN (
       SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY ${keys} ORDER BY line) AS rn
                         FROM ${table} WHERE reason IS NULL) WHERE rn > 1)`,
  );
}

const total = (byReason: Record<string, number>) => Object.values(byReason).reduce((a, b) => a + b, 0);

/** Counts of `table`; `filteredSql` selects the filter reason of valid rows left out (NULL = kept). */
async function sourceStats(
  con: DuckDBConnection,
  table: string,
  file: string,
  filteredSql?: string,
): Promise<SourceStats> {
  const byReason = await counts(con, `SELECT reason FROM ${table} WHERE reason IS NOT NULL`);
  const filteredByReason = filteredSql ? await counts(con, filteredSql) : {};
  const [[read]] = await columns(con, `SELECT count(*)::INTEGER FROM ${table}`);
  const quarantined = total(byReason);
  const filtered = total(filteredByReason);
  const kept = (read as number) - quarantined - filtered;
  return { file, read: read as number, kept, quarantined, byReason, filtered, filteredByReason };
}

async function loadLookups(con: DuckDBConnection, cfg: DataConfig, baseDir: string): Promise<Parsed[]> {
  const out: Parsed[] = [];
  for (const [name, spec] of Object.entries(cfg.lookups)) {
    const src = await loadSource(con, `lookups.${name}`, spec, baseDir, { key: spec.key, value: spec.value });
    out.push(
      await parsed(con, `p_lk_${name}`, src, { k: col(src, spec.key), v: col(src, spec.value) }, [
        ['missing_key', 'k IS NULL'],
        ['missing_value', 'v IS NULL'],
      ]),
    );
    await markDuplicates(con, `p_lk_${name}`, 'k', 'duplicate_key');
  }
  return out;
}

const lookupJoin = (name: string | null, key: string) =>
  name ? `LEFT JOIN (SELECT k, v FROM p_lk_${name} WHERE reason IS NULL) lk ON lk.k = ${key}` : '';

interface TimeSpec {
  time: string | null;
  time_unit: 's' | 'ms' | 'iso' | 'auto';
  time_columns: { year: string; month: string | null; day: string | null } | null;
}

/** A spec's time columns, for loadSource's check that they exist. */
const timeColumns = (e: TimeSpec) => ({
  time: e.time,
  'time_columns.year': e.time_columns?.year,
  'time_columns.month': e.time_columns?.month,
  'time_columns.day': e.time_columns?.day,
});

/** Quarantine reasons for the `t_raw` / `ts` values of timeExpr. */
const TIME_CHECKS: [reason: string, condition: string][] = [
  ['missing_time', 't_raw IS NULL'],
  ['unparseable_time', 'ts IS NULL'],
];

/** SQL for unix seconds of a file's time, choosing `auto` units from the data. */
async function timeExpr(con: DuckDBConnection, e: TimeSpec, src: Source): Promise<[raw: string, ts: string]> {
  if (e.time_columns) {
    const { year, month, day } = e.time_columns;
    const int = (c: string | null) => (c ? `try_cast(${col(src, c)} AS INTEGER)` : '1');
    const raw = col(src, year);
    return [raw, `epoch(try(make_date(${int(year)}, ${int(month)}, ${int(day)})))::DOUBLE`];
  }
  const raw = col(src, e.time!);
  let unit = e.time_unit;
  if (unit === 'auto') {
    const [[numeric], [other], [median]] = await columns(
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

async function load(
  con: DuckDBConnection,
  cfg: DataConfig,
  baseDir: string,
  opts: LoadOptions,
): Promise<Dataset> {
  const { events: ec, items: ic, extra_item_text: xc, filters: fc } = cfg;

  // Item text template: {tags} comes from extra_item_text, everything else from the items file.
  const template = parseTemplate(ic.text ?? (ic.title ? `{${ic.title}}` : `{${ic.id}}`));
  const tplCols = templateColumns(template).filter((c) => !(xc && c === 'tags'));

  const tables = await loadLookups(con, cfg, baseDir);

  // Items: keep the file's order; the first of duplicate ids wins.
  const isrc = await loadSource(con, 'items', ic, baseDir, {
    id: ic.id,
    title: ic.title,
    categories: ic.categories,
    ...Object.fromEntries(tplCols.map((c) => [`text {${c}}`, c])),
  });
  tables.push(await parsed(con, 'p_items', isrc, { id: col(isrc, ic.id) }, [['missing_id', 'id IS NULL']]));
  await markDuplicates(con, 'p_items', 'id', 'duplicate_item_id');
  await con.run(
    `CREATE TEMP TABLE it AS SELECT (row_number() OVER (ORDER BY line) - 1)::INTEGER AS idx, id, line AS src_line
     FROM p_items WHERE reason IS NULL`,
  );

  // Events.
  const esrc = await loadSource(con, 'events', ec, baseDir, {
    user: ec.user,
    item: ec.item,
    ...timeColumns(ec),
    weight: ec.weight,
    text: ec.text,
  });
  const [traw, ts] = await timeExpr(con, ec, esrc);
  const minTime = await timePoint(con, cfg.validation.min_time, 'validation.min_time');
  const maxTime = cfg.validation.now
    ? await timePoint(con, cfg.validation.now, 'validation.now')
    : esrc.mtimeMs / 1000 + DAY;
  const textRaw = ec.text ? col(esrc, ec.text) : 'NULL::VARCHAR';
  const evTable = await parsed(
    con,
    'ev',
    esrc,
    {
      u: col(esrc, ec.user),
      i: col(esrc, ec.item),
      t_raw: traw,
      ts,
      w_raw: ec.weight ? col(esrc, ec.weight) : "'1'",
      w: ec.weight ? `try_cast(${col(esrc, ec.weight)} AS DOUBLE)` : '1.0::DOUBLE',
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
    `${lookupJoin(ec.text_lookup, textRaw)} LEFT JOIN it ON it.id = ${col(esrc, ec.item)}`,
  );
  tables.push(evTable);
  await markDuplicates(con, 'ev', 'u, i, ts, w, x', 'duplicate_event');

  // Filters: counted, not quarantined. Item/user minimums are applied together until both hold (k-core).
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
        `UPDATE ev SET filter = '${reason}' WHERE reason IS NULL AND filter IS NULL AND ${key} IN (
           SELECT ${key} FROM ev WHERE reason IS NULL AND filter IS NULL GROUP BY ${key} HAVING count(*) < ${min})`,
      );
      if (r.rowsChanged > 0) changed = true;
    }
  }
  const kept = 'reason IS NULL AND filter IS NULL';

  // allow_unknown_items: items seen only in events join the catalogue after the file's items.
  await con.run(
    `INSERT INTO it SELECT ((SELECT count(*) FROM it) + row_number() OVER (ORDER BY ${idOrder('i')}) - 1)::INTEGER,
       i, NULL FROM (SELECT DISTINCT i FROM ev WHERE ${kept} AND NOT known)`,
  );

  // Extra item text, most frequent first (case-insensitive; first spelling seen is shown).
  let extraFiltered: string | undefined;
  if (xc) {
    const xsrc = await loadSource(con, 'extra_item_text', xc, baseDir, {
      id: xc.id,
      field: xc.field,
      ...timeColumns(xc),
    });
    const fraw = col(xsrc, xc.field);
    const dated = xc.time !== null || xc.time_columns !== null;
    const [xtraw, xts] = dated ? await timeExpr(con, xc, xsrc) : ['NULL', 'NULL::DOUBLE'];
    const extra = await parsed(
      con,
      'p_extra',
      xsrc,
      {
        id: col(xsrc, xc.id),
        v_raw: fraw,
        v: xc.lookup ? 'lk.v' : fraw,
        known: 'it.idx IS NOT NULL',
        t_raw: xtraw,
        ts: xts,
      },
      [
        ['missing_id', 'id IS NULL'],
        ['missing_field', 'v_raw IS NULL'],
        ['unknown_lookup_key', 'v IS NULL'],
        ['unknown_item', 'NOT known'],
        ...(dated ? TIME_CHECKS : []),
      ],
      `${lookupJoin(xc.lookup, fraw)} LEFT JOIN it ON it.id = ${col(xsrc, xc.id)}`,
    );
    tables.push(extra);
    const before = xc.before === null ? null : await timePoint(con, xc.before, 'extra_item_text.before');
    const used = before === null ? 'reason IS NULL' : `reason IS NULL AND ts < ${before}`;
    if (before !== null)
      extraFiltered = `SELECT 'at_or_after_before' FROM p_extra WHERE reason IS NULL AND ts >= ${before}`;
    await con.run(
      `CREATE TEMP TABLE tg AS
       WITH c AS (SELECT id, lower(v) AS key, count(*) AS n, arg_min(v, line) AS shown
                  FROM p_extra WHERE ${used} GROUP BY id, lower(v)),
            r AS (SELECT *, row_number() OVER (PARTITION BY id ORDER BY n DESC, key, shown) AS rk FROM c)
       SELECT id, string_agg(shown, ', ' ORDER BY rk) AS tags FROM r WHERE rk <= ${xc.max_per_item} GROUP BY id`,
    );
  } else await con.run('CREATE TEMP TABLE tg (id VARCHAR, tags VARCHAR)');

  const items = await readItems(con, cfg, isrc, template, tplCols);
  const { users, events } = await readEvents(con, cfg, kept, opts.eventsParquet);
  const userOffsets = new Int32Array(users.length + 1);
  for (let k = 0; k < events.n; k++) userOffsets[events.user[k] + 1]++;
  for (let u = 0; u < users.length; u++) userOffsets[u + 1] += userOffsets[u];

  const evStats = await sourceStats(con, 'ev', ec.path);
  const filteredByReason = await counts(
    con,
    'SELECT filter FROM ev WHERE reason IS NULL AND filter IS NOT NULL',
  );
  const filtered = Object.values(filteredByReason).reduce((a, b) => a + b, 0);
  const sources: Record<string, SourceStats> = {};
  for (const t of tables) {
    if (t === evTable) continue;
    const filteredSql = t.table === 'p_extra' ? extraFiltered : undefined;
    sources[t.src.label] = await sourceStats(con, t.table, t.src.file, filteredSql);
  }
  const stats: DataStats = {
    read: evStats.read,
    kept: events.n,
    quarantined: evStats.quarantined,
    filtered,
    byReason: evStats.byReason,
    filteredByReason,
    sources,
  };
  if (stats.read !== stats.kept + stats.quarantined + stats.filtered) {
    throw new Error(`internal: event counts do not add up: ${JSON.stringify(stats)}`);
  }

  let quarantinePath: string | null = null;
  if (opts.quarantineDir) {
    quarantinePath = join(opts.quarantineDir, 'quarantine.jsonl');
    await writeQuarantine(con, tables, quarantinePath);
  }
  const fingerprint = createHash('sha256')
    .update(stableJson({ data: cfg, files: tables.map((t) => [t.src.label, t.src.sha256]) }))
    .digest('hex');
  return { users, userOffsets, items, events, stats, quarantinePath, fingerprint };
}

async function readItems(
  con: DuckDBConnection,
  cfg: DataConfig,
  isrc: Source,
  template: ReturnType<typeof parseTemplate>,
  tplCols: string[],
): Promise<ItemsTable> {
  const { title, categories, category_separator: sep } = cfg.items;
  const fieldOf = (c: string | null) => (c ? col(isrc, c) : 'NULL::VARCHAR');
  const [ids, titles, cats, tags, ...tplValues] = await columns(
    con,
    `SELECT it.id, ${fieldOf(title)}, ${fieldOf(categories)}, tg.tags, ${['NULL', ...tplCols.map(fieldOf)].join(', ')}
     FROM it LEFT JOIN ${isrc.table} p ON p.line = it.src_line LEFT JOIN tg ON tg.id = it.id ORDER BY it.idx`,
  );
  const out: ItemsTable = { ids: ids as string[], titles: [], texts: [], categories: [] };
  for (let j = 0; j < ids.length; j++) {
    const cat = ((cats[j] as string | null) ?? '')
      .split(sep)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    out.titles.push((titles[j] as string | null) ?? (ids[j] as string));
    out.categories.push(cat);
    const value = (c: string): string => {
      if (c === 'tags' && cfg.extra_item_text) return (tags[j] as string | null) ?? '';
      if (c === categories) return cat.join(', ');
      return (tplValues[tplCols.indexOf(c) + 1][j] as string | null) ?? '';
    };
    out.texts.push(renderTemplate(template, value));
  }
  return out;
}

async function readEvents(
  con: DuckDBConnection,
  cfg: DataConfig,
  kept: string,
  eventsParquet: string | undefined,
): Promise<{ users: string[]; events: EventsTable }> {
  await con.run(
    `CREATE TEMP TABLE us AS SELECT u, (row_number() OVER (ORDER BY ${idOrder('u')}) - 1)::INTEGER AS uidx
     FROM (SELECT DISTINCT u FROM ev WHERE ${kept})`,
  );
  const [users] = await columns(con, 'SELECT u FROM us ORDER BY uidx');
  const [[n]] = await columns(con, `SELECT count(*)::INTEGER FROM ev WHERE ${kept}`);
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

async function writeQuarantine(con: DuckDBConnection, tables: Parsed[], path: string) {
  const union = tables
    .map(
      ({ table, src }, k) => `SELECT ${k} AS k, ${sqlStr(src.label)} AS source, ${sqlStr(src.file)} AS file,
       p.line, p.reason, s.raw FROM ${table} p JOIN ${src.table} s USING (line) WHERE p.reason IS NOT NULL`,
    )
    .join(' UNION ALL ');
  const [, source, file, line, reason, raw] = await columns(con, `${union} ORDER BY k, line`);
  let out = '';
  for (let j = 0; j < line.length; j++) {
    out += `${JSON.stringify({ file: file[j], line: line[j], reason: reason[j], raw: raw[j], source: source[j] })}\n`;
  }
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, out);
}

/** Reads, validates and quarantines the configured data. Relative paths resolve against `baseDir`. */
export async function loadDataset(
  cfg: DataConfig,
  baseDir: string,
  opts: LoadOptions = {},
): Promise<Dataset> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run("SET TimeZone = 'UTC'");
    return await load(con, cfg, baseDir, opts);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
