import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { readInto, Scratch, takeValues } from '../../src/util/buffers.ts';

describe('Scratch', () => {
  it('hands a slot the same memory again, grown when a longer buffer is asked for', () => {
    const s = new Scratch();
    const a = s.take('m', 10);
    a.fill(7);
    const b = s.take('m', 6);
    expect(b.buffer).toBe(a.buffer);
    expect(Array.from(b)).toEqual(Array(6).fill(7)); // whatever the last user left
    expect(s.take('other', 6).buffer).not.toBe(a.buffer);
    const c = s.take('m', 20);
    expect(c.length).toBe(20);
    expect(c.buffer).not.toBe(a.buffer);
    expect(s.take('m', 3).buffer).toBe(c.buffer);
  });
});

describe('readInto', () => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it("copies a tensor's values into the front of a buffer, as dataSync reads them", () => {
    const t = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 0, 2, 1, 0, 3], [3, 2])),
    );
    try {
      const out = new Float32Array(6).fill(-1);
      const view = readInto(t, out);
      expect(tf.getBackend()).toBe('wasm');
      expect(Array.from(view)).toEqual(Array.from(t.dataSync()));
      expect(Array.from(out)).toEqual([5, 11, 14, 23, -1, -1]);
      expect(() => readInto(t, new Float32Array(3))).toThrow(/4 values into a buffer of 3/);
      expect(() => readInto(tf.tensor1d([1, 2], 'int32'), out)).toThrow(/int32 tensor, not float32/);
    } finally {
      t.dispose();
    }
  });

  it('takeValues reads a result into a buffer or a fresh array and disposes it either way', () => {
    const product = () =>
      tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 1], [2, 1])));
    const a = product();
    expect(Array.from(takeValues(a))).toEqual([3, 7]);
    expect(a.isDisposed).toBe(true);
    const b = product();
    const into = new Float32Array(3).fill(-1);
    expect(Array.from(takeValues(b, into))).toEqual([3, 7]);
    expect(Array.from(into)).toEqual([3, 7, -1]);
    expect(b.isDisposed).toBe(true);
    const c = product();
    expect(() => takeValues(c, new Float32Array(1))).toThrow(/2 values into a buffer of 1/);
    expect(c.isDisposed).toBe(true);
  });
});
