/**
 * The tfjs-backend-wasm kernels this project replaces with faster ones giving the same values (products
 * with transposed operands: wasm-matmul.ts; slices: wasm-slice.ts), installed once per thread wherever the
 * wasm backend is activated. Each replacement wraps the kernel it replaces and may hand a call back to it.
 */
import * as tf from '@tensorflow/tfjs';
import { MATMUL_KERNELS } from './wasm-matmul.ts';
import { SLICE_KERNELS } from './wasm-slice.ts';

export type KernelArgs = Parameters<tf.KernelFunc>[0];
/** What this project uses of tfjs' BackendWasm: new outputs, and views of tensors in its heap. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A replacement kernel: the original kernel's function and the call's arguments. */
export type KernelWrapper = (original: tf.KernelFunc, args: KernelArgs) => ReturnType<tf.KernelFunc>;

let installed = false;

export function useFastWasmKernels(): void {
  if (installed) return;
  installed = true;
  for (const [name, wrap] of Object.entries({ ...MATMUL_KERNELS, ...SLICE_KERNELS })) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...original, kernelFunc: (args) => wrap(original.kernelFunc, args) });
  }
}
