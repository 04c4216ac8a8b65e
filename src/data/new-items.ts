/**
 * A file of new items for `interest-evo items add`: a CSV/TSV with `id` and `text` columns and optional
 * `title` and `kind`. Every record is either kept or quarantined with its reason (a split error of the
 * reader, or what newItemProblem finds: a missing field, an id already in the catalogue or earlier in the
 * file, an unknown kind), never dropped silently.
 */
import type { NewItemInput } from '../checkpoint/add-items.ts';
import { FileSpecSchema } from '../config/data.ts';
import { withDuck } from '../util/duck.ts';
import { queryColumns } from './columns.ts';
import type { QuarantineRecord } from './quarantine.ts';
import { col, loadSource } from './source.ts';

export interface NewItemsRead {
  items: NewItemInput[];
  quarantined: QuarantineRecord[];
  read: number;
}

/** Reads `path` (relative to the working directory); `problem` says why a row cannot be added, or null. */
export async function readNewItems(
  path: string,
  problem: (row: NewItemInput, earlier: ReadonlySet<string>) => string | null,
): Promise<NewItemsRead> {
  return withDuck(async (con) => {
    const spec = FileSpecSchema.parse({ path });
    const src = await loadSource(con, 'items_add', spec, process.cwd(), { id: 'id', text: 'text' });
    const optional = (c: string) => (src.columns.includes(c) ? col(src, c) : 'NULL::VARCHAR');
    const [line, reason, raw, id, text, title, kind] = await queryColumns(
      con,
      `SELECT line, reason, raw, ${col(src, 'id')}, ${col(src, 'text')}, ${optional('title')}, ${optional('kind')}
       FROM ${src.table} ORDER BY line`,
    );
    const out: NewItemsRead = { items: [], quarantined: [], read: line.length };
    const earlier = new Set<string>();
    for (let j = 0; j < line.length; j++) {
      const row = {
        id: (id[j] as string | null) ?? '',
        text: (text[j] as string | null) ?? '',
        ...(title[j] !== null && { title: title[j] as string }),
        ...(kind[j] !== null && { kind: kind[j] as string }),
      };
      const why = (reason[j] as string | null) ?? problem(row, earlier);
      if (why !== null)
        out.quarantined.push({ file: path, line: line[j], reason: why, raw: raw[j], source: 'items_add' });
      else {
        out.items.push(row);
        earlier.add(row.id);
      }
    }
    return out;
  });
}
