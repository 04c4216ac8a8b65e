/**
 * How the whole pipeline's cost grows with the data: `data synth` logs of 100k, 300k and 1M events (1k users
 * and 2k items per 100k events, the CLI's default mix of drift patterns), hashing encoder, 1 epoch, no
 * sequential peers. Each size runs in its own process (so peak RSS is that size's); prints per-stage seconds
 * and peak RSS per size, and each stage's growth exponent b (time ∝ events^b, least squares over the sizes).
 * `tsx bench/scale.ts [--sizes 100k,300k]` (or SCALE_SIZES=100k,300k, e.g. through `npm run bench -- scale`);
 * `tsx bench/scale.ts --log DIR 300k` only writes one size's log and config (to profile a stage by hand).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../src/config/load.ts';
import { DRIFT_PATTERNS, generateSynthetic, synthConfigYaml, writeSynthetic } from '../src/data/synth.ts';
import { runTraining } from '../src/pipeline/train.ts';
import { machine, peakRssMb } from './machine.ts';

const DEFAULT_SIZES = [100_000, 300_000, 1_000_000];
const TOPICS = 8;

/** "100k", "1M", "250000" → events. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`scale: cannot read size ${JSON.stringify(s)} (e.g. 100k, 1M)`);
  const n = Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase() as '' | 'k' | 'm'];
  return Math.round(n);
}

/** Slope of log(y) on log(x): the b of y ∝ x^b (null when fewer than two positive points). */
export function growthExponent(x: readonly number[], y: readonly number[]): number | null {
  const pts = x.map((xi, i) => [Math.log(xi), Math.log(y[i])]).filter(([, ly]) => Number.isFinite(ly));
  if (pts.length < 2) return null;
  const mx = pts.reduce((s, [a]) => s + a, 0) / pts.length;
  const my = pts.reduce((s, [, b]) => s + b, 0) / pts.length;
  const sxy = pts.reduce((s, [a, b]) => s + (a - mx) * (b - my), 0);
  const sxx = pts.reduce((s, [a]) => s + (a - mx) ** 2, 0);
  return sxx > 0 ? sxy / sxx : null;
}

/** Writes the synthetic log and its `data synth` config (1 epoch, no peers, outputs inside `dir`). */
function writeLog(dir: string, events: number) {
  const users = Math.round(events / 100);
  const items = Math.round(events / 50);
  const t0 = performance.now();
  writeSynthetic(
    dir,
    generateSynthetic({ users, items, events, topics: TOPICS, seed: 1, patterns: DRIFT_PATTERNS }),
  );
  const cfg = parse(synthConfigYaml({ name: 'scale', topics: TOPICS, seed: 1 }));
  cfg.run.out = { checkpoints: join(dir, 'checkpoints'), reports: join(dir, 'reports') };
  cfg.train = { ...cfg.train, epochs: 1 };
  cfg.evaluate = { ...cfg.evaluate, sequential: [] };
  writeFileSync(join(dir, 'config.yaml'), stringify(cfg));
  return { users, items, generate_s: (performance.now() - t0) / 1000 };
}

/** One size in this process: the pipeline's stage seconds and the process's peak RSS. */
async function runOne(dir: string) {
  const r = await runTraining(loadConfig(join(dir, 'config.yaml')), { runId: 'scale', log: () => {} });
  const report = JSON.parse(readFileSync(join(r.reportDir, 'metrics.json'), 'utf8'));
  return {
    backend: r.backend,
    stage_seconds: report.timings_s,
    stage_cpu_seconds: r.cpuSeconds,
    peak_rss_mb: peakRssMb(),
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function runScaleBench(sizes: readonly number[]) {
  const runs = sizes.map((events) => {
    const dir = mkdtempSync(join(tmpdir(), 'interest-evo-scale-'));
    try {
      const data = writeLog(dir, events);
      const load = loadavg()[0];
      console.error(
        `scale: ${events} events (${data.users} users, ${data.items} items), load ${load.toFixed(2)}`,
      );
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', new URL(import.meta.url).pathname, '--one', dir],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, INTEREST_EVO_CACHE: join(dir, 'cache') },
        },
      );
      const one = JSON.parse(out.slice(out.indexOf('{')));
      const run = { events, ...data, load_before: r2(load), load_after: r2(loadavg()[0]), ...one };
      // Each size as soon as it is done: a long run stopped early still leaves its finished sizes.
      console.error(`scale: ${JSON.stringify(run)}`);
      return run;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    bench: 'scale',
    machine: machine(),
    backend: runs[0].backend,
    sizes,
    runs: runs.map((r) => ({
      ...r,
      stage_seconds: rounded(r.stage_seconds),
      stage_cpu_seconds: rounded(r.stage_cpu_seconds),
    })),
    /** Wall and CPU (all threads; steadier on a shared machine) growth of each stage. */
    growth: {
      wall: growthOf(
        sizes,
        runs.map((r) => r.stage_seconds),
      ),
      cpu: growthOf(
        sizes,
        runs.map((r) => r.stage_cpu_seconds),
      ),
    },
  };
}

const rounded = (m: Record<string, number>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, r2(v)]));

/** Each stage's exponent b and the time ratio 10^b it implies for 10× events (the issue: total ≤ 12×). */
function growthOf(sizes: readonly number[], stages: Record<string, number>[]) {
  return Object.fromEntries(
    Object.keys(stages[0]).map((s) => {
      const b = growthExponent(
        sizes,
        stages.map((t) => t[s] ?? 0),
      );
      return [s, b === null ? null : { b: r2(b), ratio_per_10x: r2(10 ** b) }];
    }),
  );
}

function sizesFromArgs(args: readonly string[]): number[] {
  const i = args.indexOf('--sizes');
  const raw = i >= 0 ? args[i + 1] : process.env.SCALE_SIZES;
  return raw ? raw.split(',').map(parseSize) : DEFAULT_SIZES;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--one') console.log(JSON.stringify(await runOne(args[1])));
  else if (args[0] === '--log') console.log(JSON.stringify(writeLog(args[1], parseSize(args[2]))));
  else console.log(JSON.stringify(runScaleBench(sizesFromArgs(args)), null, 2));
}
