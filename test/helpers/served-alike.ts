import { expect } from 'vitest';
import type { Checkpoint } from '../../src/checkpoint/load.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadDataset } from '../../src/data/read.ts';
import { HistoryRecommender } from '../../src/recommend/history.ts';
import type { HistoryEvent } from '../../src/recommend/history-request.ts';
import { Recommender } from '../../src/recommend/recommender.ts';

/**
 * Serves stored users' own events as ad-hoc histories and expects what the checkpoint exported for them:
 * the same topic shares (to 1e-5) and, unless `items: false`, the same top 10.
 */
export async function expectServedAlike(
  configPath: string,
  ck: Checkpoint,
  users: readonly number[],
  opts: { items?: boolean } = {},
): Promise<void> {
  const loaded = loadConfig(configPath);
  const data = await loadDataset(loaded.config.data, loaded.baseDir);
  const rec = new Recommender(ck);
  const history = new HistoryRecommender(rec);
  try {
    for (const u of users) {
      const events: HistoryEvent[] = [];
      for (let i = data.userOffsets[u]; i < data.userOffsets[u + 1]; i++)
        events.push({
          item: data.items.ids[data.events.item[i]],
          ts: data.events.ts[i],
          weight: data.events.weight[i],
        });
      const want = rec.recommend(data.users[u], 10);
      const got = await history.recommend(events, 10);
      for (const [j, t] of got.topics.entries()) expect(t.share).toBeCloseTo(want.topics[j].share, 5);
      if (opts.items !== false) expect(got.items.map((i) => i.id)).toEqual(want.items.map((i) => i.id));
    }
  } finally {
    await history.dispose();
  }
}
