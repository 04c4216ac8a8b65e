import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { startWorker } from '../../src/distributed/worker.ts';
import { runTraining } from '../../src/pipeline/train.ts';
import { NO_REDIS_REASON, startRedis, type TestRedis } from '../helpers/redis.ts';
import { editConfig, tinyProject } from '../helpers/tiny-run.ts';
import { trainTiny } from '../helpers/train-tiny.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const ENTRY = new URL('./worker-entry.ts', import.meta.url).pathname;
// Long enough that a live worker starved of CPU by a parallel test run is not taken for dead.
const LOCK_MS = 3000;

/** sha256 of every checkpoint file (model weights, item vectors, users' forecasts, …) by name. */
const fileHashes = (checkpointDir: string) =>
  Object.fromEntries(
    Object.entries(
      (
        JSON.parse(readFileSync(join(checkpointDir, 'manifest.json'), 'utf8')) as {
          files: Record<string, { sha256: string }>;
        }
      ).files,
    ).map(([name, f]) => [name, f.sha256]),
  );

interface WorkerProcess {
  child: ChildProcess;
  /** Everything it logged so far. */
  stderr: () => string;
}

/** A worker process (worker-entry.ts), resolved once it takes jobs. */
async function spawnWorker(redis: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, redis, String(LOCK_MS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INTEREST_EVO_PROGRESS: 'off', ...env },
  });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
  });
  return { child, stderr: () => err };
}

describe.skipIf(NO_REDIS_REASON !== null)('train --redis (sharded embedding and user forecasts)', () => {
  let redis: TestRedis;
  let project: ReturnType<typeof tinyProject>;
  let baseline: Record<string, string>;
  const workers: ChildProcess[] = [];
  const train = (runId: string) =>
    runTraining(loadConfig(project.config), { runId, redis: redis.url, log: () => {} });

  beforeAll(async () => {
    redis = await startRedis();
    project = tinyProject('distributed: { shards: 4, attempts: 3 }\n');
    // The single-process run: distributed.redis is null, no --redis.
    const single = await trainTiny(project, 'single');
    baseline = fileHashes(single.checkpointDir);
  });
  afterEach(() => {
    for (const w of workers.splice(0)) if (w.exitCode === null) w.kill('SIGKILL');
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('two worker processes give the single-process checkpoint, file for file', async () => {
    for (let i = 0; i < 2; i++) workers.push((await spawnWorker(redis.url)).child);
    const run = await train('sharded');
    expect(fileHashes(run.checkpointDir)).toEqual(baseline);
    expect(Object.keys(baseline)).toEqual(expect.arrayContaining(['item_vectors.f32']));
    // The shard files went with the finished run's training state.
    expect(existsSync(join(project.dir, 'checkpoints', '.train-state', 'sharded'))).toBe(false);
  });

  it('the gated topic source with the pooled forecaster: its backtest forecasts shard too, same checkpoint', async () => {
    const gated = tinyProject('distributed: { shards: 3 }\n');
    editConfig(
      gated.config,
      'forecast: { model: arima, order: [1, 1, 1], fallback: ses, horizon: 1 }',
      'forecast: { model: pooled }',
    );
    editConfig(gated.config, 'blend: {', 'blend: { topic_source: gated,');
    const cfg = loadConfig(gated.config);
    const single = await runTraining(cfg, { runId: 'gated-single', log: () => {} });
    const worked: string[] = [];
    const w = await startWorker({
      redis: redis.url,
      concurrency: 1,
      lockMs: LOCK_MS,
      log: (l) => worked.push(l),
    });
    const lines: string[] = [];
    try {
      const sharded = await runTraining(cfg, {
        runId: 'gated-sharded',
        redis: redis.url,
        log: (l) => lines.push(l),
      });
      expect(fileHashes(sharded.checkpointDir)).toEqual(fileHashes(single.checkpointDir));
    } finally {
      await w.close();
    }
    // The users' forecasts and their backtest points: 3 shards each.
    expect(worked.filter((l) => / forecast \d\/3 done/.test(l))).toHaveLength(6);
    expect(lines.join('\n')).toMatch(/topic shares from gated/);
  });

  it('a worker kill -9-ed mid-job: another worker retries its shard, each shard written once, same checkpoint', async () => {
    const hold = mkdtempSync(join(tmpdir(), 'interest-evo-hold-'));
    const victim = await spawnWorker(redis.url, { HOLD_DIR: hold });
    workers.push(victim.child);
    const running = train('killed');
    await vi.waitFor(() => expect(readdirSync(hold)).toEqual([`started-${victim.child.pid}`]), {
      timeout: 60_000,
      interval: 50,
    });
    victim.child.kill('SIGKILL');
    const survivor = await spawnWorker(redis.url);
    workers.push(survivor.child);
    const run = await running;
    expect(fileHashes(run.checkpointDir)).toEqual(baseline);
    // Every shard of every stage was computed once, by the survivor (the victim never wrote one).
    const done = survivor.stderr().match(/: \w+ \d+\/\d+ done/g) ?? [];
    expect(done.length).toBeGreaterThan(4);
    expect(new Set(done).size).toBe(done.length);
    expect(done.filter((l) => / embed \d+\/4 /.test(l))).toHaveLength(4);
  });
});
