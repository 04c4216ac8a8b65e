/**
 * `npm run bench [-- NAME ...]`: runs the benches (each in its own process, so backends and peak RSS do
 * not mix) and prints one JSON document. Speeds are compared as ratios measured side by side in one run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { machine } from './machine.ts';

const ALL = ['pipeline', 'train', 'embed', 'forecast', 'data', 'serve', 'scale', 'distributed'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const results: Record<string, unknown> = {};
for (const name of wanted) {
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file)) {
    results[name] = { skipped: 'no such bench yet' };
    continue;
  }
  console.error(`bench ${name} …`);
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', file.pathname], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, INTEREST_EVO_PROGRESS: 'off' },
    });
    results[name] = JSON.parse(out.slice(out.indexOf('{')));
  } catch (e) {
    results[name] = { failed: (e as Error).message.split('\n')[0] };
  }
}
console.log(JSON.stringify({ machine: machine(), at: new Date().toISOString(), results }, null, 2));
