import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';
import { loadDataset } from '../../src/data/read.ts';

const dir = mkdtempSync(join(tmpdir(), 'data-filters-'));
const write = (name: string, lines: string[]) => writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
write('items.tsv', ['id\tname', 'a\tA', 'b\tB', 'c\tC']);

describe('filters', () => {
  it('detects milliseconds and applies time range and k-core minimums as filters', async () => {
    const t = (day: number) => String((1_500_000_000 + day * 86_400) * 1000);
    write('ms.csv', [
      'user,item,ts',
      `1,a,${t(0)}`,
      `1,b,${t(1)}`,
      `2,a,${t(2)}`,
      `2,b,${t(3)}`,
      `3,c,${t(4)}`, // item c has one event → min_item_events, then user 3 has none
      `3,a,${t(30)}`, // after time_to
      `4,a,${t(5)}`, // user 4 has one event → min_user_events
    ]);
    const cfg = DataConfigSchema.parse({
      events: { path: 'ms.csv', user: 'user', item: 'item', time: 'ts' },
      items: { path: 'items.tsv', id: 'id', title: 'name' },
      filters: { min_user_events: 2, min_item_events: 2, time_to: 1_500_000_000 + 10 * 86_400 },
    });
    const d = await loadDataset(cfg, dir);
    expect(d.stats.filteredByReason).toEqual({ after_time_to: 1, min_item_events: 1, min_user_events: 1 });
    expect(d.users).toEqual(['1', '2']);
    expect(d.events.ts[0]).toBe(1_500_000_000);
    expect(d.items.ids).toEqual(['a', 'b', 'c']); // c stays in the catalogue
  });
});
