import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { generateSynthetic, lastMonthsSplit, synthDataYaml, writeSynthetic } from '../../src/data/synth.ts';
import { runTraining } from '../../src/pipeline/train.ts';

/**
 * One honest clock: an item nobody touches before the test window closes, then a crowd of new users
 * makes it the most popular item of the log. Every method sees only what is known at its target's
 * cutoff, so no test metric of any method may move.
 */
function project(withFutureHit: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-clock-'));
  const data = generateSynthetic({ users: 50, items: 100, eventsPerUser: 60, topics: 4, seed: 5, months: 8 });
  const split = lastMonthsSplit(data.events);
  // Item 100 exists in the catalogue from the start; every event of it comes after all windows.
  const hit = 100;
  data.events = data.events.filter((e) => e[1] !== hit);
  if (withFutureHit) {
    const after = Math.max(...data.events.map((e) => e[3])) + 40 * 86_400;
    for (let u = 0; u < 80; u++)
      data.events.push([10_000 + u, hit, 5, after + u], [10_000 + u, 1, 5, after + u + 1]);
  }
  writeSynthetic(join(dir, 'data'), data);
  const config = join(dir, 'clock.yaml');
  writeFileSync(
    config,
    `run: { name: clock, seed: 3, out: { checkpoints: ${dir}/checkpoints, reports: ${dir}/reports } }
${synthDataYaml('data/')}  filters: { min_user_events: 2, min_item_events: 1 }
buckets: { every: month }
split: { protocol: global, valid_from: ${split.valid_from}, test_from: ${split.test_from}, horizon: 31d, min_history_buckets: 2 }
embed: { encoder: hashing, batch: 64, cache: null, hashing: { dim: 32, ngrams: 1, seed: 1 } }
topics: { k: 4, temperature: 0.1, iterations: 20 }
model: { units: 8, input_projection: 8, max_len: 6, negatives: 32, dropout: 0.1 }
train: { backend: cpu, lr: 0.01, batch: 32, epochs: 1, patience: 1 }
blend: { alpha_grid: [0, 0.5, 1], popularity_grid: [0, 0.2] }
evaluate: { k: [10], exclude_seen: true, recent_window: 30d, bootstrap: 100, knn_grid: [5, 20] }
`,
  );
  return config;
}

describe('one honest clock', () => {
  it('an item that becomes hugely popular only after every cutoff moves no method’s test metric', async () => {
    const run = (withHit: boolean) =>
      runTraining(loadConfig(project(withHit)), { runId: `clock-${withHit}`, log: () => {} });
    const base = await run(false);
    const later = await run(true);
    expect(later.usersEvaluated).toBe(base.usersEvaluated);
    expect(Object.keys(later.metrics).sort()).toEqual(Object.keys(base.metrics).sort());
    expect(Object.keys(base.metrics)).toEqual(expect.arrayContaining(['blend', 'most_popular', 'item_knn']));
    // Same users, maybe in another order when the new ids sort between them: equal up to summation order.
    for (const [method, m] of Object.entries(base.metrics))
      for (const [metric, v] of Object.entries(m))
        expect(later.metrics[method][metric], `${method} ${metric}`).toBeCloseTo(v, 10);
  });
});
