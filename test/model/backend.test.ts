import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackend, requestedBackend, resolveBackend } from '../../src/model/backend.ts';

// tfjs-node(-gpu) cannot be installed on this machine (their install downloads libtensorflow).
describe('resolveBackend', () => {
  it("'auto' skips the missing node backends and activates wasm", async () => {
    const info = await resolveBackend('auto');
    console.error(describeBackend(info));
    expect(info.requested).toBe('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.tried).toEqual([
      { name: 'node-gpu', ok: false, reason: 'not installed' },
      { name: 'node', ok: false, reason: 'not installed' },
      { name: 'wasm', ok: true },
    ]);
    expect(describeBackend(info)).toBe(
      'backend wasm (tried: node-gpu ✗ not installed, node ✗ not installed, wasm ✓)',
    );
    // Real computation runs on it.
    expect(Array.from(await tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).data())).toEqual([4, 6]);
  });

  it('returns the cached info for the same pref', async () => {
    const a = await resolveBackend('auto');
    const b = await resolveBackend('auto');
    expect(b).toBe(a);
  });

  it('switches on an explicit different pref', async () => {
    const info = await resolveBackend('cpu');
    expect(info).toEqual({ name: 'cpu', requested: 'cpu', tried: [{ name: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
    await resolveBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('throws naming an explicit backend that is unavailable, and why', async () => {
    await expect(resolveBackend('node')).rejects.toThrow("tfjs backend 'node' is unavailable: not installed");
    await expect(resolveBackend('node-gpu')).rejects.toThrow(/node-gpu.*not installed/);
    // The failed attempt left the previous backend active.
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown pref', async () => {
    // @ts-expect-error deliberately invalid input
    await expect(resolveBackend('toString')).rejects.toThrow(/unknown backend 'toString'/);
  });
});

describe('requestedBackend', () => {
  it('takes --backend, else INTEREST_EVO_BACKEND, else leaves it to the config', () => {
    expect(requestedBackend('cpu', { backend: 'wasm' })).toBe('cpu');
    expect(requestedBackend(undefined, { backend: 'wasm' })).toBe('wasm');
    expect(requestedBackend(undefined, { backend: null })).toBeUndefined();
  });
});
