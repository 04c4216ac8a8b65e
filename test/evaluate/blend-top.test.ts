import { describe, expect, it } from 'vitest';
import { BlendTops } from '../../src/evaluate/blend-top.ts';
import { BLEND_MODES, type BlendRow, blendGrid, blendRow } from '../../src/recommend/blend.ts';
import { topK } from '../../src/recommend/score.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** A row shaped like evaluation's: LSTM and vector scores, a topic mixture, Zipf-like counts, many ties. */
function row(rand: () => number, n: number): BlendRow {
  const quality = Float32Array.from({ length: n }, rand);
  const counts = Float32Array.from(quality, (q) => Math.floor(q ** 4 * 200 * rand()));
  let max = 0;
  for (const c of counts) max = Math.max(max, c);
  return {
    lstm: Float32Array.from(quality, (q) => Math.round((q + rand() - 1) * 50) / 100),
    vector: Float32Array.from(quality, (q) => (q + rand()) / 2),
    topic: Float32Array.from(quality, (q, i) => (i % 11 === 0 ? 0 : (q * rand()) / n)),
    logCount: counts.map(Math.log1p),
    priorScale: max > 0 ? 1 / Math.log1p(max) : 0,
  };
}

describe('BlendTops', () => {
  it("gives every grid setting blendRow + topK's list, seen items excluded, or null", () => {
    const rand = mulberry32(5);
    const grid = blendGrid([...BLEND_MODES], [0, 0.2, 0.5, 0.8, 1], [0, 0.1, 0.4]);
    const rows = Array.from({ length: 6 }, (_, r) => row(rand, r % 2 ? 3000 : 700));
    const tops = new BlendTops((r) => rows[r], 0.05);
    let answered = 0;
    let asked = 0;
    rows.forEach((x, r) => {
      const n = x.lstm.length;
      const seen = new Set(Array.from({ length: 30 }, () => Math.floor(rand() * n)));
      for (const p of grid)
        for (const k of [10, 20]) {
          const want = Array.from(topK(blendRow(p, x, 0.05, new Float32Array(n)), k, seen));
          const got = tops.top(p, r, k, seen);
          asked++;
          if (got) {
            answered++;
            expect(Array.from(got)).toEqual(want);
          }
        }
    });
    expect(answered / asked).toBeGreaterThan(0.9);
  });
});
