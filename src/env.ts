/**
 * Runtime switches, in one place (like transformers.js `env`). Defaults come from environment
 * variables so a deployment can set them without code; the CLI overrides fields from its flags.
 *
 * | field               | default                 | environment variable       |
 * |---------------------|-------------------------|----------------------------|
 * | `backend`           | `null` (the config's)   | `INTEREST_EVO_BACKEND`     |
 * | `cacheDir`          | `'data/cache'`          | `INTEREST_EVO_CACHE`       |
 * | `progress`          | `'auto'`                | `INTEREST_EVO_PROGRESS`    |
 * | `userIdSalt`        | `null`                  | `INTEREST_EVO_USER_SALT`   |
 * | `debug`             | `false`                 | `INTEREST_EVO_DEBUG` (`1`) |
 * | `chunkMb`           | `128`                   | `INTEREST_EVO_CHUNK_MB`    |
 */

/** Which tfjs backend to use; 'auto' tries node-gpu → node → wasm → cpu. */
export const BACKEND_PREFS = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendPref = (typeof BACKEND_PREFS)[number];

/** 'auto': a bar on a TTY, plain lines otherwise; 'off': print nothing. */
export const PROGRESS_MODES = ['auto', 'tty', 'lines', 'off'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export interface Env {
  /**
   * Every tfjs command's backend unless `--backend` names one; null: the config's `train.backend` (train,
   * evaluate, embed with a config), else 'auto'.
   */
  backend: BackendPref | null;
  /** Embedding / feature cache root, relative to the working directory unless absolute. */
  cacheDir: string;
  progress: ProgressMode;
  /** Secret for `checkpoint.user_ids: hmac-sha256` (export and serving); never written anywhere. */
  userIdSalt: string | null;
  /** Whether a CLI error prints its stack trace (as `--debug` does). */
  debug: boolean;
  /**
   * MB of row × item score matrices evaluation holds per chunk of users (the backend holds about as
   * much again): less memory, more chunks.
   */
  chunkMb: number;
}

/** Reads an enumerated environment variable; an unknown value is an error, not a silent default. */
export function enumFromEnv<T extends string, F extends T | null>(
  name: string,
  allowed: readonly T[],
  fallback: F,
  source: NodeJS.ProcessEnv = process.env,
): T | F {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not one of: ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** Reads a positive number from the environment; anything else set there is an error. */
function positiveFromEnv(name: string, fallback: number, source: NodeJS.ProcessEnv): number {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(v > 0 && Number.isFinite(v)))
    throw new Error(`${name}=${JSON.stringify(raw)} is not a positive number`);
  return v;
}

/** Builds the defaults from an environment (exported for tests; use `env`). */
export function envFromProcess(source: NodeJS.ProcessEnv = process.env): Env {
  return {
    backend: enumFromEnv('INTEREST_EVO_BACKEND', BACKEND_PREFS, null, source),
    cacheDir: source.INTEREST_EVO_CACHE || 'data/cache',
    progress: enumFromEnv('INTEREST_EVO_PROGRESS', PROGRESS_MODES, 'auto', source),
    userIdSalt: source.INTEREST_EVO_USER_SALT || null,
    debug: source.INTEREST_EVO_DEBUG === '1',
    chunkMb: positiveFromEnv('INTEREST_EVO_CHUNK_MB', 128, source),
  };
}

/** The process-wide settings; mutate fields (e.g. from CLI flags) before starting work. */
export const env: Env = envFromProcess();
