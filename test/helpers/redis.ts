import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian puts redis-server; `.ci/run` installs it, so only a local machine without it skips. */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) =>
  existsSync(p),
);
export const NO_REDIS_REASON = REDIS_SERVER
  ? null
  : 'SKIPPED: no redis-server on this machine (apt-get install -y redis-server)';
if (NO_REDIS_REASON) console.warn(NO_REDIS_REASON);

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGKILL when it does not exit on SIGTERM) and removes its directory. */
  stop(): Promise<void>;
}

/** A free loopback TCP port, as the OS hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts redis-server on a free loopback port in a temporary directory, without persistence (no RDB
 * snapshots, no AOF), resolving once it accepts connections; `port` reuses a port (a restart).
 */
export async function startRedis(port?: number): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error(NO_REDIS_REASON ?? 'no redis-server');
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'interest-evo-redis-'));
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-400)}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
