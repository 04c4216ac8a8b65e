import type { BucketSpec } from '../config/schema.ts';
import { bucketUser } from './bucket.ts';
import {
  assembleSplit,
  distinctItems,
  type EventLog,
  type Example,
  type Split,
  type SplitSummary,
} from './split.ts';

export interface LeaveOneOutOptions {
  /** Users with fewer events only contribute training examples (RecBole needs ≥ 3: train, valid, test). */
  minEvents?: number;
}

export type LeaveOneOutSplit = Omit<Split, 'summary'> & {
  summary: Omit<SplitSummary, 'protocol'> & { protocol: 'leave-one-out' };
};

/**
 * Leave-one-out by time (RecBole's sequential protocol): each user's last event (in the log's order: time,
 * then item id, then line) is the test target, the one before it the validation target; features are every
 * earlier event. Training examples are built from the events before the validation target, bucket by
 * bucket as in splitEvents.
 */
export function leaveOneOut(
  log: EventLog,
  spec: BucketSpec,
  opts: LeaveOneOutOptions = {},
): LeaveOneOutSplit {
  const minEvents = opts.minEvents ?? 3;
  if (!Number.isInteger(minEvents) || minEvents < 3)
    throw new Error(`leaveOneOut: minEvents must be an integer ≥ 3, got ${minEvents}`);
  const train: Example[] = [];
  const valid: Example[] = [];
  const test: Example[] = [];
  const users = log.userOffsets.length - 1;
  const at = (user: number, end: number): Example => ({
    user,
    end,
    targetEnd: end + 1,
    cutoff: log.ts[end],
    target: distinctItems(log.item, end, end + 1),
  });
  for (let u = 0; u < users; u++) {
    const from = log.userOffsets[u];
    const to = log.userOffsets[u + 1];
    const eligible = to - from >= minEvents;
    const trainEnd = eligible ? to - 2 : to;
    const b = bucketUser(log.ts, from, trainEnd, spec);
    for (let t = 1; t < b.start.length; t++) {
      const s = b.start[t];
      train.push({
        user: u,
        end: s,
        targetEnd: b.end[t],
        cutoff: log.ts[s],
        target: distinctItems(log.item, s, b.end[t]),
      });
    }
    if (!eligible) continue;
    valid.push(at(u, to - 2));
    test.push(at(u, to - 1));
  }
  return assembleSplit('leave-one-out', users, train, valid, test) as LeaveOneOutSplit;
}
