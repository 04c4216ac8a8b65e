/**
 * `interest-evo worker` as its own process for the fault tests. With HOLD_DIR set it is the worker to be
 * killed: on taking a shard it writes HOLD_DIR/started-<pid> and holds the job (its event loop free, so
 * its lock stays renewed) until the test kill -9s it — a mid-job kill without guessing a time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STAGES, type StageHandler } from '../../src/distributed/stages.ts';
import { startWorker } from '../../src/distributed/worker.ts';

const [redis, lockMs] = process.argv.slice(2);
const hold = process.env.HOLD_DIR;
const held: StageHandler = async () => {
  writeFileSync(join(hold as string, `started-${process.pid}`), '');
  for (;;) await sleep(1000);
};
const stages = hold ? Object.fromEntries(Object.keys(STAGES).map((name) => [name, held])) : STAGES;
await startWorker({ redis, concurrency: 1, lockMs: Number(lockMs), log: (l) => console.error(l), stages });
console.log('ready');
