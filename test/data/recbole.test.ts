import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/read.ts';
import { denseTimeRank, writeRecbole } from '../../src/data/recbole.ts';
import type { Example } from '../../src/data/split.ts';

/** A hand-built dataset: user a has 4 events, user b has 2. */
function dataset(): Dataset {
  const ts = [1_500_000_000, 1_500_000_000, 1_600_000_000, 1_700_000_000, 1_550_000_000, 1_650_000_000];
  return {
    users: ['a', 'b'],
    userOffsets: Int32Array.from([0, 4, 6]),
    items: {
      ids: ['i1', 'i2', 'i3'],
      titles: ['One\tTwo', 'Three  four', 'Five'],
      texts: ['', '', ''],
      categories: [['Sci Fi', 'Drama'], [], ['Comedy']],
    },
    events: {
      n: 6,
      user: Int32Array.from([0, 0, 0, 0, 1, 1]),
      item: Int32Array.from([0, 1, 2, 0, 1, 2]),
      ts: Float64Array.from(ts),
      weight: Float32Array.from([4, 3.5, 5, 1, 2, 3]),
      line: Int32Array.from([2, 3, 4, 5, 6, 7]),
      text: null,
    },
    stats: { read: 6, kept: 6, quarantined: 0, filtered: 0, byReason: {}, filteredByReason: {}, sources: {} },
    quarantinePath: null,
    fingerprint: 'x',
  };
}

const ex = (user: number, end: number, targetEnd: number, target: number[]): Example => ({
  user,
  end,
  targetEnd,
  cutoff: 0,
  target: Int32Array.from(target),
});

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n');

describe('RecBole export', () => {
  it('ranks timestamps densely so float32 keeps their order', () => {
    const t = Float64Array.from([1_700_000_001, 5, 1_700_000_000, 5, 1_700_000_001]);
    expect([...denseTimeRank(t)]).toEqual([3, 1, 2, 1, 3]);
  });

  it('writes atomic files and the split as pre-split benchmark files', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'recbole-')), 'tiny');
    mkdirSync(dir);
    const split = {
      train: [ex(0, 1, 2, [1])],
      valid: [ex(0, 2, 3, [2]), ex(1, 0, 1, [1])], // the second has no history → skipped
      test: [ex(0, 3, 4, [0, 2])],
    };
    const r = writeRecbole(dataset(), split, dir, { maxHistory: 2 });
    expect(r.name).toBe('tiny');
    expect(r.skippedEmptyHistory).toBe(1);
    // without excludeSeen every target is written; a's test history (3 events) is cut to 2
    expect(r).toMatchObject({ excludeSeen: false, seenTargetsDropped: 0, seenExamplesDropped: 0 });
    expect(r).toMatchObject({ maxHistory: 2, historiesCut: 1, historiesExported: 3 });
    expect(read(dir, 'tiny.inter')).toEqual([
      'user_id:token\titem_id:token\trating:float\ttimestamp:float',
      'a\ti1\t4\t1',
      'a\ti2\t3.5\t1',
      'a\ti3\t5\t3',
      'a\ti1\t1\t5',
      'b\ti2\t2\t2',
      'b\ti3\t3\t4',
    ]);
    expect(read(dir, 'tiny.item')).toEqual([
      'item_id:token\ttitle:token_seq\tgenre:token_seq',
      'i1\tOne Two\tSci_Fi Drama',
      'i2\tThree four\t',
      'i3\tFive\tComedy',
    ]);
    const header = 'user_id:token\titem_id_list:token_seq\titem_id:token';
    expect(read(dir, 'tiny.train.inter')).toEqual([header, 'a\ti1\ti2']);
    expect(read(dir, 'tiny.valid.inter')).toEqual([header, 'a\ti1 i2\ti3']);
    // history capped at the 2 most recent events, one row per target item
    expect(read(dir, 'tiny.test.inter')).toEqual([header, 'a\ti2 i3\ti1', 'a\ti2 i3\ti3']);
    const yaml = readFileSync(join(dir, 'tiny.yaml'), 'utf8');
    expect(yaml).toMatch(/dataset: tiny\n/);
    expect(yaml).toMatch(/benchmark_filename: \[train, valid, test\]/);
    expect(yaml).toMatch(/MAX_ITEM_LIST_LENGTH: 2\n/);
  });

  it('leaves out valid/test targets the user already had when the run excludes seen items', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'recbole-')), 'seen');
    mkdirSync(dir);
    const split = {
      train: [ex(0, 1, 2, [0])], // training targets are kept, as our training keeps them
      valid: [ex(0, 2, 4, [2, 0])], // i1 was seen (event 0): only i3 is written
      test: [ex(0, 3, 4, [0]), ex(1, 5, 6, [2])], // a's whole target was seen: the example is dropped
    };
    const r = writeRecbole(dataset(), split, dir, { maxHistory: 1, excludeSeen: true });
    expect(r).toMatchObject({ excludeSeen: true, seenTargetsDropped: 2, seenExamplesDropped: 1 });
    expect(r).toMatchObject({ maxHistory: 1, historiesCut: 1, historiesExported: 3 });
    const header = 'user_id:token\titem_id_list:token_seq\titem_id:token';
    expect(read(dir, 'seen.train.inter')).toEqual([header, 'a\ti1\ti1']);
    expect(read(dir, 'seen.valid.inter')).toEqual([header, 'a\ti2\ti3']);
    expect(read(dir, 'seen.test.inter')).toEqual([header, 'b\ti2\ti3']);
    const kept = writeRecbole(dataset(), split, dir, { maxHistory: 1, excludeSeen: false });
    expect(kept.rows['seen.test.inter']).toBe(2);
    expect(kept.seenTargetsDropped).toBe(0);
  });

  it('rejects ids that RecBole would split', () => {
    const d = dataset();
    d.items.ids[1] = 'i 2';
    const dir = mkdtempSync(join(tmpdir(), 'recbole-'));
    expect(() => writeRecbole(d, { train: [], valid: [], test: [] }, dir)).toThrow(
      /item id "i 2" contains whitespace/,
    );
  });
});
