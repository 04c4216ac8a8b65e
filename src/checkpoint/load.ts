import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bufferToFloat32 } from '../util/fs.ts';
import { sha256Hex } from '../util/hash.ts';
import type { CheckpointContent } from './export.ts';
import { FILES, FORMAT, type Manifest, SCHEMA_VERSION } from './format.ts';
import { loadModelFromDir } from './tfjs-io.ts';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** A verified checkpoint: the exported content plus where it came from and which manifest it is. */
export interface Checkpoint extends Omit<CheckpointContent, 'manifest'> {
  dir: string;
  manifest: Manifest;
  /** sha256 of manifest.json: identifies exactly this checkpoint. */
  manifestHash: string;
}

/** Reads one listed file and checks its size, sha256 and (for arrays) element count against the manifest. */
async function readVerified(dir: string, manifest: Manifest, name: string): Promise<Buffer> {
  const entry = manifest.files[name];
  if (!entry) throw new CheckpointError(`${join(dir, name)}: not listed in manifest.json`);
  let buf: Buffer;
  try {
    buf = await readFile(join(dir, name));
  } catch (e) {
    throw new CheckpointError(`${join(dir, name)}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  if (buf.byteLength !== entry.bytes) {
    throw new CheckpointError(`${join(dir, name)}: ${buf.byteLength} bytes, manifest says ${entry.bytes}`);
  }
  if (sha256Hex(buf) !== entry.sha256)
    throw new CheckpointError(`${join(dir, name)}: sha256 does not match manifest.json`);
  if (entry.shape) {
    const expected = entry.shape.reduce((a, b) => a * b, 1) * 4;
    if (expected !== buf.byteLength) {
      throw new CheckpointError(
        `${join(dir, name)}: shape [${entry.shape}] needs ${expected} bytes, file has ${buf.byteLength}`,
      );
    }
  }
  return buf;
}

function int32Of(b: Buffer): Int32Array {
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function float32Of(b: Buffer): Float32Array {
  return bufferToFloat32(Buffer.from(b));
}

/** Loads and verifies a checkpoint directory; any mismatch is refused with an error naming the file. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  try {
    await stat(dir);
  } catch {
    throw new CheckpointError(`${dir}: checkpoint directory not found`);
  }
  let raw: Buffer;
  let manifest: Manifest;
  try {
    raw = await readFile(join(dir, FILES.manifest));
    manifest = JSON.parse(raw.toString('utf8')) as Manifest;
  } catch (e) {
    throw new CheckpointError(`${join(dir, FILES.manifest)}: unreadable (${(e as Error).message})`);
  }
  if (manifest.format !== FORMAT) throw new CheckpointError(`${join(dir, FILES.manifest)}: not an ${FORMAT}`);
  if (manifest.schema_version !== SCHEMA_VERSION) {
    throw new CheckpointError(
      `${join(dir, FILES.manifest)}: schema version ${manifest.schema_version}, this build reads ${SCHEMA_VERSION}`,
    );
  }
  const buf = async (name: string) => readVerified(dir, manifest, name);
  // Verify model files before tfjs parses them, so corruption is reported by file name.
  await buf(FILES.modelJson);
  await buf(FILES.weights);
  const json = async (name: string) => JSON.parse((await buf(name)).toString('utf8'));
  const items = await json(FILES.items);
  const topics = await json(FILES.topics);
  const users = await json(FILES.users);
  const ck: Omit<Checkpoint, 'model'> = {
    dir,
    manifest,
    manifestHash: sha256Hex(raw),
    items,
    itemVectors: float32Of(await buf(FILES.itemVectors)),
    topicLabels: topics.labels,
    centroids: float32Of(await buf(FILES.centroids)),
    users: users.ids,
    sequences: float32Of(await buf(FILES.sequences)),
    forecasts: float32Of(await buf(FILES.forecasts)),
    seen: int32Of(await buf(FILES.seen)),
    seenOffsets: int32Of(await buf(FILES.seenOffsets)),
    popularity: float32Of(await buf(FILES.popularity)),
    scoringVectors:
      FILES.scoringVectors in manifest.files ? float32Of(await buf(FILES.scoringVectors)) : null,
  };
  if (ck.items.ids.length * manifest.encoder.dim !== ck.itemVectors.length) {
    throw new CheckpointError(
      `${join(dir, FILES.items)}: ${ck.items.ids.length} ids do not match ${FILES.itemVectors}`,
    );
  }
  if (ck.users.length + 1 !== ck.seenOffsets.length) {
    throw new CheckpointError(
      `${join(dir, FILES.users)}: ${ck.users.length} ids do not match ${FILES.seenOffsets}`,
    );
  }
  const model = await loadModelFromDir(join(dir, 'model'));
  return { ...ck, model };
}
