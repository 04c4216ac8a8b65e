import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The subset of `arima@0.2.8` options this project sets. */
export interface ArimaOptions {
  p: number;
  d: number;
  q: number;
  /** 0 exact ML, 1 conditional sum of squares, 2 Box-Jenkins. */
  method: number;
  /** 5 BFGS, 6 L-BFGS (package default), … see the package README. */
  optimizer: number;
  verbose: false;
}

export interface ArimaModel {
  /** Re-training frees the previous fit. Throws when the series is shorter than the order needs. */
  train(ts: number[]): ArimaModel;
  /** [forecasts, mean squared errors], each of length n. */
  predict(n: number): [number[], number[]];
  /** Frees the WASM fit; the instance may be trained again afterwards. */
  destroy(): void;
}

/** What ctsa stores about a fit (read from its `sarimax_set` struct; the JS wrapper does not expose it). */
export interface ArimaFitStats {
  /** Points the likelihood was computed on (N − d). */
  nUsed: number;
  /** Innovation variance σ² (CSS: mean squared residual). */
  sigma2: number;
  loglik: number;
  /** ctsa's AIC = −2·loglik + 2·(estimated coefficients + 1). */
  aic: number;
}

export interface ArimaRuntime {
  ARIMA: new (options: ArimaOptions) => ArimaModel;
  /** Statistics of the model's current fit; throws if it has none or the struct layout is not the expected one. */
  fitStats(model: ArimaModel): ArimaFitStats;
  /** Current size of this runtime's WASM memory (grows, never shrinks: a leak shows up here). */
  heapBytes(): number;
}

interface EmscriptenModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPF64: Float64Array;
}

/**
 * Byte offsets in ctsa's `struct sarimax_set` (wasm32: 4-byte int and pointer, 8-byte aligned double):
 * 14 ints (N, Nused, method, optmethod, p, d, q, s, P, D, Q, r, M, ncoeff), 6 pointers, lvcov, res, then
 * mean, var, loglik, aic. The ints are checked against the model's options before the doubles are trusted.
 */
const STRUCT = { N: 0, Nused: 4, p: 16, d: 20, q: 24, var: 96, loglik: 104, aic: 112 } as const;

function readFitStats(m: EmscriptenModule, model: ArimaModel): ArimaFitStats {
  const {
    model: handle,
    options,
    lin,
  } = model as unknown as {
    model: number | null;
    options: ArimaOptions;
    lin: number;
  };
  if (!handle) throw new Error('arima fitStats: the model has no fit (train it first)');
  const obj = m.HEAP32[handle >> 2];
  const int = (off: number) => m.HEAP32[(obj + off) >> 2];
  const f64 = (off: number) => m.HEAPF64[(obj + off) >> 3];
  const expected = [lin, lin - options.d, options.p, options.d, options.q];
  const found = [int(STRUCT.N), int(STRUCT.Nused), int(STRUCT.p), int(STRUCT.d), int(STRUCT.q)];
  if (expected.some((v, i) => v !== found[i])) {
    throw new Error(
      `arima fitStats: unexpected ctsa struct layout (expected N, Nused, p, d, q = ${expected}, read ${found})`,
    );
  }
  return { nUsed: found[1], sigma2: f64(STRUCT.var), loglik: f64(STRUCT.loglik), aic: f64(STRUCT.aic) };
}

const require = createRequire(import.meta.url);

/**
 * Loads a fresh, silent ARIMA WASM runtime. The package's own entry (`import 'arima'`) builds its module
 * with the default print, and the C code printf()s warnings ("non-stationary AR part", …) to stdout even
 * with verbose: false; building the module ourselves with no-op print/printErr silences it. The package's
 * `exports` map hides these files, so resolve them next to its entry point.
 */
export async function loadArimaRuntime(): Promise<ArimaRuntime> {
  const dir = dirname(require.resolve('arima'));
  const createModule = require(join(dir, 'wasm', 'native-async.js')) as (
    opts: object,
  ) => Promise<EmscriptenModule>;
  const wasmBinary = require(join(dir, 'wrapper', 'native.bin.js')) as Uint8Array;
  const bindArima = require(join(dir, 'load.js')) as (m: EmscriptenModule) => ArimaRuntime['ARIMA'];
  const silent = () => {};
  const module = await createModule({ wasmBinary, print: silent, printErr: silent });
  return {
    ARIMA: bindArima(module),
    fitStats: (model) => readFitStats(module, model),
    heapBytes: () => module.HEAPU8.buffer.byteLength,
  };
}

let shared: Promise<ArimaRuntime> | undefined;

/** One runtime per thread (a worker_threads pool would get one per worker). */
export function sharedArimaRuntime(): Promise<ArimaRuntime> {
  shared ??= loadArimaRuntime();
  return shared;
}
