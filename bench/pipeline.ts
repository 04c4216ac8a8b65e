/**
 * Whole-pipeline stage timings on a synthetic log with planted drift (generated, never committed):
 * `tsx bench/pipeline.ts [users]` prints JSON.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/load.ts';
import { generateSynthetic, synthDataYaml, writeSynthetic } from '../src/data/synth.ts';
import { runTraining } from '../src/pipeline/train.ts';
import { machine, peakRssMb } from './machine.ts';

export async function runPipelineBench(users = 2000) {
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-bench-'));
  const t0 = performance.now();
  writeSynthetic(
    join(dir, 'data'),
    generateSynthetic({ users, items: 5000, eventsPerUser: 100, topics: 8, seed: 1 }),
  );
  const generate_s = (performance.now() - t0) / 1000;
  const config = join(dir, 'bench.yaml');
  writeFileSync(
    config,
    `run: { name: bench, seed: 1, out: { checkpoints: ${dir}/checkpoints, reports: ${dir}/reports } }
${synthDataYaml('data/')}buckets: { events: 10 }
split: { protocol: per-user }
embed: { encoder: hashing, cache: null }
topics: { k: 8 }
model: { max_len: 10 }
train: { epochs: 1, patience: 1 }
blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.1] }
`,
  );
  const r = await runTraining(loadConfig(config), { runId: 'bench', log: () => {} });
  const report = JSON.parse(
    (await import('node:fs')).readFileSync(join(r.reportDir, 'metrics.json'), 'utf8'),
  );
  return {
    bench: 'pipeline',
    machine: machine(),
    backend: r.backend,
    data: { users, events: users * 100, items: 5000, generate_s },
    stage_seconds: report.timings_s,
    train_samples_per_s: report.training.history.map((h: { samplesPerSec: number }) =>
      Math.round(h.samplesPerSec),
    ),
    peak_rss_mb: peakRssMb(),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runPipelineBench(Number(process.argv[2] ?? 2000)), null, 2));
}
