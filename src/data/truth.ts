import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../config/load.ts';
import type { Example } from './split.ts';

/** A user-facing data problem: the CLI prints its message as one line, without a stack trace. */
export class DataError extends Error {
  override name = 'DataError';
}

/** How a user's interest moves between their two topics a → b. */
export const DRIFT_PATTERNS = ['trend', 'cycle', 'switch'] as const;
export type DriftPattern = (typeof DRIFT_PATTERNS)[number];

/** Name of the planted-truth file the synthetic generator writes next to its data. */
export const TRUTH_FILE = 'truth.json';

const UserSchema = z
  .object({
    /** The userId written to ratings.csv. */
    id: z.number().int(),
    /** Start and second topic, indices into `topics`. */
    a: z.number().int().min(0),
    b: z.number().int().min(0),
    pattern: z.enum(DRIFT_PATTERNS),
    cycles: z.number().min(0),
    at: z.number().min(0).max(1),
    /** Events written for this user. */
    events: z.number().int().min(1),
  })
  .strict();

const TruthSchema = z
  .object({
    topics: z.array(z.string()).min(2),
    /** Per user: the planted shares right after their last event (= plantedShares at p = 1). */
    futureShares: z.array(z.array(z.number())),
    patterns: z.array(z.enum(DRIFT_PATTERNS)),
    users: z.array(UserSchema),
  })
  .strict()
  .superRefine((t, ctx) => {
    const k = t.topics.length;
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    t.users.forEach((u, i) => {
      for (const key of ['a', 'b'] as const)
        if (u[key] >= k) issue(['users', i, key], `topic index ${u[key]} out of range (${k} topics)`);
    });
    for (const key of ['futureShares', 'patterns'] as const)
      if (t[key].length !== t.users.length)
        issue([key], `has ${t[key].length} entries for ${t.users.length} users`);
    t.futureShares.forEach((s, i) => {
      if (s.length !== k) issue(['futureShares', i], `has ${s.length} shares for ${k} topics`);
    });
  });

/** The parsed truth.json of a synthetic log. */
export type PlantedTruth = z.infer<typeof TruthSchema>;
/** One user's planted drift parameters. */
export type PlantedUser = PlantedTruth['users'][number];

/**
 * Weight of topic b at progress p ∈ [0, 1] of a user's history: trend moves linearly from a to b; cycle
 * swings a → b → a `cycles` times; switch jumps from a to b at progress `at`.
 */
export function driftWeight(pattern: DriftPattern, p: number, cycles: number, at: number): number {
  if (pattern === 'trend') return p;
  if (pattern === 'cycle') return (1 - Math.cos(2 * Math.PI * cycles * p)) / 2;
  return p >= at ? 1 : 0;
}

/** The generating topic distribution at progress p ∈ [0, 1]: 90 % split between a and b, 10 % uniform noise. */
export function plantedShares(user: PlantedUser, topics: number, p: number): number[] {
  const w = driftWeight(user.pattern, p, user.cycles, user.at);
  const s = new Array<number>(topics).fill(0.1 / topics);
  s[user.a] += 0.9 * (1 - w);
  s[user.b] += 0.9 * w;
  return s;
}

/** Expected topic shares of the user's events [from, to): the mean of plantedShares at e / events. */
export function plantedWindowShares(user: PlantedUser, topics: number, from: number, to: number): number[] {
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from < to && to <= user.events))
    throw new RangeError(
      `plantedWindowShares: need integers 0 ≤ from < to ≤ ${user.events}, got [${from}, ${to})`,
    );
  const mean = new Array<number>(topics).fill(0);
  for (let e = from; e < to; e++) {
    const s = plantedShares(user, topics, e / user.events);
    for (let t = 0; t < topics; t++) mean[t] += s[t] / (to - from);
  }
  return mean;
}

/** Reads and checks a truth.json; every problem is named with the file and the offending key. */
export function readTruth(path: string): PlantedTruth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(`cannot read truth file ${path}: ${(e as Error).message}`);
  }
  const r = TruthSchema.safeParse(raw);
  if (!r.success) throw new DataError(`invalid truth file ${path}:\n${formatIssues(r.error.issues)}`);
  return r.data;
}

/** Each item's planted topic: the index in truth.topics of its first category naming one, −1 when none does. */
export function itemTrueTopics(
  truth: PlantedTruth,
  itemCategories: readonly (readonly string[])[],
): Int32Array {
  const index = new Map(truth.topics.map((name, i) => [name, i]));
  return Int32Array.from(itemCategories, (cats) => {
    const hit = cats.find((c) => index.has(c));
    return hit === undefined ? -1 : (index.get(hit) as number);
  });
}

/**
 * The generating process of a synthetic log: each example's planted topic shares over its target
 * window, in the truth's own topics, and each item's true topic (−1: none).
 */
export interface Oracle {
  k: number;
  itemTopics: Int32Array;
  shares(ex: Example): ArrayLike<number>;
  /** The user's planted drift pattern (trend, cycle, switch). */
  pattern(ex: Example): string;
}

/**
 * The oracle of a synthetic log: each example's planted shares over its target window (by the user's
 * event indices, which the loader keeps in generation order) and each item's planted topic.
 */
export function oracleOf(
  path: string,
  data: {
    users: readonly string[];
    userOffsets: Int32Array;
    items: { categories: readonly (readonly string[])[] };
  },
): Oracle {
  const truth = readTruth(path);
  const byId = new Map(truth.users.map((u) => [String(u.id), u]));
  const k = truth.topics.length;
  const userOf = (ex: Example) => {
    const u = byId.get(data.users[ex.user]);
    const n = data.userOffsets[ex.user + 1] - data.userOffsets[ex.user];
    if (!u || u.events !== n)
      throw new Error(
        `truth ${path}: user ${data.users[ex.user]} ${u ? `has ${n} events in the log, ${u.events} planted` : 'is not in it'}`,
      );
    return u;
  };
  return {
    k,
    itemTopics: itemTrueTopics(truth, data.items.categories),
    shares: (ex) => {
      const from = data.userOffsets[ex.user];
      return plantedWindowShares(userOf(ex), k, ex.end - from, ex.targetEnd - from);
    },
    pattern: (ex) => userOf(ex).pattern,
  };
}
