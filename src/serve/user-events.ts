import type { HistoryEvent } from '../recommend/history-request.ts';

/**
 * Events appended to stored users since the checkpoint was loaded, bounded in both directions: at most
 * `maxEvents` per user (oldest dropped) and `maxUsers` users (least recently appended dropped).
 */
export class UserEvents {
  private readonly byUser = new Map<string, HistoryEvent[]>();

  constructor(
    readonly maxUsers = 10_000,
    readonly maxEvents = 1_000,
  ) {}

  /** Appends and returns the user's event count now held. */
  append(user: string, events: readonly HistoryEvent[]): number {
    const list = [...(this.byUser.get(user) ?? []), ...events].slice(-this.maxEvents);
    // Re-inserting moves the user to the back of the Map's insertion order (the LRU end).
    this.byUser.delete(user);
    this.byUser.set(user, list);
    while (this.byUser.size > this.maxUsers) this.byUser.delete(this.byUser.keys().next().value!);
    return list.length;
  }

  get(user: string): readonly HistoryEvent[] | undefined {
    return this.byUser.get(user);
  }

  get users(): number {
    return this.byUser.size;
  }

  clear(): void {
    this.byUser.clear();
  }
}
