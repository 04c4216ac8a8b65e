// Shared by the notebooks: the bridge to the project's ESM TypeScript, where outputs go, and display helpers.
// tslab runs cells as CommonJS and cannot load `.ts`-extension ESM sources; tsx's ESM loader, registered once
// for the kernel, lets a plain dynamic import load them into one shared module graph. (tsx 4.23's CommonJS
// build of `tsx/esm/api` points register() at a missing file, hence the import() of its ESM build.)
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');
const { display } = require('tslab');

const root = dirname(require.resolve('interest-evo/package.json'));
/** Runs, synthetic data and executed copies (git-ignored); the test points these at a temp dir. */
const outDir = resolve(process.env.INTEREST_EVO_NB_OUT ?? 'out');
const figuresDir = resolve(process.env.INTEREST_EVO_NB_FIGURES ?? 'figures');

let registered;

/** Imports a project module by its path under the repo root, e.g. load('src/data/read.ts'). */
async function load(rel) {
  registered ??= import('tsx/esm/api').then((api) => api.register());
  await registered;
  return import(pathToFileURL(join(root, rel)).href);
}

const escapeHtml = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
const cell = (v, digits) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(digits) : (v ?? ''));

/** Shows the first `n` rows of a danfojs DataFrame as an HTML table (floats to `digits` places). */
function showTable(df, n = 10, digits = 4) {
  const head = df.shape[0] > n ? df.head(n) : df;
  const th = head.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = head.values.map(
    (r) => `<tr>${r.map((v) => `<td>${escapeHtml(cell(v, digits))}</td>`).join('')}</tr>`,
  );
  const more = df.shape[0] > n ? `<p>${n} of ${df.shape[0]} rows</p>` : '';
  display.html(`<table><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table>${more}`);
}

/** Renders a Vega-Lite 5 spec headless to SVG and shows it (vega 5 is CommonJS, so tslab loads it). */
async function showChart(spec) {
  const vega = require('vega');
  const vl = require('vega-lite');
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    display.html(await view.toSVG());
  } finally {
    view.finalize();
  }
}

const TINY = { users: 80, items: 160, eventsPerUser: 80, topics: 6, seed: 7 };

/**
 * Writes a synthetic log with planted interest drift and a config that trains on it in well under a minute
 * (hashing encoder, small LSTM, 2 epochs); returns the config path. Runs land in `<outDir>/runs`.
 */
async function writeTinyConfig() {
  const synth = await load('src/data/synth.ts');
  const dir = join(outDir, 'synthetic');
  synth.writeSynthetic(dir, synth.generateSynthetic({ ...TINY, patterns: ['trend', 'cycle', 'switch'] }));
  const runs = join(outDir, 'runs');
  const yaml = synth
    .synthConfigYaml({ name: 'notebook-tiny', topics: TINY.topics, seed: TINY.seed })
    .replace(
      /^run: \{ (.*) \}$/m,
      `run: { $1, out: { checkpoints: ${JSON.stringify(join(runs, 'checkpoints'))}, reports: ${JSON.stringify(join(runs, 'reports'))} } }`,
    )
    .concat(
      'model: { units: 32, input_projection: 32, max_len: 10, negatives: 256 }\n',
      'train: { epochs: 2, batch: 32, patience: 2 }\n',
      'blend: { alpha_grid: [0, 0.25, 0.5, 0.75, 1], popularity_grid: [0, 0.1] }\n',
    );
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** Runs fn with outDir as the working directory: runTraining caches parsed logs under ./data/cache. */
async function inOutDir(fn) {
  const cwd = process.cwd();
  mkdirSync(outDir, { recursive: true });
  process.chdir(outDir);
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

/** Where notebook 02 writes its checkpoint and notebook 03 looks for it. */
const RUN_ID = 'notebook-02';
const checkpointDir = join(outDir, 'runs', 'checkpoints', RUN_ID);

module.exports = {
  root,
  outDir,
  figuresDir,
  load,
  showTable,
  showChart,
  writeTinyConfig,
  inOutDir,
  RUN_ID,
  checkpointDir,
};
