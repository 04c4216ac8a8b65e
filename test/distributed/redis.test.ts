import { describe, expect, it } from 'vitest';
import { assertRedisReachable, checkRedisUrl } from '../../src/distributed/redis.ts';
import { spawnCli } from '../helpers/cli.ts';
import { freePort } from '../helpers/redis.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

describe('Redis connection errors are one line', () => {
  it('names a URL that is not redis://', () => {
    expect(() => checkRedisUrl('localhost:6379')).toThrow(
      '--redis: "localhost:6379" is not a redis://host:port URL',
    );
    expect(() => checkRedisUrl('not a url')).toThrow('--redis: "not a url" is not a URL');
    expect(checkRedisUrl('redis://10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
  });

  it('names an unreachable server and the socket error', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(assertRedisReachable(url)).rejects.toThrow(
      new RegExp(`^redis: cannot reach ${url}: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+$`),
    );
  });

  it('train --redis and worker --redis exit non-zero with that line, before any work', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const { config } = tinyProject();
    for (const args of [
      ['train', '--config', config, '--redis', url],
      ['worker', '--redis', url],
    ]) {
      const r = await spawnCli(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim()).toMatch(
        new RegExp(`^interest-evo: redis: cannot reach ${url}: connect ECONNREFUSED [\\d.:]+$`),
      );
    }
  });
});
