/** DuckDB helpers shared by the stages that read or write tables (data loading, batch top-K). */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** SQL string literal. */
export const sqlStr = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Runs `f` on a fresh in-memory DuckDB and closes it afterwards, also when `f` throws. */
export async function withDuck<T>(f: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return await f(con);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
