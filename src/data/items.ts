import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataConfig } from '../config/data.ts';
import { markDuplicates, type Parsed, parsed } from './checks.ts';
import { queryColumns } from './columns.ts';
import { parseTemplate, renderTemplate, type Template, templateColumns } from './item-text.ts';
import { col, idOrder, loadSource } from './source.ts';

export interface ItemsTable {
  ids: string[];
  titles: string[];
  texts: string[];
  categories: string[][];
  /** With `items.kind`: each item's kind ('' for an item known only from events, allow_unknown_items). */
  kinds?: string[];
}

/** The item text template and the items-file columns it reads. */
export interface ItemText {
  template: Template;
  columns: string[];
}

/** The item text template: {tags} comes from extra_item_text, everything else from the items file. */
export function itemText(cfg: DataConfig): ItemText {
  const { items: ic, extra_item_text: xc } = cfg;
  const template = parseTemplate(ic.text ?? (ic.title ? `{${ic.title}}` : `{${ic.id}}`));
  return { template, columns: templateColumns(template).filter((c) => !(xc && c === 'tags')) };
}

/**
 * Reads and validates the items file into `p_items`, and indexes its valid items as `it(idx, id, src_line)`
 * in the file's order; the first of duplicate ids wins.
 */
export async function loadItems(
  con: DuckDBConnection,
  cfg: DataConfig,
  baseDir: string,
  text: ItemText,
): Promise<Parsed> {
  const ic = cfg.items;
  const src = await loadSource(con, 'items', ic, baseDir, {
    id: ic.id,
    title: ic.title,
    categories: ic.categories,
    kind: ic.kind,
    ...Object.fromEntries(text.columns.map((c) => [`text {${c}}`, c])),
  });
  // With a kind column every item must name its kind: a row without one is quarantined, not guessed.
  const kind: Record<string, string> = ic.kind ? { kind_raw: col(src, ic.kind) } : {};
  const out = await parsed(con, 'p_items', src, { id: col(src, ic.id), ...kind }, [
    ['missing_id', 'id IS NULL'],
    ...(ic.kind ? [['missing_kind', 'kind_raw IS NULL'] as [string, string]] : []),
  ]);
  await markDuplicates(con, 'p_items', 'id', 'duplicate_item_id');
  await con.run(
    `CREATE TEMP TABLE it AS SELECT (row_number() OVER (ORDER BY line) - 1)::INTEGER AS idx, id, line AS src_line
     FROM p_items WHERE reason IS NULL`,
  );
  return out;
}

/** allow_unknown_items: items seen only in kept events join the catalogue after the file's items, by id. */
export async function addUnknownItems(con: DuckDBConnection, kept: string): Promise<void> {
  await con.run(
    `INSERT INTO it SELECT ((SELECT count(*) FROM it) + row_number() OVER (ORDER BY ${idOrder('i')}) - 1)::INTEGER,
       i, NULL FROM (SELECT DISTINCT i FROM ev WHERE ${kept} AND NOT known)`,
  );
}

/** The catalogue `it` as JS arrays: titles, categories and rendered texts (with the `tg` tags). */
export async function readItems(
  con: DuckDBConnection,
  cfg: DataConfig,
  items: Parsed,
  text: ItemText,
): Promise<ItemsTable> {
  const { title, categories, category_separator: sep, kind } = cfg.items;
  const src = items.src;
  const fieldOf = (c: string | null) => (c ? col(src, c) : 'NULL::VARCHAR');
  const [ids, titles, cats, kinds, tags, ...tplValues] = await queryColumns(
    con,
    `SELECT it.id, ${fieldOf(title)}, ${fieldOf(categories)}, ${fieldOf(kind)}, tg.tags, ${['NULL', ...text.columns.map(fieldOf)].join(', ')}
     FROM it LEFT JOIN ${src.table} p ON p.line = it.src_line LEFT JOIN tg ON tg.id = it.id ORDER BY it.idx`,
  );
  const out: ItemsTable = { ids: ids as string[], titles: [], texts: [], categories: [] };
  if (kind) out.kinds = Array.from(kinds, (k) => (k as string | null) ?? '');
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
      return (tplValues[text.columns.indexOf(c) + 1][j] as string | null) ?? '';
    };
    out.texts.push(renderTemplate(text.template, value));
  }
  return out;
}
