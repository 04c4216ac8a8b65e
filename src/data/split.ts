import type { BucketSpec, SplitConfig } from '../config/schema.ts';
import { bucketUser, lowerBound } from './bucket.ts';

/** Minimal view of the events a split needs (see Dataset in read.ts). */
export interface EventLog {
  userOffsets: Int32Array;
  item: Int32Array;
  ts: Float64Array;
}

/**
 * One prediction problem: features use the user's events [userOffsets[user], end) only; the target is the
 * set of distinct items of the user's events [end, targetEnd) (the target window, starting at `cutoff`).
 */
export interface Example {
  user: number;
  end: number;
  targetEnd: number;
  cutoff: number;
  target: Int32Array;
}

export interface SplitSummary {
  protocol: 'per-user' | 'global' | 'leave-one-out';
  users: number;
  evalUsers: { valid: number; test: number };
  examples: { train: number; valid: number; test: number };
  cutoffs?: { valid_from: string; test_from: string; test_to: string };
  /** Per-user protocol with event buckets: events after each evaluated user's last full bucket, left out. */
  trailingEvents?: number;
  /** Per-user protocol: validation on the bucket before each test target, or on held-out users. */
  validation?: 'previous' | 'users';
}

export interface Split {
  train: Example[];
  valid: Example[];
  test: Example[];
  summary: SplitSummary;
}

/** The split with its summary counts. */
export function assembleSplit(
  protocol: SplitSummary['protocol'],
  users: number,
  train: Example[],
  valid: Example[],
  test: Example[],
  extra: Pick<SplitSummary, 'cutoffs' | 'trailingEvents' | 'validation'> = {},
): Split {
  return {
    train,
    valid: byCutoff(valid),
    test: byCutoff(test),
    summary: {
      protocol,
      users,
      evalUsers: { valid: valid.length, test: test.length },
      examples: { train: train.length, valid: valid.length, test: test.length },
      ...extra,
    },
  };
}

/**
 * Evaluation examples in time order (then by user): popularity known at each cutoff is then one forward
 * sweep over the time-sorted log (CountClock) instead of a recount per example.
 */
function byCutoff(examples: Example[]): Example[] {
  return examples.sort((a, b) => a.cutoff - b.cutoff || a.user - b.user);
}

/** Distinct items of events [from, to), in first-seen order. */
export function distinctItems(item: Int32Array, from: number, to: number): Int32Array {
  const seen = new Set<number>();
  for (let i = from; i < to; i++) seen.add(item[i]);
  return Int32Array.from(seen);
}

/** Training examples: each bucket after the first (within events [from, to)) is predicted from those before it. */
function trainExamples(log: EventLog, user: number, from: number, to: number, spec: BucketSpec): Example[] {
  const b = bucketUser(log.ts, from, to, spec);
  const out: Example[] = [];
  for (let t = 1; t < b.start.length; t++) {
    out.push({
      user,
      end: b.start[t],
      cutoff: log.ts[b.start[t]],
      targetEnd: b.end[t],
      target: distinctItems(log.item, b.start[t], b.end[t]),
    });
  }
  return out;
}

function perUser(
  log: EventLog,
  spec: BucketSpec,
  cfg: Extract<SplitConfig, { protocol: 'per-user' }>,
): Split {
  const train: Example[] = [];
  const valid: Example[] = [];
  const test: Example[] = [];
  const users = log.userOffsets.length - 1;
  const byUsers = cfg.validation === 'users';
  const need = cfg.min_history_buckets + (byUsers ? 0 : cfg.valid_buckets) + cfg.test_buckets;
  const perUserBuckets = Array.from({ length: users }, (_, u) => {
    const all = bucketUser(log.ts, log.userOffsets[u], log.userOffsets[u + 1], spec);
    // A last event bucket holding fewer than N events is a different kind of target from the full
    // validation bucket; evaluated users end at their last full bucket (the rest is counted, not used).
    const partial = 'events' in spec && lastSize(all) < spec.events;
    return { all, partial, n: all.start.length - (partial ? 1 : 0) };
  });
  const heldOut = byUsers
    ? heldOutUsers(
        perUserBuckets.flatMap((b, u) => (b.n >= need ? [u] : [])),
        cfg.valid_users,
      )
    : new Set<number>();
  let trailing = 0;
  for (let u = 0; u < users; u++) {
    const from = log.userOffsets[u];
    const { all, partial, n } = perUserBuckets[u];
    if (n < need) {
      train.push(...trainExamples(log, u, from, log.userOffsets[u + 1], spec));
      continue;
    }
    const to = partial ? all.start[n] : log.userOffsets[u + 1];
    trailing += log.userOffsets[u + 1] - to;
    const t0 = all.start[n - cfg.test_buckets];
    const last = evaluation(log, u, t0, to);
    if (byUsers) {
      train.push(...trainExamples(log, u, from, t0, spec));
      (heldOut.has(u) ? valid : test).push(last);
      continue;
    }
    const v0 = all.start[n - cfg.test_buckets - cfg.valid_buckets];
    train.push(...trainExamples(log, u, from, v0, spec));
    valid.push(evaluation(log, u, v0, t0));
    test.push(last);
  }
  const before =
    cfg.train_before === undefined ? Number.POSITIVE_INFINITY : resolveCutoff(cfg.train_before, log.ts);
  const kept = train.filter((ex) => log.ts[ex.targetEnd - 1] < before);
  return assembleSplit('per-user', users, kept, valid, test, {
    validation: cfg.validation,
    ...('events' in spec ? { trailingEvents: trailing } : {}),
  });
}

/** The evaluation example of user u's events [end, targetEnd). */
function evaluation(log: EventLog, user: number, end: number, targetEnd: number): Example {
  return { user, end, targetEnd, cutoff: log.ts[end], target: distinctItems(log.item, end, targetEnd) };
}

/**
 * round(share · users) of the eligible users (at least one, one fewer than all), the same for the same log:
 * those with the smallest hash of their index (a fixed integer mix), so the choice depends on neither the
 * run's seed nor the order of runs.
 */
export function heldOutUsers(eligible: readonly number[], share: number): Set<number> {
  const mix = (u: number) => {
    let h = Math.imul(u ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  if (eligible.length < 2)
    throw new Error(
      `split: validation: users needs at least 2 users with enough buckets to evaluate, the log has ${eligible.length}`,
    );
  const ranked = [...eligible].sort((a, b) => mix(a) - mix(b) || a - b);
  // At least one user on each side.
  const n = Math.min(eligible.length - 1, Math.max(1, Math.round(share * eligible.length)));
  return new Set(ranked.slice(0, n));
}

const lastSize = (b: { start: number[]; end: number[] }) =>
  b.end[b.end.length - 1] - b.start[b.start.length - 1];

/** Resolves "q0.8" to the 80th percentile of event times, or parses an ISO date (UTC). */
export function resolveCutoff(spec: string, ts: Float64Array): number {
  if (spec.startsWith('q')) {
    const sorted = Float64Array.from(ts).sort();
    const q = Number(spec.slice(1));
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
  const ms = Date.parse(/T/.test(spec) ? spec : `${spec}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`split: cannot parse cutoff "${spec}"`);
  return ms / 1000;
}

function global(log: EventLog, spec: BucketSpec, cfg: Extract<SplitConfig, { protocol: 'global' }>): Split {
  const t1 = resolveCutoff(cfg.valid_from, log.ts);
  const t2 = resolveCutoff(cfg.test_from, log.ts);
  if (!(t1 < t2))
    throw new Error(`split: valid_from (${cfg.valid_from}) must be before test_from (${cfg.test_from})`);
  const t3 = t2 + cfg.horizon;
  const train: Example[] = [];
  const valid: Example[] = [];
  const test: Example[] = [];
  const users = log.userOffsets.length - 1;
  const enough = (from: number, end: number) =>
    bucketUser(log.ts, from, end, spec).start.length >= cfg.min_history_buckets;
  for (let u = 0; u < users; u++) {
    const from = log.userOffsets[u];
    const to = log.userOffsets[u + 1];
    const i1 = lowerBound(log.ts, from, to, t1);
    const i2 = lowerBound(log.ts, from, to, t2);
    const i3 = lowerBound(log.ts, from, to, t3);
    train.push(...trainExamples(log, u, from, i1, spec));
    if (i2 > i1 && enough(from, i1))
      valid.push({ user: u, end: i1, targetEnd: i2, cutoff: t1, target: distinctItems(log.item, i1, i2) });
    if (i3 > i2 && enough(from, i2))
      test.push({ user: u, end: i2, targetEnd: i3, cutoff: t2, target: distinctItems(log.item, i2, i3) });
  }
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return assembleSplit('global', users, train, valid, test, {
    cutoffs: { valid_from: iso(t1), test_from: iso(t2), test_to: iso(t3) },
  });
}

/**
 * Leave-one-out by time (RecBole's sequential protocol): each user's last event (in the log's order: time,
 * then item id, then line) is the test target, the one before it the validation target; features are every
 * earlier event. Users with fewer than `min_events` events only contribute training examples, built from
 * the events before the validation target bucket by bucket as in the other protocols.
 */
export function leaveOneOut(log: EventLog, spec: BucketSpec, minEvents = 3): Split {
  if (!Number.isInteger(minEvents) || minEvents < 3)
    throw new Error(`leave-one-out: min_events must be an integer ≥ 3, got ${minEvents}`);
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
    train.push(...trainExamples(log, u, from, eligible ? to - 2 : to, spec));
    if (!eligible) continue;
    valid.push(at(u, to - 2));
    test.push(at(u, to - 1));
  }
  return assembleSplit('leave-one-out', users, train, valid, test);
}

export function splitEvents(log: EventLog, spec: BucketSpec, cfg: SplitConfig): Split {
  if (cfg.protocol === 'leave-one-out') return leaveOneOut(log, spec, cfg.min_events);
  return cfg.protocol === 'per-user' ? perUser(log, spec, cfg) : global(log, spec, cfg);
}

/** The global clock a popularity baseline may see (per-user protocol: none). */
export function clockOf(cfg: SplitConfig, examples: readonly Example[]): number {
  return cfg.protocol === 'global' && examples.length ? examples[0].cutoff : Number.POSITIVE_INFINITY;
}
