import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataConfigInput, DataConfigSchema } from '../../src/config/data.ts';
import { type Dataset, loadDataset } from '../../src/data/read.ts';

/** Events: [line content, expected reason or filter] — line numbers follow array order (header = 1). */
const EVENT_LINES: [string, string | null][] = [
  ['1,10,4.0,1000000000', null],
  ['1,10,4.0,1000000000', 'duplicate_event'],
  [',10,3.0,1000000001', 'missing_user'],
  ['2,,3.0,1000000001', 'missing_item'],
  ['2,10,3.0,notatime', 'unparseable_time'],
  ['2,10,3.0,', 'missing_time'],
  ['2,10,3.0,100', 'time_before_min'],
  ['2,10,3.0,4102444800', 'time_after_max'],
  ['2,10,abc,1000000002', 'non_numeric_weight'],
  ['2,10,,1000000002', 'missing_weight'],
  ['2,99,3.0,1000000002', 'unknown_item'],
  ['2,10,3.0', 'wrong_column_count'],
  ['2,10,3.0,1000000003,extra', 'wrong_column_count'],
  ['', 'blank_line'],
  ['4,"bad"x,1,1000000005', 'bad_quoting'],
  ['3,"1""0",5,1000000004', 'unknown_item'],
  ['3,11,1.0,1000000005', 'min_rating'],
  ['5,"10",5,1000000010', null],
  ['5,11,4,1000000010', null],
  ['5,10,4,1000000010', null], // same user, item and ts as line 19 but another weight: not a duplicate
  ['5,12,4,1000000009', null],
  ['5,"12,3.0,1000000006', 'unbalanced_quote'], // runs to the end of the file
];

const ITEMS = [
  'movieId,title,genres',
  '10,Ten (2000),Drama|Comedy',
  '11,"Eleven, The (2001)",Action',
  '12,"Multi',
  'line (2002)",Drama',
  '10,Duplicate Ten,Drama',
  ',No id,Drama',
  '13,Unused (2003),',
].join('\n');

describe('bad input corpus', () => {
  let dir: string;
  let ds: Dataset;
  const base: DataConfigInput = {
    events: { path: 'events.csv', user: 'userId', item: 'movieId', weight: 'rating' },
    items: { path: 'items.csv', id: 'movieId', title: 'title', categories: 'genres' },
    filters: { min_rating: 2, min_user_events: 1 },
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'data-bad-'));
    // BOM + CRLF + no final newline.
    const events = `\ufeffuserId,movieId,rating,timestamp\r\n${EVENT_LINES.map(([l]) => l).join('\r\n')}`;
    writeFileSync(join(dir, 'events.csv'), events);
    writeFileSync(join(dir, 'items.csv'), `${ITEMS}\n`);
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'header-only.csv'), 'userId,movieId,rating,timestamp\r\n');
    ds = await loadDataset(DataConfigSchema.parse(base), dir, { quarantineDir: join(dir, 'q') });
  });
  afterAll(() => console.log(`bad-input fixtures in ${dir}`));

  it('accounts for every line with the right reason', () => {
    const expected: Record<string, number> = {};
    for (const [, r] of EVENT_LINES) if (r && r !== 'min_rating') expected[r] = (expected[r] ?? 0) + 1;
    const s = ds.stats;
    expect(s.read).toBe(EVENT_LINES.length);
    expect(s.read).toBe(s.kept + s.quarantined + s.filtered);
    expect(s.byReason).toEqual(expected);
    // User 3's only valid event is filtered by min_rating; user 1 keeps 1 event, user 5 keeps 4.
    expect(s.filteredByReason).toEqual({ min_rating: 1 });
    expect(s.kept).toBe(5);
    expect(ds.users).toEqual(['1', '5']);
    expect([...ds.userOffsets]).toEqual([0, 1, 5]);
  });

  it('writes one quarantine line per rejected record with file, line, reason and raw text', () => {
    const rows = readFileSync(ds.quarantinePath!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events = rows.filter((r) => r.source === 'events');
    const want = EVENT_LINES.flatMap(([, r], k) =>
      r && r !== 'min_rating' ? [{ file: 'events.csv', line: k + 2, reason: r }] : [],
    );
    expect(events.map(({ file, line, reason }) => ({ file, line, reason }))).toEqual(want);
    expect(events.find((r) => r.line === 6).raw).toBe('2,10,3.0,notatime'); // CR stripped
    expect(events.at(-1).raw).toBe('5,"12,3.0,1000000006');
    const items = rows.filter((r) => r.source === 'items');
    expect(items.map((r) => [r.line, r.reason])).toEqual([
      [6, 'duplicate_item_id'],
      [7, 'missing_id'],
    ]);
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

  it('sorts equal timestamps by item id, then line', () => {
    const e = ds.events;
    const rows = Array.from({ length: e.n }, (_, k) => [
      ds.items.ids[e.item[k]],
      e.ts[k],
      e.weight[k],
      e.line[k],
    ]);
    expect(rows).toEqual([
      ['10', 1000000000, 4, 2],
      ['12', 1000000009, 4, 22],
      ['10', 1000000010, 5, 19],
      ['10', 1000000010, 4, 21],
      ['11', 1000000010, 4, 20],
    ]);
  });

  it('allow_unknown_items appends unseen items to the catalogue', async () => {
    const cfg = DataConfigSchema.parse({ ...base, allow_unknown_items: true });
    const d = await loadDataset(cfg, dir);
    expect(d.stats.byReason.unknown_item).toBeUndefined();
    expect(d.items.ids).toEqual(['10', '11', '12', '13', '99', '1"0']);
    expect(d.stats.read).toBe(d.stats.kept + d.stats.quarantined + d.stats.filtered);
  });

  it('loads a header-only file as zero events and rejects an empty file', async () => {
    const events = { ...base.events, path: 'header-only.csv' };
    const d = await loadDataset(DataConfigSchema.parse({ ...base, events }), dir);
    expect(d.stats).toMatchObject({ read: 0, kept: 0, quarantined: 0, filtered: 0 });
    expect(d.users).toEqual([]);
    expect([...d.userOffsets]).toEqual([0]);
    const empty = DataConfigSchema.parse({ ...base, events: { ...events, path: 'empty.csv' } });
    await expect(loadDataset(empty, dir)).rejects.toThrow(/empty\.csv.*is empty/);
  });

  it('names the missing column and the columns that exist', async () => {
    const cfg = DataConfigSchema.parse({ ...base, events: { ...base.events, user: 'uid' } });
    await expect(loadDataset(cfg, dir)).rejects.toThrow(
      /column "uid" \(data\.events\.user\) does not exist; columns: userId, movieId, rating, timestamp/,
    );
    const tpl = DataConfigSchema.parse({ ...base, items: { ...base.items, text: '{title} {plot}' } });
    await expect(loadDataset(tpl, dir)).rejects.toThrow(/column "plot"/);
  });

  it('names a missing file', async () => {
    const cfg = DataConfigSchema.parse({ ...base, items: { ...base.items, path: 'nope/items.csv' } });
    await expect(loadDataset(cfg, dir)).rejects.toThrow(
      /data\.items\.path: file not found: .*nope\/items\.csv/,
    );
  });

  it('rejects files that are not UTF-8 unless latin-1 is configured', async () => {
    writeFileSync(join(dir, 'latin.csv'), Buffer.from('movieId,title,genres\n10,Caf\xe9,Drama\n', 'latin1'));
    const items = { ...base.items, path: 'latin.csv' };
    await expect(loadDataset(DataConfigSchema.parse({ ...base, items }), dir)).rejects.toThrow(
      /latin\.csv is not valid UTF-8/,
    );
    const d = await loadDataset(
      DataConfigSchema.parse({ ...base, items: { ...items, encoding: 'latin-1' } }),
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
      ...base,
      events: { ...base.events, path: 'big-events.csv' },
      items: { ...base.items, path: 'big-items.csv' },
    });
    const d = await loadDataset(cfg, dir, { quarantineDir: join(dir, 'q-big') });
    expect(d.stats).toMatchObject({ read: 2, kept: 1, quarantined: 1, byReason: { wrong_column_count: 1 } });
    expect(d.items.titles[0]).toBe(title);
    const q = JSON.parse(readFileSync(d.quarantinePath!, 'utf8').trim());
    expect(q).toMatchObject({ line: 2, reason: 'wrong_column_count' });
    expect(q.raw).toHaveLength(huge.length);
  });
});
