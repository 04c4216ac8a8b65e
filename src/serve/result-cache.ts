/**
 * Recommendations of stored users, cached per (user, query): the checkpoint is immutable, so an answer
 * stays right until that user appends events (`forget`) or the model is swapped (a new cache). Bounded
 * by users, least recently used dropped first; `maxUsers` 0 disables it.
 */
export class ResultCache<T> {
  private readonly byUser = new Map<string, Map<string, T>>();

  constructor(readonly maxUsers: number) {}

  get(user: string, key: string): T | undefined {
    const entries = this.byUser.get(user);
    const hit = entries?.get(key);
    if (entries && hit !== undefined) {
      this.byUser.delete(user);
      this.byUser.set(user, entries);
    }
    return hit;
  }

  set(user: string, key: string, value: T): void {
    if (this.maxUsers === 0) return;
    const entries = this.byUser.get(user) ?? new Map<string, T>();
    // A user's distinct queries are few in practice; cap them so one client cannot grow the cache.
    if (entries.size >= 32) entries.delete(entries.keys().next().value!);
    entries.set(key, value);
    this.byUser.delete(user);
    this.byUser.set(user, entries);
    while (this.byUser.size > this.maxUsers) this.byUser.delete(this.byUser.keys().next().value!);
  }

  forget(user: string): void {
    this.byUser.delete(user);
  }

  clear(): void {
    this.byUser.clear();
  }
}
