import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DataConfigInput, DataConfigSchema } from '../../src/config/data.ts';
import { type Dataset, loadDataset } from '../../src/data/read.ts';

/** Events: [line content, expected reason or filter] — line numbers follow array order (header = 1). */
export const EVENT_LINES: [string, string | null][] = [
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

export const BASE: DataConfigInput = {
  events: { path: 'events.csv', user: 'userId', item: 'movieId', weight: 'rating' },
  items: { path: 'items.csv', id: 'movieId', title: 'title', categories: 'genres' },
  filters: { min_rating: 2, min_user_events: 1 },
};

/**
 * The bad-input corpus in a fresh folder — events with one flaw per line (BOM, CRLF, no final newline),
 * items with a multi-line record, a duplicate and a missing id, an empty and a header-only events file —
 * loaded under BASE with a quarantine.
 */
export async function loadBadInput(): Promise<{ dir: string; ds: Dataset }> {
  const dir = mkdtempSync(join(tmpdir(), 'data-bad-'));
  const events = `\ufeffuserId,movieId,rating,timestamp\r\n${EVENT_LINES.map(([l]) => l).join('\r\n')}`;
  writeFileSync(join(dir, 'events.csv'), events);
  writeFileSync(join(dir, 'items.csv'), `${ITEMS}\n`);
  writeFileSync(join(dir, 'empty.csv'), '');
  writeFileSync(join(dir, 'header-only.csv'), 'userId,movieId,rating,timestamp\r\n');
  const ds = await loadDataset(DataConfigSchema.parse(BASE), dir, { quarantineDir: join(dir, 'q') });
  return { dir, ds };
}
