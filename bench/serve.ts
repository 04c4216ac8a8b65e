/**
 * Serving latency/throughput on ml-latest-small: `tsx bench/serve.ts [--seconds 10] [--checkpoint DIR]`
 * prints JSON. Without --checkpoint it builds `checkpoints/bench-serve` with configs/movielens-small-fast.yaml
 * (hashing encoder, ~2–5 min) unless one that loads is already there; pass the checkpoint of
 * `npm run train -- --config configs/movielens-small.yaml` to measure the default (USE-lite) model. Starts
 * the server on 127.0.0.1 (ephemeral port) in its own process, load-tests it with autocannon (10
 * connections, bounded by time and by request count) and fuzzes it in-process (no 5xx allowed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CheckpointError, loadCheckpoint } from '../src/checkpoint/load.ts';
import { loadConfig } from '../src/config/load.ts';
import { resolveBackend } from '../src/model/backend.ts';
import { runTraining } from '../src/pipeline/train.ts';
import { createServer, type RecommendServer } from '../src/serve/server.ts';
import { mulberry32 } from '../src/util/random.ts';
import { fuzzRequests } from '../test/serve/fuzz-requests.ts';
import { machine, peakRssMb } from './machine.ts';

/** The slice of autocannon's API used here (the package ships no types). */
interface CannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  maxOverallRequests?: number;
  requests: { setupRequest: (req: CannonRequest) => CannonRequest }[];
}) => Promise<CannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONFIG = 'configs/movielens-small-fast.yaml';
const RUN_ID = 'bench-serve';

/** The given checkpoint (it must load), else checkpoints/bench-serve when it loads and verifies, else trains it. */
async function ensureCheckpoint(
  log: (l: string) => void,
  given?: string,
): Promise<{ dir: string; reused: boolean; build_s: number }> {
  if (given) {
    (await loadCheckpoint(given)).model.dispose();
    return { dir: given, reused: true, build_s: 0 };
  }
  const loaded = loadConfig(CONFIG);
  const dir = join(loaded.config.run.out.checkpoints, RUN_ID);
  try {
    (await loadCheckpoint(dir)).model.dispose();
    return { dir, reused: true, build_s: 0 };
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    log(`bench serve: building ${dir} (${e.message})`);
  }
  const t0 = performance.now();
  const r = await runTraining(loaded, { runId: RUN_ID, log });
  return { dir: r.checkpointDir, reused: false, build_s: (performance.now() - t0) / 1000 };
}

const summary = (r: CannonResult) => ({
  req_per_s: Math.round(r.requests.average),
  requests: r.requests.total,
  p50_ms: r.latency.p50,
  p90_ms: r.latency.p90,
  p99_ms: r.latency.p99,
  max_ms: r.latency.max,
  non_2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  seconds: r.duration,
});

/** Each load run also stops after this many requests per second of its duration. */
const MAX_REQUESTS_PER_S = 20_000;

/** autocannon over GET /v1/users/:id/recommendations?k=10 for seeded random known users. */
async function loadUserGets(url: string, users: readonly string[], connections: number, seconds: number) {
  const rand = mulberry32(1);
  const path = () =>
    `/v1/users/${encodeURIComponent(users[Math.floor(rand() * users.length)])}/recommendations?k=10`;
  return autocannon({
    url,
    connections,
    duration: seconds,
    maxOverallRequests: seconds * MAX_REQUESTS_PER_S,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: path() }) }],
  });
}

const meets = (r: CannonResult) => r.latency.p99 <= 20 && r.requests.average >= 500;

/** Starts `interest-evo serve` as its own process (so autocannon does not share its event loop). */
async function spawnServer(dir: string, cacheEntries: number): Promise<{ url: string; child: ChildProcess }> {
  const entry = fileURLToPath(new URL('../test/serve/serve-entry.ts', import.meta.url));
  const args = ['--import', 'tsx', entry, 'serve', '--checkpoint', dir, '--port', '0', '--json'];
  const child = spawn(process.execPath, [...args, '--cache-entries', String(cacheEntries)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, INTEREST_EVO_PROGRESS: 'off' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.match(/\{.*\}\n/);
      if (line) resolve(JSON.parse(line[0]).url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening`)));
  });
  return { url, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Per-request handler cost without HTTP or a load generator: sequential inject of every user's GET. */
async function injectLatency(app: RecommendServer['app'], users: readonly string[], rounds: number) {
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const u of users) {
      const t = performance.now();
      await app.inject({ method: 'GET', url: `/v1/users/${encodeURIComponent(u)}/recommendations?k=10` });
      ms.push(performance.now() - t);
    }
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] * 100) / 100;
  return {
    requests: ms.length,
    p50_ms: q(0.5),
    p99_ms: q(0.99),
    mean_ms: Math.round((ms.reduce((a, b) => a + b, 0) / ms.length) * 100) / 100,
  };
}

export async function runServeBench(
  opts: { seconds?: number; connections?: number; fuzz?: number; checkpoint?: string } = {},
) {
  const seconds = opts.seconds ?? 10;
  const connections = opts.connections ?? 10;
  const log = (l: string) => console.error(l);
  const backend = await resolveBackend('auto');
  const ck = await ensureCheckpoint(log, opts.checkpoint);
  const results: Record<string, unknown> = {};

  // In-process: handler cost, then the fuzz.
  const server = await createServer({ checkpoint: ck.dir, cacheEntries: 0 });
  const { ck: loaded } = server.slot.current;
  const users = loaded.users;
  const items = loaded.items.ids;
  try {
    await injectLatency(server.app, users, 1); // warm-up: JIT and every user's LSTM vector
    results.inject_get_uncached = await injectLatency(server.app, users, 2);
    results.fuzz = await fuzzServer(server.app, { users, items }, opts.fuzz ?? 10_000);
  } finally {
    await server.close();
  }

  // Over HTTP on loopback, the server in its own process, uncached (every request scores the catalogue)
  // and with the per-user result cache (the steady state for returning users).
  for (const [name, cacheEntries] of [
    ['uncached', 0],
    ['cached', 10_000],
  ] as const) {
    const { url, child } = await spawnServer(ck.dir, cacheEntries);
    try {
      await loadUserGets(url, users, connections, 2); // warm-up
      const get = await loadUserGets(url, users, connections, seconds);
      results[`http_get_user_recommendations_${name}`] = { ...summary(get), meets_targets: meets(get) };
      if (name === 'uncached') {
        const rand = mulberry32(2);
        const body = () =>
          JSON.stringify({
            events: Array.from({ length: 30 }, (_, j) => ({
              item: items[Math.floor(rand() * items.length)],
              ts: 1_500_000_000 + j * 3600,
            })),
            k: 10,
          });
        const postSeconds = Math.max(2, Math.round(seconds / 2));
        const post = await autocannon({
          url,
          connections,
          duration: postSeconds,
          maxOverallRequests: postSeconds * MAX_REQUESTS_PER_S,
          requests: [
            {
              setupRequest: (req) => ({
                ...req,
                method: 'POST',
                path: '/v1/recommendations',
                headers: { 'content-type': 'application/json' },
                body: body(),
              }),
            },
          ],
        });
        results.http_post_history_30_events = summary(post);
      }
    } finally {
      await stopServer(child);
    }
  }
  return {
    bench: 'serve',
    machine: machine(),
    // Other work on the machine skews latency: the 1-minute load average at the end says how much.
    load_avg_1m: Math.round(loadavg()[0] * 100) / 100,
    backend: backend.name,
    checkpoint: {
      dir: ck.dir,
      run_id: loaded.manifest.run_id,
      users: users.length,
      items: items.length,
      encoder: `${loaded.manifest.encoder.id} (${loaded.manifest.encoder.dim}-d)`,
      item_residual: loaded.scoringVectors !== null,
      // Multiply-adds per item and query: LSTM units + 1 + topics (the low-rank scoring of Recommender).
      scoring_rank: loaded.manifest.model.units + 1 + loaded.manifest.topics.k,
      reused: ck.reused,
      build_s: ck.build_s,
    },
    load: {
      connections,
      seconds,
      max_requests: seconds * MAX_REQUESTS_PER_S,
      host: '127.0.0.1',
      targets: { p99_ms: 20, req_per_s: 500 },
    },
    ...results,
    peak_rss_mb: peakRssMb(),
  };
}

/** The seeded malformed-request generator of the tests, in-process: counts statuses, 5xx and heap growth. */
async function fuzzServer(
  app: Awaited<ReturnType<typeof createServer>>['app'],
  cat: { users: string[]; items: string[] },
  n: number,
) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const t0 = performance.now();
  const statuses: Record<string, number> = {};
  let before = 0;
  let i = 0;
  for (const req of fuzzRequests(20_240_601, n, cat)) {
    const res = await app.inject(req);
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    if (++i === Math.min(1_000, n)) before = heap();
  }
  const status5xx = Object.entries(statuses).reduce((s, [code, c]) => s + (Number(code) >= 500 ? c : 0), 0);
  return {
    requests: n,
    status_5xx: status5xx,
    statuses,
    heap_growth_mb: Math.round((heap() - before) * 10) / 10,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '10' }, checkpoint: { type: 'string' } },
  });
  const seconds = Number(values.seconds);
  if (!(seconds >= 1)) throw new Error(`--seconds must be a number ≥ 1, got ${values.seconds}`);
  console.log(JSON.stringify(await runServeBench({ seconds, checkpoint: values.checkpoint }), null, 2));
}
