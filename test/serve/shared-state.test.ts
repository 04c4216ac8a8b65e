import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { createServer, type RecommendServer } from '../../src/serve/server.ts';
import { openSharedState } from '../../src/serve/shared-state.ts';
import { freePort, NO_REDIS_REASON, startRedis, type TestRedis } from '../helpers/redis.ts';
import { tinyCheckpoint } from './fixture.ts';

describe.skipIf(NO_REDIS_REASON !== null)(
  'serve --redis: two replicas share appended events and swaps',
  () => {
    let redis: TestRedis;
    let a: RecommendServer;
    let b: RecommendServer;
    let users: string[];

    beforeAll(async () => {
      redis = await startRedis();
      const { run } = await tinyCheckpoint('tiny-replicas');
      users = (await loadCheckpoint(run.checkpointDir)).users;
      const replica = async () =>
        createServer({ checkpoint: run.checkpointDir, shared: await openSharedState(redis.url) });
      a = await replica();
      b = await replica();
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
    });

    const get = (s: RecommendServer, url: string) => s.app.inject({ method: 'GET', url });

    it('an event POSTed to one replica changes the other one’s answer, and both answer alike', async () => {
      const u = users[3];
      const url = `/v1/users/${u}/recommendations?k=10`;
      const before = (await get(b, url)).json();
      expect(before.appended_events).toBe(0);
      const fresh = before.items.slice(0, 3).map((it: { id: string }) => it.id);
      const r = await a.app.inject({
        method: 'POST',
        url: `/v1/users/${u}/events`,
        payload: { events: fresh.map((item: string, j: number) => ({ item, ts: 2_000_000_000 + j })) },
      });
      expect(r.json()).toMatchObject({ user: u, appended: 3, held: 3 });
      const afterB = (await get(b, url)).json();
      expect(afterB.appended_events).toBe(3);
      expect(afterB.topics).not.toEqual(before.topics);
      for (const id of fresh) expect(afterB.items.map((i: { id: string }) => i.id)).not.toContain(id);
      expect((await get(a, url)).json()).toEqual(afterB);
      // Nothing of it sits in either replica's own memory.
      expect(a.userEvents.users + b.userEvents.users).toBe(0);
    });

    it('a model swapped on one replica is served by the other, which starts without the old events', async () => {
      const { run: other } = await tinyCheckpoint('tiny-replicas-2');
      const swapped = await a.app.inject({
        method: 'POST',
        url: '/admin/reload',
        payload: { checkpoint: other.checkpointDir },
      });
      expect(swapped.json()).toMatchObject({ swapped: true, model: 'tiny-replicas-2' });
      await vi.waitFor(async () => expect((await get(b, '/healthz')).json().model).toBe('tiny-replicas-2'), {
        timeout: 30_000,
        interval: 50,
      });
      const url = `/v1/users/${users[3]}/recommendations?k=10`;
      const [ra, rb] = [(await get(a, url)).json(), (await get(b, url)).json()];
      expect(rb.appended_events).toBe(0);
      expect(rb).toEqual(ra);
    });

    it('an unreachable Redis is one line', async () => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      await expect(openSharedState(url)).rejects.toThrow(
        new RegExp(`^redis: cannot reach ${url}: connect ECONNREFUSED`),
      );
    });
  },
);
