import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/model/backend.ts';
import { type SequentialNet, scoreHistories } from '../../src/sequential/net.ts';
import { buildSequential } from '../../src/sequential/registry.ts';
import { SEQUENTIAL_KINDS, type SequentialSpecInput } from '../../src/sequential/spec.ts';

const N_ITEMS = 30;
const small = (kind: SequentialSpecInput['kind'], extra: Partial<SequentialSpecInput> = {}) =>
  ({
    kind,
    dim: 8,
    layers: 2,
    maxLen: 5,
    dropout: 0.3,
    ...(kind === 'sasrec' ? { heads: 2 } : {}),
    ...extra,
  }) as SequentialSpecInput;

/** Hidden states (inference mode) of one id row. */
function hidden(net: SequentialNet, ids: number[]): Float32Array {
  return tf.tidy(
    () => net.hidden(tf.tensor2d(ids, [1, ids.length], 'int32'), false).dataSync() as Float32Array,
  );
}

const weightsOf = (net: SequentialNet) => net.weights.map((w) => [...w.variable.dataSync()]);

describe.each(SEQUENTIAL_KINDS)('%s network', (kind) => {
  beforeAll(async () => {
    await resolveBackend('wasm');
  });

  it('is causal: the state at position t does not depend on later items', () => {
    const net = buildSequential(small(kind), N_ITEMS);
    const a = hidden(net, [3, 7, 1, 9, 4]);
    const b = hidden(net, [3, 7, 1, 22, 17]);
    const d = 8;
    for (let i = 0; i < 3 * d; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    expect(b.subarray(3 * d)).not.toEqual(a.subarray(3 * d));
    net.dispose();
  });

  it('ignores left padding: [0, 0, a, b, c] ends in the state a 3-long model reaches on [a, b, c]', () => {
    const long = buildSequential(small(kind), N_ITEMS);
    const short = buildSequential(small(kind, { maxLen: 3 }), N_ITEMS);
    short.weights.forEach((w, i) => {
      const src = long.weights[i];
      expect(src.name).toBe(w.name);
      // Positions count from the right: the short model's positions are the long one's last 3.
      w.variable.assign(
        src.name === 'position_embedding' ? src.variable.slice([2, 0], [3, 8]) : src.variable,
      );
    });
    const a = hidden(long, [0, 0, 5, 11, 2]).subarray(4 * 8);
    const b = hidden(short, [5, 11, 2]).subarray(2 * 8);
    for (let i = 0; i < 8; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    long.dispose();
    short.dispose();
  });

  it('draws its initial weights from the seed alone', () => {
    const nets = [1, 1, 2].map((seed) => buildSequential(small(kind, { seed }), N_ITEMS));
    expect(weightsOf(nets[0])).toEqual(weightsOf(nets[1]));
    expect(weightsOf(nets[0])).not.toEqual(weightsOf(nets[2]));
    for (const n of nets) n.dispose();
  });

  it('is rebuilt from its saved spec (JSON) and named weights with identical scores', () => {
    const net = buildSequential(small(kind, { seed: 3 }), N_ITEMS);
    const saved = JSON.stringify({
      spec: net.spec,
      weights: net.weights.map((w) => ({
        name: w.name,
        shape: w.variable.shape,
        values: [...w.variable.dataSync()],
      })),
    });
    const { spec, weights } = JSON.parse(saved);
    const copy = buildSequential(spec, N_ITEMS);
    for (const w of copy.weights) {
      const s = weights.find((x: { name: string }) => x.name === w.name);
      w.variable.assign(tf.tensor(s.values, s.shape));
    }
    const ids = [1, 4, 8, 15, 16, 0, 0, 0, 23, 29];
    const score = (n: SequentialNet) =>
      tf.tidy(() => scoreHistories(n, tf.tensor2d(ids, [2, 5], 'int32')).dataSync() as Float32Array);
    const a = score(net);
    expect(a).toHaveLength(2 * N_ITEMS);
    expect(score(copy)).toEqual(a);
    net.dispose();
    copy.dispose();
  });
});
