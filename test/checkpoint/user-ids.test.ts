import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { exportedUserIds, pseudonym, userKeyOf } from '../../src/checkpoint/user-ids.ts';
import { loadConfig } from '../../src/config/load.ts';
import { env } from '../../src/env.ts';
import { runTraining } from '../../src/pipeline/train.ts';
import { Recommender, UnknownUserError } from '../../src/recommend/recommender.ts';
import { createServer } from '../../src/serve/server.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

describe('user id pseudonyms', () => {
  it('HMAC-SHA256 under a secret salt: stable, salt-dependent, 128 bits of hex', () => {
    expect(pseudonym('s1', '42')).toBe(pseudonym('s1', '42'));
    expect(pseudonym('s1', '42')).not.toBe(pseudonym('s2', '42'));
    expect(pseudonym('s1', '42')).not.toBe(pseudonym('s1', '43'));
    expect(pseudonym('s1', '42')).toMatch(/^[0-9a-f]{32}$/);
    expect(exportedUserIds(['a', 'b'], 'plain', null)).toEqual(['a', 'b']);
    expect(() => exportedUserIds(['a'], 'hmac-sha256', null)).toThrow(/INTEREST_EVO_USER_SALT/);
    expect(userKeyOf('hmac-sha256', 's1')('42')).toBe(pseudonym('s1', '42'));
    expect(userKeyOf('hmac-sha256', null)('abc')).toBe('abc');
    expect(userKeyOf(undefined, 's1')('42')).toBe('42');
  });
});

describe('a checkpoint exported with checkpoint.user_ids: hmac-sha256', () => {
  const salt = 'test-secret-salt';
  const before = env.userIdSalt;
  let dir: string;
  let rawIds: string[];

  beforeAll(async () => {
    const project = tinyProject('checkpoint: { user_ids: hmac-sha256 }\n');
    const loaded = loadConfig(project.config);
    env.userIdSalt = null;
    // Refused before any training when the salt is missing.
    await expect(runTraining(loaded, { runId: 'tiny-hmac', log: () => {} })).rejects.toThrow(
      /checkpoint\.user_ids: hmac-sha256 needs a secret salt in INTEREST_EVO_USER_SALT/,
    );
    env.userIdSalt = salt;
    dir = (await runTraining(loaded, { runId: 'tiny-hmac', log: () => {} })).checkpointDir;
    const ratings = readFileSync(join(project.dir, 'data', 'ratings.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    rawIds = [...new Set(ratings.map((l) => l.split(',')[0]))];
  });
  afterAll(() => {
    env.userIdSalt = before;
  });

  it('stores pseudonyms only, never the raw ids or the salt', async () => {
    const ck = await loadCheckpoint(dir);
    expect(ck.manifest.user_ids).toBe('hmac-sha256');
    expect(new Set(ck.users)).toEqual(new Set(rawIds.map((id) => pseudonym(salt, id))));
    const users = readFileSync(join(dir, 'users.json'), 'utf8');
    for (const id of rawIds) expect(users).not.toContain(`"${id}"`);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).not.toContain(salt);
    ck.model.dispose();
  });

  it('answers raw ids where the salt is set, and pseudonyms where it is not', async () => {
    const ck = await loadCheckpoint(dir);
    const raw = rawIds[0];
    const withSalt = new Recommender(ck, { userIdSalt: salt });
    const bySalt = withSalt.recommend(raw, 5);
    const withoutSalt = new Recommender(ck, { userIdSalt: null });
    expect(withoutSalt.recommend(pseudonym(salt, raw), 5).items).toEqual(bySalt.items);
    expect(() => withoutSalt.recommend(raw, 5)).toThrow(UnknownUserError);
    expect(() => withoutSalt.recommend(raw, 5)).toThrow(/HMAC pseudonyms/);
    withSalt.dispose();
    withoutSalt.dispose();
    ck.model.dispose();

    const server = await createServer({ checkpoint: dir });
    try {
      const r = await server.app.inject({ method: 'GET', url: `/v1/users/${raw}/recommendations?k=5` });
      expect(r.statusCode).toBe(200);
      expect(r.json().items).toEqual(bySalt.items);
    } finally {
      await server.close();
    }
  });
});
