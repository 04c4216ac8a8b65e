import { describe, expect, it } from 'vitest';
import { hitRate, mrr, ndcg, precision, recall, reportColumns } from '../../src/evaluate/metrics.ts';

describe('ranking metrics (hand-computed cases)', () => {
  const ranked = [5, 3, 9, 1];
  const rel = new Set([3, 1, 7]);
  it('NDCG@4: hits at ranks 2 and 4 over an ideal of 3 relevant', () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcg(ranked, rel, 4)).toBeCloseTo(dcg / idcg, 12);
  });
  it('recall, precision, HR, MRR', () => {
    expect(recall(ranked, rel, 4)).toBeCloseTo(2 / 3);
    expect(recall(ranked, rel, 1)).toBe(0);
    expect(precision(ranked, rel, 4)).toBe(0.5);
    expect(hitRate(ranked, rel, 1)).toBe(0);
    expect(hitRate(ranked, rel, 2)).toBe(1);
    expect(mrr(ranked, rel, 4)).toBe(0.5);
  });
  it('a perfect ranking has NDCG 1', () => {
    expect(ndcg([1, 2], new Set([2, 1]), 10)).toBeCloseTo(1);
  });
});

describe('the report columns', () => {
  it('are NDCG, recall and HR for each K in order', () => {
    expect(reportColumns([5, 10])).toEqual(['ndcg@5', 'recall@5', 'hr@5', 'ndcg@10', 'recall@10', 'hr@10']);
  });
});
