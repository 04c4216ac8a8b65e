import { describe, expect, it } from 'vitest';
import type { Example } from '../../src/data/split.ts';
import { byHistoryLength } from '../../src/evaluate/history-length.ts';
import type { MethodResult } from '../../src/evaluate/rank.ts';

describe('accuracy by history length', () => {
  it('bins users by buckets (0, 1–2, 3–5, 6+) with the bin means and intervals', () => {
    const buckets = [0, 1, 2, 3, 5, 9, 12];
    const examples = buckets.map((b, user) => ({
      user,
      end: b,
      targetEnd: b,
      cutoff: 0,
      target: new Int32Array(0),
    }));
    const values = Float64Array.of(0.5, 0.1, 0.3, 0.2, 0.2, 0.6, 0.8);
    const result: MethodResult = {
      metrics: {},
      perUser: { 'ndcg@10': values },
      users: 7,
      skipped: 0,
      rows: Int32Array.from(examples.keys()),
    };
    const rows = byHistoryLength({ m: result }, examples, (ex: Example) => ex.end, 'ndcg@10', {
      samples: 100,
    });
    expect(rows.map((r) => [r.buckets, r.users])).toEqual([
      ['0', 1],
      ['1–2', 2],
      ['3–5', 2],
      ['6+', 2],
    ]);
    expect(rows[1].methods.m.mean).toBeCloseTo(0.2, 12);
    expect(rows[3].methods.m.mean).toBeCloseTo(0.7, 12);
    expect(rows[3].methods.m.lo).toBeGreaterThanOrEqual(0.6);
    expect(rows[3].methods.m.hi).toBeLessThanOrEqual(0.8);
  });
});
