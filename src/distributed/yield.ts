import { setImmediate } from 'node:timers/promises';

/**
 * Runs `step` on [from, to) in chunks of `chunk`, letting the event loop run between chunks: a worker
 * renews its BullMQ job lock on a timer, and a shard that never yielded would look stalled and be
 * handed to another worker while still running.
 */
export async function inChunks(
  from: number,
  to: number,
  chunk: number,
  step: (a: number, b: number) => Promise<void> | void,
): Promise<void> {
  for (let a = from; a < to; a += chunk) {
    await step(a, Math.min(a + chunk, to));
    await setImmediate();
  }
}
