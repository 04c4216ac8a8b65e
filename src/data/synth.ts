import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../util/random.ts';

/** How a user's interest moves between their two topics a → b. */
export type DriftPattern = 'trend' | 'cycle' | 'switch';
export const DRIFT_PATTERNS: readonly DriftPattern[] = ['trend', 'cycle', 'switch'];

export interface SynthOptions {
  users: number;
  items: number;
  /** Events per user (each user gets exactly this many); ignored when `events` is given. */
  eventsPerUser?: number;
  /** Total events, spread as evenly as possible (the first `events % users` users get one more). */
  events?: number;
  topics: number;
  seed: number;
  /** Seconds between a user's consecutive events. */
  step?: number;
  /** Patterns drawn uniformly per user; default trend only (keeps older seeds' output unchanged). */
  patterns?: readonly DriftPattern[];
}

export interface SynthData {
  /** userId, itemId, rating, timestamp (unix seconds). */
  events: [number, number, number, number][];
  /** itemId, title, genres. */
  items: [number, string, string][];
  /** Per user: the planted topic shares for the period right after their last event. */
  futureShares: number[][];
  /** Per user: the planted pattern. */
  patterns: DriftPattern[];
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
].map((s) => s.split(' '));

const NAMES = ['SciFi', 'Romance', 'Crime', 'Horror', 'Fantasy', 'War', 'Family', 'Music'];

/** Events of user u when `total` events are spread evenly over `users`. */
const spread = (total: number, users: number, u: number) =>
  Math.floor(total / users) + (u < total % users ? 1 : 0);

/**
 * Weight of topic b at progress p ∈ [0, 1] of a user's history: trend moves linearly from a to b; cycle
 * swings a → b → a `cycles` times; switch jumps from a to b at progress `at`.
 */
export function driftWeight(pattern: DriftPattern, p: number, cycles: number, at: number): number {
  if (pattern === 'trend') return p;
  if (pattern === 'cycle') return (1 - Math.cos(2 * Math.PI * cycles * p)) / 2;
  return p >= at ? 1 : 0;
}

function checkOptions(o: SynthOptions): void {
  if (o.topics > WORDS.length) throw new Error(`synth: at most ${WORDS.length} topics`);
  if (o.topics < 2) throw new Error('synth: topics must be at least 2 (drift needs two topics)');
  for (const [k, v] of Object.entries({ users: o.users, items: o.items })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`synth: ${k} must be a positive integer, got ${v}`);
  }
  if (o.items < o.topics) throw new Error(`synth: items (${o.items}) must be at least topics (${o.topics})`);
  const n = o.events ?? o.eventsPerUser;
  if (n === undefined || !Number.isInteger(n) || n < 1)
    throw new Error(`synth: give events (total) or eventsPerUser as a positive integer, got ${n}`);
  if (o.patterns?.length === 0) throw new Error('synth: patterns must not be empty');
}

/**
 * A log with planted interest drift: each user's topic shares move between a start topic and a second
 * topic over their history (trend, cycle or switch), so the next period is forecastable but differs
 * from the past.
 */
export function generateSynthetic(o: SynthOptions): SynthData {
  checkOptions(o);
  const rand = mulberry32(o.seed);
  const step = o.step ?? 86_400;
  const items: SynthData['items'] = [];
  const byTopic: number[][] = Array.from({ length: o.topics }, () => []);
  for (let i = 0; i < o.items; i++) {
    const t = i % o.topics;
    const w = WORDS[t];
    const title = `${w[Math.floor(rand() * w.length)]} ${w[Math.floor(rand() * w.length)]} ${i}`;
    items.push([i + 1, title, NAMES[t]]);
    byTopic[t].push(i + 1);
  }
  const events: SynthData['events'] = [];
  const futureShares: number[][] = [];
  const patterns: DriftPattern[] = [];
  const kinds = o.patterns ?? ['trend'];
  const start = 1_300_000_000;
  for (let u = 0; u < o.users; u++) {
    const a = Math.floor(rand() * o.topics);
    const b = (a + 1 + Math.floor(rand() * (o.topics - 1))) % o.topics;
    // Extra draws only when there is a choice, so trend-only logs stay identical for a given seed.
    const pattern = kinds.length > 1 ? kinds[Math.floor(rand() * kinds.length)] : kinds[0];
    const cycles = pattern === 'cycle' ? 1.5 + Math.floor(rand() * 3) : 0;
    const at = pattern === 'switch' ? 0.4 + 0.4 * rand() : 0;
    const shares = (p: number) => {
      const w = driftWeight(pattern, p, cycles, at);
      const s = new Array<number>(o.topics).fill(0.1 / o.topics);
      s[a] += 0.9 * (1 - w);
      s[b] += 0.9 * w;
      return s;
    };
    const n = o.events === undefined ? (o.eventsPerUser as number) : spread(o.events, o.users, u);
    let t = start + Math.floor(rand() * 30 * 86_400);
    for (let e = 0; e < n; e++) {
      const s = shares(e / n);
      let r = rand();
      let topic = 0;
      while (topic < o.topics - 1 && r >= s[topic]) r -= s[topic++];
      // Zipf-like popularity inside a topic: low ranks far more often.
      const pool = byTopic[topic];
      const item = pool[Math.min(pool.length - 1, Math.floor(pool.length * rand() ** 2))];
      events.push([u + 1, item, 1 + Math.floor(rand() * 5), t]);
      t += Math.ceil(step * (0.5 + rand()));
    }
    futureShares.push(shares(1));
    patterns.push(pattern);
  }
  return { events, items, futureShares, patterns, topicNames: NAMES.slice(0, o.topics) };
}

const csvField = (s: string | number) =>
  typeof s === 'string' && /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : String(s);

/** Writes ratings.csv, movies.csv (MovieLens layout) and truth.json into dir. */
export function writeSynthetic(dir: string, d: SynthData): void {
  mkdirSync(dir, { recursive: true });
  const rows = (header: string, data: (string | number)[][]) =>
    `${header}\n${data.map((r) => r.map(csvField).join(',')).join('\n')}\n`;
  writeFileSync(join(dir, 'ratings.csv'), rows('userId,movieId,rating,timestamp', d.events));
  writeFileSync(join(dir, 'movies.csv'), rows('movieId,title,genres', d.items));
  writeFileSync(
    join(dir, 'truth.json'),
    JSON.stringify({ topics: d.topicNames, futureShares: d.futureShares, patterns: d.patterns }),
  );
}

/** A ready-to-run config for a log written by writeSynthetic (paths relative to the config's folder). */
/** The `data:` config block mapping the files writeSynthetic writes (under `prefix`, relative to the config). */
export function synthDataYaml(prefix: string): string {
  return `data:
  events: { path: ${prefix}ratings.csv, user: userId, item: movieId, time: timestamp, time_unit: s, weight: rating }
  items: { path: ${prefix}movies.csv, id: movieId, title: title, text: "{title}. Genres: {genres}", categories: genres }
`;
}

export function synthConfigYaml(o: { name: string; topics: number; seed: number }): string {
  return `# Synthetic log with planted drift (interest-evo data synth); truth.json holds the planted future shares.
run: { name: ${o.name}, seed: ${o.seed} }
${synthDataYaml('')}  filters: { min_user_events: 5, min_item_events: 1 }
buckets: { events: 10 }
split: { protocol: per-user, test_buckets: 1, valid_buckets: 1, min_history_buckets: 2 }
embed: { encoder: hashing, cache: null }
topics: { k: ${o.topics} }
`;
}
