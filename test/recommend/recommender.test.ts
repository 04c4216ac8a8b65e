import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Checkpoint, loadCheckpoint } from '../../src/checkpoint/load.ts';
import { sharesToVectors } from '../../src/forecast/examples.ts';
import { predict } from '../../src/model/lstm.ts';
import { BLEND_MODES, blendRow, blendTerms } from '../../src/recommend/blend.ts';
import { type RankOptions, Recommender } from '../../src/recommend/recommender.ts';
import { blendVectors, ItemIndex, topK } from '../../src/recommend/score.ts';
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
    // The popularity prior in [0, 1]: log(1 + count) / log(1 + max count).
    const maxCount = Math.max(...ck.popularity);
    const prior = ck.popularity.map((c) => Math.log1p(c) / Math.log1p(maxCount));
    let maxDiff = 0;
    let spread = 0;
    for (let u = 0; u < ck.users.length; u++) {
      const seq = ck.sequences.subarray(u * step, (u + 1) * step);
      const shares = ck.forecasts.subarray(u * k, (u + 1) * k);
      const lstm = predict(ck.model, seq, 1, spec).vectors;
      const arima = sharesToVectors(shares, k, ck.centroids, dim);
      for (const [alpha, beta] of [
        [0, 0],
        [0.3, 0.2],
        [1, 0],
      ]) {
        const want = direct
          .score(blendVectors(lstm, arima, dim, alpha), 1)
          .map((s, i) => s + beta * prior[i]);
        const got = rec.score(rec.lstmState(seq), shares, alpha, beta).scores;
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
        const lstm = normalizeRows(predict(ck.model, seq, 1, spec).vectors, dim);
        const row = {
          lstm: direct.score(lstm, 1),
          vector: new Float32Array(n),
          topic: topics.mixtures(
            [Float32Array.from(shares)],
            ck.popularity.map((c) => c + TOPIC_SMOOTHING),
            1,
          )[0],
          logCount,
          priorScale: 0,
        };
        for (const [alpha, beta] of [
          [0, 0],
          [0.4, 0.2],
          [1, 0.1],
        ]) {
          const want = blendRow({ mode, alpha, beta }, row, tau, new Float32Array(n));
          const got = r.score(r.lstmState(seq), shares, alpha, beta).scores;
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

  /** A stored user's query, as the recommender's own blend of it (params, BlendRow, scores). */
  const blendOf = (r: Recommender, u: number, alpha: number, beta: number) => {
    const spec = ck.manifest.model;
    const step = spec.maxLen * spec.inputWidth;
    const { k } = ck.manifest.topics;
    const seq = ck.sequences.subarray(u * step, (u + 1) * step);
    return r.score(r.lstmState(seq), ck.forecasts.subarray(u * k, (u + 1) * k), alpha, beta);
  };
  const queries: RankOptions[] = [{}, { alpha: 0.4, beta: 0.2 }, { alpha: 0.7, beta: 0.1, diversity: 0.5 }];

  it("explain: each item's terms add up to its score, its reason is the term lifted most, its topic the dominant one", () => {
    const { dim } = ck.manifest.encoder;
    const { k, temperature } = ck.manifest.topics;
    const tau = (ck.manifest.config as { model: { temperature: number } }).model.temperature;
    const itemShares = softAssign(ck.itemVectors, dim, ck.centroids, temperature);
    const reasons = new Set<string>();
    for (const mode of BLEND_MODES) {
      const r = new Recommender(ck, { mode });
      for (const u of [0, 5, 11])
        for (const q of queries) {
          const got = r.recommend(ck.users[u], 10, { ...q, explain: true });
          const { params, row } = blendOf(r, u, got.alpha, got.beta);
          const terms = blendTerms(params, row, tau);
          const medians = terms.map((t) => Float32Array.from(t.values).sort()[(t.values.length - 1) >> 1]);
          expect(got.items).toHaveLength(10);
          for (const it of got.items) {
            const i = ck.items.ids.indexOf(it.id);
            const sum = terms.reduce((s, t) => s + t.values[i], 0);
            expect(Math.abs(sum - it.score), `${mode} ${it.id}`).toBeLessThan(
              1e-5 * Math.max(1, Math.abs(sum)),
            );
            expect(Object.keys(it.lift ?? {}).sort()).toEqual(terms.map((t) => t.name).sort());
            terms.forEach((t, j) => {
              expect(it.lift?.[t.name]).toBeCloseTo(t.values[i] - medians[j], 6);
            });
            const lifts = Object.entries(it.lift ?? {});
            const top = lifts.reduce((a, b) => (b[1] > a[1] ? b : a));
            expect(it.reason).toBe(top[0]);
            reasons.add(it.reason!);
            let best = 0;
            for (let c = 1; c < k; c++) if (itemShares[i * k + c] > itemShares[i * k + best]) best = c;
            expect(it.topic).toBe(ck.topicLabels[best]);
          }
        }
      r.dispose();
    }
    // The reasons tell items apart: more than one term puts items in these lists.
    expect(reasons.size).toBeGreaterThan(1);
  });

  it('without explain the answer is unchanged: the top-K of the blend scores, the same items and scores as explained', () => {
    for (const mode of BLEND_MODES) {
      const r = new Recommender(ck, { mode });
      for (const u of [2, 9])
        for (const q of queries) {
          const plain = r.recommend(ck.users[u], 8, q);
          const explained = r.recommend(ck.users[u], 8, { ...q, explain: true });
          for (const it of plain.items) expect(Object.keys(it)).toEqual(['id', 'title', 'score']);
          expect(explained.items.map(({ id, title, score }) => ({ id, title, score }))).toEqual(plain.items);
          expect({ ...explained, items: [] }).toEqual({ ...plain, items: [] });
          if (q.diversity) continue;
          const { scores } = blendOf(r, u, plain.alpha, plain.beta);
          const want = Array.from(topK(scores, 8, r.seenItems(u)), (i) => ({
            id: ck.items.ids[i],
            title: ck.items.titles[i],
            score: scores[i],
          }));
          expect(plain.items).toEqual(want);
        }
      r.dispose();
    }
  });
});
