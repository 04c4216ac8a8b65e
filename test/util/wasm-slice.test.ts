import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/util/random.ts';
import { useFastWasmKernels } from '../../src/util/wasm-kernels.ts';

const rand = mulberry32(11);
const int = (n: number) => Math.floor(rand() * n);

/** A random block (begin, size) inside `shape`, sometimes empty along an axis or the whole axis. */
function block(shape: number[]): { begin: number[]; size: number[] } {
  const begin = shape.map((n) => int(n));
  const size = shape.map((n, d) => (rand() < 0.2 ? -1 : int(n - begin[d] + 1)));
  return { begin, size };
}

const x3 = Array.from({ length: 4 * 5 * 6 }, () => rand() * 2 - 1);
const w2 = Array.from({ length: 4 * 6 }, () => rand() * 2 - 1);

/** Unstack along every axis (one negative), split in sizes and in equal parts, and a gradient through both. */
function rnnLike() {
  return tf.tidy(() => {
    const x = tf.tensor3d(x3, [4, 5, 6]);
    const w = tf.tensor2d(w2, [4, 6]);
    const f = (v: tf.Tensor) =>
      tf.sum(tf.mul(tf.addN(tf.unstack(v, 1)), w)).add(tf.sum(tf.split(v, [2, 4], 2)[1]));
    const values = (ts: tf.Tensor[]) => ts.map((t) => [t.shape, Array.from(t.dataSync())]);
    return {
      unstacked: [0, 1, -1].map((axis) => values(tf.unstack(x, axis))),
      split: [values(tf.split(x, [1, 3, 1], 1)), values(tf.split(x, 3, 2))],
      grad: Array.from(tf.grad(f)(x).dataSync()),
    };
  });
}

describe('wasm Slice reading the heap through a view', () => {
  let reference: ReturnType<typeof rnnLike>;
  // Slices by the original kernel, taken before the replacement is installed, to compare against.
  const cases: { x: tf.Tensor; begin: number[]; size: number[]; want: number[] }[] = [];
  const KERNELS = ['Slice', 'Unpack', 'SplitV'];
  let originals: (tf.KernelFunc | undefined)[] = [];
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    originals = KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    for (let i = 0; i < 200; i++) {
      const shape = Array.from({ length: 1 + (i % 5) }, () => 1 + int(6));
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, () => (i % 3 === 0 ? int(1000) : rand() * 2 - 1));
      const x = i % 3 === 0 ? tf.tensor(values, shape, 'int32') : tf.tensor(values, shape);
      const { begin, size } = block(shape);
      const s = tf.slice(x, begin, size);
      cases.push({ x, begin, size, want: Array.from(s.dataSync()) });
      s.dispose();
    }
    reference = rnnLike();
    useFastWasmKernels();
    useFastWasmKernels(); // idempotent
  });

  it('gives the original kernel’s slices bit for bit, ranks 1–5, float32 and int32, empty ones too', () => {
    KERNELS.forEach((k, i) => {
      expect(originals[i]).toBeDefined();
      expect(tf.getKernel(k, 'wasm')?.kernelFunc).not.toBe(originals[i]);
    });
    for (const c of cases) {
      const got = tf.slice(c.x, c.begin, c.size);
      expect(Array.from(got.dataSync())).toEqual(c.want);
      expect(got.dtype).toBe(c.x.dtype);
      got.dispose();
    }
  });

  it('unstack, split and their gradients (what an RNN step does) equal the original kernels’ bit for bit', () => {
    expect(rnnLike()).toEqual(reference);
  });

  it('a string tensor is still sliced by the original kernel', () => {
    const s = tf.tensor(['a', 'b', 'c', 'd'], [2, 2], 'string');
    const got = tf.slice(s, [1, 0], [1, 2]);
    expect(got.arraySync()).toEqual([['c', 'd']]);
    tf.dispose([s, got]);
  });
});
