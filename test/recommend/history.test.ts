import { beforeAll, describe, expect, it } from 'vitest';
import { type Checkpoint, loadCheckpoint } from '../../src/checkpoint/load.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Dataset, loadDataset } from '../../src/data/read.ts';
import { createEmbedder } from '../../src/embed/registry.ts';
import { HistoryRecommender } from '../../src/recommend/history.ts';
import {
  EncoderMismatchError,
  type HistoryEvent,
  UnknownItemError,
} from '../../src/recommend/history-request.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

describe('recommendations for an ad-hoc dated history', () => {
  let ck: Checkpoint;
  let data: Dataset;
  let rec: Recommender;
  let history: HistoryRecommender;

  /** User u's events exactly as training read them. */
  const eventsOf = (u: number): HistoryEvent[] => {
    const out: HistoryEvent[] = [];
    for (let i = data.userOffsets[u]; i < data.userOffsets[u + 1]; i++) {
      out.push({
        item: data.items.ids[data.events.item[i]],
        ts: data.events.ts[i],
        weight: data.events.weight[i],
      });
    }
    return out;
  };

  beforeAll(async () => {
    const { project, run } = await tinyCheckpoint('tiny-history');
    const loaded = loadConfig(project.config);
    data = await loadDataset(loaded.config.data, loaded.baseDir);
    ck = await loadCheckpoint(run.checkpointDir);
    rec = new Recommender(ck);
    history = new HistoryRecommender(rec);
  });

  it("a stored user's own events, sent as a history, reproduce the checkpoint's recommendations", async () => {
    for (const u of [0, 7, 31]) {
      const user = data.users[u];
      const want = rec.recommend(user, 10);
      const got = await history.recommend(eventsOf(u), 10);
      expect(got.items.map((i) => i.id)).toEqual(want.items.map((i) => i.id));
      for (const [j, it] of got.items.entries()) expect(it.score).toBeCloseTo(want.items[j].score, 5);
      for (const [j, t] of got.topics.entries()) expect(t.share).toBeCloseTo(want.topics[j].share, 5);
    }
  });

  it("explain: a stored user's own events, sent as a history, explain their items as the checkpoint does", async () => {
    for (const u of [0, 7]) {
      const want = rec.recommend(data.users[u], 10, { explain: true });
      const got = await history.recommend(eventsOf(u), 10, { explain: true });
      expect(got.items.map((i) => [i.id, i.reason, i.topic])).toEqual(
        want.items.map((i) => [i.id, i.reason, i.topic]),
      );
      for (const [j, it] of got.items.entries())
        for (const [term, lift] of Object.entries(want.items[j].lift ?? {}))
          expect(it.lift?.[term as keyof typeof it.lift]).toBeCloseTo(lift, 4);
      const plain = await history.recommend(eventsOf(u), 10);
      expect(plain.items).toEqual(got.items.map(({ id, title, score }) => ({ id, title, score })));
    }
  });

  it("free text goes through the checkpoint's encoder: an item's own text scores like the item", async () => {
    const events = eventsOf(3);
    const last = events.at(-1)!;
    const textEvents = [
      ...events.slice(0, -1),
      { text: data.items.texts[data.items.ids.indexOf(last.item!)], ts: last.ts, weight: last.weight },
    ];
    const a = await history.recommend(events, 20, { excludeSeen: false });
    const b = await history.recommend(textEvents, 20, { excludeSeen: false });
    expect(b.items.map((i) => i.id)).toEqual(a.items.map((i) => i.id));
    for (const [j, it] of b.items.entries()) expect(it.score).toBeCloseTo(a.items[j].score, 5);
  });

  it('accepts ISO times, orders events by time and excludes the history items', async () => {
    const ids = ck.items.ids;
    const events = [
      { item: ids[5], ts: '2020-01-03T00:00:00Z' },
      { item: ids[1], ts: '2020-01-01T00:00:00Z' },
      { item: ids[9], ts: 1_577_923_200 },
    ];
    const r = await history.recommend(events, 5);
    expect(r.items).toHaveLength(5);
    expect(r.events).toBe(3);
    for (const it of r.items) expect([ids[1], ids[5], ids[9]]).not.toContain(it.id);
    // Time order, not input order, decides: the same events shuffled give the same answer.
    const again = await history.recommend([events[2], events[0], events[1]], 5);
    expect(again.items).toEqual(r.items);
  });

  it('mixes the last-window topic shares in with the weight and window the manifest holds', async () => {
    const u = 7;
    const events = eventsOf(u);
    const blend = ck.manifest.blend;
    const saved = { ...blend };
    const { k } = ck.manifest.topics;
    // Weight 1 over the whole history: the topic shares are the user's mean item topic shares.
    const profile = new Array<number>(k).fill(0);
    for (let i = data.userOffsets[u]; i < data.userOffsets[u + 1]; i++)
      for (let c = 0; c < k; c++) profile[c] += rec.itemShares[data.events.item[i] * k + c] / events.length;
    try {
      Object.assign(blend, { recent_mix: 1, recent_window: 1 });
      const whole = await history.recommend(events, 10);
      for (const t of whole.topics) expect(t.share).toBeCloseTo(profile[t.topic], 5);
      // With a per-event decay: the latest event weighs 1, each older one 0.7 times the next.
      Object.assign(blend, { recent_decay: 0.3 });
      const decayed = new Array<number>(k).fill(0);
      let total = 0;
      for (let i = data.userOffsets[u + 1] - 1, w = 1; i >= data.userOffsets[u]; i--, w *= 0.7) {
        for (let c = 0; c < k; c++) decayed[c] += w * rec.itemShares[data.events.item[i] * k + c];
        total += w;
      }
      const recent = await history.recommend(events, 10);
      for (const t of recent.topics) expect(t.share).toBeCloseTo(decayed[t.topic] / total, 5);
      Object.assign(blend, { recent_mix: 0.5, recent_decay: 0 });
      const half = await history.recommend(events, 10);
      Object.assign(blend, { recent_mix: 0 });
      const none = await history.recommend(events, 10);
      const shareOf = (r: typeof none, c: number) => r.topics.find((t) => t.topic === c)?.share ?? 0;
      for (const t of half.topics)
        expect(t.share).toBeCloseTo((shareOf(none, t.topic) + profile[t.topic]) / 2, 5);
    } finally {
      Object.assign(blend, saved);
    }
  });

  it("continues a stored user's state with new events", async () => {
    const u = 11;
    const prefix = history.prefixOf(u);
    const { maxLen, inputWidth } = ck.manifest.model;
    expect(prefix.rows.length / inputWidth).toBeGreaterThan(0);
    expect(prefix.rows.length / inputWidth).toBeLessThanOrEqual(maxLen);
    const seen = new Set(Array.from(prefix.seen, (i) => ck.items.ids[i]));
    const fresh = ck.items.ids.filter((id) => !seen.has(id)).slice(0, 6);
    const events = fresh.map((item, j) => ({ item, ts: 2_000_000_000 + j }));
    const r = await history.recommend(events, 10, { prefix });
    // 6 events at 5 per bucket: two new buckets after the stored ones.
    expect(r.buckets).toBe(prefix.rows.length / inputWidth + 2);
    for (const it of r.items) {
      expect(seen.has(it.id)).toBe(false);
      expect(fresh).not.toContain(it.id);
    }
    const before = rec.recommend(ck.users[u], 10);
    expect(r.items.map((i) => i.score)).not.toEqual(before.items.map((i) => i.score));
  });

  it('validates events before anything else (resolveHistory; its cases are in history-request.test.ts)', async () => {
    await expect(history.recommend([{ item: 'no-such-item', ts: 1 }], 5)).rejects.toThrow(UnknownItemError);
  });

  it('refuses free text when the encoder here differs from the one that built the checkpoint', async () => {
    const other = new HistoryRecommender(rec, (opts) =>
      createEmbedder({ ...opts, hashing: { ...opts.hashing!, seed: opts.hashing!.seed + 1 } }),
    );
    const ids = ck.items.ids;
    await expect(other.recommend([{ text: 'space adventure', ts: 1 }], 5)).rejects.toThrow(
      EncoderMismatchError,
    );
    await expect(other.recommend([{ text: 'space adventure', ts: 1 }], 5)).rejects.toThrow(
      /need encoder hashing/,
    );
    // Item-only histories need no encoder and still work.
    expect((await other.recommend([{ item: ids[0], ts: 1 }], 5)).items).toHaveLength(5);
    await other.dispose();
  });
});
