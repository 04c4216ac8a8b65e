import { describe, expect, it } from 'vitest';
import { CountClock, mostPopular } from '../../src/evaluate/baselines.ts';
import { historyKind, itemKindIndex, KindViews, kindReport } from '../../src/evaluate/by-kind.ts';
import { evaluateRows, matrixRows, seenItems } from '../../src/evaluate/rank.ts';
import { synthLog } from './synth-log.ts';

describe('evaluation by item kind', () => {
  const s = synthLog(80, 120, 4, 3);
  // Kind of item i: i mod 3, so every topic (i mod 4) has items of every kind.
  const names = ['book', 'film', 'music'];
  const kinds = itemKindIndex(Array.from({ length: s.nItems }, (_, i) => names[i % 3]));
  const opts = { nItems: s.nItems, ks: [10], excludeSeen: true, keepLists: true, batch: 7 };
  const scorers = { most_popular: mostPopular(CountClock.of(s.log, s.nItems)) };

  it('indexes kinds by sorted name', () => {
    expect(itemKindIndex(['film', 'book', '', 'film'])).toEqual({
      names: ['book', 'film'],
      of: Int32Array.of(1, 0, -1, 1),
    });
  });

  it('gives the plain results batch by batch, prepares each batch once, and ranks only the kind’s items against its targets', async () => {
    const views = new KindViews(kinds);
    let prepared = 0;
    const prepare = (chunk: Parameters<typeof matrixRows>[1]) => {
      prepared++;
      return matrixRows(scorers, chunk, s.nItems);
    };
    const main = await views.evaluate(s.log, s.split.test, prepare, opts);
    expect(prepared).toBe(Math.ceil(s.split.test.length / 7));
    const plain = await evaluateRows(s.log, s.split.test, (c) => matrixRows(scorers, c, s.nItems), opts);
    const { metrics, perUser, rows, lists, users, skipped } = plain.most_popular;
    expect(main.most_popular).toEqual({ metrics, perUser, rows, lists, users, skipped });
    for (const [b, name] of names.entries()) {
      const r = views.results[name].most_popular;
      // Users with an unseen target item of the kind, exactly.
      const want = s.split.test.filter((ex) => {
        const seen = seenItems(s.log, ex);
        return Array.from(ex.target).some((i) => kinds.of[i] === b && !seen.has(i));
      }).length;
      expect(r.users).toBe(want);
      for (const list of r.lists ?? []) for (const i of list) expect(kinds.of[i]).toBe(b);
      // Popularity inside the kind still finds some of its targets.
      expect(r.metrics['ndcg@10']).toBeGreaterThan(0);
    }
  });

  it('names a history’s dominant kind, ties to the first name', () => {
    const log = {
      userOffsets: Int32Array.of(0, 4),
      item: Int32Array.of(1, 2, 4, 5),
      ts: Float64Array.of(1, 2, 3, 4),
    };
    const ex = { user: 0, end: 4, targetEnd: 4, cutoff: 5, target: new Int32Array(0) };
    // Items 1, 4 are film (1 mod 3 = 1), 2, 5 music: a tie of film and music goes to film.
    expect(historyKind(log, ex, kinds)).toBe(1);
    expect(historyKind(log, { ...ex, end: 2 }, kinds)).toBe(1);
    expect(historyKind(log, { ...ex, end: 0 }, kinds)).toBe(-1);
  });

  it('splits each target kind’s users over history kinds, with CIs, and pools the cross-kind cells per user', async () => {
    const views = new KindViews(kinds);
    await views.evaluate(s.log, s.split.test, (c) => matrixRows(scorers, c, s.nItems), opts);
    const r = kindReport(views, s.log, s.split.test, {
      metric: 'ndcg@10',
      boot: { samples: 200, seed: 1 },
      focus: 'most_popular',
      baselines: [],
    });
    expect(r.perKind.map((k) => k.target)).toEqual(names);
    expect(r.cross).toHaveLength(9);
    for (const k of r.perKind) {
      const cells = r.cross.filter((c) => c.target === k.target);
      expect(cells.reduce((n, c) => n + c.users, 0)).toBe(k.users);
      const m = k.methods.most_popular;
      expect(m.lo).toBeLessThanOrEqual(m.mean);
      expect(m.hi).toBeGreaterThanOrEqual(m.mean);
    }
    const off = new Set<number>();
    for (const [b, name] of names.entries()) {
      const rows = views.results[name].most_popular.rows ?? new Int32Array(0);
      for (const row of rows) if (historyKind(s.log, s.split.test[row], kinds) !== b) off.add(row);
    }
    expect(r.crossPooled.users).toBe(off.size);
    // The focus against itself (the only rival run): a zero difference.
    expect(r.crossPooled.paired).toEqual([
      expect.objectContaining({ a: 'most_popular', b: 'most_popular', diff: 0 }),
    ]);
  });
});
