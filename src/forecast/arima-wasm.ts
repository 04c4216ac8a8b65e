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

export interface ArimaRuntime {
  ARIMA: new (options: ArimaOptions) => ArimaModel;
  /** Current size of this runtime's WASM memory (grows, never shrinks: a leak shows up here). */
  heapBytes(): number;
}

interface EmscriptenModule {
  HEAPU8: Uint8Array;
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
  return { ARIMA: bindArima(module), heapBytes: () => module.HEAPU8.buffer.byteLength };
}

let shared: Promise<ArimaRuntime> | undefined;

/** One runtime per thread (a worker_threads pool would get one per worker). */
export function sharedArimaRuntime(): Promise<ArimaRuntime> {
  shared ??= loadArimaRuntime();
  return shared;
}
