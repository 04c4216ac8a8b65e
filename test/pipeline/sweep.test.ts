import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { gridPoints, runSweep, withOverrides } from '../../src/pipeline/sweep.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

describe('train --sweep', () => {
  it('expands the grid deterministically and names a bad key', () => {
    expect(gridPoints({ a: [1, 2], b: ['x'] })).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'x' },
    ]);
    const cfg = loadConfig(tinyProject().config).config;
    expect(withOverrides(cfg, { 'model.units': 4 }).model.units).toBe(4);
    expect(() => withOverrides(cfg, { 'model.unitz': 4 })).toThrow(/unknown config key "model.unitz"/);
    expect(() => withOverrides(cfg, { 'train.epochs': -1 })).toThrow(/train\.epochs/);
  });

  it('switches a kind: the old kind’s keys go, the new kind’s defaults come and can be set in the same point', () => {
    const cfg = loadConfig(tinyProject().config).config; // forecast: arima [1, 1, 1], fallback ses
    expect(withOverrides(cfg, { 'forecast.model': 'ses' }).forecast).toEqual({
      model: 'ses',
      alpha: 0.3,
      horizon: 1,
    });
    const pooled = withOverrides(cfg, { 'forecast.ridge': 0.05, 'forecast.model': 'pooled' }).forecast;
    expect(pooled).toEqual({ model: 'pooled', per: 'topic', ridge: 0.05, strength: 'auto', horizon: 1 });
    expect(withOverrides(cfg, { 'embed.encoder': 'use-lite' }).embed.encoder).toBe('use-lite');
    // the shared key survives the switch
    expect(withOverrides(cfg, { 'forecast.model': 'mean' }).forecast).toEqual({ model: 'mean', horizon: 1 });
  });

  it('trains every point and ranks them by validation NDCG@10', async () => {
    const { dir, config } = tinyProject('sweep: { "model.units": [8, 16] }\n');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('epochs: 2, patience: 2', 'epochs: 1, patience: 1'),
    );
    const { rows, dir: out } = await runSweep(loadConfig(config), { log: () => {} });
    expect(rows.map((r) => r.point['model.units']).sort()).toEqual([16, 8]);
    expect(rows[0].validNdcg10).toBeGreaterThanOrEqual(rows[1].validNdcg10);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/\| model.units \|/);
    expect(existsSync(join(dir, 'checkpoints', 'tiny-sweep-1'))).toBe(true);
  });
});
