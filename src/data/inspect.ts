import type { BucketSpec } from '../config/schema.ts';
import { bucketUser } from './bucket.ts';
import type { Dataset } from './read.ts';

/** Plain columns + rows: `new dfd.DataFrame(t.rows, { columns: t.columns })` in a notebook. */
export interface Table {
  columns: string[];
  rows: (string | number | null)[][];
}

export interface DataInspection {
  users: number;
  /** Catalogue size. */
  items: number;
  /** Items with at least one kept event. */
  itemsUsed: number;
  events: number;
  first: string | null;
  last: string | null;
  spanDays: number;
  /** 1 − distinct (user, item) pairs / (users × catalogue items). */
  sparsity: number;
  counts: { read: number; kept: number; quarantined: number; filtered: number };
  /** Events per bucket under the config's bucketing. */
  eventsPerBucket: {
    buckets: number;
    mean: number;
    min: number;
    p10: number;
    median: number;
    p90: number;
    max: number;
  };
  /** source, kind (quarantined | filtered), reason, count. */
  reasons: Table;
  /** bucketing, users ≥ 6 and ≥ 12 active buckets (and shares), median active buckets per user. */
  activity: Table;
}

/** The bucketings compared in `activity`; the config's own comes first. */
export function inspectBucketings(config: BucketSpec): [string, BucketSpec][] {
  const name =
    'events' in config
      ? `${config.events} events`
      : config.every === 'month'
        ? 'month'
        : `${config.every / 86_400} days`;
  return [
    [`config (${name})`, config],
    ['day', { every: 86_400 }],
    ['week', { every: 604_800 }],
    ['month', { every: 'month' }],
    ['10 events', { events: 10 }],
  ];
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: Int32Array, q: number): number {
  if (sorted.length === 0) return 0;
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

/** Active buckets per user under `spec`, and the sizes of all buckets. */
function bucketCounts(ds: Dataset, spec: BucketSpec): { perUser: Int32Array; sizes: number[] } {
  const users = ds.users.length;
  const perUser = new Int32Array(users);
  const sizes: number[] = [];
  for (let u = 0; u < users; u++) {
    const b = bucketUser(ds.events.ts, ds.userOffsets[u], ds.userOffsets[u + 1], spec);
    perUser[u] = b.start.length;
    for (let k = 0; k < b.start.length; k++) sizes.push(b.end[k] - b.start[k]);
  }
  return { perUser, sizes };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** Everything `data inspect` shows, as plain numbers and tables. */
export function inspectDataset(ds: Dataset, buckets: BucketSpec): DataInspection {
  const e = ds.events;
  const users = ds.users.length;
  let pairs = 0;
  const used = new Uint8Array(ds.items.ids.length);
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  for (let u = 0; u < users; u++) {
    const seen = new Set<number>();
    for (let k = ds.userOffsets[u]; k < ds.userOffsets[u + 1]; k++) {
      seen.add(e.item[k]);
      used[e.item[k]] = 1;
      if (e.ts[k] < tMin) tMin = e.ts[k];
      if (e.ts[k] > tMax) tMax = e.ts[k];
    }
    pairs += seen.size;
  }
  const cells = users * ds.items.ids.length;
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t * 1000).toISOString() : null);

  const activity: Table = {
    columns: ['bucketing', 'users_ge6', 'users_ge12', 'share_ge6', 'share_ge12', 'median_buckets'],
    rows: [],
  };
  let sizes: number[] = [];
  for (const [name, spec] of inspectBucketings(buckets)) {
    const c = bucketCounts(ds, spec);
    if (activity.rows.length === 0) sizes = c.sizes;
    const ge = (m: number) => c.perUser.reduce((a, n) => a + (n >= m ? 1 : 0), 0);
    const share = (n: number) => (users ? round(n / users) : 0);
    const sorted = Int32Array.from(c.perUser).sort();
    activity.rows.push([name, ge(6), ge(12), share(ge(6)), share(ge(12)), quantile(sorted, 0.5)]);
  }
  const sortedSizes = Int32Array.from(sizes).sort();

  const reasons: Table = { columns: ['source', 'kind', 'reason', 'count'], rows: [] };
  const s = ds.stats;
  for (const [r, n] of Object.entries(s.byReason)) reasons.rows.push(['events', 'quarantined', r, n]);
  for (const [r, n] of Object.entries(s.filteredByReason)) reasons.rows.push(['events', 'filtered', r, n]);
  for (const [label, src] of Object.entries(s.sources)) {
    for (const [r, n] of Object.entries(src.byReason)) reasons.rows.push([label, 'quarantined', r, n]);
    for (const [r, n] of Object.entries(src.filteredByReason ?? {}))
      reasons.rows.push([label, 'filtered', r, n]);
  }

  return {
    users,
    items: ds.items.ids.length,
    itemsUsed: used.reduce((a, b) => a + b, 0),
    events: e.n,
    first: iso(tMin),
    last: iso(tMax),
    spanDays: e.n ? round((tMax - tMin) / 86_400, 1) : 0,
    sparsity: cells ? round(1 - pairs / cells, 6) : 1,
    counts: { read: s.read, kept: s.kept, quarantined: s.quarantined, filtered: s.filtered },
    eventsPerBucket: {
      buckets: sizes.length,
      mean: sizes.length ? round(e.n / sizes.length, 2) : 0,
      min: sortedSizes[0] ?? 0,
      p10: quantile(sortedSizes, 0.1),
      median: quantile(sortedSizes, 0.5),
      p90: quantile(sortedSizes, 0.9),
      max: sortedSizes[sortedSizes.length - 1] ?? 0,
    },
    reasons,
    activity,
  };
}

/** A readable terminal rendering of a Table (numbers right-aligned). */
export function formatTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map((v) => (v === null ? '' : String(v))))];
  const widths = t.columns.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const numeric = t.columns.map((_, c) => t.rows.length > 0 && t.rows.every((r) => typeof r[c] === 'number'));
  return cells
    .map((r) => r.map((v, c) => (numeric[c] ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  '))
    .join('\n');
}
