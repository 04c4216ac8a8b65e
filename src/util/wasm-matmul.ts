/**
 * tfjs-backend-wasm 4.22 runs a matrix product through XNNPACK only when neither operand is transposed;
 * with transposeA or transposeB it falls back to a plain loop, 12–20× slower (measured here: a 64×512 by
 * 512×2700 product 4.7 ms as is, 60 ms with transposeB, 108 ms with transposeA). Gradients of a product
 * are products with transposed operands, so training and `a·Bᵀ` scoring spent most of their time there.
 * This wraps the kernels to transpose an operand explicitly (an O(n) copy) and multiply untransposed.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs, KernelWrapper } from './wasm-kernels.ts';

interface Info {
  dataId: object;
  shape: number[];
}

/** The wrappers of the wasm backend's BatchMatMul and _FusedMatMul (installed by useFastWasmKernels). */
export const MATMUL_KERNELS: Record<string, KernelWrapper> = {
  BatchMatMul: untransposed,
  _FusedMatMul: untransposed,
};

function untransposed(kernel: tf.KernelFunc, args: KernelArgs) {
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return kernel(args);
  const { backend } = args;
  const inputs = args.inputs as unknown as Record<string, Info>;
  const temps: Info[] = [];
  const flip = (x: Info): Info => {
    const rank = x.shape.length;
    const perm = [...x.shape.keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    const t = tf.getKernel('Transpose', 'wasm')?.kernelFunc({
      inputs: { x } as never,
      backend,
      attrs: { perm },
    }) as Info;
    temps.push(t);
    return t;
  };
  try {
    return kernel({
      ...args,
      inputs: {
        ...inputs,
        a: transposeA ? flip(inputs.a) : inputs.a,
        b: transposeB ? flip(inputs.b) : inputs.b,
      } as never,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  } finally {
    for (const t of temps) (backend as { disposeData(id: object): void }).disposeData(t.dataId);
  }
}
