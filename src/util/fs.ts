/**
 * Crash-safe writes: a reader sees either the old or the new file/directory, never a half-written
 * one. Temporaries live next to the target so the final rename stays on one file system.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';

export const LITTLE_ENDIAN_HOST = endianness() === 'LE';

function siblingName(target: string, tag: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (e) {
    // Some platforms (Windows) refuse fsync on directories; the data files were synced already.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw e;
  } finally {
    await handle.close();
  }
}

/** fsyncs every file and directory under `dir`, children before parents. */
async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncPath(path);
  }
  await fsyncPath(dir);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Lets `write` fill a fresh temporary sibling directory, fsyncs it, then moves it to `finalDir`.
 * An existing `finalDir` is renamed aside first and removed only after the new one is in place
 * (restored if that rename fails). On any error the temporary directory is removed and the error
 * rethrown. The parent directory of `finalDir` must exist.
 */
export async function writeDirAtomically(
  finalDir: string,
  write: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const parent = dirname(finalDir);
  if (!(await exists(parent)))
    throw new Error(`writeDirAtomically: parent directory ${parent} does not exist`);
  const tmpDir = siblingName(finalDir, 'tmp');
  await mkdir(tmpDir);
  try {
    await write(tmpDir);
    await fsyncTree(tmpDir);
  } catch (e) {
    await rm(tmpDir, { recursive: true, force: true });
    throw e;
  }
  const oldDir = (await exists(finalDir)) ? siblingName(finalDir, 'old') : undefined;
  if (oldDir) await rename(finalDir, oldDir);
  try {
    await rename(tmpDir, finalDir);
  } catch (e) {
    if (oldDir) await rename(oldDir, finalDir);
    await rm(tmpDir, { recursive: true, force: true });
    throw e;
  }
  await fsyncPath(parent);
  if (oldDir) await rm(oldDir, { recursive: true, force: true });
}

/** Writes `data` to a temporary sibling, fsyncs it, and renames it over `path`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = siblingName(path, 'tmp');
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await fsyncPath(dirname(path));
}

/**
 * Little-endian bytes of `a`. On little-endian hosts this is a zero-copy view that shares memory
 * with `a`; on big-endian hosts the bytes are swapped into a new buffer.
 */
export function float32ToBuffer(a: Float32Array): Buffer {
  if (LITTLE_ENDIAN_HOST) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.allocUnsafe(a.byteLength);
  for (let i = 0; i < a.length; i++) out.writeFloatLE(a[i], i * 4);
  return out;
}

/**
 * Reads little-endian float32s. A 4-byte-aligned buffer on a little-endian host is viewed without
 * copying (the result shares memory with `b`); otherwise the values are copied.
 */
export function bufferToFloat32(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) {
    throw new Error(`bufferToFloat32: byte length ${b.byteLength} is not a multiple of 4`);
  }
  const n = b.byteLength / 4;
  if (LITTLE_ENDIAN_HOST) {
    if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, n);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
