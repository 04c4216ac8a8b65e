/**
 * Large float32 buffers reused instead of allocated per chunk. A fresh typed array of tens of MB costs a
 * page fault per 4 KiB on first touch (about 10 µs each on the 2-core machine, 40 MB in ~105 ms), which
 * made reading a chunk's score matrices slower than computing them.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmHeap } from './wasm-kernels.ts';

/** Buffers by slot name, grown when a longer one is asked for and otherwise handed out again. */
export class Scratch {
  private readonly buffers = new Map<string, Float32Array>();

  /** The slot's buffer, `length` long; its values are whatever the slot's last user left there. */
  take(slot: string, length: number): Float32Array {
    let b = this.buffers.get(slot);
    if (!b || b.length < length) {
      b = new Float32Array(length);
      this.buffers.set(slot, b);
    }
    return b.subarray(0, length);
  }
}

/**
 * A float32 tensor's values copied into the front of `out` (returned, t.size long). The wasm backend is
 * read through a view of its heap; dataSync would copy into a fresh array first.
 */
export function readInto(t: tf.Tensor, out: Float32Array): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`readInto: a ${t.dtype} tensor, not float32`);
  if (out.length < t.size) throw new Error(`readInto: ${t.size} values into a buffer of ${out.length}`);
  const view = out.subarray(0, t.size);
  const b = tf.backend() as unknown as Partial<WasmHeap>;
  if (tf.getBackend() === 'wasm' && typeof b.typedArrayFromHeap === 'function')
    view.set(b.typedArrayFromHeap(t));
  else view.set(t.dataSync() as Float32Array);
  return view;
}

/**
 * A result tensor's values, read outside any tidy (on the wasm backend a dataSync inside tf.tidy was ~20×
 * slower): into `into` when given (readInto), else a fresh array; the tensor is disposed either way.
 */
export function takeValues(t: tf.Tensor, into?: Float32Array): Float32Array {
  try {
    return into ? readInto(t, into) : (t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}
