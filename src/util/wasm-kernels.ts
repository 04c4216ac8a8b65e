import { useFastWasmMatMul } from './wasm-matmul.ts';
import { useFastWasmSlice } from './wasm-slice.ts';

/**
 * The tfjs-backend-wasm kernels this project replaces with faster ones giving the same values (products
 * with transposed operands, slices), installed once per thread wherever the wasm backend is activated.
 */
export function useFastWasmKernels(): void {
  useFastWasmMatMul();
  useFastWasmSlice();
}
