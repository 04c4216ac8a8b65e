import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { env, type FeatureExtractionPipeline, pipeline } from '@huggingface/transformers';
import type { Embedder, TransformersDtype, TransformersOptions } from './types.ts';

export const TRANSFORMERS_DEFAULTS: TransformersOptions = {
  model: 'Xenova/all-MiniLM-L6-v2',
  pooling: 'mean',
  dtype: 'fp32',
  allowRemote: false,
  modelsDir: 'data/models',
};

/** The ONNX file transformers.js loads for each dtype (its `onnx/` subfolder, dtype suffix). */
export const ONNX_FILE: Record<TransformersDtype, string> = {
  fp32: 'onnx/model.onnx',
  q8: 'onnx/model_quantized.onnx',
};
const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
/** Same pattern transformers.js uses to tell a hub id ("org/name") from a path. */
const HUB_ID_RE = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;

export interface ModelLocation {
  /** Absolute folder the files are (or, after a download, will be) in. */
  dir: string;
  /** What to hand `pipeline()`: the absolute folder, or the hub id when it must be downloaded. */
  loadAs: string;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * A model is a folder if `model` names one (relative to the working directory), else a hub id under
 * modelsDir. Nothing is downloaded unless allowRemote is on and the folder is missing.
 */
export function locateModel(opts: TransformersOptions): ModelLocation {
  if (!opts.model) throw new Error('transformers: embed.transformers.model must be a folder or a hub id');
  if (isDir(opts.model)) return { dir: resolve(opts.model), loadAs: resolve(opts.model) };
  const underModels = resolve(opts.modelsDir, opts.model);
  if (HUB_ID_RE.test(opts.model) && !opts.model.includes('..')) {
    if (isDir(underModels)) return { dir: underModels, loadAs: underModels };
    if (opts.allowRemote) return { dir: underModels, loadAs: opts.model };
  }
  throw new Error(
    `transformers: model '${opts.model}' not found: no folder ${resolve(opts.model)} nor ${underModels}. ` +
      `Put a transformers.js model folder there (${[...REQUIRED, ONNX_FILE[opts.dtype]].join(', ')}) ` +
      'or set embed.transformers.allow_remote: true to download a hub id',
  );
}

/** The files that determine the vectors: top-level JSON (config, tokenizer) and the chosen ONNX file(s). */
async function modelFiles(dir: string, dtype: TransformersDtype): Promise<string[]> {
  const missing = [...REQUIRED, ONNX_FILE[dtype]].filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    throw new Error(`transformers: model folder ${dir} lacks ${missing.join(', ')} (dtype ${dtype})`);
  }
  const json = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  // Large models keep their weights next to the graph in `<name>.onnx_data`.
  const data = `${ONNX_FILE[dtype]}_data`;
  return [...json.sort(), ONNX_FILE[dtype], ...(existsSync(join(dir, data)) ? [data] : [])];
}

/** sha256 over (name, length, bytes) of each file, so a renamed or edited file changes the digest. */
export async function digestModel(dir: string, dtype: TransformersDtype): Promise<string> {
  const hash = createHash('sha256');
  for (const f of await modelFiles(dir, dtype)) {
    const bytes = await readFile(join(dir, f));
    hash.update(`${f}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex').slice(0, 12);
}

function validate(opts: TransformersOptions): void {
  if (opts.pooling !== 'mean' && opts.pooling !== 'cls') {
    throw new Error(`transformers: pooling must be 'mean' or 'cls', got '${opts.pooling}'`);
  }
  if (!Object.hasOwn(ONNX_FILE, opts.dtype)) {
    throw new Error(
      `transformers: dtype must be one of ${Object.keys(ONNX_FILE).join(', ')}, got '${opts.dtype}'`,
    );
  }
}

/** Runs the pipeline on texts; returns rows × dim L2-normalised floats. */
async function extract(
  extractor: FeatureExtractionPipeline,
  texts: string[],
  pooling: TransformersOptions['pooling'],
): Promise<{ data: Float32Array; dim: number }> {
  const out = await extractor(texts, { pooling, normalize: true });
  try {
    const [rows, dim] = out.dims;
    if (out.dims.length !== 2 || rows !== texts.length) {
      throw new Error(`transformers: expected output [${texts.length}, dim], got [${out.dims}]`);
    }
    // Copy out before dispose() releases the tensor's buffer.
    return { data: (out.data as Float32Array).slice(), dim };
  } finally {
    out.dispose();
  }
}

/**
 * A transformers.js feature-extraction encoder (ONNX Runtime, CPU). transformers.js keeps its
 * settings in a process-wide `env`; they are set here just before loading, so create these one at
 * a time. Blank texts get a zero row, as with the other encoders.
 */
export async function createTransformersEmbedder(
  options: Partial<TransformersOptions> = {},
): Promise<Embedder> {
  const opts = { ...TRANSFORMERS_DEFAULTS, ...options };
  validate(opts);
  const loc = locateModel(opts);
  const modelsDir = resolve(opts.modelsDir);
  env.allowLocalModels = true;
  env.allowRemoteModels = opts.allowRemote;
  env.localModelPath = modelsDir;
  // Downloads land where the next offline run looks for them: <modelsDir>/<hub id>/….
  env.cacheDir = modelsDir;
  // A local folder is checked before loading, for a clear error naming the missing files.
  const localDigest = loc.loadAs === loc.dir ? await digestModel(loc.dir, opts.dtype) : null;
  const extractor = await pipeline('feature-extraction', loc.loadAs, {
    dtype: opts.dtype,
    device: 'cpu',
    local_files_only: !opts.allowRemote,
  });
  let disposed = false;
  try {
    const digest = localDigest ?? (await digestModel(loc.dir, opts.dtype));
    const { dim } = await extract(extractor, ['dimension probe'], opts.pooling);
    const version = `tjs${env.version}-${opts.dtype}-${opts.pooling}-${digest}`;
    return {
      id: 'transformers',
      version,
      dim,
      async embed(texts) {
        if (disposed) throw new Error('transformers: embed() called after dispose()');
        const out = new Float32Array(texts.length * dim);
        const rows = texts.flatMap((t, i) => (t.trim() ? [i] : []));
        if (rows.length === 0) return out;
        const r = await extract(
          extractor,
          rows.map((i) => texts[i]),
          opts.pooling,
        );
        rows.forEach((row, k) => {
          out.set(r.data.subarray(k * dim, (k + 1) * dim), row * dim);
        });
        return out;
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        void extractor.dispose();
      },
    };
  } catch (e) {
    void extractor.dispose();
    throw e;
  }
}
