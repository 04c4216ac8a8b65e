import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';
import { formatTable, inspectBucketings, inspectDataset } from '../../src/data/inspect.ts';
import { loadDataset } from '../../src/data/read.ts';

const DAY = 86_400;
const T0 = 1_600_000_000 - (1_600_000_000 % DAY); // a UTC midnight

describe('data inspection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-inspect-'));
  // User 1: 13 events on 13 different days (one a day); user 2: 6 events on one day; plus bad lines.
  const lines = ['userId,movieId,rating,timestamp'];
  for (let d = 0; d < 13; d++) lines.push(`1,${10 + (d % 3)},4,${T0 + d * DAY}`);
  for (let k = 0; k < 6; k++) lines.push(`2,10,3,${T0 + k}`);
  lines.push('3,10,3,notatime', '3,10,3', '4,10,1,1600000000');
  writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'items.csv'), 'movieId,title\n10,Ten\n11,Eleven\n12,Twelve\n13,Unused\n');
  const cfg = DataConfigSchema.parse({
    events: { path: 'events.csv', user: 'userId', item: 'movieId', weight: 'rating' },
    items: { path: 'items.csv', id: 'movieId', title: 'title' },
    filters: { min_user_events: 1, min_rating: 2 },
  });
  const ds = await loadDataset(cfg, dir);
  const r = inspectDataset(ds, { every: DAY });

  it('counts users, items, events, span and sparsity', () => {
    expect(r).toMatchObject({ users: 2, items: 4, itemsUsed: 3, events: 19, spanDays: 12 });
    expect(r.first).toBe(new Date(T0 * 1000).toISOString());
    // pairs: user 1 × 3 items, user 2 × 1 item → 4 of 2 × 4 cells
    expect(r.sparsity).toBe(0.5);
    expect(r.counts).toEqual({ read: 22, kept: 19, quarantined: 2, filtered: 1 });
  });

  it('reports events per bucket under the config bucketing and active buckets per bucketing', () => {
    // day buckets: 13 of 1 event (user 1) + 1 of 6 events (user 2)
    expect(r.eventsPerBucket).toMatchObject({ buckets: 14, min: 1, median: 1, max: 6 });
    const byName = Object.fromEntries(r.activity.rows.map((row) => [row[0], row.slice(1)]));
    expect(r.activity.rows.map((row) => row[0])).toEqual(inspectBucketings({ every: DAY }).map(([n]) => n));
    expect(byName['config (1 days)']).toEqual([1, 1, 0.5, 0.5, 7]);
    expect(byName.day).toEqual(byName['config (1 days)']);
    expect(byName['10 events']).toEqual([0, 0, 0, 0, 1.5]);
    expect(byName.week[0]).toBe(0); // 13 days span at most 3 weeks
  });

  it('lists quarantine and filter reasons', () => {
    expect(r.reasons.rows).toEqual([
      ['events', 'quarantined', 'unparseable_time', 1],
      ['events', 'quarantined', 'wrong_column_count', 1],
      ['events', 'filtered', 'min_rating', 1],
    ]);
  });

  it('formats a table with aligned columns', () => {
    const text = formatTable({
      columns: ['name', 'n'],
      rows: [
        ['a', 5],
        ['long', 123],
      ],
    });
    expect(text.split('\n')).toEqual(['name    n', 'a       5', 'long  123']);
  });
});
