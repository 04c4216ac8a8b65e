import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { addItemsOffline } from '../../src/pipeline/add-items.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { spawnCli } from '../helpers/cli.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

describe('items add: new items into a new checkpoint version, offline', () => {
  let dir: string;
  let tmp: string;
  beforeAll(async () => {
    const { run, project } = await tinyCheckpoint('tiny-items', '', { kinds: ['film', 'book', 'music'] });
    dir = run.checkpointDir;
    tmp = project.dir;
  });

  it('embeds and appends the good rows, quarantines the rest with their reasons, leaves the source alone', async () => {
    const file = join(tmp, 'new.csv');
    writeFileSync(
      file,
      [
        'id,text,title,kind',
        'n1,book: galaxy alien orbit. Genres: SciFi,Orbit,book',
        'n2,film: ghost haunted curse. Genres: Horror,,film',
        '1,film: taken id,,film',
        'n3,no kind here,,',
        'n4,a poem,,poem',
        'n1,book: again,,book',
        ',no id,,book',
        'n5,"unbalanced,,film',
      ].join('\n'),
    );
    const out = join(tmp, 'with-items');
    const r = await addItemsOffline(dir, file, out);
    expect(r).toMatchObject({ read: 8, added: 2, quarantined: 6, out });
    const reasons = readFileSync(r.quarantinePath as string, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((q) => [q.line, q.reason]);
    expect(reasons).toEqual([
      [4, 'id: item "1" is already in the catalogue'],
      [5, 'kind: required, one of book, film, music'],
      [6, 'kind: unknown kind "poem" (kinds: book, film, music)'],
      [7, 'id: "n1" appears earlier in the file'],
      [8, 'id: expected a non-empty string'],
      [9, 'unbalanced_quote'],
    ]);
    const before = await loadCheckpoint(dir);
    const after = await loadCheckpoint(out);
    expect(after.items.ids).toEqual([...before.items.ids, 'n1', 'n2']);
    expect(after.items.titles.slice(-2)).toEqual(['Orbit', 'n2']);
    expect(after.items.kinds?.slice(-2)).toEqual(['book', 'film']);
    expect(after.manifest.added_items).toEqual({ base_manifest_hash: before.manifestHash, count: 2, file });
    // A new item's count is its topic's median, and it is scored with its text vector like any item.
    expect(after.popularity[after.items.ids.length - 2]).toBeGreaterThan(0);
    const rec = new Recommender(after);
    const books = rec.recommend(after.users[0], 5, { kind: 'book' }).items;
    for (const it of books) expect(after.items.kinds?.[after.items.ids.indexOf(it.id)]).toBe('book');
    rec.dispose();
    for (const c of [before, after]) c.model.dispose();
  });

  it('the CLI reports what it did, and a file with nothing to add is one clear error line', async () => {
    const file = join(tmp, 'bad.csv');
    writeFileSync(file, 'id,text,kind\n1,taken,film\n');
    const r = await spawnCli([
      'items',
      'add',
      '--checkpoint',
      dir,
      '--file',
      file,
      '--out',
      join(tmp, 'none'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^interest-evo: items add: no item to add in .*bad\.csv \(1 rows, 1 quarantined: .*none\.quarantine\.jsonl\)$/,
    );
    const good = join(tmp, 'good.csv');
    writeFileSync(good, 'id,text,kind\nz1,music: band song tour,music\n');
    const ok = await spawnCli([
      'items',
      'add',
      '--checkpoint',
      dir,
      '--file',
      good,
      '--out',
      join(tmp, 'v2'),
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').at(-1) as string)).toMatchObject({
      added: 1,
      quarantined: 0,
    });
  });
});
