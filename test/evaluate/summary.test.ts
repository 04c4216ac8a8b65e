import { describe, expect, it } from 'vitest';
import type { MethodResult } from '../../src/evaluate/rank.ts';
import { analyseMethods } from '../../src/evaluate/summary.ts';

/** A method result from per-user NDCG@10 values alone. */
const method = (values: number[]): MethodResult => ({
  metrics: { 'ndcg@10': values.reduce((a, b) => a + b, 0) / values.length },
  perUser: { 'ndcg@10': Float64Array.from(values) },
  users: values.length,
  skipped: 0,
});

describe('analyseMethods: paired tests', () => {
  const methods = {
    blend: method([0.3, 0.4, 0.2, 0.5, 0.1]),
    gru4rec: method([0.2, 0.3, 0.2, 0.4, 0.1]),
    topic_recent: method([0.1, 0.2, 0.1, 0.3, 0.0]),
  };
  const input = {
    log: { userOffsets: new Int32Array([0]), item: new Int32Array(0), ts: new Float64Array(0) },
    examples: [],
    nItems: 1,
    ks: [10],
    counts: new Float32Array(1),
    samples: 50,
    baselines: ['gru4rec', 'topic_recent'],
  };

  it('tests blend against the best baseline first, then the listed pairs, each pair once, skipping absent methods', () => {
    const { paired } = analyseMethods(methods, {
      ...input,
      pairs: [
        ['blend', 'gru4rec'],
        ['blend', 'topic_recent'],
        ['blend', 'sasrec'],
      ],
    });
    expect(paired.map((p) => `${p.a} − ${p.b}`)).toEqual(['blend − gru4rec', 'blend − topic_recent']);
    expect(paired[0].diff).toBeCloseTo(0.06, 10);
  });

  it('with an oracle (synthetic data), tests it against the best baseline right after the blend', () => {
    const r = analyseMethods(
      { ...methods, oracle: method([0.4, 0.4, 0.3, 0.5, 0.2]) },
      { ...input, pairs: [['oracle', 'blend']] },
    );
    expect(r.best_baseline).toBe('gru4rec');
    expect(r.paired.map((p) => `${p.a} − ${p.b}`)).toEqual([
      'blend − gru4rec',
      'oracle − gru4rec',
      'oracle − blend',
    ]);
    expect(r.paired[1].ratio).toBeCloseTo(1.8 / 1.2, 12);
    expect(analyseMethods({ blend: methods.blend }, input).best_baseline).toBeUndefined();
  });
});
