import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

describe('loadConfig', () => {
  it('loads the shipped sample configs', () => {
    const c = loadConfig('configs/movielens-small.yaml').config;
    expect(c.buckets).toEqual({ events: 10 });
    expect(c.split.protocol).toBe('per-user');
    expect(c.evaluate.recent_window).toBe(30 * 86_400);
  });

  it('names an unknown key', () => {
    const { dir, config } = tinyProject('modle: { units: 3 }\n');
    expect(() => loadConfig(config)).toThrow(/\(root\).*modle/s);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `${readFileSync(config, 'utf8').replace('units: 16', 'units: 16, unitz: 2').replace('modle: { units: 3 }', '')}`,
    );
    expect(() => loadConfig(bad)).toThrow(/model.*unitz/s);
  });

  it('names an ill-typed key', () => {
    const { config } = tinyProject();
    const { dir } = tinyProject();
    const bad = join(dir, 'typed.yaml');
    writeFileSync(bad, readFileSync(config, 'utf8').replace('epochs: 2', 'epochs: "two"'));
    expect(() => loadConfig(bad)).toThrow(/train\.epochs/);
  });

  it('reports a missing file and invalid YAML clearly', () => {
    expect(() => loadConfig('configs/nope.yaml')).toThrow(/cannot read config configs\/nope\.yaml/);
    const { dir } = tinyProject();
    writeFileSync(join(dir, 'broken.yaml'), 'run: [unclosed');
    expect(() => loadConfig(join(dir, 'broken.yaml'))).toThrow(/not valid YAML/);
  });
});

describe('a resolved config', () => {
  it('parses again unchanged (checkpoints store the resolved config)', async () => {
    const { parseConfig } = await import('../../src/config/load.ts');
    const c = loadConfig('configs/lastfm-2k.yaml').config;
    expect(parseConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });
});
