import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RecommendServer } from '../../src/serve/server.ts';
import { tinyCheckpoint } from './fixture.ts';
import { fuzzRequests } from './fuzz-requests.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

describe('fuzzing the server with malformed requests', () => {
  let server: RecommendServer;

  beforeAll(async () => {
    const { run } = await tinyCheckpoint('tiny-fuzz');
    server = await createServer({
      checkpoint: run.checkpointDir,
      bodyLimit: 64 * 1024,
      maxUsersWithEvents: 50,
    });
  });
  afterAll(async () => server.close());

  it('answers 10,000 seeded random requests without a single 5xx, with bounded heap growth', async () => {
    const { ck } = server.slot.current;
    const cat = { users: ck.users, items: ck.items.ids };
    const statuses = new Map<number, number>();
    const fails: string[] = [];
    let warmHeap = 0;
    let i = 0;
    for (const req of fuzzRequests(20_240_601, 10_000, cat)) {
      const res = await server.app.inject(req);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500 && fails.length < 5)
        fails.push(`${req.method} ${req.url} → ${res.statusCode} ${res.body}`);
      if (++i === 1_000) warmHeap = heapMb();
    }
    const growth = heapMb() - warmHeap;
    expect(fails).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // The generator really exercises both sides: many refusals, some successes.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(2_000);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(300);
    expect(growth).toBeLessThan(32);
    // The server still works afterwards.
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
