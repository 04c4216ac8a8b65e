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
