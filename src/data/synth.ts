import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../util/random.ts';
import {
  DataError,
  type DriftPattern,
  type PlantedTruth,
  type PlantedUser,
  plantedShares,
  TRUTH_FILE,
} from './truth.ts';

export { DRIFT_PATTERNS, type DriftPattern, driftWeight } from './truth.ts';

export interface SynthOptions {
  users: number;
  items: number;
  /** Events per user (each user gets exactly this many); ignored when `events` is given. */
  eventsPerUser?: number;
  /** Total events, spread as evenly as possible (the first `events % users` users get one more). */
  events?: number;
  topics: number;
  seed: number;
  /** Seconds between a user's consecutive events (mean); ignored when `months` is given. */
  step?: number;
  /** Spread every user's events evenly, with jitter, over this many calendar months from a common origin. */
  months?: number;
  /** Patterns drawn uniformly per user; default trend only (keeps older seeds' output unchanged). */
  patterns?: readonly DriftPattern[];
  /**
   * Item kinds (e.g. film, book, music): every topic has items of every kind with the same topic words,
   * and each user draws HOME_KIND_SHARE of their events from one home kind, the rest from the others.
   */
  kinds?: readonly string[];
}

export interface SynthData {
  /** userId, itemId, rating, timestamp (unix seconds). */
  events: [number, number, number, number][];
  /** itemId, title, genres. */
  items: [number, string, string][];
  /** Per item (with `kinds`): its kind. */
  itemKinds?: string[];
  /** Per user: the planted topic shares for the period right after their last event. */
  futureShares: number[][];
  /** Per user: the planted pattern. */
  patterns: DriftPattern[];
  /** Per user: every planted parameter, so any window's generating shares can be recomputed. */
  users: PlantedUser[];
  topicNames: string[];
}

const WORDS = [
  'space ship galaxy alien orbit planet rocket star',
  'love wedding kiss romance heart date paris letter',
  'murder detective crime police gun heist mafia prison',
  'ghost haunted blood zombie curse night scream demon',
  'dragon sword magic kingdom quest wizard elf castle',
  'war soldier battle army general front tank medal',
  'family dog school holiday friends summer camp toy',
  'music band song concert stage dance singer tour',
  'cowboy saloon sheriff outlaw ranch horse desert frontier',
  'football coach team match stadium champion goal league',
  'nature ocean wildlife history science expedition jungle volcano',
  'cartoon bunny puppet pixel mouse talking sketch doodle',
  'spy agent secret conspiracy hostage bomb chase escape',
  'joke prank clown laugh sitcom roommate party blunder',
  'chef kitchen recipe restaurant bakery wine feast dinner',
  'president inventor painter biography genius memoir pioneer empress',
].map((s) => s.split(' '));

const NAMES = [
  'SciFi',
  'Romance',
  'Crime',
  'Horror',
  'Fantasy',
  'War',
  'Family',
  'Music',
  'Western',
  'Sports',
  'Documentary',
  'Animation',
  'Thriller',
  'Comedy',
  'Cooking',
  'Biography',
];

/** Topics with their own genre name and word list (no word shared between topics). */
export const MAX_TOPICS = WORDS.length;

/** Users' histories start within 30 days (or, with `months`, 3 days) after this instant. */
const START = 1_300_000_000;
const DAY = 86_400;

/** The first second of the month `k` months after the one holding `ts`. */
const addMonths = (ts: number, k: number) => {
  const d = new Date(ts * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1) / 1000;
};
const isoDate = (ts: number) => new Date(ts * 1000).toISOString().slice(0, 10);

/** Events of user u when `total` events are spread evenly over `users`. */
const spread = (total: number, users: number, u: number) =>
  Math.floor(total / users) + (u < total % users ? 1 : 0);

function checkOptions(o: SynthOptions): void {
  if (o.topics > MAX_TOPICS) throw new DataError(`synth: at most ${MAX_TOPICS} topics, got ${o.topics}`);
  if (o.topics < 2) throw new DataError('synth: topics must be at least 2 (drift needs two topics)');
  const counts = { users: o.users, items: o.items, topics: o.topics, months: o.months ?? 1 };
  for (const [k, v] of Object.entries(counts)) {
    if (!Number.isInteger(v) || v < 1)
      throw new DataError(`synth: ${k} must be a positive integer, got ${v}`);
  }
  if (o.items < o.topics)
    throw new DataError(`synth: items (${o.items}) must be at least topics (${o.topics})`);
  const n = o.events ?? o.eventsPerUser;
  if (n === undefined || !Number.isInteger(n) || n < 1)
    throw new DataError(`synth: give events (total) or eventsPerUser as a positive integer, got ${n}`);
  if (o.patterns?.length === 0) throw new DataError('synth: patterns must not be empty');
  if (o.kinds) checkKinds(o.kinds, o.items, o.topics);
}

function checkKinds(kinds: readonly string[], items: number, topics: number): void {
  if (kinds.length < 2) throw new DataError(`synth: kinds needs at least two kinds, got ${kinds.length}`);
  const bad = kinds.find((k) => !/^[a-z][\w-]*$/i.test(k));
  if (bad !== undefined) throw new DataError(`synth: kind "${bad}" must be a word (letters, digits, _ or -)`);
  if (new Set(kinds).size !== kinds.length) throw new DataError('synth: kinds must be distinct');
  if (items < topics * kinds.length)
    throw new DataError(
      `synth: items (${items}) must be at least topics × kinds (${topics * kinds.length}) so every topic has every kind`,
    );
}

/** Share of a user's events drawn from their home kind; the rest spread evenly over the other kinds. */
export const HOME_KIND_SHARE = 0.6;

/** An event's kind from one uniform draw: the home kind with HOME_KIND_SHARE, else another one evenly. */
function kindOf(home: number, kinds: number, r: number): number {
  if (r < HOME_KIND_SHARE) return home;
  const other = Math.min(
    kinds - 2,
    Math.floor(((r - HOME_KIND_SHARE) / (1 - HOME_KIND_SHARE)) * (kinds - 1)),
  );
  return (home + 1 + other) % kinds;
}

/**
 * One user's event times, one call per event. Each call draws once, after the event's other draws, so
 * logs without `months` stay identical for a given seed.
 */
function userClock(o: SynthOptions, n: number, rand: () => number): () => number {
  if (o.months === undefined) {
    const step = o.step ?? DAY;
    let t = START + Math.floor(rand() * 30 * DAY);
    return () => {
      const now = t;
      t += Math.ceil(step * (0.5 + rand()));
      return now;
    };
  }
  // Common origin and end for all users, so a global split by dates cuts every history alike.
  const origin = addMonths(START, 0);
  const first = origin + Math.floor(rand() * 3 * DAY);
  const slot = (addMonths(origin, o.months) - first) / n;
  let e = 0;
  return () => first + Math.floor((e++ + rand()) * slot);
}

/**
 * A log with planted interest drift: each user's topic shares move between a start topic and a second
 * topic over their history (trend, cycle or switch), so the next period is forecastable but differs
 * from the past.
 */
export function generateSynthetic(o: SynthOptions): SynthData {
  checkOptions(o);
  const rand = mulberry32(o.seed);
  const items: SynthData['items'] = [];
  const nKinds = o.kinds?.length ?? 1;
  // Pools by topic and kind (one kind without `kinds`): item i has topic i mod topics, kind ⌊i / topics⌋ mod kinds.
  const pools: number[][][] = Array.from({ length: o.topics }, () =>
    Array.from({ length: nKinds }, () => []),
  );
  for (let i = 0; i < o.items; i++) {
    const t = i % o.topics;
    const w = WORDS[t];
    const title = `${w[Math.floor(rand() * w.length)]} ${w[Math.floor(rand() * w.length)]} ${i}`;
    items.push([i + 1, title, NAMES[t]]);
    pools[t][Math.floor(i / o.topics) % nKinds].push(i + 1);
  }
  const events: SynthData['events'] = [];
  const users: PlantedUser[] = [];
  const drawn: readonly DriftPattern[] = o.patterns ?? ['trend'];
  for (let u = 0; u < o.users; u++) {
    const a = Math.floor(rand() * o.topics);
    const b = (a + 1 + Math.floor(rand() * (o.topics - 1))) % o.topics;
    // Extra draws only when there is a choice, so trend-only logs stay identical for a given seed.
    const pattern = drawn.length > 1 ? drawn[Math.floor(rand() * drawn.length)] : drawn[0];
    const cycles = pattern === 'cycle' ? 1.5 + Math.floor(rand() * 3) : 0;
    const at = pattern === 'switch' ? 0.4 + 0.4 * rand() : 0;
    const home = o.kinds ? Math.floor(rand() * nKinds) : 0;
    const n = o.events === undefined ? (o.eventsPerUser as number) : spread(o.events, o.users, u);
    const user: PlantedUser = { id: u + 1, a, b, pattern, cycles, at, events: n };
    const clock = userClock(o, n, rand);
    for (let e = 0; e < n; e++) {
      const s = plantedShares(user, o.topics, e / n);
      let r = rand();
      let topic = 0;
      while (topic < o.topics - 1 && r >= s[topic]) r -= s[topic++];
      // Extra draw only with kinds, so logs without them stay identical for a given seed.
      const kind = o.kinds ? kindOf(home, nKinds, rand()) : 0;
      // Zipf-like popularity inside a topic (and kind): low ranks far more often.
      const pool = pools[topic][kind];
      const item = pool[Math.min(pool.length - 1, Math.floor(pool.length * rand() ** 2))];
      events.push([user.id, item, 1 + Math.floor(rand() * 5), clock()]);
    }
    users.push(user);
  }
  return {
    events,
    items,
    ...(o.kinds && {
      itemKinds: items.map((_, i) => (o.kinds as readonly string[])[Math.floor(i / o.topics) % nKinds]),
    }),
    futureShares: users.map((user) => plantedShares(user, o.topics, 1)),
    patterns: users.map((user) => user.pattern),
    users,
    topicNames: NAMES.slice(0, o.topics),
  };
}

const csvField = (s: string | number) =>
  typeof s === 'string' && /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : String(s);

/** Writes ratings.csv, movies.csv (MovieLens layout, plus a kind column with kinds) and truth.json (a PlantedTruth) into dir. */
export function writeSynthetic(dir: string, d: SynthData): void {
  mkdirSync(dir, { recursive: true });
  const rows = (header: string, data: (string | number)[][]) =>
    `${header}\n${data.map((r) => r.map(csvField).join(',')).join('\n')}\n`;
  writeFileSync(join(dir, 'ratings.csv'), rows('userId,movieId,rating,timestamp', d.events));
  const kinds = d.itemKinds;
  writeFileSync(
    join(dir, 'movies.csv'),
    kinds
      ? rows(
          'movieId,title,genres,kind',
          d.items.map((r, i) => [...r, kinds[i]]),
        )
      : rows('movieId,title,genres', d.items),
  );
  const truth: PlantedTruth = {
    topics: d.topicNames,
    futureShares: d.futureShares,
    patterns: d.patterns,
    users: d.users,
  };
  writeFileSync(join(dir, TRUTH_FILE), JSON.stringify(truth));
}

/**
 * The `data:` config block mapping the files writeSynthetic writes (under `prefix`, relative to the config).
 * With kinds the kind is a word of the item text too, as a book's blurb differs from a film's.
 */
export function synthDataYaml(prefix: string, kinds = false): string {
  const items = kinds
    ? 'text: "{kind}: {title}. Genres: {genres}", categories: genres, kind: kind'
    : 'text: "{title}. Genres: {genres}", categories: genres';
  return `data:
  events: { path: ${prefix}ratings.csv, user: userId, item: movieId, time: timestamp, time_unit: s, weight: rating }
  items: { path: ${prefix}movies.csv, id: movieId, title: title, ${items} }
`;
}

/** Monthly buckets each user needs before a cutoff to get a validation or test example. */
const MIN_HISTORY_BUCKETS = 2;

/** Cutoffs (ISO dates, first of a UTC month) of a global split. */
export interface MonthSplit {
  valid_from: string;
  test_from: string;
}

/**
 * Test on the log's last full month and validate on the month before. The month of the last event counts
 * as full when that event falls on its last day (a `months` log ends right at a month boundary).
 */
export function lastMonthsSplit(events: SynthData['events']): MonthSplit {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    first = Math.min(first, e[3]);
    last = Math.max(last, e[3]);
  }
  const test = addMonths(last, addMonths(last, 1) - last <= DAY ? 0 : -1);
  const valid = addMonths(test, -1);
  if (valid < addMonths(first, MIN_HISTORY_BUCKETS))
    throw new DataError(
      `synth: a global split needs ${MIN_HISTORY_BUCKETS} history months before the validation month ` +
        `${isoDate(valid)}, but the log starts ${isoDate(first)}: use --months ${MIN_HISTORY_BUCKETS + 2} or more`,
    );
  return { valid_from: isoDate(valid), test_from: isoDate(test) };
}

/**
 * A ready-to-run config for a log written by writeSynthetic (paths relative to the config's folder): per-user
 * splits over 10-event buckets, validated on half the users held out (every user's trajectory here spans the
 * same relative time, so the bucket before the test sits at another point of it than the test: README), or
 * with `split` a global split over calendar months.
 */
export function synthConfigYaml(o: {
  name: string;
  topics: number;
  seed: number;
  split?: MonthSplit;
  kinds?: boolean;
}): string {
  const split = o.split
    ? `buckets: { every: month }
split: { protocol: global, valid_from: ${o.split.valid_from}, test_from: ${o.split.test_from}, horizon: 31d, min_history_buckets: ${MIN_HISTORY_BUCKETS} }
`
    : `buckets: { events: 10 }
split: { protocol: per-user, test_buckets: 1, valid_buckets: 1, min_history_buckets: ${MIN_HISTORY_BUCKETS}, validation: users, valid_users: 0.5 }
`;
  return `# Synthetic log with planted drift (interest-evo data synth); ${TRUTH_FILE} holds the planted parameters.
run: { name: ${o.name}, seed: ${o.seed} }
${synthDataYaml('', o.kinds)}  filters: { min_user_events: 5, min_item_events: 1 }
${split}embed: { encoder: hashing, cache: null }
# Topics from the items' categories (the genres): on validation the blend scored 0.1201 vs 0.1148 with 20
# k-means topics on the default log, 0.1219 vs 0.1213 on 12 topics × 30 months (README, Results).
topics: { source: categories }
# The id-based sequential peers (GRU4Rec, SASRec) train on the same split; drop the list for a quick run.
evaluate: { truth: ${TRUTH_FILE}, sequential: [{ kind: gru4rec }, { kind: sasrec }] }
`;
}
