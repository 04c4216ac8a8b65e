import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataConfigSchema } from '../../src/config/data.ts';
import { type Dataset, loadDataset } from '../../src/data/read.ts';
import { leaveOneOut } from '../../src/data/split.ts';
import { CountClock, mostPopular, trainingCounts } from '../../src/evaluate/baselines.ts';
import { evaluateScorer } from '../../src/evaluate/rank.ts';

const root = resolve(import.meta.dirname, '../..');
const cfg = DataConfigSchema.parse({
  events: { path: 'data/ml-latest-small/ratings.csv', user: 'userId', item: 'movieId', weight: 'rating' },
  items: {
    path: 'data/ml-latest-small/movies.csv',
    id: 'movieId',
    title: 'title',
    text: '{title}. Genres: {genres}[. Tags: {tags}]',
    categories: 'genres',
  },
  extra_item_text: { path: 'data/ml-latest-small/tags.csv', id: 'movieId', field: 'tag' },
});

/** Numeric-aware id order, as documented for users and the event tie-break. */
const cmpId = (a: string, b: string) => Number(a) - Number(b);

describe('ml-latest-small', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadDataset(cfg, root);
  });

  it('loads every rating, user and movie', () => {
    expect(ds.users.length).toBe(610);
    expect(ds.items.ids.length).toBe(9742);
    const s = ds.stats;
    expect(s.read).toBe(100_836);
    expect(s.read).toBe(s.kept + s.quarantined + s.filtered);
    expect(s).toMatchObject({ kept: 100_836, quarantined: 0, filtered: 0 });
    expect(s.sources.items).toMatchObject({ read: 9742, kept: 9742 });
    expect(s.sources.extra_item_text).toMatchObject({ read: 3683, kept: 3683 });
    expect(ds.events.n).toBe(100_836);
    expect(ds.events.text).toBeNull();
    expect(ds.quarantinePath).toBeNull();
  });

  it('builds item text from title, genres and most frequent tags', () => {
    const j = ds.items.ids.indexOf('60756');
    expect(ds.items.titles[j]).toBe('Step Brothers (2008)');
    expect(ds.items.categories[j]).toEqual(['Comedy']);
    expect(ds.items.texts[j]).toMatch(/^Step Brothers \(2008\)\. Genres: Comedy\. Tags: .*\bfunny\b/);
    // Untagged movie: the optional Tags section is dropped, quoted titles keep their comma.
    const k = ds.items.ids.indexOf('54');
    expect(ds.items.texts[k]).toBe('Big Green, The (1995). Genres: Children, Comedy');
    expect(ds.items.ids.slice(0, 3)).toEqual(['1', '2', '3']); // file order
  });

  it('extra_item_text.before keeps later tags out of item text and counts them as filtered', async () => {
    // 2015-01-01: tags.csv spans 2006–2018, so both sides are non-empty.
    const cutoff = 1_420_070_400;
    const dated = DataConfigSchema.parse({
      ...cfg,
      extra_item_text: { ...cfg.extra_item_text, time: 'timestamp', time_unit: 's', before: '2015-01-01' },
    });
    const early = await loadDataset(dated, root);
    const x = early.stats.sources.extra_item_text;
    expect(x.read).toBe(3683);
    expect(x.kept + x.quarantined + x.filtered).toBe(x.read);
    expect(x.quarantined).toBe(0);
    expect(x.filtered).toBeGreaterThan(100);
    expect(x.kept).toBeGreaterThan(100);
    expect(x.filteredByReason).toEqual({ at_or_after_before: x.filtered });
    // Timestamps are the last CSV field: the rows before the cutoff are exactly the kept ones.
    const rows = readFileSync(join(root, 'data/ml-latest-small/tags.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(x.kept).toBe(rows.filter((l) => Number(l.slice(l.lastIndexOf(',') + 1)) < cutoff).length);
    // Step Brothers was tagged only in 2015–2018: no Tags section before the cutoff.
    const j = early.items.ids.indexOf('60756');
    expect(early.items.texts[j]).toBe('Step Brothers (2008). Genres: Comedy');
    // The event counts and order are untouched.
    expect(early.stats.read).toBe(ds.stats.read);
    expect(early.stats.kept).toBe(ds.stats.kept);
  });

  it('orders users by id and events by user, ts, item id, line (CSR offsets)', () => {
    const { users, userOffsets: off, events: e, items } = ds;
    expect([...users].sort(cmpId)).toEqual(users);
    expect(off[0]).toBe(0);
    expect(off[users.length]).toBe(e.n);
    for (let u = 0; u < users.length; u++) {
      expect(off[u + 1]).toBeGreaterThan(off[u]);
      for (let k = off[u]; k < off[u + 1]; k++) {
        if (e.user[k] !== u) throw new Error(`event ${k} is not user ${u}'s`);
        if (k === off[u]) continue;
        const byTs = e.ts[k] - e.ts[k - 1];
        const byItem = cmpId(items.ids[e.item[k]], items.ids[e.item[k - 1]]);
        const ok = byTs > 0 || (byTs === 0 && (byItem > 0 || (byItem === 0 && e.line[k] > e.line[k - 1])));
        if (!ok) throw new Error(`events ${k - 1}, ${k} out of order`);
      }
    }
    // First line of ratings.csv: user 1 rated movie 1 with 4.0 at 964982703.
    const k = [...e.line].indexOf(2);
    expect([users[e.user[k]], items.ids[e.item[k]], e.weight[k], e.ts[k]]).toEqual(['1', '1', 4, 964982703]);
  });

  it('fingerprints inputs and config deterministically', async () => {
    const again = await loadDataset(cfg, root);
    expect(again.fingerprint).toBe(ds.fingerprint);
    expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const other = DataConfigSchema.parse({ ...cfg, filters: { ...cfg.filters, min_user_events: 6 } });
    expect((await loadDataset(other, root)).fingerprint).not.toBe(ds.fingerprint);
  });

  it("leave-one-out most_popular_train reproduces RecBole 1.2.1's Pop (HR@10 0.0197, NDCG@10 0.0092 unmasked)", async () => {
    const log = { userOffsets: ds.userOffsets, item: ds.events.item, ts: ds.events.ts };
    const split = leaveOneOut(log, { events: 10 });
    const n = ds.items.ids.length;
    const pop = trainingCounts(log, split.test, n);
    const r = await evaluateScorer(log, split.test, pop, { nItems: n, ks: [10], excludeSeen: false });
    expect(r.users).toBe(610);
    expect(Math.round(r.metrics['hr@10'] * 610)).toBe(12);
    expect(r.metrics['ndcg@10']).toBeCloseTo(0.0092, 4);
    // The honest clock (counts before each target's time) is another number: the protocol's leak is real.
    const clock = await evaluateScorer(log, split.test, mostPopular(CountClock.of(log, n)), {
      nItems: n,
      ks: [10],
      excludeSeen: false,
    });
    expect(clock.metrics['hr@10']).toBeLessThan(r.metrics['hr@10']);
  });
});
