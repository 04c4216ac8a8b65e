import { beforeAll, describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import { ndcg, recall } from '../../src/evaluate/metrics.ts';
import { chunkBytes, chunkRows, evaluateScorer, SELECTION, vectorScorer } from '../../src/evaluate/rank.ts';
import { resolveBackend } from '../../src/model/backend.ts';
import { ItemIndex } from '../../src/recommend/score.ts';
import { TopicItems } from '../../src/recommend/topic-mixture.ts';
import { mulberry32 } from '../../src/util/random.ts';

describe('evaluateScorer lists and rows', () => {
  it('keeps each evaluated user’s top list and example index, skipping unrankable examples', async () => {
    // user 0 saw item 2 then targets 2 (unrankable with seen excluded); user 1 saw 0, targets 1.
    const log: EventLog = {
      userOffsets: Int32Array.of(0, 2, 4),
      item: Int32Array.of(2, 2, 0, 1),
      ts: Float64Array.of(0, 1, 0, 1),
    };
    const examples: Example[] = [
      { user: 0, end: 1, targetEnd: 2, cutoff: 1, target: Int32Array.of(2) },
      { user: 1, end: 3, targetEnd: 4, cutoff: 1, target: Int32Array.of(1) },
    ];
    const scores = Float32Array.of(0.9, 0.5, 0.7, 0.9, 0.5, 0.7); // both rows: 0 > 2 > 1
    const r = await evaluateScorer(log, examples, () => scores, {
      nItems: 3,
      ks: [2],
      excludeSeen: true,
      keepLists: true,
    });
    expect(r.skipped).toBe(1);
    expect(Array.from(r.rows!)).toEqual([1]);
    expect(r.lists!.map((l) => Array.from(l))).toEqual([[2, 1]]); // item 0 seen → excluded
    const plain = await evaluateScorer(log, examples, () => scores, {
      nItems: 3,
      ks: [2],
      excludeSeen: true,
    });
    expect(plain.lists).toBeUndefined();
    expect(plain.metrics).toEqual(r.metrics);
  });
});

describe('evaluateScorer metrics', () => {
  // Three users over 6 items; each targets two items, one of them at a different depth of the ranking.
  const log: EventLog = {
    userOffsets: Int32Array.of(0, 1, 2, 3),
    item: Int32Array.of(5, 5, 5),
    ts: Float64Array.of(0, 0, 0),
  };
  const targets = [Int32Array.of(0, 4), Int32Array.of(3, 1), Int32Array.of(2, 0)];
  const examples: Example[] = targets.map((target, user) => ({
    user,
    end: user + 1,
    targetEnd: user + 1,
    cutoff: 1,
    target,
  }));
  const scores = Float32Array.of(6, 5, 4, 3, 2, 1, 6, 5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6);
  const run = (extra: object) =>
    evaluateScorer(log, examples, () => scores, { nItems: 6, ks: [1, 3], excludeSeen: true, ...extra });

  it('give each k its own value from one top list (k = 1 is not the k = 3 figure)', async () => {
    const r = await run({});
    const lists = [
      [0, 1, 2],
      [0, 1, 2],
      [4, 3, 2],
    ]; // item 5 is seen by everyone
    const mean = (f: typeof ndcg, k: number) =>
      lists.reduce((s, l, u) => s + f(l, new Set(targets[u]), k), 0) / lists.length;
    expect(r.metrics['ndcg@1']).toBeCloseTo(mean(ndcg, 1), 12);
    expect(r.metrics['ndcg@3']).toBeCloseTo(mean(ndcg, 3), 12);
    expect(r.metrics['recall@3']).toBeCloseTo(mean(recall, 3), 12);
    expect(r.metrics['ndcg@1']).not.toBeCloseTo(r.metrics['ndcg@3'], 3);
    expect(r.metrics['hr@3']).toBe(1);
  });

  it('computes only the metrics asked for, with the same values (SELECTION: NDCG@10 alone)', async () => {
    const all = await run({});
    const some = await run({ metrics: ['ndcg', 'mrr'] });
    expect(Object.keys(some.metrics)).toEqual(['ndcg@1', 'mrr@1', 'ndcg@3', 'mrr@3']);
    for (const key of Object.keys(some.metrics)) {
      expect(some.metrics[key]).toBe(all.metrics[key]);
      expect(Array.from(some.perUser[key])).toEqual(Array.from(all.perUser[key]));
    }
    expect(SELECTION).toEqual({ ks: [10], metrics: ['ndcg'] });
  });
});

describe('vectorScorer', () => {
  it("scores each example of a chunk with its own query vector, in the chunk's order", async () => {
    const items = new ItemIndex(Float32Array.of(1, 0, 0, 1, 0.6, 0.8), 2);
    const ex = (user: number): Example => ({
      user,
      end: 0,
      targetEnd: 1,
      cutoff: 0,
      target: Int32Array.of(0),
    });
    const examples = [ex(0), ex(1)];
    const scorer = vectorScorer(items, examples, Float32Array.of(1, 0, 0, 1));
    try {
      expect(Array.from(await scorer([examples[1], examples[0]]))).toEqual(
        Array.from(Float32Array.of(0, 1, 0.8, 1, 0, 0.6)),
      );
      expect(() => scorer([ex(2)])).toThrow(/example without a vector/);
    } finally {
      items.dispose();
    }
  });
});

describe('chunks sized by memory', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('fit the matrices in the chunk budget, 1 to 256 rows', () => {
    expect(chunkRows(2000, 10)).toBe(256);
    const rows = chunkRows(20_000, 20);
    expect(rows * 20_000 * 20 * 4).toBeLessThanOrEqual(chunkBytes());
    expect((rows + 1) * 20_000 * 20 * 4).toBeGreaterThan(chunkBytes());
    expect(chunkRows(1e9, 5)).toBe(1);
  });

  it('do not change a score: a row of a matrix product or topic mixture is the same in any batch', () => {
    const rand = mulberry32(2);
    const n = 3000;
    const dim = 64;
    const k = 12;
    const items = new ItemIndex(
      Float32Array.from({ length: n * dim }, () => rand() - 0.5),
      dim,
    );
    const topics = new TopicItems(Float32Array.from({ length: n * k }, rand), k);
    const queries = Float32Array.from({ length: 256 * dim }, () => rand() - 0.5);
    const shares = Float32Array.from({ length: 256 * k }, rand);
    const weights = Float32Array.from({ length: 256 * n }, () => Math.floor(rand() * 9) + 0.5);
    const all = items.score(queries, 256);
    const [mixAll] = topics.mixtures([shares], weights, 256);
    for (const [from, rows] of [
      [0, 160],
      [200, 56],
      [17, 1],
    ]) {
      const part = items.score(queries.subarray(from * dim, (from + rows) * dim), rows);
      expect(part).toEqual(all.subarray(from * n, (from + rows) * n));
      const [mix] = topics.mixtures(
        [shares.subarray(from * k, (from + rows) * k)],
        weights.subarray(from * n, (from + rows) * n),
        rows,
      );
      expect(mix).toEqual(mixAll.subarray(from * n, (from + rows) * n));
    }
    items.dispose();
    topics.dispose();
  });
});
