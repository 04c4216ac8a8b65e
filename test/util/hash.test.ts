import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File, sha256Hex } from '../../src/util/hash.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('sha256', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex('abc')).toBe(abc);
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(abc);
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes a multi-chunk file like the in-memory hash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hash-'));
    dirs.push(dir);
    const data = new Uint8Array(1_000_003).map((_, i) => (i * 31 + 7) & 0xff); // > one 64 KiB stream chunk
    const path = join(dir, 'f.bin');
    await writeFile(path, data);
    expect(await sha256File(path)).toBe(sha256Hex(data));
  });

  it('rejects a missing file', async () => {
    await expect(sha256File('/nonexistent/x')).rejects.toThrow(/ENOENT/);
  });
});
