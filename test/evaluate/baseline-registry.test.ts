import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import {
  BASELINE_REGISTRY,
  type BaselineContext,
  type BaselineEntry,
  baselineNames,
  plainBaselines,
} from '../../src/evaluate/baseline-registry.ts';
import { synthLog } from './synth-log.ts';

const s = synthLog(30);
const settings = (protocol: string, excludeSeen: boolean) =>
  ({ split: { protocol }, evaluate: { exclude_seen: excludeSeen, recent_window: 30 * 86400 } }) as Config;
const context = (cfg: Config): BaselineContext => ({
  cfg,
  log: s.log,
  test: s.split.test,
  nItems: s.nItems,
  itemVectors: s.itemVectors,
  dim: s.topics,
  bucketsBefore: () => ({ start: [0], end: [1] }),
  knnNeighbours: 5,
});
const constant: BaselineEntry = {
  name: 'constant',
  build: (c) => (examples) => new Float32Array(examples.length * c.nItems),
};

describe('the baseline registry', () => {
  afterEach(() => {
    const i = BASELINE_REGISTRY.indexOf(constant);
    if (i >= 0) BASELINE_REGISTRY.splice(i, 1);
  });

  it('builds the baselines that apply to the run, in registry order', () => {
    const always = ['most_popular', 'item_knn', 'profile', 'last_bucket', 'recent_popular'];
    expect(Object.keys(plainBaselines(context(settings('per-user', true))))).toEqual(always);
    expect(Object.keys(plainBaselines(context(settings('leave-one-out', false))))).toEqual([
      ...always,
      'most_popular_train',
      'frequent_items',
    ]);
  });

  it('a registered baseline is built after the others and comes last in the paired-test order', () => {
    BASELINE_REGISTRY.push(constant);
    const scorers = plainBaselines(context(settings('per-user', true)));
    expect(Object.keys(scorers).at(-1)).toBe('constant');
    expect(scorers.constant(s.split.test.slice(0, 2))).toEqual(new Float32Array(2 * s.nItems));
    expect(baselineNames().at(-1)).toBe('constant');
  });

  it('orders the names for the paired test as runs always have', () => {
    expect(baselineNames()).toEqual([
      'item_knn',
      'profile',
      'last_bucket',
      'most_popular',
      'most_popular_train',
      'recent_popular',
      'frequent_items',
    ]);
  });
});
