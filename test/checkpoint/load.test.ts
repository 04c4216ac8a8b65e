import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FILES, type Manifest, OPTIONAL_FILES } from '../../src/checkpoint/format.ts';
import { CheckpointError, loadCheckpoint, topicsOf } from '../../src/checkpoint/load.ts';
import { evaluateCheckpoint } from '../../src/pipeline/evaluate-checkpoint.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { trainTiny } from '../helpers/train-tiny.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

/** Every file the loader must verify. */
const LISTED = Object.values(FILES).filter((f) => f !== FILES.manifest && !OPTIONAL_FILES.includes(f));

describe('loadCheckpoint refuses any damaged checkpoint, naming the file', () => {
  let good: string;
  let scratch: string;
  beforeAll(async () => {
    good = (await tinyCheckpoint('tiny-load')).run.checkpointDir;
    scratch = mkdtempSync(join(tmpdir(), 'ck-load-'));
  });

  /** A fresh copy of the good checkpoint, damaged by `edit`. */
  const damaged = (name: string, edit: (dir: string) => void) => {
    const dir = join(scratch, name.replace(/\W+/g, '_'));
    rmSync(dir, { recursive: true, force: true });
    cpSync(good, dir, { recursive: true });
    edit(dir);
    return dir;
  };
  const refused = async (dir: string, message: RegExp) => {
    const e = await loadCheckpoint(dir).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toMatch(message);
  };
  const editManifest = (dir: string, f: (m: Manifest) => void) => {
    const p = join(dir, FILES.manifest);
    const m = JSON.parse(readFileSync(p, 'utf8'));
    f(m);
    writeFileSync(p, JSON.stringify(m));
  };

  it('loads the good one', async () => {
    const ck = await loadCheckpoint(good);
    expect(ck.users.length).toBeGreaterThan(0);
    ck.model.dispose();
  });

  it('restores the topic model: each item mostly in the topic whose centroid is nearest', async () => {
    const ck = await loadCheckpoint(good);
    ck.model.dispose();
    const topics = topicsOf(ck);
    const { k, dim } = topics;
    expect(topics.labels).toEqual(ck.topicLabels);
    const n = ck.items.ids.length;
    expect(topics.itemShares).toHaveLength(n * k);
    for (let i = 0; i < n; i++) {
      const row = Array.from(topics.itemShares.subarray(i * k, (i + 1) * k));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const dots = Array.from({ length: k }, (_, c) => {
        let d = 0;
        for (let j = 0; j < dim; j++) d += ck.itemVectors[i * dim + j] * ck.centroids[c * dim + j];
        return d;
      });
      expect(row.indexOf(Math.max(...row))).toBe(dots.indexOf(Math.max(...dots)));
    }
  });

  for (const file of LISTED) {
    it(`${file}: a flipped byte, a truncation, a deletion`, async () => {
      const esc = file.replace('.', '\\.');
      await refused(
        damaged(`${file}-flip`, (d) => {
          const b = readFileSync(join(d, file));
          b[b.length >> 1] ^= 0x01;
          writeFileSync(join(d, file), b);
        }),
        new RegExp(`${esc}: sha256 does not match`),
      );
      await refused(
        damaged(`${file}-trunc`, (d) => truncateSync(join(d, file), 3)),
        new RegExp(`${esc}: 3 bytes, manifest says \\d+`),
      );
      await refused(
        damaged(`${file}-gone`, (d) => rmSync(join(d, file))),
        new RegExp(`${esc}: cannot read \\(ENOENT\\)`),
      );
    });
  }

  it('manifest: unreadable, another format, another schema version, a file not listed', async () => {
    await refused(
      damaged('m-json', (d) => writeFileSync(join(d, FILES.manifest), '{"format":')),
      /manifest\.json: unreadable/,
    );
    await refused(
      damaged('m-format', (d) =>
        editManifest(d, (m) => ((m as { format: string }).format = 'something-else')),
      ),
      /manifest\.json: not an interest-evo-checkpoint/,
    );
    await refused(
      damaged('m-version', (d) => editManifest(d, (m) => (m.schema_version = 2))),
      /manifest\.json: schema version 2, this build reads 1/,
    );
    await refused(
      damaged('m-unlisted', (d) => editManifest(d, (m) => delete m.files[FILES.forecasts])),
      /user_topic_forecast\.f32: not listed in manifest\.json/,
    );
    await refused(join(scratch, 'nowhere'), /checkpoint directory not found/);
  });

  it('shapes that match the bytes but not the checkpoint, and tables that disagree', async () => {
    // [U, K] → [K, U]: same bytes, same hash, wrong meaning.
    await refused(
      damaged('s-swap', (d) => editManifest(d, (m) => m.files[FILES.forecasts].shape?.reverse())),
      /user_topic_forecast\.f32: manifest says float32 \[\d+,\d+\], the checkpoint's sizes need float32/,
    );
    // One user fewer in users.json (hash updated to match): every user array now has the wrong row count.
    await refused(
      damaged('s-users', (d) => {
        const p = join(d, FILES.users);
        const u = JSON.parse(readFileSync(p, 'utf8'));
        u.ids.pop();
        const text = `${JSON.stringify(u)}\n`;
        writeFileSync(p, text);
        editManifest(d, (m) => {
          m.files[FILES.users] = { sha256: sha256Hex(text), bytes: Buffer.byteLength(text) };
        });
      }),
      /user_sequences\.f32: manifest says float32 \[\d+,\d+,\d+\], the checkpoint's sizes need/,
    );
    // A seen-item row outside the catalogue (file and manifest hash consistent).
    await refused(
      damaged('s-seen', (d) => {
        const p = join(d, FILES.seen);
        const b = readFileSync(p);
        b.writeInt32LE(1_000_000, 0);
        writeFileSync(p, b);
        editManifest(d, (m) => (m.files[FILES.seen].sha256 = sha256Hex(b)));
      }),
      /user_seen\.i32: item row 1000000 at 0 is outside/,
    );
    // A network that does not fit the manifest's model spec (no array's shape depends on the topic head).
    await refused(
      damaged('s-model', (d) => editManifest(d, (m) => (m.model.topicHead += 1))),
      /model\/model\.json: the network has \d+ outputs, manifest\.model says/,
    );
  });
});

describe('a checkpoint whose topics are the item categories', () => {
  it('stores the shares centroids cannot give back; evaluate replays the run; a new item is placed by its vector', async () => {
    const project = tinyProject();
    editConfig(
      project.config,
      'topics: { k: 4, temperature: 0.1, iterations: 20 }',
      'topics: { source: categories, min_items: 2, temperature: 0.1 }',
    );
    const run = await trainTiny(project, 'tiny-cat');
    const ck = await loadCheckpoint(run.checkpointDir);
    const k = ck.manifest.topics.k;
    expect([...ck.topicLabels].sort()).toEqual(['Crime', 'Horror', 'Romance', 'SciFi']);
    expect(ck.manifest.files[FILES.itemShares].shape).toEqual([ck.items.ids.length, k]);
    // Every synthetic item carries its planted topic as its one category: the stored shares are one-hot.
    const shares = topicsOf(ck).itemShares;
    expect(shares).toBe(ck.itemShares);
    for (let i = 0; i < ck.items.ids.length; i++)
      expect(Math.max(...shares.subarray(i * k, (i + 1) * k))).toBe(1);
    const ev = await evaluateCheckpoint(run.checkpointDir, { log: () => {} });
    expect(ev.maxDriftFromManifest).toBeLessThan(1e-9);
    const rec = new Recommender(ck);
    const vector = ck.itemVectors.slice(0, ck.manifest.encoder.dim);
    rec.addItems([rec.newItem({ id: 'new' }, vector)]);
    const row = rec.itemShares.subarray(ck.items.ids.length * k, (ck.items.ids.length + 1) * k);
    expect(row.indexOf(Math.max(...row))).toBe(shares.subarray(0, k).indexOf(1));
    rec.dispose();
    ck.model.dispose();
  });
});
