import type { SplitConfig } from '../../src/config/schema.ts';

/** The per-user split block as the schema fills it by default (one test and one validation bucket). */
export const PER_USER = {
  protocol: 'per-user',
  test_buckets: 1,
  valid_buckets: 1,
  min_history_buckets: 2,
  validation: 'previous',
  valid_users: 0.5,
} as const satisfies SplitConfig;
