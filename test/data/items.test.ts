import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';
import { type Dataset, loadDataset } from '../../src/data/read.ts';
import { BASE, loadBadInput } from './bad-input.ts';

describe('the catalogue of the bad input corpus', () => {
  let dir: string;
  let ds: Dataset;
  beforeAll(async () => {
    ({ dir, ds } = await loadBadInput());
  });

  it('keeps the catalogue in file order, with multi-line quoted fields and unused items', () => {
    expect(ds.items.ids).toEqual(['10', '11', '12', '13']);
    expect(ds.items.titles).toEqual([
      'Ten (2000)',
      'Eleven, The (2001)',
      'Multi\nline (2002)',
      'Unused (2003)',
    ]);
    expect(ds.items.categories).toEqual([['Drama', 'Comedy'], ['Action'], ['Drama'], []]);
    expect(ds.stats.sources.items).toMatchObject({ read: 6, kept: 4, quarantined: 2 });
  });

  it('allow_unknown_items appends unseen items to the catalogue', async () => {
    const cfg = DataConfigSchema.parse({ ...BASE, allow_unknown_items: true });
    const d = await loadDataset(cfg, dir);
    expect(d.stats.byReason.unknown_item).toBeUndefined();
    expect(d.items.ids).toEqual(['10', '11', '12', '13', '99', '1"0']);
    expect(d.stats.read).toBe(d.stats.kept + d.stats.quarantined + d.stats.filtered);
  });
});

describe('items.kind', () => {
  it('keeps each item’s kind and quarantines an item without one (and then its events) with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinds-'));
    writeFileSync(
      join(dir, 'items.csv'),
      'id,title,kind\n1,Dune,book\n2,Alien,film\n3,Nameless,\n4,Heat,film\n',
    );
    writeFileSync(
      join(dir, 'events.csv'),
      'user,item,ts\nu,1,1000000000\nu,2,1000000001\nu,3,1000000002\nu,4,1000000003\nu,1,1000000004\n',
    );
    const cfg = DataConfigSchema.parse({
      events: { path: 'events.csv', user: 'user', item: 'item', time: 'ts', time_unit: 's' },
      items: { path: 'items.csv', id: 'id', title: 'title', kind: 'kind', text: '{kind}: {title}' },
      filters: { min_user_events: 1 },
    });
    const d = await loadDataset(cfg, dir, { quarantineDir: dir });
    expect(d.items.ids).toEqual(['1', '2', '4']);
    expect(d.items.kinds).toEqual(['book', 'film', 'film']);
    expect(d.items.texts).toEqual(['book: Dune', 'film: Alien', 'film: Heat']);
    expect(d.stats.sources.items).toMatchObject({ read: 4, kept: 3, quarantined: 1 });
    expect(d.stats.byReason.unknown_item).toBe(1);
    const lines = readFileSync(join(dir, 'quarantine.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ line: 4, reason: 'missing_kind', raw: '3,Nameless,' });
    // Without items.kind the same file has no kinds.
    const plain = await loadDataset(
      DataConfigSchema.parse({ ...cfg, items: { ...cfg.items, kind: null } }),
      dir,
    );
    expect(plain.items.kinds).toBeUndefined();
  });
});
