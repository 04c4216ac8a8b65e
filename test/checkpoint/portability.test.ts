import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.ts';
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

  it('recomputes the blended scores of the Recommender within 1e-5 from the raw files', async () => {
    const ck = await loadCheckpoint(dir);
    const rec = new Recommender(ck);
    for (const u of [0, 13, ck.users.length - 1]) {
      const out = JSON.parse(execFileSync(process.execPath, [SCRIPT, dir, String(u)], { encoding: 'utf8' }));
      expect(out.user).toBe(ck.users[u]);
      expect(out.scores).toHaveLength(ck.items.ids.length);
      const want = rec.recommend(ck.users[u], ck.items.ids.length, { excludeSeen: false });
      const index = new Map(ck.items.ids.map((id, i) => [id, i]));
      let maxDiff = 0;
      for (const it of want.items)
        maxDiff = Math.max(maxDiff, Math.abs(out.scores[index.get(it.id)!] - it.score));
      expect(maxDiff).toBeLessThan(1e-5);
    }
    rec.dispose();
  });
});
