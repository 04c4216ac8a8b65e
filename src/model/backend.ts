/**
 * Picks the tfjs backend once per process. tfjs-node(-gpu) are optionalDependencies whose install
 * fails where libtensorflow cannot be downloaded, so their absence is an expected outcome, not an
 * error, under 'auto'.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { type BackendPref, type Env, env } from '../env.ts';
import { useFastWasmKernels } from '../util/wasm-kernels.ts';

export type { BackendPref } from '../env.ts';

/**
 * The backend a command asks for: `--backend`, else INTEREST_EVO_BACKEND (a machine's setting, so it
 * outranks a config's); undefined leaves it to the config's `train.backend`, or 'auto' without a config.
 */
export function requestedBackend(
  flag: BackendPref | undefined,
  from: Pick<Env, 'backend'> = env,
): BackendPref | undefined {
  return flag ?? from.backend ?? undefined;
}

export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason?: string;
}

export interface BackendInfo {
  /** The backend now active: 'node-gpu' | 'node' | 'wasm' | 'cpu' (tf.getBackend() says 'tensorflow' for both node ones). */
  name: string;
  requested: BackendPref;
  tried: BackendAttempt[];
}

type Candidate = Exclude<BackendPref, 'auto'>;

const AUTO_ORDER: readonly Candidate[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** Package to import (it registers the backend) and the tfjs backend name it registers. */
const CANDIDATES: Record<Candidate, { pkg?: string; tfName: string }> = {
  'node-gpu': { pkg: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  node: { pkg: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  wasm: { pkg: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  cpu: { tfName: 'cpu' },
};

const require = createRequire(import.meta.url);

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Imports the backend's package and activates it; returns why not on failure. */
async function tryCandidate(candidate: Candidate): Promise<BackendAttempt> {
  const { pkg, tfName } = CANDIDATES[candidate];
  if (pkg) {
    if (!isInstalled(pkg)) return { name: candidate, ok: false, reason: 'not installed' };
    try {
      // A non-literal specifier keeps tsc from requiring the optional packages to be present.
      const specifier: string = pkg;
      await import(specifier);
    } catch (e) {
      return { name: candidate, ok: false, reason: `import failed: ${firstLine(e)}` };
    }
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfName);
  } catch (e) {
    return { name: candidate, ok: false, reason: firstLine(e) };
  }
  // setBackend can report failure by returning false while silently keeping another backend.
  if (!ok) return { name: candidate, ok: false, reason: `tf.setBackend('${tfName}') returned false` };
  const active = tf.getBackend();
  if (active !== tfName) return { name: candidate, ok: false, reason: `active backend is '${active}'` };
  if (tfName === 'wasm') useFastWasmKernels();
  return { name: candidate, ok: true };
}

async function resolveUncached(pref: BackendPref): Promise<BackendInfo> {
  const order = pref === 'auto' ? AUTO_ORDER : [pref];
  const tried: BackendAttempt[] = [];
  for (const candidate of order) {
    const attempt = await tryCandidate(candidate);
    tried.push(attempt);
    if (attempt.ok) return { name: candidate, requested: pref, tried };
  }
  if (pref === 'auto') {
    throw new Error(`no tfjs backend could be activated (${tried.map(describeAttempt).join(', ')})`);
  }
  throw new Error(`tfjs backend '${pref}' is unavailable: ${tried[0].reason}`);
}

let cached: { pref: BackendPref; info: Promise<BackendInfo> } | undefined;

/**
 * Activates the preferred backend ('auto': first that works of node-gpu → node → wasm → cpu).
 * Repeated calls with the same pref return the cached result (concurrent callers share one
 * resolution); a different pref resolves again. An explicit pref that cannot be activated throws.
 */
export function resolveBackend(pref: BackendPref): Promise<BackendInfo> {
  if (pref !== 'auto' && !Object.hasOwn(CANDIDATES, pref)) {
    return Promise.reject(new Error(`unknown backend '${pref}' (auto, node-gpu, node, wasm, cpu)`));
  }
  if (cached?.pref === pref) return cached.info;
  const info = resolveUncached(pref);
  cached = { pref, info };
  // A failed resolution is not cached, so a caller can retry (e.g. after installing a package).
  info.catch(() => {
    if (cached?.info === info) cached = undefined;
  });
  return info;
}

function describeAttempt(a: BackendAttempt): string {
  return a.ok ? `${a.name} ✓` : `${a.name} ✗ ${a.reason ?? ''}`.trimEnd();
}

/** One line, e.g. "backend wasm (tried: node-gpu ✗ not installed, node ✗ not installed, wasm ✓)". */
export function describeBackend(info: BackendInfo): string {
  return `backend ${info.name} (tried: ${info.tried.map(describeAttempt).join(', ')})`;
}
