/**
 * What serving replicas share through Redis (`serve --redis`), so any replica behind a load balancer
 * answers alike: the events appended to stored users (a list per model and user) and the model-swap
 * signal (pub/sub). Without Redis the server keeps both in its own process, as before.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { assertRedisReachable } from '../distributed/redis.ts';
import type { HistoryEvent } from '../recommend/history-request.ts';

const PREFIX = 'interest-evo:serve';
const SWAP_CHANNEL = `${PREFIX}:swap`;
/** Appended events of a user nobody appended to for this long are dropped (Redis' bound on users). */
const EVENTS_TTL_S = 7 * 86_400;

/**
 * Keyed by the model's manifest hash: events were appended relative to one checkpoint's user state, so
 * a swapped-in checkpoint starts without them on every replica, with nothing to clear.
 */
const eventsKey = (modelHash: string, user: string) => `${PREFIX}:events:${modelHash}:${user}`;

export interface SharedState {
  events(modelHash: string, user: string): Promise<HistoryEvent[] | undefined>;
  /** Appends, keeps the newest `maxEvents`, and returns how many the user now has. */
  append(
    modelHash: string,
    user: string,
    events: readonly HistoryEvent[],
    maxEvents: number,
  ): Promise<number>;
  /** Tells the other replicas to load `dir` (a path they all see). */
  announceSwap(dir: string): Promise<void>;
  /** Calls `fn` with each checkpoint directory another replica swapped to. */
  onSwap(fn: (dir: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Connects to Redis (one clear line when unreachable) for a replica's shared state. */
export async function openSharedState(url: string): Promise<SharedState> {
  await assertRedisReachable(url);
  // A request fails fast when Redis is down instead of queueing behind reconnects.
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  const subscriber = client.duplicate();
  const replica = randomBytes(8).toString('hex');
  return {
    async events(modelHash, user) {
      const list = await client.lrange(eventsKey(modelHash, user), 0, -1);
      return list.length ? list.map((e) => JSON.parse(e) as HistoryEvent) : undefined;
    },
    async append(modelHash, user, events, maxEvents) {
      const key = eventsKey(modelHash, user);
      const r = await client
        .multi()
        .rpush(key, ...events.map((e) => JSON.stringify(e)))
        .ltrim(key, -maxEvents, -1)
        .llen(key)
        .expire(key, EVENTS_TTL_S)
        .exec();
      const failed = r?.find(([e]) => e);
      if (!r || failed)
        throw new Error(`redis: appending events failed: ${failed?.[0]?.message ?? 'aborted'}`);
      return r[2][1] as number;
    },
    async announceSwap(dir) {
      await client.publish(SWAP_CHANNEL, JSON.stringify({ dir, replica }));
    },
    async onSwap(fn) {
      subscriber.on('message', (channel: string, message: string) => {
        const m = JSON.parse(message) as { dir: string; replica: string };
        if (channel === SWAP_CHANNEL && m.replica !== replica) fn(m.dir);
      });
      await subscriber.subscribe(SWAP_CHANNEL);
    },
    async close() {
      subscriber.disconnect();
      await client.quit();
    },
  };
}
