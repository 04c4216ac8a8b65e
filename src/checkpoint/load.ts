import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { softAssign } from '../topics/kmeans.ts';
import type { TopicModel } from '../topics/model.ts';
import { bufferToFloat32 } from '../util/fs.ts';
import { sha256Hex } from '../util/hash.ts';
import type { CheckpointContent } from './export.ts';
import { arrayShapes, FILES, FORMAT, type Manifest, SCHEMA_VERSION } from './format.ts';
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

const isStringArray = (v: unknown, n?: number): v is string[] =>
  Array.isArray(v) && (n === undefined || v.length === n) && v.every((x) => typeof x === 'string');

/**
 * The JSON tables and the manifest's array shapes must agree with each other and with the model spec: a
 * manifest whose hashes match can still describe arrays of the wrong shape (a buggy writer, a hand edit).
 */
function checkTables(
  dir: string,
  manifest: Manifest,
  items: { ids: unknown; titles: unknown; kinds?: unknown },
  users: { ids: unknown },
  topics: { labels: unknown },
): void {
  const where = (name: string) => join(dir, name);
  if (!isStringArray(items?.ids)) throw new CheckpointError(`${where(FILES.items)}: ids must be strings`);
  if (!isStringArray(items.titles, items.ids.length))
    throw new CheckpointError(`${where(FILES.items)}: titles must be ${items.ids.length} strings`);
  if (items.kinds !== undefined && !isStringArray(items.kinds, items.ids.length))
    throw new CheckpointError(`${where(FILES.items)}: kinds must be ${items.ids.length} strings`);
  if (!isStringArray(users?.ids)) throw new CheckpointError(`${where(FILES.users)}: ids must be strings`);
  if (!isStringArray(topics?.labels, manifest.topics.k))
    throw new CheckpointError(`${where(FILES.topics)}: labels must be ${manifest.topics.k} strings`);
  const seenEntry = manifest.files[FILES.seen];
  const expected = arrayShapes(manifest, {
    users: users.ids.length,
    items: items.ids.length,
    seen: seenEntry ? seenEntry.bytes / 4 : 0,
  });
  for (const [name, want] of Object.entries(expected)) {
    const entry = manifest.files[name];
    if (!entry) continue; // a missing required file is reported when it is read
    const same = entry.dtype === want.dtype && JSON.stringify(entry.shape) === JSON.stringify(want.shape);
    if (!same) {
      throw new CheckpointError(
        `${where(name)}: manifest says ${entry.dtype} [${entry.shape}], the checkpoint's sizes need ${want.dtype} [${want.shape}]`,
      );
    }
  }
}

/** user_seen must be a valid CSR over the catalogue: offsets from 0 to nnz, non-decreasing; rows in range. */
function checkSeen(dir: string, seen: Int32Array, offsets: Int32Array, nItems: number): void {
  const bad = (what: string) => new CheckpointError(`${join(dir, FILES.seenOffsets)}: ${what}`);
  if (offsets[0] !== 0 || offsets[offsets.length - 1] !== seen.length)
    throw bad(`offsets must run from 0 to ${seen.length}`);
  for (let u = 1; u < offsets.length; u++)
    if (offsets[u] < offsets[u - 1]) throw bad(`offsets decrease at ${u}`);
  for (let j = 0; j < seen.length; j++) {
    if (seen[j] < 0 || seen[j] >= nItems) {
      throw new CheckpointError(
        `${join(dir, FILES.seen)}: item row ${seen[j]} at ${j} is outside [0, ${nItems})`,
      );
    }
  }
}

/** What is wrong with the network for this manifest, or null. */
function modelProblem(model: tf.LayersModel, manifest: Manifest): string | null {
  const spec = manifest.model;
  const input = model.inputs[0].shape;
  const out = model.outputs[0].shape;
  if (input[1] !== spec.maxLen || input[2] !== spec.inputWidth)
    return `reads [${input.slice(1)}], manifest.model says [${spec.maxLen}, ${spec.inputWidth}]`;
  if (out[1] !== spec.outputDim + spec.topicHead)
    return `has ${out[1]} outputs, manifest.model says ${spec.outputDim} + ${spec.topicHead}`;
  if (spec.outputDim !== manifest.encoder.dim)
    return `outputs ${spec.outputDim}-d vectors for a ${manifest.encoder.dim}-d encoder`;
  const head = model.layers.find((l) => l.name === 'head');
  if (head?.getClassName() !== 'Dense' || head.getConfig().activation !== 'linear')
    return 'has no linear output layer named "head"';
  return null;
}

/** The network must read `[T, W]` sequences and end in the linear `head` of `D` outputs (plus the topic head). */
function checkModel(dir: string, model: tf.LayersModel, manifest: Manifest): void {
  const problem = modelProblem(model, manifest);
  if (problem) {
    model.dispose();
    throw new CheckpointError(`${join(dir, FILES.modelJson)}: the network ${problem}`);
  }
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
  checkTables(dir, manifest, items, users, topics);
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
    itemShares: FILES.itemShares in manifest.files ? float32Of(await buf(FILES.itemShares)) : null,
  };
  checkSeen(dir, ck.seen, ck.seenOffsets, ck.items.ids.length);
  const model = await loadModelFromDir(join(dir, 'model'));
  checkModel(dir, model, manifest);
  return { ...ck, model };
}

/**
 * The topic model a checkpoint was trained with: its centroids, labels and the items' soft shares (stored
 * for topics from categories, else recomputed from the centroids as training did).
 */
export function topicsOf(ck: Checkpoint): TopicModel {
  const { dim } = ck.manifest.encoder;
  const { k, temperature } = ck.manifest.topics;
  return {
    k,
    dim,
    centroids: ck.centroids,
    labels: ck.topicLabels,
    temperature,
    itemShares: ck.itemShares ?? softAssign(ck.itemVectors, dim, ck.centroids, temperature),
  };
}
