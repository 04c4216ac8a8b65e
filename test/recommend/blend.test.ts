import { describe, expect, it } from 'vitest';
import {
  BLEND_MODES,
  BlendColumns,
  type BlendParams,
  type BlendRow,
  blendConstants,
  blendGrid,
  blendRow,
  blendTerms,
  blendValue,
  explainItems,
  mixRecent,
  topicShares,
} from '../../src/recommend/blend.ts';
import { topK } from '../../src/recommend/score.ts';
import { mulberry32 } from '../../src/util/random.ts';

const row: BlendRow = {
  lstm: Float32Array.of(0.9, 0.5, 0.1, 0.3),
  vector: Float32Array.of(0.1, 0.2, 0.9, 0.4),
  topic: Float32Array.of(0.05, 0.15, 0.5, 0.3),
  logCount: Float32Array.of(0, Math.log1p(10), Math.log1p(3), Math.log1p(100)),
  priorScale: 1 / Math.log1p(100),
};
const order = (s: Float32Array) => Array.from(topK(s, 4));
const out = () => new Float32Array(4);

describe('blend modes', () => {
  it('α = 1 ranks by the LSTM, α = 0 by the topic forecast, in every mode', () => {
    for (const mode of ['log-linear', 'mixture'] as const) {
      expect(order(blendRow({ mode, alpha: 1, beta: 0 }, row, 0.05, out()))).toEqual([0, 1, 3, 2]);
      expect(order(blendRow({ mode, alpha: 0, beta: 0 }, row, 0.05, out()))).toEqual([2, 3, 1, 0]);
    }
    expect(order(blendRow({ mode: 'vector', alpha: 0, beta: 0 }, row, 0.05, out()))).toEqual([2, 3, 1, 0]);
  });

  it('log-linear is the product of experts and mixture the weighted sum of the two distributions', () => {
    const tau = 0.5;
    const ll = blendRow({ mode: 'log-linear', alpha: 0.3, beta: 0.2 }, row, tau, out());
    const z = (i: number) => row.lstm[i] / tau + 0.2 * row.logCount[i];
    for (let i = 0; i < 4; i++) expect(ll[i]).toBeCloseTo(0.3 * z(i) + 0.7 * Math.log(row.topic[i]), 5);
    const mx = blendRow({ mode: 'mixture', alpha: 0.3, beta: 0.2 }, row, tau, out());
    const norm = [0, 1, 2, 3].reduce((s, i) => s + Math.exp(z(i)), 0);
    for (let i = 0; i < 4; i++)
      expect(mx[i]).toBeCloseTo((0.3 * Math.exp(z(i))) / norm + 0.7 * row.topic[i], 6);
    expect(mx.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const v = blendRow({ mode: 'vector', alpha: 0.5, beta: 0.4 }, row, tau, out());
    expect(v[3]).toBeCloseTo(0.5 * 0.3 + 0.5 * 0.4 + 0.4, 6);
  });

  it('the grid drops settings that rank the same by construction', () => {
    const g = blendGrid(['log-linear', 'mixture', 'vector'], [0, 0.5, 1], [0, 0.2]);
    const keys = g.map((p) => `${p.mode}:${p.alpha}:${p.beta}`);
    expect(new Set(keys).size).toBe(keys.length);
    // α = 0 once outside vector (β unused), α = 1 only as log-linear; vector keeps all of its cells.
    expect(keys.filter((k) => k.endsWith(':0:0') && !k.startsWith('vector'))).toEqual(['log-linear:0:0']);
    expect(keys.filter((k) => k.startsWith('mixture'))).toEqual(['mixture:0.5:0', 'mixture:0.5:0.2']);
    expect(keys.filter((k) => k.startsWith('vector'))).toHaveLength(6);
    expect(g).toHaveLength(1 + 2 + 2 + 2 + 6);
  });
});

describe('topic sources', () => {
  const forecast = Float32Array.of(0.6, 0.4, 0.2, 0.8);
  const head = Float32Array.of(0.2, 0.8, 0.4, 0.6);
  it('picks the forecaster’s shares, the head’s, or their mean, and names what is missing', () => {
    expect(topicShares('forecaster', forecast, null)).toBe(forecast);
    expect(topicShares('lstm-head', null, head)).toBe(head);
    const avg = Array.from(topicShares('average', forecast, head));
    [0.4, 0.6, 0.3, 0.7].forEach((v, i) => {
      expect(avg[i]).toBeCloseTo(v, 6);
    });
    expect(() => topicShares('lstm-head', forecast, null)).toThrow(/topic head/);
    expect(() => topicShares('average', null, head)).toThrow(/forecaster/);
  });

  it('mixes the last-window shares in with their weight, and refuses shares of another shape', () => {
    const recent = Float32Array.of(1, 0, 0, 1);
    expect(mixRecent(forecast, recent, 0)).toBe(forecast);
    const mixed = Array.from(mixRecent(forecast, recent, 0.25));
    [0.7, 0.3, 0.15, 0.85].forEach((v, i) => {
      expect(mixed[i]).toBeCloseTo(v, 6);
    });
    expect(() => mixRecent(forecast, Float32Array.of(1, 0), 0.5)).toThrow(/2 recent shares for 4/);
  });
});

describe('blend terms', () => {
  it('add up to the blend score in every mode and setting', () => {
    for (const mode of BLEND_MODES)
      for (const alpha of [0, 0.3, 1])
        for (const beta of [0, 0.5]) {
          const p = { mode, alpha, beta };
          const score = blendRow(p, row, 0.05, out());
          const terms = blendTerms(p, row, 0.05);
          const sum = Array.from({ length: 4 }, (_, i) => terms.reduce((a, t) => a + t.values[i], 0));
          sum.forEach((v, i) => {
            expect(v).toBeCloseTo(score[i], 4);
          });
          if (alpha === 0) expect(terms.map((t) => t.name)).not.toContain('lstm');
          if (alpha === 1 && mode !== 'vector') expect(terms.map((t) => t.name)).not.toContain('topic');
        }
  });

  it("credits each item to the term that lifts it most above the term's median", () => {
    const terms = blendTerms({ mode: 'log-linear', alpha: 0.5, beta: 0 }, row, 0.05);
    // Item 0: the LSTM's favourite, the topic mixture's least; item 2 the other way round.
    const [a, b] = explainItems(terms, [0, 2]);
    expect(a.term).toBe('lstm');
    expect(b.term).toBe('topic');
    expect(a.lift.lstm).toBeGreaterThan(0);
    expect(a.lift.topic).toBeLessThan(0);
  });
});

/** blendRow's loops before it was written over blendValue: the reference its scores must equal bit for bit. */
function loopsBefore(p: BlendParams, x: BlendRow, tau: number, out: Float32Array): Float32Array {
  const { alpha: a, beta: b } = p;
  const n = out.length;
  if (p.mode === 'vector') {
    const w = b * x.priorScale;
    for (let i = 0; i < n; i++) out[i] = a * x.lstm[i] + (1 - a) * x.vector[i] + w * x.logCount[i];
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = a > 0 ? x.lstm[i] / tau + b * x.logCount[i] : 0;
  if (p.mode === 'log-linear') {
    if (a < 1) for (let i = 0; i < n; i++) out[i] = a * out[i] + (1 - a) * Math.log(x.topic[i] + 1e-30);
    return out;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, out[i]);
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(out[i] - max);
  for (let i = 0; i < n; i++) out[i] = (a * Math.exp(out[i] - max)) / z + (1 - a) * x.topic[i];
  return out;
}

function randomRow(rand: () => number, n: number): BlendRow {
  const counts = Float32Array.from({ length: n }, () => Math.floor(rand() ** 3 * 50));
  let max = 0;
  for (const c of counts) max = Math.max(max, c);
  return {
    lstm: Float32Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 100) / 100),
    vector: Float32Array.from({ length: n }, () => rand() * 2 - 1),
    topic: Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : rand() / n)),
    logCount: counts.map(Math.log1p),
    priorScale: max > 0 ? 1 / Math.log1p(max) : 0,
  };
}

describe('blendValue', () => {
  const grid = [
    ...blendGrid([...BLEND_MODES], [0, 0.1, 0.5, 0.9, 1], [0, 0.05, 0.4]),
    { mode: 'mixture' as const, alpha: 0, beta: 0.1 },
    { mode: 'mixture' as const, alpha: 1, beta: 0.1 },
  ];

  it("stored as float32 is blendRow's score, and blendRow's scores are its former loops' bit for bit", () => {
    const rand = mulberry32(3);
    for (let trial = 0; trial < 5; trial++) {
      const x = randomRow(rand, 300);
      for (const p of grid) {
        const want = loopsBefore(p, x, 0.05, new Float32Array(300));
        expect(blendRow(p, x, 0.05, new Float32Array(300))).toEqual(want);
        const k = blendConstants(p, x, 0.05);
        const one = Float32Array.from({ length: 300 }, (_, i) =>
          blendValue(p, 0.05, k, x.lstm[i], x.vector[i], x.topic[i], x.logCount[i]),
        );
        expect(one).toEqual(want);
      }
    }
  });

  it('over BlendColumns is the same, bit for bit, with the logarithms and exponentials shared by settings', () => {
    const rand = mulberry32(5);
    const x = randomRow(rand, 200);
    const columns = new BlendColumns(x, 0.05);
    // Twice round the grid, in opposite orders: a cached column must serve only the settings it belongs to.
    for (const p of [...grid, ...grid.slice().reverse()]) {
      const k = blendConstants(p, x, 0.05);
      expect(columns.values(p, k, new Float32Array(200))).toEqual(
        blendRow(p, x, 0.05, new Float32Array(200)),
      );
    }
  });

  it('never decreases when an input grows (what lets evaluation bound the items it skips)', () => {
    const rand = mulberry32(4);
    const x = randomRow(rand, 50);
    for (const p of grid) {
      const k = blendConstants(p, x, 0.05);
      for (let t = 0; t < 200; t++) {
        const v = [rand() * 2 - 1, rand() * 2 - 1, rand() * 0.1, rand() * 4];
        const base = Math.fround(blendValue(p, 0.05, k, v[0], v[1], v[2], v[3]));
        for (let j = 0; j < 4; j++) {
          const up = [...v];
          up[j] += rand() * (j === 2 ? 0.01 : 0.5);
          expect(Math.fround(blendValue(p, 0.05, k, up[0], up[1], up[2], up[3]))).toBeGreaterThanOrEqual(
            base,
          );
        }
      }
    }
  });
});
