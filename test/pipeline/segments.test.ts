import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/report/run-report.ts';
import { tinyCheckpoint } from '../serve/fixture.ts';

describe('the run report on a log with item kinds', () => {
  it('holds per-kind and cross-kind tables and the table by history length, with intervals', async () => {
    const { run } = await tinyCheckpoint('tiny-segments', '', { kinds: ['film', 'book', 'music'] });
    const r = JSON.parse(readFileSync(join(run.reportDir, 'report.json'), 'utf8')) as RunReport;
    const kinds = r.kinds as NonNullable<RunReport['kinds']>;
    expect(kinds.perKind.map((k) => k.target)).toEqual(['book', 'film', 'music']);
    expect(kinds.cross.map((c) => `${c.history}>${c.target}`)).toHaveLength(9);
    for (const k of kinds.perKind) {
      expect(k.users).toBeGreaterThan(0);
      expect(k.users).toBeLessThanOrEqual(r.users_evaluated.blend);
      for (const m of ['blend', 'most_popular', 'lstm']) {
        const e = k.methods[m];
        expect(e.lo).toBeLessThanOrEqual(e.mean);
        expect(e.mean).toBeLessThanOrEqual(e.hi);
      }
    }
    expect(kinds.crossPooled.paired.map((p) => p.b)).toContain('most_popular');
    const lengths = r.by_history_length ?? [];
    expect(lengths.map((b) => b.buckets)).toEqual(['0', '1–2', '3–5', '6+']);
    expect(lengths.reduce((n, b) => n + b.users, 0)).toBe(r.users_evaluated.blend);
    const md = readFileSync(join(run.reportDir, 'report.md'), 'utf8');
    expect(md).toContain('## Kinds and cold start');
    expect(md).toMatch(/\| book → film \(\d+\) \|/);
    expect(md).toMatch(/Cross-kind, pooled: blend − most_popular [+-]\d\.\d{4} \[/);
  });
});
