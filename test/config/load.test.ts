import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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

  it("applies extends: the base config with this file's keys merged over it", () => {
    const { dir, config } = tinyProject();
    const child = join(dir, 'child.yaml');
    writeFileSync(child, `extends: ${basename(config)}\nrun: { name: child }\ntrain: { epochs: 5 }\n`);
    const base = loadConfig(config);
    const merged = loadConfig(child);
    expect(merged.config.run.name).toBe('child');
    expect(merged.config.train.epochs).toBe(5);
    expect(merged.config.run.seed).toBe(base.config.run.seed);
    expect(merged.config.train.lr).toBe(base.config.train.lr);
    expect({ ...merged.config, run: base.config.run, train: base.config.train }).toEqual(base.config);
    expect(merged.baseDir).toBe(base.baseDir);
  });

  it('ships the peers config as the main config plus GRU4Rec and SASRec', () => {
    const main = loadConfig('configs/movielens-small.yaml').config;
    const peers = loadConfig('configs/movielens-small-peers.yaml').config;
    expect(main.evaluate.sequential).toEqual([]);
    expect(peers.evaluate.sequential.map((s) => s.kind)).toEqual(['gru4rec', 'sasrec']);
    expect({ ...peers, run: main.run, evaluate: main.evaluate }).toEqual(main);
  });

  it('refuses an extends loop or a base outside the directory', () => {
    const { dir } = tinyProject();
    writeFileSync(join(dir, 'a.yaml'), 'extends: b.yaml\n');
    writeFileSync(join(dir, 'b.yaml'), 'extends: a.yaml\n');
    expect(() => loadConfig(join(dir, 'a.yaml'))).toThrow(/extends loops back to a\.yaml/);
    writeFileSync(join(dir, 'up.yaml'), 'extends: ../x.yaml\n');
    expect(() => loadConfig(join(dir, 'up.yaml'))).toThrow(/same directory/);
    writeFileSync(join(dir, 'gone.yaml'), 'extends: missing.yaml\n');
    expect(() => loadConfig(join(dir, 'gone.yaml'))).toThrow(/cannot read config missing\.yaml/);
  });
});
