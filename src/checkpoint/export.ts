import { mkdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { float32ToBuffer, writeDirAtomically } from '../util/fs.ts';
import { sha256File } from '../util/hash.ts';
import {
  arrayShapes,
  FILES,
  type FileEntry,
  FORMAT,
  type Manifest,
  OPTIONAL_FILES,
  SCHEMA_VERSION,
} from './format.ts';
import { saveModelToDir } from './tfjs-io.ts';

/** Everything a serving process needs, with no access to the training data. */
export interface CheckpointContent {
  manifest: Omit<Manifest, 'format' | 'schema_version' | 'files' | 'packages'>;
  model: tf.LayersModel;
  /** kinds: each item's kind, when the data has a kind column (config data.items.kind). */
  items: { ids: string[]; titles: string[]; kinds?: string[] };
  itemVectors: Float32Array;
  /** unit(e_i + r_i) when the model learned an item residual, else null (score the text vectors). */
  scoringVectors: Float32Array | null;
  /** items × k topic shares when topics come from item categories, else null (softAssign to centroids). */
  itemShares: Float32Array | null;
  topicLabels: string[];
  centroids: Float32Array;
  users: string[];
  /** users × maxLen × inputWidth: each user's latest bucket sequence. */
  sequences: Float32Array;
  /** users × k: ARIMA forecast of next-bucket topic shares from each user's full history. */
  forecasts: Float32Array;
  /** CSR of the item indices each user has seen (for excluding them). */
  seen: Int32Array;
  seenOffsets: Int32Array;
  /** Event count per item over the whole log, for the popularity prior. */
  popularity: Float32Array;
}

const PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'arima', '@duckdb/node-api', 'zod'];

/** Installed versions of the packages whose behaviour the checkpoint depends on. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const pkgPath = require.resolve(`${name}/package.json`);
      out[name] = JSON.parse(readFileSync(pkgPath, 'utf8')).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  out['interest-evo'] = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ).version;
  out.node = process.version;
  return out;
}

function int32Bytes(a: Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes the checkpoint into a temporary sibling and renames it into place, so readers never see half of one. */
export async function exportCheckpoint(dir: string, c: CheckpointContent): Promise<Manifest> {
  mkdirSync(dirname(dir), { recursive: true });
  const shapes = arrayShapes(c.manifest, {
    users: c.users.length,
    items: c.items.ids.length,
    seen: c.seen.length,
  });
  let manifest: Manifest | undefined;
  await writeDirAtomically(dir, async (tmp) => {
    await mkdir(join(tmp, 'model'));
    await saveModelToDir(c.model, join(tmp, 'model'));
    const json = (name: string, v: unknown) => writeFile(join(tmp, name), `${JSON.stringify(v)}\n`);
    await json(FILES.items, c.items);
    await json(FILES.topics, { labels: c.topicLabels });
    await json(FILES.users, { ids: c.users });
    await writeFile(join(tmp, FILES.itemVectors), float32ToBuffer(c.itemVectors));
    await writeFile(join(tmp, FILES.centroids), float32ToBuffer(c.centroids));
    await writeFile(join(tmp, FILES.sequences), float32ToBuffer(c.sequences));
    await writeFile(join(tmp, FILES.forecasts), float32ToBuffer(c.forecasts));
    await writeFile(join(tmp, FILES.seen), int32Bytes(c.seen));
    await writeFile(join(tmp, FILES.seenOffsets), int32Bytes(c.seenOffsets));
    await writeFile(join(tmp, FILES.popularity), float32ToBuffer(c.popularity));
    const optional: Record<string, Float32Array | null> = {
      [FILES.scoringVectors]: c.scoringVectors,
      [FILES.itemShares]: c.itemShares,
    };
    for (const [name, a] of Object.entries(optional))
      if (a) await writeFile(join(tmp, name), float32ToBuffer(a));
    const files: Record<string, FileEntry> = {};
    for (const name of Object.values(FILES)) {
      if (name === FILES.manifest || (OPTIONAL_FILES.includes(name) && !optional[name])) continue;
      const p = join(tmp, name);
      files[name] = { sha256: await sha256File(p), bytes: (await stat(p)).size, ...shapes[name] };
    }
    manifest = {
      format: FORMAT,
      schema_version: SCHEMA_VERSION,
      ...c.manifest,
      packages: packageVersions(),
      files,
    };
    await json(FILES.manifest, manifest);
  });
  // Read back what landed, so a caller never reports a manifest that is not on disk.
  return JSON.parse(await readFile(join(dir, FILES.manifest), 'utf8')) as Manifest;
}
