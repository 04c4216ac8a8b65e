import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Checkpoint, loadCheckpoint } from '../../src/checkpoint/load.ts';
import { sidecarOf } from '../../src/serve/added-items.ts';
import { createServer, type RecommendServer } from '../../src/serve/server.ts';
import { tinyCheckpoint } from './fixture.ts';

const KINDS = ['film', 'book', 'music'];
/** The tiny synthetic log's topics: item id i has topic (i − 1) mod 4 (SciFi, Romance, Crime, Horror). */
const topicOfId = (id: string) => (Number(id) - 1) % 4;
const SCIFI = 'space ship galaxy alien orbit planet rocket star';

describe('kinds, live items and text-only users on a running server', () => {
  let server: RecommendServer;
  let ck: Checkpoint;
  let dir: string;
  /** A user whose history is about SciFi (topic 0). */
  let scifiUser: string;
  /** The user the checkpoint reads as least SciFi. */
  let otherUser: string;

  beforeAll(async () => {
    const { run } = await tinyCheckpoint('tiny-kinds', '', { kinds: KINDS });
    dir = run.checkpointDir;
    ck = await loadCheckpoint(dir);
    // The user whose recent history the checkpoint reads as most SciFi (its forecast share of that topic).
    const { k } = ck.manifest.topics;
    const scifi = ck.topicLabels.indexOf('SciFi');
    expect(scifi).toBeGreaterThanOrEqual(0);
    let [best, worst] = [-1, 2];
    ck.users.forEach((u, r) => {
      const share = ck.forecasts[r * k + scifi];
      if (share > best) [best, scifiUser] = [share, u];
      if (share < worst) [worst, otherUser] = [share, u];
    });
    server = await createServer({ checkpoint: dir, maxAddedItems: 2 });
  });
  afterAll(async () => {
    await server.close();
    rmSync(sidecarOf(dir), { force: true });
  });

  const get = (url: string) => server.app.inject({ method: 'GET', url });
  const post = (url: string, payload: unknown, remoteAddress?: string) =>
    server.app.inject({
      method: 'POST',
      url,
      payload: payload as string,
      ...(remoteAddress && { remoteAddress }),
    });
  const kindOf = (id: string) => ck.items.kinds?.[ck.items.ids.indexOf(id)];

  it('the checkpoint keeps each item’s kind, and kind= restricts the candidates', async () => {
    expect(ck.items.kinds).toHaveLength(ck.items.ids.length);
    expect(new Set(ck.items.kinds)).toEqual(new Set(KINDS));
    const r = await get(`/v1/users/${scifiUser}/recommendations?k=10&kind=book`);
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toHaveLength(10);
    for (const it of r.json().items) expect(kindOf(it.id)).toBe('book');
    const body = await post('/v1/recommendations', {
      events: [{ item: ck.items.ids[0], ts: 1 }],
      kind: 'music',
    });
    for (const it of body.json().items) expect(kindOf(it.id)).toBe('music');
  });

  it('answers an unknown kind with one 400 line naming the kinds', async () => {
    const r = await get(`/v1/users/${scifiUser}/recommendations?kind=poem`);
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe('kind: unknown kind "poem" (kinds: book, film, music)');
    const b = await post('/v1/recommendations', { interests: ['galaxy'], kind: 'poem' });
    expect(b.statusCode).toBe(400);
  });

  it('a text-only user (interests, no events) gets items of the interests’ topic', async () => {
    const topIds = async (interests: string[]) => {
      const r = await post('/v1/recommendations', { interests, k: 10 });
      expect(r.statusCode).toBe(200);
      expect(r.json().events).toBe(interests.length);
      return r.json().items.map((it: { id: string }) => it.id) as string[];
    };
    const count = (ids: string[], topic: number) => ids.filter((id) => topicOfId(id) === topic).length;
    const scifi = await topIds([SCIFI, 'alien planet orbit']);
    const romance = await topIds(['love wedding kiss romance heart date paris letter', 'romance kiss']);
    // Chance is 10 / 4 per topic; each list is mostly its own topic and hardly the other's.
    expect(count(scifi, 0)).toBeGreaterThanOrEqual(5);
    expect(count(romance, 1)).toBeGreaterThanOrEqual(5);
    expect(count(scifi, 0)).toBeGreaterThan(count(romance, 0));
    expect(count(romance, 1)).toBeGreaterThan(count(scifi, 1));
  });

  it('POST /v1/items adds an item that a user with a history about its topic gets in the top 10', async () => {
    const before = (await get(`/v1/users/${scifiUser}/recommendations?k=10`)).json();
    const r = await post('/v1/items', {
      id: 'new-1',
      text: `book: ${SCIFI}. Genres: SciFi`,
      kind: 'book',
      title: 'Star Orbit',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: 'new-1', kind: 'book', items: ck.items.ids.length + 1, added: 1 });
    const after = (await get(`/v1/users/${scifiUser}/recommendations?k=10`)).json();
    const ids = after.items.map((it: { id: string }) => it.id);
    expect(ids).toContain('new-1');
    expect(before.items.map((it: { id: string }) => it.id)).not.toContain('new-1');
    const other = (await get(`/v1/users/${otherUser}/recommendations?k=10`)).json();
    expect(other.items.map((it: { id: string }) => it.id)).not.toContain('new-1');
    const model = (await get('/v1/model')).json();
    expect(model.counts.items).toBe(ck.items.ids.length + 1);
    expect(model.kinds).toEqual(['book', 'film', 'music']);
  });

  it('refuses a duplicate id (409), an unknown kind (400), a remote client (403) and more items than the bound', async () => {
    expect((await post('/v1/items', { id: 'new-1', text: 'x', kind: 'book' })).statusCode).toBe(409);
    const bad = await post('/v1/items', { id: 'new-2', text: 'x', kind: 'poem' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('kind: unknown kind "poem" (kinds: book, film, music)');
    expect((await post('/v1/items', { id: 'new-2', text: 'x' })).json().message).toMatch(/^kind: required/);
    expect((await post('/v1/items', { id: 'new-2', text: 'x', kind: 'film' }, '10.0.0.7')).statusCode).toBe(
      403,
    );
    expect((await post('/v1/items', { id: 'new-2', text: 'love heart', kind: 'film' })).statusCode).toBe(200);
    const full = await post('/v1/items', { id: 'new-3', text: 'ghost', kind: 'film' });
    expect(full.statusCode).toBe(409);
    expect(full.json().message).toMatch(/at most 2 items/);
  });

  it('a restarted server restores the added items from the sidecar file', async () => {
    expect(existsSync(sidecarOf(dir))).toBe(true);
    const again = await createServer({ checkpoint: dir });
    try {
      const rec = again.slot.current.rec;
      expect(rec.ck.items.ids.slice(-2)).toEqual(['new-1', 'new-2']);
      expect(rec.ck.items.kinds?.slice(-2)).toEqual(['book', 'film']);
      const ids = rec.recommend(scifiUser, 10).items.map((it) => it.id);
      expect(ids).toContain('new-1');
    } finally {
      await again.close();
    }
  });
});
