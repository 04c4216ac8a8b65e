import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Checkpoint, loadCheckpoint } from '../../src/checkpoint/load.ts';
import { sharesToVectors } from '../../src/forecast/examples.ts';
import { predictVectors } from '../../src/model/lstm.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { addPrior, blendVectors, ItemIndex, popularityPrior } from '../../src/recommend/score.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

describe('Recommender', () => {
  let ck: Checkpoint;
  let rec: Recommender;
  beforeAll(async () => {
    ck = await loadCheckpoint((await tinyCheckpoint('tiny-recommender')).run.checkpointDir);
    rec = new Recommender(ck);
  });
  afterAll(() => {
    rec.dispose();
    ck.model.dispose();
  });

  it('scores in low rank exactly what the blended vector scores (the evaluation path), for any α and β', () => {
    const { dim } = ck.manifest.encoder;
    const { k } = ck.manifest.topics;
    const spec = ck.manifest.model;
    const step = spec.maxLen * spec.inputWidth;
    const n = ck.items.ids.length;
    const direct = new ItemIndex(ck.scoringVectors ?? ck.itemVectors, dim);
    const prior = popularityPrior(ck.popularity);
    let maxDiff = 0;
    let spread = 0;
    for (let u = 0; u < ck.users.length; u++) {
      const seq = ck.sequences.subarray(u * step, (u + 1) * step);
      const shares = ck.forecasts.subarray(u * k, (u + 1) * k);
      const lstm = predictVectors(ck.model, seq, 1, spec);
      const arima = sharesToVectors(shares, k, ck.centroids, dim);
      for (const [alpha, beta] of [
        [0, 0],
        [0.3, 0.2],
        [1, 0],
      ]) {
        const want = addPrior(direct.score(blendVectors(lstm, arima, dim, alpha), 1), prior, beta);
        const got = rec.score(rec.lstmState(seq), shares, alpha, beta);
        expect(got).toHaveLength(n);
        for (let i = 0; i < n; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
          spread = Math.max(spread, Math.abs(want[i]));
        }
      }
    }
    direct.dispose();
    expect(spread).toBeGreaterThan(0.1);
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('ranks a stored user by those scores, seen items excluded unless asked', () => {
    const user = ck.users[3];
    const r = rec.recommend(user, 5);
    expect(r.items).toHaveLength(5);
    const seen = new Set(Array.from(rec.seenItems(3), (i) => ck.items.ids[i]));
    for (const it of r.items) expect(seen.has(it.id)).toBe(false);
    const scores = r.items.map((it) => it.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const all = rec.recommend(user, ck.items.ids.length, { excludeSeen: false });
    expect(all.items).toHaveLength(ck.items.ids.length);
    expect(all.items.some((it) => seen.has(it.id))).toBe(true);
  });
});
