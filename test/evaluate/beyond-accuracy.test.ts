import { describe, expect, it } from 'vitest';
import type { EventLog, Example } from '../../src/data/split.ts';
import { CountClock, knownCounts, mostPopular } from '../../src/evaluate/baselines.ts';
import {
  activitySegments,
  beyondAccuracy,
  coverage,
  intraListDiversity,
  novelty,
  selfInformation,
} from '../../src/evaluate/beyond-accuracy.ts';
import { evaluateScorer, type MethodResult } from '../../src/evaluate/rank.ts';
import { synthLog } from './synth-log.ts';

describe('beyond-accuracy metrics', () => {
  it('coverage counts distinct items in the top K over the catalogue', () => {
    expect(coverage([Int32Array.of(0, 1, 2), Int32Array.of(1, 3, 4)], 2, 10)).toBeCloseTo(3 / 10);
    expect(coverage([Int32Array.of(0, 1, 2), Int32Array.of(1, 3, 4)], 3, 10)).toBeCloseTo(5 / 10);
  });

  it('novelty is the mean self-information with add-one smoothing', () => {
    const info = selfInformation(Float32Array.of(6, 2, 0)); // p = 7/11, 3/11, 1/11
    expect(info[2]).toBeCloseTo(Math.log2(11), 12);
    const n = novelty([Int32Array.of(0, 2)], 2, info);
    expect(n[0]).toBeCloseTo((-Math.log2(7 / 11) + Math.log2(11)) / 2, 12);
  });

  it('intra-list diversity is the mean pairwise 1 − cos', () => {
    const unit = Float32Array.of(1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2);
    const d = intraListDiversity([Int32Array.of(0, 1, 2), Int32Array.of(0)], 3, unit, 2);
    expect(d[0]).toBeCloseTo((1 + (1 - Math.SQRT1_2) * 2) / 3, 6);
    expect(d[1]).toBe(0);
  });

  it('most-popular covers few items (its list moves only with the clock) and is less novel than a tail list', async () => {
    const { log, nItems, itemVectors, topics, split } = synthLog();
    const counts = knownCounts(log, split.test, nItems, Infinity);
    const r = await evaluateScorer(log, split.test, mostPopular(CountClock.of(log, nItems)), {
      nItems,
      ks: [5, 10],
      excludeSeen: false,
      keepLists: true,
    });
    expect(r.lists).toHaveLength(r.users);
    const b = beyondAccuracy(r, { nItems, ks: [5, 10], counts, itemVectors, dim: topics });
    expect(b.metrics['coverage@10']).toBeGreaterThanOrEqual(10 / nItems);
    expect(b.metrics['coverage@10']).toBeLessThan(20 / nItems);
    expect(b.perUser['novelty@10']).toHaveLength(r.users);
    const tail: MethodResult = {
      ...r,
      lists: r.lists!.map(() => Int32Array.from({ length: 10 }, (_, i) => nItems - 1 - i)),
    };
    expect(beyondAccuracy(tail, { nItems, ks: [10], counts }).metrics['novelty@10']).toBeGreaterThan(
      b.metrics['novelty@10'],
    );
    expect(b.metrics['ild@10']).toBeGreaterThan(0);
    expect(() => beyondAccuracy({ ...r, lists: undefined }, { nItems, ks: [10], counts })).toThrow(
      /keepLists/,
    );
  });

  it('splits users into history-length terciles and averages their metrics', () => {
    // Six users with 1..6 events; each example ends after all of them.
    const lens = [1, 2, 3, 4, 5, 6];
    const userOffsets = Int32Array.from([
      0,
      ...lens.map((_, i) => lens.slice(0, i + 1).reduce((a, b) => a + b)),
    ]);
    const log: EventLog = { userOffsets, item: new Int32Array(21), ts: new Float64Array(21) };
    const examples: Example[] = lens.map((_, u) => ({
      user: u,
      end: userOffsets[u + 1],
      targetEnd: userOffsets[u + 1],
      cutoff: 0,
      target: Int32Array.of(1),
    }));
    const result: MethodResult = {
      metrics: {},
      perUser: { 'ndcg@10': Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6) },
      users: 6,
      skipped: 0,
      rows: Int32Array.of(0, 1, 2, 3, 4, 5),
    };
    const s = activitySegments(log, examples, result);
    expect(s.map((x) => [x.name, x.minHistory, x.maxHistory, x.users])).toEqual([
      ['low', 1, 2, 2],
      ['mid', 3, 4, 2],
      ['high', 5, 6, 2],
    ]);
    expect(s[0].metrics['ndcg@10']).toBeCloseTo(0.15);
    expect(s[2].metrics['ndcg@10']).toBeCloseTo(0.55);
  });
});
