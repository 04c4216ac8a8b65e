import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';
import { loadDataset } from '../../src/data/read.ts';
import { BASE, loadBadInput } from './bad-input.ts';

describe('reading the files of the bad input corpus', () => {
  let dir: string;
  beforeAll(async () => {
    ({ dir } = await loadBadInput());
  });
  afterAll(() => console.log(`bad-input fixtures in ${dir}`));

  it('loads a header-only file as zero events and rejects an empty file', async () => {
    const events = { ...BASE.events, path: 'header-only.csv' };
    const d = await loadDataset(DataConfigSchema.parse({ ...BASE, events }), dir);
    expect(d.stats).toMatchObject({ read: 0, kept: 0, quarantined: 0, filtered: 0 });
    expect(d.users).toEqual([]);
    expect([...d.userOffsets]).toEqual([0]);
    const empty = DataConfigSchema.parse({ ...BASE, events: { ...events, path: 'empty.csv' } });
    await expect(loadDataset(empty, dir)).rejects.toThrow(/empty\.csv.*is empty/);
  });

  it('names the missing column and the columns that exist', async () => {
    const cfg = DataConfigSchema.parse({ ...BASE, events: { ...BASE.events, user: 'uid' } });
    await expect(loadDataset(cfg, dir)).rejects.toThrow(
      /column "uid" \(data\.events\.user\) does not exist; columns: userId, movieId, rating, timestamp/,
    );
    const tpl = DataConfigSchema.parse({ ...BASE, items: { ...BASE.items, text: '{title} {plot}' } });
    await expect(loadDataset(tpl, dir)).rejects.toThrow(/column "plot"/);
  });

  it('names a missing file', async () => {
    const cfg = DataConfigSchema.parse({ ...BASE, items: { ...BASE.items, path: 'nope/items.csv' } });
    await expect(loadDataset(cfg, dir)).rejects.toThrow(
      /data\.items\.path: file not found: .*nope\/items\.csv/,
    );
  });

  it('rejects files that are not UTF-8 unless latin-1 is configured', async () => {
    writeFileSync(join(dir, 'latin.csv'), Buffer.from('movieId,title,genres\n10,Caf\xe9,Drama\n', 'latin1'));
    const items = { ...BASE.items, path: 'latin.csv' };
    await expect(loadDataset(DataConfigSchema.parse({ ...BASE, items }), dir)).rejects.toThrow(
      /latin\.csv is not valid UTF-8/,
    );
    const d = await loadDataset(
      DataConfigSchema.parse({ ...BASE, items: { ...items, encoding: 'latin-1' } }),
      dir,
    );
    expect(d.items.titles).toEqual(['Café']);
  });

  it('survives oversize records: a 4 MB garbage line is quarantined, a 1 MB title is kept', async () => {
    const huge = 'x'.repeat(4 * 2 ** 20);
    const title = `${'long title '.repeat(100_000)}(2000)`;
    writeFileSync(
      join(dir, 'big-events.csv'),
      `userId,movieId,rating,timestamp\n${huge}\n1,10,4,1000000000\n`,
    );
    writeFileSync(join(dir, 'big-items.csv'), `movieId,title,genres\n10,"${title}",Drama\n`);
    const cfg = DataConfigSchema.parse({
      ...BASE,
      events: { ...BASE.events, path: 'big-events.csv' },
      items: { ...BASE.items, path: 'big-items.csv' },
    });
    const d = await loadDataset(cfg, dir, { quarantineDir: join(dir, 'q-big') });
    expect(d.stats).toMatchObject({ read: 2, kept: 1, quarantined: 1, byReason: { wrong_column_count: 1 } });
    expect(d.items.titles[0]).toBe(title);
    const q = JSON.parse(readFileSync(d.quarantinePath!, 'utf8').trim());
    expect(q).toMatchObject({ line: 2, reason: 'wrong_column_count' });
    expect(q.raw).toHaveLength(huge.length);
  });
});
