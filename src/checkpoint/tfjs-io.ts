/**
 * LayersModel save/load to a directory without tfjs-node. The files match what tfjs-node's
 * `file://` handler (tfjs-node/src/io/file_system.ts) writes — `model.json` (same keys, same order,
 * compact JSON) and one `weights.bin` — so any tfjs runtime can load the checkpoint.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../util/fs.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** model.json exactly as tfjs-node serialises it (key order included). */
function toModelJSON(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  const modelJSON: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  return modelJSON;
}

/**
 * Saves `model` as `dir/model.json` + `dir/weights.bin` (creating `dir`). Each file is replaced
 * atomically; to make the pair (or a whole checkpoint) atomic, call this inside
 * `writeDirAtomically`. Returns the written paths.
 */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<{ files: string[] }> {
  const files = [join(dir, MODEL_JSON), join(dir, WEIGHTS_BIN)];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('saveModelToDir: binary model topology is not supported (LayersModel expected)');
      }
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(files[0], JSON.stringify(toModelJSON(artifacts)));
      await writeFileAtomic(files[1], weights);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return { files };
}

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Expected weight bytes, or undefined when specs use dtypes/quantisation we don't size here. */
function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const bytes = BYTES_PER_DTYPE[spec.dtype];
    if (bytes === undefined || spec.quantization) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

/** Rejects manifest paths that would read outside the model directory. */
function weightPath(dir: string, path: string): string {
  const rel = normalize(path);
  if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
    throw new Error(
      `weights path ${JSON.stringify(path)} in ${join(dir, MODEL_JSON)} leaves the model directory`,
    );
  }
  return join(dir, rel);
}

async function readModelJSON(dir: string): Promise<tf.io.ModelJSON> {
  const path = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no ${MODEL_JSON} in ${dir}`);
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const obj = json as Partial<tf.io.ModelJSON> | null;
  if (obj === null || typeof obj !== 'object' || obj.modelTopology == null) {
    throw new Error(`${path} has no modelTopology`);
  }
  if (obj.weightsManifest != null && !Array.isArray(obj.weightsManifest)) {
    throw new Error(`${path}: weightsManifest must be an array`);
  }
  return obj as tf.io.ModelJSON;
}

/** Loads a LayersModel saved by `saveModelToDir` (or by tfjs-node / the Python converter). */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const modelJSON = await readModelJSON(dir);
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = [];
        for (const group of manifest) {
          for (const p of group.paths) buffers.push(await readFile(weightPath(dir, p)));
        }
        const data = Buffer.concat(buffers);
        const expected = expectedWeightBytes(specs);
        if (expected !== undefined && expected !== data.byteLength) {
          throw new Error(
            `weights in ${dir} have ${data.byteLength} bytes, the manifest describes ${expected}`,
          );
        }
        // Copy into a fresh ArrayBuffer: Buffer.concat may return a slice of a shared pool.
        return [specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer];
      });
    },
  };
  return tf.loadLayersModel(handler);
}
