import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = 'bin/interest-evo.js';

/** Runs the real CLI; resolves with stdout/stderr/exit code instead of throwing on a non-zero exit. */
export async function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run('node', [BIN, ...args], {
      env: { ...process.env, INTEREST_EVO_PROGRESS: 'off', ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
