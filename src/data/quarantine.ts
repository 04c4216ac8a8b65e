import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Parsed } from './checks.ts';
import { queryColumns } from './columns.ts';
import { sqlStr } from './source.ts';

/** A rejected record, as each line of quarantine.jsonl holds it. */
export interface QuarantineRecord {
  file: unknown;
  line: unknown;
  reason: unknown;
  raw: unknown;
  source: unknown;
}

export const quarantineLine = (r: QuarantineRecord): string =>
  `${JSON.stringify({ file: r.file, line: r.line, reason: r.reason, raw: r.raw, source: r.source })}\n`;

/** Writes one `{file, line, reason, raw, source}` JSON line per rejected record, table by table in line order. */
export async function writeQuarantine(con: DuckDBConnection, tables: readonly Parsed[], path: string) {
  const union = tables
    .map(
      ({ table, src }, k) => `SELECT ${k} AS k, ${sqlStr(src.label)} AS source, ${sqlStr(src.file)} AS file,
       p.line, p.reason, s.raw FROM ${table} p JOIN ${src.table} s USING (line) WHERE p.reason IS NOT NULL`,
    )
    .join(' UNION ALL ');
  const [, source, file, line, reason, raw] = await queryColumns(con, `${union} ORDER BY k, line`);
  let out = '';
  for (let j = 0; j < line.length; j++) {
    out += quarantineLine({
      file: file[j],
      line: line[j],
      reason: reason[j],
      raw: raw[j],
      source: source[j],
    });
  }
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, out);
}
