import { describe, expect, it } from 'vitest';
import { env, envFromProcess } from '../src/env.ts';

describe('env', () => {
  it('has offline defaults when no variables are set', () => {
    expect(envFromProcess({})).toEqual({
      backend: null,
      cacheDir: 'data/cache',
      progress: 'auto',
      userIdSalt: null,
      debug: false,
      chunkMb: 128,
    });
  });

  it('reads overrides from environment variables', () => {
    const e = envFromProcess({
      INTEREST_EVO_BACKEND: 'wasm',
      INTEREST_EVO_CACHE: '/tmp/c',
      INTEREST_EVO_PROGRESS: 'lines',
      INTEREST_EVO_USER_SALT: 's3cret',
      INTEREST_EVO_DEBUG: '1',
      INTEREST_EVO_CHUNK_MB: '32',
    });
    expect(e).toMatchObject({
      backend: 'wasm',
      cacheDir: '/tmp/c',
      progress: 'lines',
      userIdSalt: 's3cret',
      debug: true,
      chunkMb: 32,
    });
  });

  it('rejects an unknown value naming the variable', () => {
    expect(() => envFromProcess({ INTEREST_EVO_BACKEND: 'gpu' })).toThrow(/INTEREST_EVO_BACKEND="gpu".*auto/);
    expect(() => envFromProcess({ INTEREST_EVO_CHUNK_MB: '0' })).toThrow(
      /INTEREST_EVO_CHUNK_MB="0" is not a positive number/,
    );
  });

  it('exports a mutable process-wide object', () => {
    const before = env.progress;
    env.progress = 'off';
    expect(env.progress).toBe('off');
    env.progress = before;
  });
});
