import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';
import { loadDataset } from '../../src/data/read.ts';

const dir = mkdtempSync(join(tmpdir(), 'data-time-'));
const write = (name: string, lines: string[]) => writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
write('items.tsv', ['id\tname', 'a\tA', 'b\tB', 'c\tC']);

describe('time parsing and event text', () => {
  it('parses ISO times (auto), keeps event text and treats different text as different events', async () => {
    write('ev.tsv', [
      'user\titem\twhen\ttag',
      'u1\ta\t2009-04-01\trock',
      'u1\ta\t2009-04-01\tpop', // same user/item/time, other text: kept
      'u1\ta\t2009-04-01\trock', // exact duplicate
      'u1\tb\t2009-02-30\tjazz', // no such day
      'u1\tb\t2009-04-01T12:00:00+02:00\t', // offset honoured; empty text → null
    ]);
    const cfg = DataConfigSchema.parse({
      events: { path: 'ev.tsv', user: 'user', item: 'item', time: 'when', text: 'tag' },
      items: { path: 'items.tsv', id: 'id', title: 'name' },
      filters: { min_user_events: 1 },
    });
    const d = await loadDataset(cfg, dir);
    expect(d.stats.byReason).toEqual({ duplicate_event: 1, unparseable_time: 1 });
    expect([...d.events.ts]).toEqual([1238544000, 1238544000, 1238580000]);
    expect(d.events.text).toEqual(['rock', 'pop', null]);
  });
});
