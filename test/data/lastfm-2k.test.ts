import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DataConfigSchema } from '../../src/config/data.ts';
import { loadDataset } from '../../src/data/read.ts';

const root = resolve(import.meta.dirname, '../..');
const lastfm = resolve(root, '../shared/datasets/hetrec2011-lastfm-2k');
const exists = existsSync(join(lastfm, 'user_taggedartists.dat'));
if (!exists)
  console.warn(`Last.fm test skipped: ${lastfm} not found (licence forbids shipping it; see README)`);

describe(`Last.fm-2k via configs/lastfm-2k.yaml (${exists ? 'found' : 'SKIPPED: not found at'} ${lastfm})`, () => {
  it.skipIf(!exists)('loads tagging events, quarantines pre-1990 dates and unknown artists', async () => {
    const configDir = join(root, 'configs');
    const yaml = parse(readFileSync(join(configDir, 'lastfm-2k.yaml'), 'utf8'));
    const cfg = DataConfigSchema.parse(yaml.data);
    const qdir = mkdtempSync(join(tmpdir(), 'lastfm-q-'));
    const t0 = performance.now();
    const ds = await loadDataset(cfg, configDir, { quarantineDir: qdir });
    console.log(`Last.fm-2k loaded in ${(performance.now() - t0).toFixed(0)} ms`, JSON.stringify(ds.stats));

    const s = ds.stats;
    expect(s.read).toBe(186_479);
    expect(s.read).toBe(s.kept + s.quarantined + s.filtered);
    expect(s.byReason).toEqual({ time_before_min: 5, unknown_item: 1538 });
    expect(ds.items.ids.length).toBe(17_632);
    expect(s.sources['lookups.tag']).toMatchObject({ read: 11_946, kept: 11_946 });
    // Item text only from taggings before the validation window (2010-05-01); later ones are counted.
    expect(s.sources.extra_item_text).toMatchObject({
      read: 186_479,
      kept: 132_694,
      quarantined: 1538,
      filtered: 52_247,
      filteredByReason: { at_or_after_before: 52_247 },
    });

    const q = readFileSync(join(qdir, 'quarantine.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const early = q.filter((r) => r.source === 'events' && r.reason === 'time_before_min');
    expect(early.map((r) => r.raw.split('\t')[5]).sort()).toEqual(['1956', '1956', '1956', '1957', '1979']);
    expect(q.filter((r) => r.source === 'events' && r.reason === 'unknown_item')).toHaveLength(1538);

    // Dates are day/month/year → UTC midnight; event text is the Latin-1 tag value.
    const e = ds.events;
    expect(e.ts.every((t) => t % 86_400 === 0 && t >= Date.UTC(2005, 0, 1) / 1000)).toBe(true);
    expect(e.text).not.toBeNull();
    expect(e.text!.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
    expect(e.text).toContain('tropicália');
    const weird = ds.items.titles.indexOf('"Weird Al" Yankovic'); // bare quotes in a tab-separated file
    expect(weird).toBeGreaterThanOrEqual(0);
    expect(ds.items.texts[ds.items.ids.indexOf('1')]).toMatch(/^MALICE MIZER\. Tags: .*visual kei/);
  });
});
