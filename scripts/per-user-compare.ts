/**
 * Paired comparison of two runs' per-user test metric (reports/<run>/per_user.json), optionally on the users
 * whose test cutoff is at or after a time: e.g. a run trained only on windows before T against the full run,
 * on the test users after T (what the per-user protocol lets a model learn from other users' later activity).
 *
 *   npx tsx scripts/per-user-compare.ts reports/A reports/B [--method lstm] [--from 2015-01-01 | --from q0.5]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pairedTest } from '../src/evaluate/bootstrap.ts';
import type { PerUserReport } from '../src/report/run-report.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { method: { type: 'string', default: 'blend' }, from: { type: 'string' } },
});
if (positionals.length !== 2)
  throw new Error('usage: per-user-compare.ts <reportDirA> <reportDirB> [--method m] [--from T]');
const read = (dir: string): PerUserReport => JSON.parse(readFileSync(join(dir, 'per_user.json'), 'utf8'));
const [a, b] = positionals.map(read);
const { method } = values;
const sorted = [...a.cutoffs].sort((x, y) => x - y);
const from = !values.from
  ? Number.NEGATIVE_INFINITY
  : values.from.startsWith('q')
    ? sorted[Math.min(sorted.length - 1, Math.floor(Number(values.from.slice(1)) * sorted.length))]
    : Date.parse(`${values.from}T00:00:00Z`) / 1000;
const bIndex = new Map(b.users.map((u, i) => [u, i]));
const pairs = a.users.flatMap((u, i) => {
  const j = bIndex.get(u);
  return a.cutoffs[i] >= from && j !== undefined ? [[a.methods[method][i], b.methods[method][j]]] : [];
});
if (pairs.length === 0) throw new Error(`no common users with cutoff ≥ ${values.from}`);
const t = pairedTest(
  Float64Array.from(pairs, (p) => p[0]),
  Float64Array.from(pairs, (p) => p[1]),
  { samples: 2000, seed: 1, level: 0.95 },
);
const mean = (k: 0 | 1) => pairs.reduce((s, p) => s + p[k], 0) / pairs.length;
console.log(
  JSON.stringify({
    method,
    metric: a.metric,
    users: pairs.length,
    from: Number.isFinite(from) ? new Date(from * 1000).toISOString() : null,
    a: mean(0),
    b: mean(1),
    ...t,
  }),
);
