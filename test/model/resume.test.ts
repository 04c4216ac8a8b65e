import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/util/hash.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

const run = promisify(execFile);
const env = { ...process.env, INTEREST_EVO_PROGRESS: 'off' };
const train = (config: string, ...args: string[]) =>
  run('node', ['bin/interest-evo.js', 'train', '--config', config, '--backend', 'wasm', ...args], { env });

const weightsHash = (dir: string, runId: string) =>
  sha256Hex(readFileSync(join(dir, 'checkpoints', runId, 'model', 'weights.bin')));

/** Waits until the run has saved the given epoch's state, then kill -9s it. */
async function killAfterEpoch(child: ChildProcess, progress: string, epoch: number): Promise<number> {
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (existsSync(progress)) {
      const saved = JSON.parse(readFileSync(progress, 'utf8')).epoch as number;
      if (saved >= epoch) {
        child.kill('SIGKILL');
        return saved;
      }
    }
    if (child.exitCode !== null) throw new Error('training finished before it could be killed');
  }
  throw new Error('no epoch state appeared');
}

describe.each([
  ['plain', false],
  ['with the item residual', true],
])('train --resume after kill -9 (%s)', (_, residual) => {
  it('continues from the last finished epoch and ends with the same weights as an uninterrupted run', async () => {
    const { dir, config } = tinyProject('');
    let patched = readFileSync(config, 'utf8').replace('epochs: 2, patience: 2', 'epochs: 12, patience: 12');
    if (residual) patched = patched.replace('dropout: 0.1 }', 'dropout: 0.1, item_residual: true }');
    (await import('node:fs')).writeFileSync(config, patched);

    await train(config, '--run-id', 'straight');
    const child = spawn(
      'node',
      ['bin/interest-evo.js', 'train', '--config', config, '--backend', 'wasm', '--run-id', 'killed'],
      {
        env,
        stdio: 'ignore',
      },
    );
    const progress = join(dir, 'checkpoints', '.train-state', 'killed', 'progress.json');
    const killedAt = await killAfterEpoch(child, progress, 3);
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(dir, 'checkpoints', 'killed'))).toBe(false);

    const { stderr } = await train(config, '--run-id', 'killed', '--resume');
    expect(stderr).toMatch(new RegExp(`resuming after epoch ${killedAt}`));
    expect(weightsHash(dir, 'killed')).toBe(weightsHash(dir, 'straight'));
    if (residual) {
      const scoring = (runId: string) =>
        sha256Hex(readFileSync(join(dir, 'checkpoints', runId, 'item_scoring_vectors.f32')));
      expect(scoring('killed')).toBe(scoring('straight'));
    }
    // A finished run leaves no state behind.
    expect(existsSync(join(dir, 'checkpoints', '.train-state', 'killed'))).toBe(false);
  }, 300_000);
});
