import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic, type SynthOptions, synthDataYaml, writeSynthetic } from '../../src/data/synth.ts';

/** A tiny synthetic dataset with planted drift plus a fast config (hashing encoder, few epochs) in a temp dir. */
export function tinyProject(
  overrides = '',
  synth: Partial<SynthOptions> = {},
): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-'));
  writeSynthetic(
    join(dir, 'data'),
    generateSynthetic({ users: 60, items: 120, eventsPerUser: 50, topics: 4, seed: 3, ...synth }),
  );
  const kinds = synth.kinds !== undefined;
  const config = join(dir, 'tiny.yaml');
  writeFileSync(
    config,
    `run: { name: tiny, seed: 7, out: { checkpoints: ${dir}/checkpoints, reports: ${dir}/reports } }
${synthDataYaml('data/', kinds)}buckets: { events: 5 }
split: { protocol: per-user, test_buckets: 1, valid_buckets: 1, min_history_buckets: 2 }
embed: { encoder: hashing, batch: 64, cache: null, hashing: { dim: 64, ngrams: 1, seed: 1 } }
topics: { k: 4, temperature: 0.1, iterations: 20 }
forecast: { model: arima, order: [1, 1, 1], fallback: ses, horizon: 1 }
model: { units: 16, input_projection: 16, max_len: 6, negatives: 64, dropout: 0.1 }
train: { backend: auto, lr: 0.01, batch: 32, epochs: 2, patience: 2 }
blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.2] }
evaluate: { k: [5, 10], exclude_seen: true, recent_window: 30d }
${overrides}`,
  );
  return { dir, config };
}

/** Replaces `from` by `to` in a config file; throws when `from` is not there (a silent no-op would test nothing). */
export function editConfig(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`editConfig: ${path} has no ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
}
