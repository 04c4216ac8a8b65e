import type { DuckDBConnection } from '@duckdb/node-api';

/** A column destination: a typed array for numbers, a plain array for strings (NULL → null). */
export type ColumnTarget = Int32Array | Float32Array | Float64Array | (string | null)[];

/**
 * Streams a query's result chunk by chunk into preallocated arrays (column k → targets[k]). Much cheaper
 * than materialising every value as a JS array first; numeric columns must not contain NULL.
 * Returns the number of rows read, which must equal each target's length.
 */
export async function streamColumns(
  con: DuckDBConnection,
  sql: string,
  targets: readonly ColumnTarget[],
): Promise<number> {
  const result = await con.stream(sql);
  let o = 0;
  for (
    let chunk = await result.fetchChunk();
    chunk && chunk.rowCount > 0;
    chunk = await result.fetchChunk()
  ) {
    const rows = chunk.rowCount;
    if (o + rows > targets[0].length)
      throw new Error(`streamColumns: more rows than expected (${targets[0].length})`);
    for (let c = 0; c < targets.length; c++) {
      const v = chunk.getColumnVector(c);
      const t = targets[c] as (number | string | null)[];
      for (let j = 0; j < rows; j++) t[o + j] = v.getItem(j) as number | string | null;
    }
    o += rows;
  }
  return o;
}

/** A query's result as whole columns (column k → array k), also when it has no rows. */
export async function queryColumns(con: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const r = await con.runAndReadAll(sql);
  const cols = r.getColumns() as unknown[][];
  // An empty result has no chunks, hence no columns.
  return cols.length ? cols : Array.from({ length: r.columnCount }, () => []);
}

/** How many rows of a one-column query hold each value, keyed by the value as a string. */
export async function countBy(con: DuckDBConnection, sql: string): Promise<Record<string, number>> {
  const [keys, ns] = await queryColumns(
    con,
    `SELECT k, count(*)::INTEGER FROM (${sql}) t(k) GROUP BY k ORDER BY k`,
  );
  return Object.fromEntries(keys.map((k, j) => [String(k), ns[j] as number]));
}
