import { describe, expect, it } from 'vitest';
import { methodTable, perUserReport, topicErrors } from '../../src/report/run-report.ts';
import { methodOnRows20 } from './run-fixture.ts';

describe('run report contract', () => {
  it('topicErrors turns the forecast-error table into labelled per-topic rows', () => {
    const t = topicErrors(
      [
        { forecaster: 'arima', maeByTopic: [0.1, 0.2] },
        { forecaster: 'lstm', maeByTopic: [0.3, 0.4] },
      ],
      ['Drama', 'Comedy'],
    );
    expect(t.rows).toEqual([
      { topic: 'Drama', model: 'arima', value: 0.1 },
      { topic: 'Comedy', model: 'arima', value: 0.2 },
      { topic: 'Drama', model: 'lstm', value: 0.3 },
      { topic: 'Comedy', model: 'lstm', value: 0.4 },
    ]);
    expect(() => topicErrors([{ forecaster: 'x', maeByTopic: [1] }], ['a', 'b'])).toThrow(
      /x has 1 topic errors/,
    );
  });

  it('methodTable keeps the means per method; perUserReport lines users up by the evaluated rows', () => {
    const method = methodOnRows20;
    const methods = { blend: method([0.5, 1]), lstm: method([0, 0.25]) };
    expect(methodTable(methods)).toEqual({ blend: { 'ndcg@10': 0.75 }, lstm: { 'ndcg@10': 0.125 } });
    const examples = [
      { user: 1, cutoff: 100 },
      { user: 0, cutoff: 200 },
      { user: 2, cutoff: 300 },
    ];
    expect(perUserReport(methods, examples, ['a', 'b', 'c'], 'ndcg@10')).toEqual({
      metric: 'ndcg@10',
      users: ['c', 'b'],
      cutoffs: [300, 100],
      methods: { blend: [0.5, 1], lstm: [0, 0.25] },
    });
  });
});
