/**
 * Recommendations of stored users, cached per (user, query): the checkpoint is immutable, so an answer
 * stays right until that user appends events (`forget`) or the model is swapped (a new cache). Bounded by
 * the number of answers held (a k=100 answer is ~10 KB, so the default 10,000 is ≤ ~100 MB) and by
 * answers per user, so neither many users nor one user's varied queries can grow it; the least recently
 * used user goes first. `maxEntries` 0 disables it.
 */
export class ResultCache<T> {
  private readonly byUser = new Map<string, Map<string, T>>();
  private entries = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxPerUser = 16,
  ) {}

  get size(): number {
    return this.entries;
  }

  get(user: string, key: string): T | undefined {
    const answers = this.byUser.get(user);
    const hit = answers?.get(key);
    if (answers && hit !== undefined) {
      this.byUser.delete(user);
      this.byUser.set(user, answers);
    }
    return hit;
  }

  set(user: string, key: string, value: T): void {
    if (this.maxEntries === 0) return;
    const answers = this.byUser.get(user) ?? new Map<string, T>();
    if (!answers.has(key)) {
      if (answers.size >= this.maxPerUser) {
        answers.delete(answers.keys().next().value!);
        this.entries--;
      }
      this.entries++;
    }
    answers.set(key, value);
    this.byUser.delete(user);
    this.byUser.set(user, answers);
    while (this.entries > this.maxEntries) {
      const [oldest, its] = this.byUser.entries().next().value!;
      // Over the bound with only this user left: drop their oldest answers, not the one just stored.
      if (oldest === user) {
        answers.delete(answers.keys().next().value!);
        this.entries--;
        continue;
      }
      this.byUser.delete(oldest);
      this.entries -= its.size;
    }
  }

  forget(user: string): void {
    this.entries -= this.byUser.get(user)?.size ?? 0;
    this.byUser.delete(user);
  }

  clear(): void {
    this.byUser.clear();
    this.entries = 0;
  }
}
