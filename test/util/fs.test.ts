import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bufferToFloat32, float32ToBuffer, writeDirAtomically, writeFileAtomic } from '../../src/util/fs.ts';

const root = await mkdtemp(join(tmpdir(), 'fs-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));

let parent: string;
let n = 0;
beforeEach(async () => {
  parent = join(root, `case${n++}`);
  await mkdir(parent);
});

describe('writeDirAtomically', () => {
  it('creates the directory with what the writer wrote, leaving no temporaries', async () => {
    const final = join(parent, 'ckpt');
    let seen = '';
    await writeDirAtomically(final, async (tmp) => {
      seen = tmp;
      await writeFile(join(tmp, 'a.txt'), 'A');
      await mkdir(join(tmp, 'sub'));
      await writeFile(join(tmp, 'sub', 'b.txt'), 'B');
    });
    expect(seen).not.toBe(final);
    expect(await readFile(join(final, 'a.txt'), 'utf8')).toBe('A');
    expect(await readFile(join(final, 'sub', 'b.txt'), 'utf8')).toBe('B');
    expect(await readdir(parent)).toEqual(['ckpt']);
  });

  it('replaces an existing directory entirely', async () => {
    const final = join(parent, 'ckpt');
    await mkdir(final);
    await writeFile(join(final, 'old.txt'), 'old');
    await writeDirAtomically(final, (tmp) => writeFile(join(tmp, 'new.txt'), 'new'));
    expect(await readdir(final)).toEqual(['new.txt']);
    expect(await readdir(parent)).toEqual(['ckpt']);
  });

  it('on a writer error removes the temporary, keeps the old directory and rethrows', async () => {
    const final = join(parent, 'ckpt');
    await mkdir(final);
    await writeFile(join(final, 'old.txt'), 'old');
    await expect(
      writeDirAtomically(final, async (tmp) => {
        await writeFile(join(tmp, 'half.txt'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(parent)).toEqual(['ckpt']);
    expect(await readdir(final)).toEqual(['old.txt']);
  });

  it('rejects a missing parent directory by name', async () => {
    const missing = join(parent, 'nope');
    await expect(writeDirAtomically(join(missing, 'x'), async () => {})).rejects.toThrow(missing);
  });
});

describe('writeFileAtomic', () => {
  it('writes and replaces a file without leaving temporaries', async () => {
    const path = join(parent, 'f.json');
    await writeFileAtomic(path, '{"a":1}');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(parent)).toEqual(['f.json']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(parent, 'no', 'f'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('float32 <-> Buffer', () => {
  it('encodes little-endian IEEE 754', () => {
    expect([...float32ToBuffer(new Float32Array([1, -2]))]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  });

  it('round-trips, including a sub-array view', () => {
    const base = new Float32Array([0.1, Math.PI, -0, Number.NaN, 3.4e38, -1e-45]);
    const sub = base.subarray(1, 5);
    const back = bufferToFloat32(float32ToBuffer(sub));
    expect(Array.from(back)).toEqual(Array.from(sub));
    expect(Object.is(back[1], -0)).toBe(true);
  });

  it('copies from an unaligned buffer', () => {
    const bytes = Buffer.alloc(9);
    float32ToBuffer(new Float32Array([1.5, -7.25])).copy(bytes, 1);
    const unaligned = bytes.subarray(1);
    expect(unaligned.byteOffset % 4).not.toBe(0);
    expect(Array.from(bufferToFloat32(unaligned))).toEqual([1.5, -7.25]);
  });

  it('rejects a length that is not a multiple of 4', () => {
    expect(() => bufferToFloat32(Buffer.alloc(6))).toThrow(/6 is not a multiple of 4/);
  });
});
