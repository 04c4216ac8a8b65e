/**
 * vitest globalSetup: every test's temporary files go under one directory of this run, removed when the run
 * ends. Tests create theirs with mkdtemp(tmpdir()), which reads TMPDIR, and the test processes (and what
 * they start: the CLI, Chromium, Jupyter) inherit it; without this each run left its checkpoints and
 * reports behind in the system's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'interest-evo-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
