import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { markDuplicates, type Parsed, parsed } from './checks.ts';
import { col, loadSource } from './source.ts';

/** Each `lookups.<name>` file as a validated key → value table `p_lk_<name>` (the first of a duplicate key wins). */
export async function loadLookups(
  con: DuckDBConnection,
  cfg: DataConfig,
  baseDir: string,
): Promise<Parsed[]> {
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

/** SQL joining lookup `name`'s valid values as `lk.v` on `key` (nothing without a lookup). */
export const lookupJoin = (name: string | null, key: string) =>
  name ? `LEFT JOIN (SELECT k, v FROM p_lk_${name} WHERE reason IS NULL) lk ON lk.k = ${key}` : '';
