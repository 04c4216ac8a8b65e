/** The tfjs backend of worker threads that compute beside the main one (embedding copies, the peers). */
import * as tf from '@tensorflow/tfjs';
import { useFastWasmKernels } from './wasm-kernels.ts';

/** Backends whose one instance computes on one core in any thread (tfjs-node's binding threads itself). */
export type ThreadBackend = 'wasm' | 'cpu';
const THREADABLE = new Set<string>(['wasm', 'cpu'] satisfies ThreadBackend[]);

/** The active backend when worker threads can run it too, else null. */
export function threadableBackend(): ThreadBackend | null {
  const name = tf.getBackend();
  return THREADABLE.has(name) ? (name as ThreadBackend) : null;
}

/** In a worker thread: activates the caller's backend with the same kernels; false when tfjs refuses it. */
export async function activateThreadBackend(backend: ThreadBackend): Promise<boolean> {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(backend))) return false;
  if (backend === 'wasm') useFastWasmKernels();
  return true;
}
