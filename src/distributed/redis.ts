import { Redis } from 'ioredis';

/** The one BullMQ queue every stage job goes through (workers take any stage). */
export const STAGE_QUEUE = 'interest-evo-stages';

/** Throws one line unless `url` is a redis:// or rediss:// URL with a host. */
export function checkRedisUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis: ${JSON.stringify(url)} is not a URL (expected redis://host:port)`);
  }
  if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname)
    throw new Error(`--redis: ${JSON.stringify(url)} is not a redis://host:port URL`);
  return url;
}

/**
 * BullMQ connection options: commands wait through a reconnect (BullMQ requires maxRetriesPerRequest
 * null for workers), so a Redis restart pauses the queue instead of failing it.
 */
export const connectionOf = (url: string) => ({ url: checkRedisUrl(url), maxRetriesPerRequest: null });

/**
 * Pings Redis once with a short timeout and no retries, so an unreachable server is one clear line
 * (`redis: cannot reach redis://…: connect ECONNREFUSED …`) instead of BullMQ's endless reconnects.
 */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis(checkRedisUrl(url), {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The socket's error (ECONNREFUSED, ENOTFOUND, …) says more than connect()'s "Connection is closed".
  let cause: Error | null = null;
  client.on('error', (e: Error) => {
    cause ??= e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const why = (cause ?? (e instanceof Error ? e : new Error(String(e)))).message;
    throw new Error(`redis: cannot reach ${url}: ${why}`);
  } finally {
    client.disconnect();
  }
}
