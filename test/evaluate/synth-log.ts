import { type EventLog, type Split, splitEvents } from '../../src/data/split.ts';
import { generateSynthetic } from '../../src/data/synth.ts';
import { FeatureStore } from '../../src/features/sequence.ts';
import { PER_USER } from '../helpers/split.ts';

export interface SynthLog {
  log: EventLog & { weight: Float32Array };
  nItems: number;
  topics: number;
  /** One-hot topic vectors (items × topics): item i belongs to topic i mod topics. */
  itemVectors: Float32Array;
  split: Split;
}

/** The project's synthetic generator (planted topic drift) as an EventLog, split per user in 5-event buckets. */
export function synthLog(users = 80, items = 120, topics = 4, seed = 3): SynthLog {
  const d = generateSynthetic({ users, items, eventsPerUser: 50, topics, seed });
  const ev = [...d.events].sort((a, b) => a[0] - b[0] || a[3] - b[3] || a[1] - b[1]);
  const userOffsets = new Int32Array(users + 1);
  for (const e of ev) userOffsets[e[0]]++;
  for (let u = 0; u < users; u++) userOffsets[u + 1] += userOffsets[u];
  const log = {
    userOffsets,
    item: Int32Array.from(ev, (e) => e[1] - 1),
    ts: Float64Array.from(ev, (e) => e[3]),
    weight: Float32Array.from(ev, (e) => e[2]),
  };
  const itemVectors = new Float32Array(items * topics);
  for (let i = 0; i < items; i++) itemVectors[i * topics + (i % topics)] = 1;
  const split = splitEvents(log, { events: 5 }, PER_USER);
  return { log, nItems: items, topics, itemVectors, split };
}

/**
 * synthLog's features in 5-event buckets, every event weighted 1: each item's topic vector is its text
 * vector and its topic shares.
 */
export function synthStore({ log, itemVectors, topics }: SynthLog): FeatureStore {
  return new FeatureStore({
    ...log,
    weight: new Float32Array(log.item.length).fill(1),
    itemVectors,
    dim: topics,
    itemShares: itemVectors,
    k: topics,
    buckets: { events: 5 },
  });
}
