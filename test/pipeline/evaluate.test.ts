import { describe, expect, it } from 'vitest';
import { BASELINE_REGISTRY, type BaselineEntry } from '../../src/evaluate/baseline-registry.ts';
import { BASELINES, chooseMix } from '../../src/pipeline/evaluate.ts';
import { tinyProject } from '../helpers/tiny-run.ts';
import { reportJson, trainTiny } from '../helpers/train-tiny.ts';

describe('the test evaluation', () => {
  it('compares the model with the sequential peers, the topic baselines and the registered ones', () => {
    expect(BASELINES).toEqual([
      'gru4rec',
      'sasrec',
      'topic_recent',
      'topic_static',
      'item_knn',
      'profile',
      'last_bucket',
      'most_popular',
      'most_popular_train',
      'recent_popular',
      'frequent_items',
    ]);
  });

  it('ranks a registered baseline beside the others in the run report', async () => {
    const constant: BaselineEntry = {
      name: 'constant',
      build: (c) => (examples) => new Float32Array(examples.length * c.nItems),
    };
    BASELINE_REGISTRY.push(constant);
    try {
      const project = tinyProject();
      const run = await trainTiny(project, 'registered');
      const metrics = reportJson(run, 'metrics.json');
      const names = Object.keys(metrics.methods);
      expect(names.indexOf('constant')).toBe(names.indexOf('recent_popular') + 1);
      expect(run.metrics.constant['ndcg@10']).toBeGreaterThanOrEqual(0);
    } finally {
      BASELINE_REGISTRY.splice(BASELINE_REGISTRY.indexOf(constant), 1);
    }
  });
});

describe('the last-window weight', () => {
  const point = (mix: number, ndcg10: number, gainLo: number) => ({ mix, ndcg10, gainLo });
  it('takes the best weight whose paired gain is surely positive, else the source alone', () => {
    const none = point(0, 0.1, 0);
    // The best on validation (0.75) has an interval across 0; 0.25's clears it.
    expect(
      chooseMix([none, point(0.25, 0.11, 0.002), point(0.5, 0.105, 0.001), point(0.75, 0.12, -0.001)]).mix,
    ).toBe(0.25);
    expect(chooseMix([none, point(0.25, 0.12, -0.004), point(0.5, 0.13, 0)]).mix).toBe(0);
    // A weight below the source alone is never taken, whatever its interval says.
    expect(chooseMix([none, point(0.25, 0.09, 0.001)]).mix).toBe(0);
  });
});
