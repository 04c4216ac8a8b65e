/** Worker threads running TypeScript entries (the project runs through tsx, without a build step). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * Starts a .ts entry in a worker thread. Node 20 does not apply loader hooks registered through a worker's
 * `execArgv: ['--import', 'tsx']` to the worker's own entry file ("Unknown file extension .ts", measured
 * under both the tsx CLI and vitest), so the worker starts from a two-line JS bootstrap that registers
 * tsx's ESM loader in that thread and then imports the .ts entry. Works the same under tsx, vitest and
 * plain node, and on Node 22+.
 */
export function startTsWorker(entry: URL, workerData: unknown): Worker {
  // The ESM build of tsx's API (require.resolve would pick its CJS build, which cannot be import()ed here).
  const api = pathToFileURL(
    join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
