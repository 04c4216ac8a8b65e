import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
import { BLEND_MODES } from '../../src/recommend/blend.ts';
import { Recommender } from '../../src/recommend/recommender.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

const SCRIPT = new URL('../../scripts/portable-score.mjs', import.meta.url).pathname;

describe('a checkpoint is usable without this project', () => {
  let dir: string;
  beforeAll(async () => {
    dir = (await tinyCheckpoint('tiny-portable')).run.checkpointDir;
  });

  it('the standalone scorer imports nothing but @tensorflow/tfjs and node built-ins', () => {
    const imports = [...readFileSync(SCRIPT, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map(
      (m) => m[1],
    );
    expect(imports.sort()).toEqual(['@tensorflow/tfjs', 'node:fs']);
  });

  it('recomputes the Recommender’s scores in every blend mode within 1e-5 (relative above 1) from the raw files', async () => {
    const ck = await loadCheckpoint(dir);
    const index = new Map(ck.items.ids.map((id, i) => [id, i]));
    for (const mode of BLEND_MODES) {
      // The same files with the manifest naming another mode (the script reads the manifest, checks no hash).
      const copy = join(mkdtempSync(join(tmpdir(), 'portable-')), 'ck');
      cpSync(dir, copy, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
      manifest.blend.mode = mode;
      writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
      const rec = new Recommender(ck, { mode });
      for (const u of [0, 13, ck.users.length - 1]) {
        const out = JSON.parse(
          execFileSync(process.execPath, [SCRIPT, copy, String(u)], { encoding: 'utf8' }),
        );
        expect(out.user).toBe(ck.users[u]);
        expect(out.mode).toBe(mode);
        expect(out.scores).toHaveLength(ck.items.ids.length);
        const want = rec.recommend(ck.users[u], ck.items.ids.length, { excludeSeen: false });
        let maxDiff = 0;
        for (const it of want.items) {
          const got = out.scores[index.get(it.id)!];
          maxDiff = Math.max(maxDiff, Math.abs(got - it.score) / Math.max(1, Math.abs(it.score)));
        }
        expect(maxDiff, `${mode} user ${u}`).toBeLessThan(1e-5);
      }
      rec.dispose();
    }
  });
});
