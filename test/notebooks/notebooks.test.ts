import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthetic, synthConfigYaml, writeSynthetic } from '../../src/data/synth.ts';

const root = join(import.meta.dirname, '..', '..');
const notebooksDir = join(root, 'notebooks');

/** Why the notebooks cannot run here, or null. Installing is `npm run notebooks`' job, too slow for the suite. */
function missing(): string | null {
  const py = spawnSync('/usr/bin/python3', ['-c', 'import nbconvert, nbclient, ipykernel']);
  if (py.status !== 0)
    return 'Jupyter missing: apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel';
  if (!existsSync(join(notebooksDir, 'node_modules', '.bin', 'tslab')))
    return 'notebooks/node_modules absent: run `npm run notebooks` (or `cd notebooks && npm ci`) once';
  return null;
}

const reason = missing();
if (reason) console.warn(`notebooks test skipped: ${reason}`);

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
interface Notebook {
  cells: {
    cell_type: string;
    source: string | string[];
    execution_count?: number | null;
    outputs?: Output[];
  }[];
}

const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));
const outputsOf = (nb: Notebook) => nb.cells.flatMap((c) => c.outputs ?? []);
const streamText = (nb: Notebook) =>
  outputsOf(nb)
    .filter((o) => o.output_type === 'stream')
    .map((o) => text(o.text))
    .join('');

describe.skipIf(reason !== null)('notebooks (executed headless on tiny data)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ievo-notebooks-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs every notebook through scripts/run-notebooks.sh without a cell error', () => {
    // Notebook 01 explores a 30-user synthetic log instead of the shipped sample; 02 trains its own tiny log.
    const data = join(tmp, 'data');
    writeSynthetic(data, generateSynthetic({ users: 30, items: 60, eventsPerUser: 50, topics: 4, seed: 3 }));
    writeFileSync(join(data, 'config.yaml'), synthConfigYaml({ name: 'nb-test', topics: 4, seed: 3 }));
    const out = join(tmp, 'out');
    const figures = join(tmp, 'figures');
    const run = spawnSync('bash', [join(root, 'scripts', 'run-notebooks.sh')], {
      env: {
        ...process.env,
        NOTEBOOKS_SKIP_INSTALL: '1',
        INTEREST_EVO_NB_CONFIG: join(data, 'config.yaml'),
        INTEREST_EVO_NB_OUT: out,
        INTEREST_EVO_NB_FIGURES: figures,
      },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);

    const names = readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb'));
    expect(names.sort()).toEqual([
      '01-explore-data.ipynb',
      '02-train-and-evaluate.ipynb',
      '03-interest-trajectories.ipynb',
    ]);
    const executed = Object.fromEntries(
      names.map((n) => [n, JSON.parse(readFileSync(join(out, 'executed', n), 'utf8')) as Notebook]),
    );
    for (const [name, nb] of Object.entries(executed)) {
      // Every code cell ran. tslab writes errors (compile diagnostics "line:col - …" or a stack) to stderr,
      // where the library's progress bars go too.
      for (const cell of nb.cells.filter((c) => c.cell_type === 'code'))
        expect(cell.execution_count, `${name}: ${text(cell.source).slice(0, 80)}`).toBeGreaterThan(0);
      const stderr = outputsOf(nb)
        .filter((o) => o.output_type === 'error' || o.name === 'stderr')
        .map((o) => text(o.text));
      expect(stderr.filter((t) => /Error|^\d+:\d+ - /m.test(t))).toEqual([]);
    }

    expect(streamText(executed['01-explore-data.ipynb'])).toContain('30 users, 60 items, 1500 events');
    expect(streamText(executed['02-train-and-evaluate.ipynb'])).toMatch(/trained and evaluated in [\d.]+ s/);
    expect(existsSync(join(out, 'runs', 'checkpoints', 'notebook-02', 'manifest.json'))).toBe(true);
    expect(streamText(executed['03-interest-trajectories.ipynb'])).toContain('notebook-02: 80 users');

    const png = readFileSync(join(figures, '03-trajectory.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(5_000);
  }, 400_000);
});
