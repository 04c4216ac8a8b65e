import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Checkpoint, loadCheckpoint } from '../../src/checkpoint/load.ts';
import { sharesToVectors } from '../../src/forecast/examples.ts';
import { predictVectors } from '../../src/model/lstm.ts';
import { blendRow } from '../../src/recommend/blend.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { addPrior, blendVectors, ItemIndex, popularityPrior } from '../../src/recommend/score.ts';
import { TOPIC_SMOOTHING, TopicItems } from '../../src/recommend/topic-mixture.ts';
import { softAssign } from '../../src/topics/kmeans.ts';
import { normalizeRows } from '../../src/util/vec.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

describe('Recommender', () => {
  let ck: Checkpoint;
  let rec: Recommender;
  beforeAll(async () => {
    ck = await loadCheckpoint((await tinyCheckpoint('tiny-recommender')).run.checkpointDir);
    rec = new Recommender(ck, { mode: 'vector' });
  });
  afterAll(() => {
    rec.dispose();
    ck.model.dispose();
  });

  it('vector mode scores in low rank exactly what the blended vector scores (the evaluation path), for any α and β', () => {
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

  it('log-linear and mixture modes score what the evaluation path scores: LSTM logits with the topic mixture', () => {
    const { dim } = ck.manifest.encoder;
    const { k, temperature } = ck.manifest.topics;
    const spec = ck.manifest.model;
    const step = spec.maxLen * spec.inputWidth;
    const n = ck.items.ids.length;
    const tau = (ck.manifest.config as { model: { temperature: number } }).model.temperature;
    const direct = new ItemIndex(ck.scoringVectors ?? ck.itemVectors, dim);
    const topics = new TopicItems(softAssign(ck.itemVectors, dim, ck.centroids, temperature), k);
    const logCount = ck.popularity.map(Math.log1p);
    for (const mode of ['log-linear', 'mixture'] as const) {
      const r = new Recommender(ck, { mode });
      let maxRel = 0;
      for (let u = 0; u < ck.users.length; u += 7) {
        const seq = ck.sequences.subarray(u * step, (u + 1) * step);
        const shares = ck.forecasts.subarray(u * k, (u + 1) * k);
        const lstm = normalizeRows(predictVectors(ck.model, seq, 1, spec), dim);
        const row = {
          lstm: direct.score(lstm, 1),
          vector: new Float32Array(n),
          topic: topics.mixture(
            Float32Array.from(shares),
            ck.popularity.map((c) => c + TOPIC_SMOOTHING),
            1,
          ),
          logCount,
          priorScale: 0,
        };
        for (const [alpha, beta] of [
          [0, 0],
          [0.4, 0.2],
          [1, 0.1],
        ]) {
          const want = blendRow({ mode, alpha, beta }, row, tau, new Float32Array(n));
          const got = r.score(r.lstmState(seq), shares, alpha, beta);
          for (let i = 0; i < n; i++)
            maxRel = Math.max(maxRel, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
        }
      }
      r.dispose();
      expect(maxRel, mode).toBeLessThan(1e-5);
    }
    direct.dispose();
    topics.dispose();
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
