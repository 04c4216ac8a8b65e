import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedConfig, parseConfig } from '../config/load.ts';
import { type Config, KIND_SECTIONS } from '../config/schema.ts';
import { runTraining, type TrainRunOptions } from './train.ts';

export type SweepGrid = Record<string, (number | string | boolean)[]>;

/** Every combination of the grid's values, in key order then value order (deterministic). */
export function gridPoints(grid: SweepGrid): Record<string, number | string | boolean>[] {
  return Object.entries(grid).reduce<Record<string, number | string | boolean>[]>(
    (points, [key, values]) => points.flatMap((p) => values.map((v) => ({ ...p, [key]: v }))),
    [{}],
  );
}

const isKindSwitch = (key: string) => {
  const [section, name, ...rest] = key.split('.');
  return rest.length === 0 && Object.hasOwn(KIND_SECTIONS, section) && KIND_SECTIONS[section].key === name;
};

/** The config with dotted keys ("model.units") set; re-validated, so a bad key or value names itself. */
export function withOverrides(cfg: Config, point: Record<string, unknown>): Config {
  const raw = structuredClone(cfg) as unknown as Record<string, unknown>;
  // A kind switch (forecast.model, embed.encoder) first, so the new kind's own keys exist to be set.
  const switches = Object.entries(point).filter(([key]) => isKindSwitch(key));
  for (const [key, value] of switches) {
    const [section, name] = key.split('.');
    raw[section] = KIND_SECTIONS[section].read.parse({ ...(raw[section] as object), [name]: value });
  }
  for (const [key, value] of Object.entries(point).filter(([key]) => !isKindSwitch(key))) {
    const path = key.split('.');
    let node = raw;
    for (const part of path.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null)
        throw new Error(`sweep: no config section "${key}"`);
      node = node[part] as Record<string, unknown>;
    }
    if (!(path.at(-1)! in node)) throw new Error(`sweep: unknown config key "${key}"`);
    node[path.at(-1)!] = value;
  }
  delete raw.sweep;
  return parseConfig(raw, `sweep point ${JSON.stringify(point)}`);
}

export interface SweepRow {
  point: Record<string, number | string | boolean>;
  runId: string;
  validNdcg10: number;
  test: Record<string, number>;
}

/**
 * Trains every grid point (`sweep:` in the config) and writes a table ranked by validation NDCG@10 of the
 * blend — the selection never looks at the test window, which is shown for reference only.
 */
export async function runSweep(
  loaded: LoadedConfig,
  opts: TrainRunOptions = {},
): Promise<{ rows: SweepRow[]; dir: string }> {
  const grid = loaded.config.sweep;
  if (!grid || Object.keys(grid).length === 0)
    throw new Error('train --sweep: the config has no `sweep:` grid');
  const points = gridPoints(grid);
  const configs = points.map((p) => withOverrides(loaded.config, p)); // validate every point before training any
  const name = opts.runId ?? `${loaded.config.run.name}-sweep`;
  const rows: SweepRow[] = [];
  for (const [i, config] of configs.entries()) {
    const runId = `${name}-${i + 1}`;
    (opts.log ?? console.error)(`sweep ${i + 1}/${configs.length}: ${JSON.stringify(points[i])}`);
    const r = await runTraining({ ...loaded, config }, { ...opts, runId });
    rows.push({ point: points[i], runId, validNdcg10: r.validBlendNdcg10, test: r.metrics.blend });
  }
  rows.sort((a, b) => b.validNdcg10 - a.validNdcg10 || a.runId.localeCompare(b.runId));
  const dir = join(loaded.config.run.out.reports, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sweep.json'), `${JSON.stringify({ grid, rows }, null, 2)}\n`);
  writeFileSync(join(dir, 'sweep.md'), sweepMarkdown(grid, rows));
  return { rows, dir };
}

export function sweepMarkdown(grid: SweepGrid, rows: readonly SweepRow[]): string {
  const keys = Object.keys(grid);
  const head = `| run | ${keys.join(' | ')} | valid ndcg@10 (selects) | test ndcg@10 | test recall@10 |`;
  const sep = `|---|${keys.map(() => '---').join('|')}|---:|---:|---:|`;
  const body = rows.map(
    (r, i) =>
      `| ${i === 0 ? `**${r.runId}**` : r.runId} | ${keys.map((k) => String(r.point[k])).join(' | ')} | ${r.validNdcg10.toFixed(4)} | ${(r.test['ndcg@10'] ?? 0).toFixed(4)} | ${(r.test['recall@10'] ?? 0).toFixed(4)} |`,
  );
  return [
    `# Sweep (${rows.length} runs, best first by validation NDCG@10 of the blend)`,
    '',
    head,
    sep,
    ...body,
    '',
  ].join('\n');
}
