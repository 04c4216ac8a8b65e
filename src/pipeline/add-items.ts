import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { newItemProblem } from '../checkpoint/add-items.ts';
import { exportCheckpoint } from '../checkpoint/export.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { readNewItems } from '../data/new-items.ts';
import { quarantineLine } from '../data/quarantine.ts';
import { HistoryRecommender } from '../recommend/history.ts';
import { Recommender } from '../recommend/recommender.ts';

export interface AddItemsResult {
  checkpoint: string;
  out: string;
  read: number;
  added: number;
  quarantined: number;
  quarantinePath: string | null;
  items: number;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/**
 * `items add`: the checkpoint plus the file's items (embedded with its encoder, placed in its topics as
 * POST /v1/items does) exported as a new checkpoint version; the source checkpoint is not touched.
 */
export async function addItemsOffline(dir: string, file: string, out?: string): Promise<AddItemsResult> {
  const ck = await loadCheckpoint(dir);
  const rec = new Recommender(ck);
  const history = new HistoryRecommender(rec);
  try {
    const hasKinds = !!ck.items.kinds;
    const read = await readNewItems(file, (row, earlier) =>
      earlier.has(row.id)
        ? `id: ${JSON.stringify(row.id)} appears earlier in the file`
        : newItemProblem(row, (id) => rec.itemRows.has(id), rec.kinds, hasKinds),
    );
    const target = out ?? `${resolve(dir)}-items-${stamp()}`;
    const quarantinePath = read.quarantined.length ? `${target}.quarantine.jsonl` : null;
    if (quarantinePath) writeFileSync(quarantinePath, read.quarantined.map(quarantineLine).join(''));
    if (read.items.length === 0)
      throw new Error(
        `items add: no item to add in ${file} (${read.read} rows, ${read.quarantined.length} quarantined${quarantinePath ? `: ${quarantinePath}` : ''})`,
      );
    const dim = ck.manifest.encoder.dim;
    const vectors = await history.embed(read.items.map((it) => it.text));
    // Starting counts from the catalogue as trained, so the file's order does not change them.
    const added = read.items.map((it, i) => rec.newItem(it, vectors.slice(i * dim, (i + 1) * dim)));
    rec.addItems(added);
    const { dir: _dir, manifestHash, manifest, model, ...content } = rec.ck;
    const { format: _f, schema_version: _s, files: _files, packages: _p, ...kept } = manifest;
    await exportCheckpoint(target, {
      ...content,
      model,
      manifest: {
        ...kept,
        added_items: {
          base_manifest_hash: manifestHash,
          count: (kept.added_items?.count ?? 0) + added.length,
          file,
        },
      },
    });
    return {
      checkpoint: dir,
      out: target,
      read: read.read,
      added: added.length,
      quarantined: read.quarantined.length,
      quarantinePath,
      items: rec.ck.items.ids.length,
    };
  } finally {
    await history.dispose();
    rec.dispose();
    ck.model.dispose();
  }
}
