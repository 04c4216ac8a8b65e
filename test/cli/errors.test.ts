import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorReport, UsageError } from '../../src/cli/errors.ts';
import { runCli } from '../../src/cli/program.ts';
import { spawnCli } from '../helpers/cli.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

const project = tinyProject();
const dir = project.dir;
const f = (name: string) => join(dir, name);

beforeAll(() => {
  const tiny = readFileSync(project.config, 'utf8');
  writeFileSync(f('badcol.yaml'), tiny.replace('user: userId', 'user: userID'));
  writeFileSync(f('wrongtype.yaml'), tiny.replace('epochs: 2', 'epochs: two'));
  writeFileSync(f('unknown-key.yaml'), `${tiny}surprise: 1\n`);
  writeFileSync(f('bad.yaml'), 'data: [\n');
  mkdirSync(f('empty-ck'));
  mkdirSync(f('garbage-ck'));
  writeFileSync(f('garbage-ck/manifest.json'), '{');
  mkdirSync(f('full-out'));
  writeFileSync(f('full-out/x'), '');
});

/** Bad invocations of every command: argv (with {dir} standing for the fixture folder), what the line names, exit code. */
const CORPUS: [string, RegExp, number][] = [
  ['', /name a command/, 2],
  ['nope', /nope/, 2],
  ['--nope', /name a command/, 2],
  ['train', /Missing required argument: config/, 2],
  ['train --config {dir}/missing.yaml', /cannot read config .*missing\.yaml/, 1],
  ['train --config {dir}/empty-ck', /cannot read config .*empty-ck/, 1],
  ['train --config {dir}/bad.yaml', /bad\.yaml is not valid YAML/, 1],
  ['train --config {dir}/unknown-key.yaml', /surprise/, 1],
  ['train --config {dir}/wrongtype.yaml', /train\.epochs/, 1],
  ['train --config {dir}/tiny.yaml --backend gpu', /backend.*gpu/, 2],
  ['train --config {dir}/tiny.yaml --bogus', /Unknown argument: bogus/, 2],
  ['train --config {dir}/tiny.yaml --resume --run-id nope', /no saved training state .*nope/, 1],
  ['train --config {dir}/badcol.yaml', /ratings\.csv: column "userID" .*columns: userId/, 1],
  ['evaluate', /Missing required argument: checkpoint/, 2],
  ['evaluate --checkpoint {dir}/missing', /missing: checkpoint directory not found/, 1],
  ['evaluate --checkpoint {dir}/empty-ck', /empty-ck\/manifest\.json/, 1],
  ['evaluate --checkpoint {dir}/empty-ck --config {dir}/missing.yaml', /cannot read config .*missing/, 1],
  ['recommend --checkpoint {dir}/missing', /give exactly one of --user or --interest/, 2],
  ['recommend --checkpoint {dir}/missing --user 1 --k 0', /--k must be an integer/, 2],
  ['recommend --checkpoint {dir}/missing --user 1 --k abc', /--k must be an integer/, 2],
  ['recommend --checkpoint {dir}/missing --user 1 --k 2.5', /--k must be an integer/, 2],
  ['recommend --checkpoint {dir}/missing --user 1 --backend gpu', /backend.*gpu/, 2],
  ['recommend --checkpoint {dir}/missing --user 1', /missing: checkpoint directory not found/, 1],
  ['recommend --checkpoint {dir}/garbage-ck --user 1', /garbage-ck\/manifest\.json/, 1],
  ['embed', /--config FILE, or one or more --text/, 2],
  ['embed --text hi --encoder nope', /encoder.*nope/, 2],
  ['embed --config {dir}/unknown-key.yaml', /surprise/, 1],
  ['data', /name a data command/, 2],
  ['data nope', /nope/, 2],
  ['data inspect', /Missing required argument: config/, 2],
  ['data inspect --config {dir}/bad.yaml', /bad\.yaml is not valid YAML/, 1],
  [
    'data inspect --config {dir}/badcol.yaml --cache-root {dir}/cache',
    /ratings\.csv: column "userID" \(data\.events\.user\) does not exist; columns: userId/,
    1,
  ],
  ['data export-recbole --config {dir}/tiny.yaml', /Missing required argument: out/, 2],
  ['data export-recbole --config {dir}/missing.yaml --out {dir}/rb', /cannot read config .*missing/, 1],
  ['data export-recbole --config {dir}/tiny.yaml --out {dir}/rb --max-history 0', /--max-history/, 1],
  ['data synth', /Missing required argument: out/, 2],
  ['data synth --out {dir}/s --users -1', /--users must be a positive integer, got -1/, 1],
  ['data synth --out {dir}/s --users abc', /--users must be a positive integer, got NaN/, 1],
  ['data synth --out {dir}/s --items 2.5', /--items must be a positive integer/, 1],
  ['data synth --out {dir}/s --events 0', /--events must be a positive integer/, 1],
  ['data synth --out {dir}/s --topics 99', /--topics must be at most \d+, got 99/, 1],
  ['data synth --out {dir}/s --months', /--months must be a positive integer/, 1],
  ['data synth --out {dir}/s --seed 1.5', /--seed must be an integer/, 1],
  ['data synth --out {dir}/s --patterns nope', /patterns.*nope/, 2],
  ['data synth --out {dir}/full-out --users 5 --items 8 --events 50', /--out .*full-out .*--force/, 1],
  ['report', /Missing required argument: runs/, 2],
  ['report --runs {dir}/missing', /no report\.json or metrics\.json in .*missing/, 1],
  ['serve', /Missing required argument: checkpoint/, 2],
  ['serve --checkpoint {dir}/missing --port 70000', /--port must be an integer/, 2],
  ['serve --checkpoint {dir}/missing --port -1', /--port must be an integer/, 2],
  ['serve --checkpoint {dir}/missing --cache-entries -1', /--cache-entries/, 2],
  ['serve --checkpoint {dir}/missing --body-limit 10', /--body-limit/, 2],
  ['serve --checkpoint {dir}/missing --port 0', /missing: checkpoint directory not found/, 1],
];

const argv = (line: string) => (line ? line.replaceAll('{dir}', dir).split(' ') : []);

/** What the CLI's top level would print for this invocation, run in-process (a spawn costs seconds). */
async function failure(line: string) {
  return runCli(argv(line)).then(
    () => null,
    (e) => errorReport(e, false),
  );
}

const STACK_LINE = /^\s+at /m;

describe('CLI errors', () => {
  it.each(CORPUS)('interest-evo %s', async (line, names, code) => {
    const r = await failure(line);
    expect(r, 'the invocation succeeded').not.toBeNull();
    expect(r!.text).not.toMatch(STACK_LINE);
    expect(r!.text.split('\n')[0]).toMatch(/^interest-evo: /);
    expect(r!.text).toMatch(names);
    expect(r!.code).toBe(code);
  });

  it('prints only the message of a deliberate error, and the type and a hint for a likely bug', () => {
    expect(errorReport(new UsageError('--k must be ≥ 1'), false)).toEqual({
      text: 'interest-evo: --k must be ≥ 1 (see --help)\n',
      code: 2,
    });
    expect(errorReport(new TypeError('x is undefined'), false).text).toBe(
      'interest-evo: TypeError: x is undefined (--debug prints the stack)\n',
    );
    expect(errorReport('thrown string', false)).toEqual({ text: 'interest-evo: thrown string\n', code: 1 });
  });

  // The real process: the top level prints one line, --debug adds the stack,
  // and a bad INTEREST_EVO_* value (thrown while modules load) is reported the same way.
  it('the process prints one line and exits non-zero; --debug adds the stack', async () => {
    const inspect = ['data', 'inspect', '--config', f('badcol.yaml'), '--cache-root', f('cache')];
    const [plain, debug, k0, badEnv] = await Promise.all([
      spawnCli(inspect),
      spawnCli([...inspect, '--debug']),
      spawnCli(['recommend', '--checkpoint', f('missing'), '--user', '1', '--k', '0']),
      spawnCli(['recommend', '--checkpoint', f('missing'), '--user', '1'], { INTEREST_EVO_BACKEND: 'gpu' }),
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^interest-evo: .*column "userID".*\n$/);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^interest-evo: .*column "userID"/);
    expect(debug.stderr).toMatch(STACK_LINE);
    expect(k0).toMatchObject({
      code: 2,
      stderr: 'interest-evo: --k must be an integer from 1 to 1000 (see --help)\n',
    });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toMatch(/^interest-evo: INTEREST_EVO_BACKEND="gpu" is not one of: .*\n$/);
  });
});
