/**
 * tfjs-backend-wasm 4.22's Slice kernel first copies its whole input out of the wasm heap (readSync), then
 * copies the slice out of that copy, and its Unpack and SplitV kernels are loops of that Slice. Unstacking a
 * sequence into its T steps (what an RNN does every batch) therefore copies the whole sequence T times.
 * These kernels read the input through a view of the heap instead; a slice is a copy either way, so the
 * values are the same bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs, KernelWrapper, WasmHeap } from './wasm-kernels.ts';

type Numeric = ReturnType<WasmHeap['typedArrayFromHeap']>;

type ViewKernel = (args: KernelArgs, x: tf.TensorInfo, heap: WasmHeap) => unknown;

/** A view-reading kernel for numeric inputs; a string tensor goes to the original kernel. */
const numeric =
  (kernel: ViewKernel): KernelWrapper =>
  (original, args) => {
    const inputs = args.inputs as unknown as Record<string, tf.TensorInfo>;
    const x = inputs.x ?? inputs.value;
    if (x.dtype === 'string') return original(args);
    return kernel(args, x, args.backend as unknown as WasmHeap) as ReturnType<tf.KernelFunc>;
  };

/** The wrappers of the wasm backend's Slice, Unpack and SplitV (installed by useFastWasmKernels). */
export const SLICE_KERNELS: Record<string, KernelWrapper> = {
  Slice: numeric(viewSlice),
  Unpack: numeric(viewUnpack),
  SplitV: numeric(viewSplit),
};

/** The block `begin` + `size` of x as a new wasm tensor. */
function sliceOf(heap: WasmHeap, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = heap.makeOutput(size, x.dtype);
  // Views only after makeOutput: allocating may grow the heap, which detaches earlier views.
  copySlice(heap.typedArrayFromHeap(x), x.shape, begin, size, heap.typedArrayFromHeap(out));
  return out;
}

function viewSlice(args: KernelArgs, x: tf.TensorInfo, heap: WasmHeap) {
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceOf(heap, x, b, s);
}

/** tf.unstack: one slice per index along the axis, that axis dropped from each shape. */
function viewUnpack(args: KernelArgs, x: tf.TensorInfo, heap: WasmHeap) {
  const rank = x.shape.length;
  const axis = ((args.attrs as unknown as { axis: number }).axis + rank) % rank;
  const size = [...x.shape];
  size[axis] = 1;
  const shape = x.shape.filter((_, d) => d !== axis);
  return Array.from({ length: x.shape[axis] }, (_, i) => {
    const begin = x.shape.map((_, d) => (d === axis ? i : 0));
    return { ...sliceOf(heap, x, begin, size), shape };
  });
}

/** tf.split: consecutive blocks along the axis. */
function viewSplit(args: KernelArgs, x: tf.TensorInfo, heap: WasmHeap) {
  const { numOrSizeSplits, axis } = args.attrs as unknown as {
    numOrSizeSplits: number | number[];
    axis: number;
  };
  const a = tf.util.parseAxisParam(axis, x.shape)[0];
  const begin = x.shape.map(() => 0);
  return tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a).map((n) => {
    const size = [...x.shape];
    size[a] = n;
    const out = sliceOf(heap, x, [...begin], size);
    begin[a] += n;
    return out;
  });
}

/** Copies the block `begin` + `size` of a row-major array of `shape` into `dst`, one innermost run at a time. */
function copySlice(
  src: Numeric,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: Numeric,
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const strides = [...tf.util.computeStrides([...shape]), 1];
  const inner = size[rank - 1];
  const outer = size.slice(0, -1).reduce((a, n) => a * n, 1);
  const idx = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < outer; o++) {
    let off = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) off += (begin[d] + idx[d]) * strides[d];
    dst.set(src.subarray(off, off + inner), o * inner);
    for (let d = rank - 2; d >= 0 && ++idx[d] === size[d]; d--) idx[d] = 0;
  }
}
