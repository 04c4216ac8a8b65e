import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCheckpoint } from './fixture.ts';

/** Resolves with the first chunk of `stream` output matching `re`. */
function waitFor(stream: NodeJS.ReadableStream, re: RegExp, ms = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got: ${text}`)), ms);
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = text.match(re);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
}

describe('interest-evo serve (a real process on 127.0.0.1)', () => {
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const { run } = await tinyCheckpoint('tiny-cli-serve');
    const entry = new URL('./serve-entry.ts', import.meta.url).pathname;
    child = spawn(
      process.execPath,
      ['--import', 'tsx', entry, 'serve', '--checkpoint', run.checkpointDir, '--port', '0', '--json'],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, INTEREST_EVO_PROGRESS: 'off' },
      },
    );
    url = JSON.parse(await waitFor(child.stdout!, /\{.*\}\n/)).url;
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('listens on loopback, reloads on SIGHUP and exits 0 on SIGTERM', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', model: 'tiny-cli-serve' });
    const reloaded = waitFor(child.stderr!, /checkpoint reloaded/);
    child.kill('SIGHUP');
    await reloaded;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
