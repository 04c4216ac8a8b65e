import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CountClock, mostPopular } from '../../src/evaluate/baselines.ts';
import { evaluateScorer, seenItems } from '../../src/evaluate/rank.ts';
import { topK } from '../../src/recommend/score.ts';
import { readPeerTopK, scorePeerLists } from '../../src/report/peer.ts';
import { synthLog } from '../evaluate/synth-log.ts';

const { log, nItems, split } = synthLog();
const ds = {
  users: Array.from({ length: log.userOffsets.length - 1 }, (_, u) => `u${u}`),
  items: { ids: Array.from({ length: nItems }, (_, i) => `i${i}`) },
};
const opts = { ks: [1, 10], excludeSeen: true };

describe('peer top-K lists re-scored with our masking and metrics', () => {
  it('reads the TSV dump and names malformed lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-'));
    const ok = join(dir, 'ok.tsv');
    writeFileSync(ok, 'user_id\titem_ids\nu1\ti3 i1  i2\n# comment\n\nu2\t\n');
    expect(readPeerTopK(ok)).toEqual(
      new Map([
        ['u1', ['i3', 'i1', 'i2']],
        ['u2', []],
      ]),
    );
    writeFileSync(join(dir, 'nohead.tsv'), 'u1\ti1\n');
    expect(() => readPeerTopK(join(dir, 'nohead.tsv'))).toThrow(/header "user_id<TAB>item_ids"/);
    writeFileSync(join(dir, 'twice.tsv'), 'user_id\titem_ids\nu1\ti1\nu1\ti2\n');
    expect(() => readPeerTopK(join(dir, 'twice.tsv'))).toThrow(/twice.tsv:3: user u1 is listed twice/);
  });

  it('gives the same per-user metrics as our own evaluation of the same ranking', async () => {
    const scorer = mostPopular(CountClock.of(log, nItems));
    const ours = await evaluateScorer(log, split.test, scorer, { nItems, ...opts });
    // The peer's lists are the scorer's full unmasked rankings: masking is left to the re-scoring.
    const scores = await scorer(split.test);
    const lists = new Map(
      split.test.map((ex, r) => [
        ds.users[ex.user],
        Array.from(topK(scores.subarray(r * nItems, (r + 1) * nItems), nItems), (i) => ds.items.ids[i]),
      ]),
    );
    const peer = await scorePeerLists(ds, log, split.test, lists, opts);
    expect(peer.result.users).toBe(ours.users);
    expect([...peer.result.rows!]).toEqual([...ours.rows!]);
    for (const key of ['ndcg@10', 'recall@10', 'hr@10'])
      expect([...peer.result.perUser[key]]).toEqual([...ours.perUser[key]]);
    expect(peer).toMatchObject({ unknownUsers: 0, notTested: 0, missingUsers: 0, unknownItems: 0 });
  });

  it('drops seen items from a list so the next ones move up, and counts what it could not use', async () => {
    const ex = split.test[0];
    const seen = [...seenItems(log, ex)];
    const hit = ex.target.find((i) => !seen.includes(i))!;
    const lists = new Map([
      [ds.users[ex.user], [`i${seen[0]}`, 'nope', `i${hit}`]],
      ['stranger', ['i1']],
    ]);
    const one = [split.test[0]];
    const masked = await scorePeerLists(ds, log, one, lists, opts);
    expect(masked.result.perUser['hr@1'][0]).toBe(1); // the seen first item is skipped: the hit is first
    expect(masked.result.perUser['ndcg@1'][0]).toBe(1);
    expect(masked).toMatchObject({ unknownUsers: 1, unknownItems: 1, missingUsers: 0 });
    const kept = await scorePeerLists(ds, log, one, lists, { ...opts, excludeSeen: false });
    expect(kept.result.perUser['hr@1'][0]).toBe(0); // unmasked, the seen item holds the first place
    const others = await scorePeerLists(ds, log, split.test.slice(0, 3), lists, opts);
    expect(others.missingUsers).toBe(2); // test users without a list rank nothing
    expect(others.result.perUser['ndcg@10'].slice(1)).toEqual(new Float64Array([0, 0]));
  });
});
