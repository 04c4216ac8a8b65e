import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Checkpoint, loadCheckpoint } from '../../src/checkpoint/load.ts';
import { createServer, type RecommendServer } from '../../src/serve/server.ts';
import { tinyCheckpoint } from './fixture.ts';

describe('the HTTP server (fastify.inject, no sockets)', () => {
  let server: RecommendServer;
  let ck: Checkpoint;
  let dir: string;
  let user: string;

  beforeAll(async () => {
    const { run } = await tinyCheckpoint('tiny-server');
    dir = run.checkpointDir;
    ck = await loadCheckpoint(dir);
    user = ck.users[0];
    server = await createServer({ checkpoint: dir, bodyLimit: 64 * 1024 });
  });
  afterAll(async () => server.close());

  const get = (url: string) => server.app.inject({ method: 'GET', url });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url, payload: payload as string, headers });

  it('GET /healthz names the model and the manifest hash', async () => {
    const r = await get('/healthz');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ status: 'ok', model: 'tiny-server', manifest_hash: ck.manifestHash });
    expect(body.uptime_s).toBeGreaterThan(0);
  });

  it('GET /v1/model summarises the manifest with topic labels', async () => {
    const body = (await get('/v1/model')).json();
    expect(body.run_id).toBe('tiny-server');
    expect(body.topics.labels).toEqual(ck.topicLabels);
    expect(body.counts).toEqual({ users: ck.users.length, items: ck.items.ids.length });
    expect(body.encoder.id).toBe('hashing');
    expect(body.blend.alpha).toBe(ck.manifest.blend.alpha);
  });

  it('GET /v1/users/:id/recommendations matches the Recommender and honours k / exclude_seen / diversity', async () => {
    const r = await get(`/v1/users/${user}/recommendations?k=7`);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    const want = server.slot.current.rec.recommend(user, 7);
    expect(body.items).toEqual(want.items);
    expect(body.appended_events).toBe(0);
    const seen = new Set(Array.from(server.slot.current.rec.seenItems(0), (i) => ck.items.ids[i]));
    for (const it of body.items) expect(seen.has(it.id)).toBe(false);
    const withSeen = (await get(`/v1/users/${user}/recommendations?k=50&exclude_seen=false`)).json();
    expect(withSeen.items.some((it: { id: string }) => seen.has(it.id))).toBe(true);
    const diverse = (await get(`/v1/users/${user}/recommendations?k=7&diversity=0.7`)).json();
    expect(diverse.items).toHaveLength(7);
    expect(diverse.items.map((i: { id: string }) => i.id)).not.toEqual(
      body.items.map((i: { id: string }) => i.id),
    );
    const a0 = (await get(`/v1/users/${user}/recommendations?alpha=0&beta=0`)).json();
    expect(a0.alpha).toBe(0);
    expect(a0.beta).toBe(0);
  });

  it('caches a stored user’s answer per query, and a reloaded model starts with an empty cache', async () => {
    const u = ck.users[4];
    const url = `/v1/users/${u}/recommendations?k=6&diversity=0.2`;
    const spy = vi.spyOn(server.slot.current.rec, 'recommend');
    const first = (await get(url)).json();
    const again = (await get(url)).json();
    expect(again).toEqual(first);
    expect(spy).toHaveBeenCalledTimes(1);
    // Another query of the same user is its own entry.
    const other = (await get(`/v1/users/${u}/recommendations?k=6`)).json();
    expect(spy).toHaveBeenCalledTimes(2);
    expect(other.items).toEqual(server.slot.current.rec.recommend(u, 6).items);
    spy.mockRestore();

    await server.reload();
    const fresh = vi.spyOn(server.slot.current.rec, 'recommend');
    expect((await get(url)).json()).toEqual(first);
    expect(fresh).toHaveBeenCalledTimes(1);
    fresh.mockRestore();
  });

  const plainItem = ({ id, title, score }: { id: string; title: string; score: number }) => ({
    id,
    title,
    score,
  });

  it("explain=true answers with the Recommender's per-item reasons; without it the answer is as before", async () => {
    const rec = server.slot.current.rec;
    const u = ck.users[1];
    const r = await get(`/v1/users/${u}/recommendations?k=7&explain=true`);
    expect(r.statusCode).toBe(200);
    const want = rec.recommend(u, 7, { explain: true });
    expect(r.json().items).toEqual(want.items);
    for (const it of r.json().items) {
      expect(['lstm', 'popularity', 'topic']).toContain(it.reason);
      expect(Object.keys(it.lift).length).toBeGreaterThan(0);
      expect(ck.topicLabels).toContain(it.topic);
    }
    const plain = rec.recommend(u, 7);
    expect(want.items.map(plainItem)).toEqual(plain.items);
    for (const q of ['k=7', 'k=7&explain=false', 'k=7&explain=0']) {
      const body = (await get(`/v1/users/${u}/recommendations?${q}`)).json();
      expect(body.items, q).toEqual(plain.items);
      for (const it of body.items) expect(Object.keys(it)).toEqual(['id', 'title', 'score']);
    }
  });

  it('the cache keeps plain and explained answers apart', async () => {
    const u = ck.users[6];
    const spy = vi.spyOn(server.slot.current.rec, 'recommend');
    const url = (explain: string) => `/v1/users/${u}/recommendations?k=5&explain=${explain}`;
    for (let round = 0; round < 2; round++) {
      const plain = (await get(url('false'))).json();
      const explained = (await get(url('true'))).json();
      expect(plain.items.every((it: object) => !('reason' in it))).toBe(true);
      expect(explained.items.every((it: object) => 'reason' in it && 'topic' in it)).toBe(true);
      expect(explained.items.map(plainItem)).toEqual(plain.items);
    }
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('explain in a POST body, and for a user with appended events, explains the same items', async () => {
    const ids = ck.items.ids;
    const events = [
      { item: ids[2], ts: 1_620_000_000 },
      { item: ids[8], ts: 1_620_000_100 },
    ];
    const r = await post('/v1/recommendations', { events, k: 5, explain: true });
    expect(r.statusCode).toBe(200);
    const want = await server.slot.current.history.recommend(events, 5, { explain: true });
    expect(r.json().items).toEqual(want.items);
    const plain = (await post('/v1/recommendations', { events, k: 5 })).json();
    expect(r.json().items.map(plainItem)).toEqual(plain.items);
    expect(plain.items.every((it: object) => !('reason' in it))).toBe(true);

    const u = ck.users[8];
    expect((await post(`/v1/users/${u}/events`, { events })).statusCode).toBe(200);
    const appended = (await get(`/v1/users/${u}/recommendations?k=5&explain=true`)).json();
    expect(appended.appended_events).toBe(2);
    const prefix = server.slot.current.history.prefixOf(server.slot.current.rec.userRow(u));
    const again = await server.slot.current.history.recommend(events, 5, { prefix, explain: true });
    expect(appended.items).toEqual(again.items);
  });

  it('a bad explain value is a one-line 400 naming the parameter', async () => {
    const q = await get(`/v1/users/${user}/recommendations?explain=yes`);
    expect(q.statusCode).toBe(400);
    expect(q.json().message).toBe('query parameter explain must be true or false (per-item reasons)');
    const b = await post('/v1/recommendations', {
      events: [{ item: ck.items.ids[0], ts: 1 }],
      explain: 'true',
    });
    expect(b.statusCode).toBe(400);
    expect(b.json().message).toBe('body/explain must be boolean');
  });

  it('with cacheEntries 0 every request is computed', async () => {
    const uncached = await createServer({ checkpoint: dir, cacheEntries: 0 });
    try {
      const spy = vi.spyOn(uncached.slot.current.rec, 'recommend');
      const url = `/v1/users/${user}/recommendations?k=3`;
      await uncached.app.inject({ method: 'GET', url });
      await uncached.app.inject({ method: 'GET', url });
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      await uncached.close();
    }
  });

  it('POST /v1/recommendations answers an ad-hoc history, items or free text', async () => {
    const ids = ck.items.ids;
    const r = await post('/v1/recommendations', {
      events: [
        { item: ids[0], ts: '2021-05-01T10:00:00Z' },
        { item: ids[3], ts: 1_620_000_000, weight: 4 },
        { text: 'a space adventure with robots', ts: 1_620_000_100 },
      ],
      k: 5,
      diversity: 0.3,
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.items).toHaveLength(5);
    expect(body.events).toBe(3);
    for (const it of body.items) expect([ids[0], ids[3]]).not.toContain(it.id);
  });

  it('POST /v1/users/:id/events changes that user’s next recommendations, bounded per user', async () => {
    const u = ck.users[2];
    const before = (await get(`/v1/users/${u}/recommendations?k=10`)).json();
    const fresh = before.items.slice(0, 3).map((it: { id: string }) => it.id);
    const r = await post(`/v1/users/${u}/events`, {
      events: fresh.map((item: string, j: number) => ({ item, ts: 2_000_000_000 + j })),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ user: u, appended: 3, held: 3 });
    const after = (await get(`/v1/users/${u}/recommendations?k=10`)).json();
    expect(after.appended_events).toBe(3);
    // The items just consumed are now seen, and the forecast moved.
    for (const id of fresh) expect(after.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(after.topics).not.toEqual(before.topics);
    // An invalid batch stores nothing.
    const bad = await post(`/v1/users/${u}/events`, {
      events: [
        { item: fresh[0], ts: 1 },
        { item: 'nope', ts: 2 },
      ],
    });
    expect(bad.statusCode).toBe(422);
    expect(server.userEvents.get(u)).toHaveLength(3);
  });

  const badRequests: [string, () => ReturnType<typeof get>, number, RegExp][] = [
    ['unknown user', () => get('/v1/users/no-such-user/recommendations'), 404, /unknown user "no-such-user"/],
    ['k = 0', () => get(`/v1/users/1/recommendations?k=0`), 400, /k must be an integer from 1 to 100/],
    ['k = 101', () => get(`/v1/users/1/recommendations?k=101`), 400, /k must be/],
    ['k not a number', () => get(`/v1/users/1/recommendations?k=ten`), 400, /k must be/],
    ['diversity > 1', () => get(`/v1/users/1/recommendations?diversity=1.5`), 400, /diversity must be/],
    [
      'exclude_seen not boolean',
      () => get(`/v1/users/1/recommendations?exclude_seen=maybe`),
      400,
      /exclude_seen/,
    ],
    [
      'unknown query parameter',
      () => get(`/v1/users/1/recommendations?kk=3`),
      400,
      /unknown query parameter "kk"/,
    ],
    ['unknown route', () => get('/v2/nothing'), 404, /no route GET \/v2\/nothing/],
    [
      'malformed JSON',
      () => post('/v1/recommendations', '{"events": [', { 'content-type': 'application/json' }),
      400,
      /JSON/,
    ],
    [
      'empty JSON body',
      () => post('/v1/recommendations', '', { 'content-type': 'application/json' }),
      400,
      /empty/i,
    ],
    [
      'wrong content type',
      () => post('/v1/recommendations', 'events=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      /Unsupported Media Type/i,
    ],
    [
      'oversize body',
      () =>
        post('/v1/recommendations', JSON.stringify({ events: [{ text: 'x'.repeat(70_000), ts: 1 }] }), {
          'content-type': 'application/json',
        }),
      413,
      /too large/i,
    ],
    [
      'events not an array',
      () => post('/v1/recommendations', { events: { item: '1', ts: 1 } }),
      400,
      /body\/events must be array/,
    ],
    [
      'k as a string in JSON',
      () => post('/v1/recommendations', { events: [{ item: '1', ts: 1 }], k: '5' }),
      400,
      /body\/k must be integer/,
    ],
    [
      'k out of range in JSON',
      () => post('/v1/recommendations', { events: [{ item: '1', ts: 1 }], k: 1000 }),
      400,
      /body\/k must be <= 100/,
    ],
    ['ts boolean', () => post('/v1/recommendations', { events: [{ item: '1', ts: true }] }), 400, /ts/],
    [
      'unknown item',
      () => post('/v1/recommendations', { events: [{ item: 'no-such-item', ts: 1 }] }),
      422,
      /unknown item "no-such-item"/,
    ],
    [
      'unparseable time',
      () => post('/v1/recommendations', { events: [{ item: ck.items.ids[0], ts: 'soon' }] }),
      400,
      /events\[0\]\.ts/,
    ],
    [
      'item and text together',
      () => post('/v1/recommendations', { events: [{ item: ck.items.ids[0], text: 'x', ts: 1 }] }),
      400,
      /exactly one/,
    ],
    [
      'extra event field',
      () => post('/v1/recommendations', { events: [{ item: '1', ts: 1, rating: 5 }] }),
      400,
      /additional properties/,
    ],
    [
      'too many free-text events',
      () =>
        post('/v1/recommendations', {
          events: Array.from({ length: 257 }, (_, j) => ({ text: `t${j}`, ts: j })),
        }),
      400,
      /at most 256 free-text events/,
    ],
    [
      'events for an unknown user',
      () => post('/v1/users/nobody/events', { events: [{ item: ck.items.ids[0], ts: 1 }] }),
      404,
      /unknown user/,
    ],
    [
      'admin from a non-loopback address',
      () => server.app.inject({ method: 'POST', url: '/admin/reload', remoteAddress: '192.0.2.7' }),
      403,
      /loopback/,
    ],
  ];
  for (const [name, request, status, message] of badRequests) {
    it(`bad input → ${status}: ${name}`, async () => {
      const r = await request();
      expect(r.statusCode).toBe(status);
      expect(r.json().message).toMatch(message);
    });
  }

  it('hot swap: a good checkpoint is served next, a corrupt one is refused and the old one keeps serving', async () => {
    const oldHash = ck.manifestHash;
    // A second run: same data, its own manifest (run id, time), so its own hash.
    const { run: other } = await tinyCheckpoint('tiny-server-2', '');
    const swapped = await post('/admin/reload', { checkpoint: other.checkpointDir });
    expect(swapped.statusCode).toBe(200);
    const newHash = (await loadCheckpoint(other.checkpointDir)).manifestHash;
    expect(newHash).not.toBe(oldHash);
    expect(swapped.json()).toMatchObject({
      swapped: true,
      manifest_hash: newHash,
      previous_manifest_hash: oldHash,
    });
    expect((await get('/healthz')).json()).toMatchObject({ model: 'tiny-server-2', manifest_hash: newHash });
    expect((await get(`/v1/users/${user}/recommendations`)).statusCode).toBe(200);

    const corrupt = join(dir, '..', 'corrupt');
    cpSync(other.checkpointDir, corrupt, { recursive: true });
    const f = join(corrupt, 'model', 'weights.bin');
    const bytes = readFileSync(f);
    bytes[3] ^= 0xff;
    writeFileSync(f, bytes);
    const refused = await post('/admin/reload', { checkpoint: corrupt });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toMatch(/weights\.bin: sha256 does not match/);
    expect((await get('/healthz')).json().manifest_hash).toBe(newHash);
    expect((await get(`/v1/users/${user}/recommendations`)).statusCode).toBe(200);
    const missing = await post('/admin/reload', { checkpoint: join(dir, '..', 'nowhere') });
    expect(missing.statusCode).toBe(422);

    // No body: reloads the directory being served.
    const again = await server.app.inject({ method: 'POST', url: '/admin/reload' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ swapped: false, manifest_hash: newHash });
  });
});
