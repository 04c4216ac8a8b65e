import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../util/random.ts';

export interface SynthOptions {
  users: number;
  items: number;
  /** Events per user (each user gets exactly this many). */
  eventsPerUser: number;
  topics: number;
  seed: number;
  /** Seconds between a user's consecutive events. */
  step?: number;
}

export interface SynthData {
  /** userId, itemId, rating, timestamp (unix seconds). */
  events: [number, number, number, number][];
  /** itemId, title, genres. */
  items: [number, string, string][];
  /** Per user: the planted topic shares for the period right after their last event. */
  futureShares: number[][];
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

/**
 * A log with planted interest drift: each user's topic shares move from a start topic towards a second
 * topic over their history (a trend), so the next period is forecastable but differs from the past.
 */
export function generateSynthetic(o: SynthOptions): SynthData {
  if (o.topics > WORDS.length) throw new Error(`synth: at most ${WORDS.length} topics`);
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
  const start = 1_300_000_000;
  for (let u = 0; u < o.users; u++) {
    const a = Math.floor(rand() * o.topics);
    const b = (a + 1 + Math.floor(rand() * (o.topics - 1))) % o.topics;
    const shares = (p: number) => {
      const s = new Array<number>(o.topics).fill(0.1 / o.topics);
      s[a] += 0.9 * (1 - p);
      s[b] += 0.9 * p;
      return s;
    };
    let t = start + Math.floor(rand() * 30 * 86_400);
    for (let e = 0; e < o.eventsPerUser; e++) {
      const s = shares(e / o.eventsPerUser);
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
  }
  return { events, items, futureShares, topicNames: NAMES.slice(0, o.topics) };
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
    JSON.stringify({ topics: d.topicNames, futureShares: d.futureShares }),
  );
}
