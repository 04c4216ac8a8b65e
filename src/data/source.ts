import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FileSpec } from '../config/data.ts';
import { sqlStr } from '../util/duck.ts';

/** A delimited file loaded into DuckDB as `<table>(line, raw, reason, c1 … cN)`, one row per record. */
export interface Source {
  /** Config label, e.g. `events` or `lookups.tag`. */
  label: string;
  /** The path as written in the config (portable; used in errors and quarantine lines). */
  file: string;
  table: string;
  columns: string[];
  sha256: string;
  mtimeMs: number;
}

export interface Dialect {
  delimiter: string;
  quote: string;
}

export { sqlStr };

/** SQL identifier. */
export const sqlId = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** ORDER BY terms for ids: integers numerically, then everything else by bytes. */
export const idOrder = (e: string): string =>
  `CASE WHEN regexp_full_match(${e}, '[0-9]{1,38}') THEN ${e}::HUGEINT END NULLS LAST, ${e}`;

const reEsc = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

export function resolveDialect(spec: FileSpec): Dialect {
  let format = spec.format;
  if (format === 'auto') {
    const ext = extname(spec.path).toLowerCase();
    if (ext === '.csv') format = 'csv';
    else if (['.tsv', '.tab', '.dat'].includes(ext)) format = 'tsv';
    else throw new Error(`cannot infer the format of ${spec.path} from "${ext}": set format: csv or tsv`);
  }
  const delimiter = spec.delimiter !== 'auto' ? spec.delimiter : format === 'csv' ? ',' : '\t';
  const quote = spec.quote !== 'auto' ? spec.quote : format === 'csv' ? '"' : '';
  if (delimiter === quote) throw new Error(`${spec.path}: delimiter and quote are both "${quote}"`);
  if (delimiter === '\n' || delimiter === '\r')
    throw new Error(`${spec.path}: a newline cannot be the delimiter`);
  return { delimiter, quote };
}

/** Splits one header line (JS side: it is a single line). */
export function splitHeader(line: string, { delimiter, quote }: Dialect): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote && c === quote) {
      if (inQuote && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else inQuote = !inQuote;
    } else if (c === delimiter && !inQuote) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function decode(bytes: Buffer, spec: FileSpec): string {
  if (spec.encoding === 'latin-1') {
    // Buffer's latin1 is true ISO-8859-1 (TextDecoder('latin1') would be windows-1252).
    const text = bytes.toString('latin1');
    return text.startsWith('\u00ef\u00bb\u00bf') ? text.slice(3) : text;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // strips a BOM
  } catch {
    throw new Error(`${spec.path} is not valid UTF-8: set encoding: latin-1 for this file`);
  }
}

/**
 * Reads `spec` into DuckDB. Every physical line after the header ends up in exactly one record; quoted
 * fields may span lines (the record keeps its first line number). `reason` is set for records that cannot
 * be split: blank_line, unbalanced_quote, bad_quoting, wrong_column_count.
 * `needed` maps config keys (for error messages) to the columns they name.
 */
export async function loadSource(
  con: DuckDBConnection,
  label: string,
  spec: FileSpec,
  baseDir: string,
  needed: Record<string, string | null | undefined>,
): Promise<Source> {
  const abs = resolve(baseDir, spec.path);
  if (!existsSync(abs)) throw new Error(`data.${label}.path: file not found: ${abs}`);
  const bytes = readFileSync(abs);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const text = decode(bytes, spec);
  const dialect = resolveDialect(spec);
  const nl = text.indexOf('\n');
  const headerLine = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
  if (headerLine.trim() === '') throw new Error(`${abs} (data.${label}) is empty: expected a header line`);
  const columns = splitHeader(headerLine, dialect);
  for (const [key, col] of Object.entries(needed)) {
    if (col && !columns.includes(col)) {
      throw new Error(
        `${abs}: column "${col}" (data.${label}.${key}) does not exist; columns: ${columns.join(', ')}`,
      );
    }
  }

  const table = `src_${label.replace(/\W/g, '_')}`;
  const lines = `${table}_lines`;
  // UTF-8 files are read by DuckDB itself (faster than binding a large string); Latin-1 is decoded above.
  const content = spec.encoding === 'utf-8' ? `(SELECT content FROM read_text(${sqlStr(abs)}))` : '$content';
  const { delimiter: d, quote: q } = dialect;
  await con.run(
    `CREATE OR REPLACE TEMP TABLE ${lines} AS
     SELECT line::INTEGER AS line, rtrim(raw, chr(13)) AS raw FROM (
       SELECT generate_subscripts(l, 1) AS line, unnest(l) AS raw FROM (SELECT string_split(${content}, chr(10)) AS l))`,
    spec.encoding === 'utf-8' ? undefined : { content: text },
  );
  // The header is line 1; a final newline leaves one empty element that is not a line.
  await con.run(
    `DELETE FROM ${lines} WHERE line = 1 OR (line = (SELECT max(line) FROM ${lines}) AND raw = '')`,
  );
  const odd = `((strlen(raw) - strlen(replace(raw, ${sqlStr(q)}, ''))) // ${Buffer.byteLength(q)}) % 2 = 1`;
  const multiLine =
    q !== '' &&
    text.includes(q) &&
    (
      await con.runAndReadAll(`SELECT bool_or(${odd}) FROM ${lines} WHERE contains(raw, ${sqlStr(q)})`)
    ).getColumns()[0][0];
  const records = multiLine
    ? // A line continues the previous record while the quotes seen so far are unbalanced.
      `WITH o AS (SELECT line, raw, (${odd})::INTEGER AS odd FROM ${lines}),
       s AS (SELECT *, coalesce(sum(odd) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS starts FROM o),
       g AS (SELECT *, sum(starts::INTEGER) OVER (ORDER BY line) AS rec FROM s)
       SELECT min(line) AS line, string_agg(raw, chr(10) ORDER BY line) AS raw, sum(odd) % 2 = 1 AS unbalanced
       FROM g GROUP BY rec`
    : `SELECT line, raw, false AS unbalanced FROM ${lines}`;
  const D = reEsc(d);
  const Q = reEsc(q);
  const field = `(${Q}(?:[^${Q}]|${Q}${Q})*${Q}|[^${D}${Q}]*)`;
  // Records with a quote char (few) are split by a regex into a list; the rest by split_part, which is
  // much cheaper. Prefixing the delimiter makes every regex match non-empty, so empty fields are kept.
  const quoted = q
    ? `CASE WHEN contains(raw, ${sqlStr(q)}) AND regexp_full_match(${sqlStr(d)} || raw, ${sqlStr(`(?:${D}${field})*`)})
       THEN list_transform(regexp_extract_all(${sqlStr(d)} || raw, ${sqlStr(`${D}${field}`)}, 1),
         lambda f: CASE WHEN f[1] = ${sqlStr(q)} THEN replace(f[2:-2], ${sqlStr(q + q)}, ${sqlStr(q)}) ELSE f END)
       END`
    : 'NULL::VARCHAR[]';
  const badQuoting = q ? `contains(raw, ${sqlStr(q)}) AND qf IS NULL` : 'false';
  const count = `CASE WHEN qf IS NULL THEN (strlen(raw) - strlen(replace(raw, ${sqlStr(d)}, ''))) // ${Buffer.byteLength(d)} + 1 ELSE len(qf) END`;
  const cells = columns.map(
    (_, k) =>
      `CASE WHEN qf IS NULL THEN split_part(raw, ${sqlStr(d)}, ${k + 1}) ELSE qf[${k + 1}] END AS c${k + 1}`,
  );
  // Without multi-line records the split is cheap to recompute, so a view spares materialising every cell.
  await con.run(
    `CREATE OR REPLACE TEMP ${multiLine ? 'TABLE' : 'VIEW'} ${table} AS
     WITH r AS (${records}),
     f AS (SELECT line, raw, unbalanced, CASE WHEN NOT unbalanced THEN ${quoted} END AS qf FROM r)
     SELECT line, raw,
       CASE WHEN trim(raw) = '' THEN 'blank_line'
            WHEN unbalanced THEN 'unbalanced_quote'
            WHEN ${badQuoting} THEN 'bad_quoting'
            WHEN ${count} <> ${columns.length} THEN 'wrong_column_count'
       END AS reason, ${cells.join(', ')}
     FROM f`,
  );
  if (multiLine) await con.run(`DROP TABLE ${lines}`);
  return { label, file: spec.path, table, columns, sha256, mtimeMs: statSync(abs).mtimeMs };
}

/** SQL for a column's trimmed value (NULL when empty) in a query over the source table. */
export function col(src: Source, name: string): string {
  const i = src.columns.indexOf(name);
  if (i < 0) throw new Error(`${src.file}: no column "${name}"`);
  return `nullif(trim(c${i + 1}), '')`;
}
