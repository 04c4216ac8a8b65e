import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type DataConfigInput, DataConfigSchema } from '../../src/config/data.ts';
import { loadDatasetCached } from '../../src/data/cache.ts';
import { type Dataset, loadDataset } from '../../src/data/read.ts';

const EVENTS = [
  'userId,movieId,rating,timestamp,tag',
  '1,10,4.0,1000000000,funny',
  '1,11,3.5,1000000100,',
  '2,10,5.0,1000000200,dark',
  '2,12,1.0,1000000300,',
  '2,12,1.0,1000000300,', // duplicate → quarantined
  '3,99,2.0,1000000400,', // unknown item → quarantined
  '3,11,oops,1000000500,', // non-numeric weight → quarantined
];
const ITEMS = ['movieId,title,genres', '10,Ten,Drama|Comedy', '11,"Eleven, The",Action', '12,Twelve,'];

const base: DataConfigInput = {
  events: { path: 'events.csv', user: 'userId', item: 'movieId', weight: 'rating', text: 'tag' },
  items: { path: 'items.csv', id: 'movieId', title: 'title', categories: 'genres' },
  filters: { min_user_events: 1 },
};

/** Everything a consumer reads from a Dataset, in comparable form. */
const view = (d: Dataset) => ({
  users: d.users,
  userOffsets: [...d.userOffsets],
  items: d.items,
  user: [...d.events.user],
  item: [...d.events.item],
  ts: [...d.events.ts],
  weight: [...d.events.weight],
  line: [...d.events.line],
  text: d.events.text,
  stats: d.stats,
  fingerprint: d.fingerprint,
});

describe('prepared-data cache', () => {
  let dir: string;
  let cacheRoot: string;
  const cfg = DataConfigSchema.parse(base);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'data-cache-'));
    cacheRoot = join(dir, 'cache');
    writeFileSync(join(dir, 'events.csv'), `${EVENTS.join('\n')}\n`);
    writeFileSync(join(dir, 'items.csv'), `${ITEMS.join('\n')}\n`);
  });

  it('returns the same dataset cold and warm, and keeps quarantine.jsonl in the cache folder', async () => {
    const fresh = await loadDataset(cfg, dir);
    const cold = await loadDatasetCached(cfg, dir, { cacheRoot });
    const warm = await loadDatasetCached(cfg, dir, { cacheRoot });
    expect(cold.cache.hit).toBe(false);
    expect(warm.cache.hit).toBe(true);
    expect(warm.cache.dir).toBe(cold.cache.dir);
    expect(view(cold)).toEqual(view(fresh));
    expect(view(warm)).toEqual(view(fresh));
    expect(warm.events.text).toEqual(['funny', null, 'dark', null]);
    expect(warm.quarantinePath).toBe(join(cold.cache.dir, 'quarantine.jsonl'));
    const q = readFileSync(warm.quarantinePath!, 'utf8').trim().split('\n');
    expect(q.map((l) => JSON.parse(l).reason)).toEqual([
      'duplicate_event',
      'unknown_item',
      'non_numeric_weight',
    ]);
    expect(readdirSync(cold.cache.dir).sort()).toEqual([
      'events.item.bin',
      'events.line.bin',
      'events.parquet',
      'events.text.json',
      'events.ts.bin',
      'events.user.bin',
      'events.weight.bin',
      'meta.json',
      'quarantine.jsonl',
    ]);
    // Without the raw column files the warm read falls back to the Parquet copy, with the same result.
    for (const f of readdirSync(cold.cache.dir)) if (f.endsWith('.bin')) rmSync(join(cold.cache.dir, f));
    const fromParquet = await loadDatasetCached(cfg, dir, { cacheRoot });
    expect(fromParquet.cache.hit).toBe(true);
    expect(view(fromParquet)).toEqual(view(fresh));
    // Only the finished entry is left: no temporary siblings.
    expect(readdirSync(cacheRoot)).toEqual([cold.cache.key]);
  });

  it('copies the quarantine into quarantineDir when asked', async () => {
    const q = join(dir, 'report');
    const d = await loadDatasetCached(cfg, dir, { cacheRoot, quarantineDir: q });
    expect(d.quarantinePath).toBe(join(q, 'quarantine.jsonl'));
    expect(readFileSync(d.quarantinePath!, 'utf8')).toBe(
      readFileSync(join(d.cache.dir, 'quarantine.jsonl'), 'utf8'),
    );
  });

  it('prepares again after a file edit, a touched file or a config change', async () => {
    const first = await loadDatasetCached(cfg, dir, { cacheRoot });
    appendFileSync(join(dir, 'events.csv'), '3,12,4.0,1000000600,\n');
    const edited = await loadDatasetCached(cfg, dir, { cacheRoot });
    expect(edited.cache.hit).toBe(false);
    expect(edited.cache.key).not.toBe(first.cache.key);
    expect(edited.events.n).toBe(first.events.n + 1);

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'items.csv'), later, later);
    expect((await loadDatasetCached(cfg, dir, { cacheRoot })).cache.hit).toBe(false);

    const other = DataConfigSchema.parse({ ...base, filters: { min_user_events: 2 } });
    const filtered = await loadDatasetCached(other, dir, { cacheRoot });
    expect(filtered.cache.hit).toBe(false);
    expect(filtered.users).toEqual(['1', '2']);
    expect((await loadDatasetCached(other, dir, { cacheRoot })).cache.hit).toBe(true);
  });

  it('rebuilds an entry whose metadata is gone', async () => {
    const first = await loadDatasetCached(cfg, dir, { cacheRoot });
    rmSync(join(first.cache.dir, 'meta.json'));
    const again = await loadDatasetCached(cfg, dir, { cacheRoot });
    expect(again.cache.hit).toBe(false);
    expect(view(again)).toEqual(view(first));
  });

  it('writes nothing when the data cannot be loaded, and names the file or column', async () => {
    const badCol = DataConfigSchema.parse({ ...base, events: { ...base.events, user: 'uid' } });
    await expect(loadDatasetCached(badCol, dir, { cacheRoot })).rejects.toThrow(/events\.csv: column "uid"/);
    const missing = DataConfigSchema.parse({ ...base, items: { ...base.items, path: 'nope.csv' } });
    await expect(loadDatasetCached(missing, dir, { cacheRoot })).rejects.toThrow(
      /data\.items\.path: file not found: .*nope\.csv/,
    );
    expect(readdirSync(cacheRoot)).toEqual([]);
  });
});
