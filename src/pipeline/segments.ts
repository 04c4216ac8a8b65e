import type { Config } from '../config/schema.ts';
import type { EventLog, Example } from '../data/split.ts';
import { type KindReport, type KindViews, kindReport } from '../evaluate/by-kind.ts';
import { byHistoryLength, type HistoryLengthRow } from '../evaluate/history-length.ts';
import type { MethodResult } from '../evaluate/rank.ts';
import type { FeatureStore } from '../features/sequence.ts';
import { BASELINES } from './evaluate.ts';

/**
 * The report's per-kind and cross-kind tables (when the items have kinds) and its table by history length,
 * all of NDCG at the first cut-off with bootstrap CIs over users.
 */
export function segmentTables(
  cfg: Config,
  log: EventLog,
  test: readonly Example[],
  methods: Record<string, MethodResult>,
  store: FeatureStore,
  views?: KindViews,
): { kinds?: KindReport; byHistoryLength: HistoryLengthRow[] } {
  const metric = `ndcg@${cfg.evaluate.k[0]}`;
  const boot = { samples: cfg.evaluate.bootstrap, seed: cfg.run.seed };
  const bucketsOf = (ex: Example) => store.bucketsBefore(ex.user, ex.end).start.length;
  return {
    ...(views && {
      kinds: kindReport(views, log, test, {
        metric,
        boot,
        focus: 'blend',
        baselines: BASELINES,
      }),
    }),
    byHistoryLength: byHistoryLength(methods, test, bucketsOf, metric, boot),
  };
}
