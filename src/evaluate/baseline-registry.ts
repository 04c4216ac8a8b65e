import type { Config } from '../config/schema.ts';
import type { EventLog, Example } from '../data/split.ts';
import { buildTimeline, CountClock, mostPopular, recentPopular, trainingCounts } from './baselines.ts';
import { buildKnnSnapshots, itemKnnScorer, type KnnSnapshots } from './knn.ts';
import {
  type BucketsBefore,
  frequentItemsScorer,
  lastBucket,
  profileScorer,
  wholeHistory,
} from './profile.ts';
import type { Scorer } from './rank.ts';

/** What a baseline's scorer may be built from: the test examples, the log, the item vectors, the config. */
export interface BaselineContext {
  cfg: Config;
  log: EventLog;
  test: readonly Example[];
  nItems: number;
  /** Text vectors of the items (nItems × dim). */
  itemVectors: Float32Array;
  dim: number;
  bucketsBefore: BucketsBefore;
  /** item_knn's neighbour count, chosen on validation. */
  knnNeighbours: number;
  /** item_knn's snapshots of the test cutoffs built beforehand (with at least knnNeighbours); absent: built here. */
  knnSnapshots?: KnnSnapshots;
}

export interface BaselineEntry {
  name: string;
  /** Whether the run's setup supports it (default: always). */
  applies?: (cfg: Config) => boolean;
  build: (ctx: BaselineContext) => Scorer;
  /**
   * Place in the paired test's choice of the best baseline, where ties go to the earlier one (default:
   * after every ranked entry, in registry order). Kept so the choice matches earlier runs exactly.
   */
  tieRank?: number;
}

/**
 * The plain baselines (scorers over the log and item vectors alone) every test evaluation ranks, in the
 * order of the report's methods: adding a baseline is one entry here.
 */
export const BASELINE_REGISTRY: BaselineEntry[] = [
  { name: 'most_popular', tieRank: 3, build: (c) => mostPopular(CountClock.of(c.log, c.nItems)) },
  {
    name: 'item_knn',
    tieRank: 0,
    build: (c) =>
      itemKnnScorer(
        c.log,
        c.knnSnapshots ?? buildKnnSnapshots(c.log, c.test, c.nItems, c.knnNeighbours),
        c.knnNeighbours,
      ),
  },
  {
    name: 'profile',
    tieRank: 1,
    build: (c) => profileScorer(c.log, c.itemVectors, c.dim, wholeHistory(c.log)),
  },
  {
    name: 'last_bucket',
    tieRank: 2,
    build: (c) => profileScorer(c.log, c.itemVectors, c.dim, lastBucket(c.bucketsBefore)),
  },
  {
    name: 'recent_popular',
    tieRank: 5,
    build: (c) => recentPopular(buildTimeline(c.log), c.nItems, c.cfg.evaluate.recent_window),
  },
  {
    name: 'most_popular_train',
    tieRank: 4,
    applies: (cfg) => cfg.split.protocol === 'leave-one-out',
    build: (c) => trainingCounts(c.log, c.test, c.nItems),
  },
  {
    name: 'frequent_items',
    tieRank: 6,
    applies: (cfg) => !cfg.evaluate.exclude_seen,
    build: (c) => frequentItemsScorer(c.log, c.nItems, CountClock.of(c.log, c.nItems)),
  },
];

/** The scorers of every registered baseline that applies to the run, in registry order. */
export function plainBaselines(ctx: BaselineContext): Record<string, Scorer> {
  return Object.fromEntries(
    BASELINE_REGISTRY.filter((b) => b.applies?.(ctx.cfg) ?? true).map((b) => [b.name, b.build(ctx)]),
  );
}

/** Registered baseline names in the paired test's order (tieRank, then registry order). */
export function baselineNames(): string[] {
  const rank = (b: BaselineEntry) => b.tieRank ?? Number.POSITIVE_INFINITY;
  return [...BASELINE_REGISTRY].sort((a, b) => rank(a) - rank(b) || 0).map((b) => b.name);
}
