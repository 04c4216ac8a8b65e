import type { CommandModule } from 'yargs';
import { assertRedisReachable } from '../distributed/redis.ts';
import { startWorker } from '../distributed/worker.ts';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { describeBackend, requestedBackend, resolveBackend } from '../model/backend.ts';
import { finish } from './output.ts';

interface Args {
  redis: string;
  concurrency: number;
  'lock-ms': number;
  backend?: BackendPref;
  json: boolean;
}

export const workerCommand: CommandModule<object, Args> = {
  command: 'worker',
  describe:
    'take sharded stage jobs (item embedding, topic forecasts) from a Redis queue; run one per core, on any machine that sees the run storage (SIGTERM stops after the current job)',
  builder: (y) =>
    y
      .option('redis', { type: 'string', demandOption: true, describe: 'Redis URL, e.g. redis://host:6379' })
      .option('concurrency', {
        type: 'number',
        default: 1,
        describe: 'jobs at once in this process (one event loop: more helps I/O-bound stages only)',
      })
      .option('lock-ms', {
        type: 'number',
        default: 30_000,
        describe: 'a job whose worker is gone this long is retried by another worker',
      })
      .option('backend', {
        choices: BACKEND_PREFS,
        describe: 'tfjs backend (default: INTEREST_EVO_BACKEND, else auto); match the coordinator’s',
      })
      .option('json', { type: 'boolean', default: false })
      .check((a) => {
        if (!Number.isInteger(a.concurrency) || a.concurrency < 1)
          throw new Error('--concurrency must be a positive integer');
        if (!Number.isInteger(a['lock-ms']) || a['lock-ms'] < 100)
          throw new Error('--lock-ms must be an integer ≥ 100');
        return true;
      }) as never,
  handler: async (args) => {
    // An unreachable Redis is the one line printed, before any other output.
    await assertRedisReachable(args.redis);
    console.error(describeBackend(await resolveBackend(requestedBackend(args.backend) ?? 'auto')));
    const w = await startWorker({
      redis: args.redis,
      concurrency: args.concurrency,
      lockMs: args['lock-ms'],
      log: (line) => console.error(line),
    });
    finish(
      args.json,
      { redis: args.redis, pid: process.pid },
      () => `worker ${process.pid} ready on ${args.redis}`,
    );
    const stop = (signal: string) => {
      console.error(`worker: ${signal}, finishing the current job`);
      w.close().then(
        () => process.exit(0),
        (e: Error) => {
          console.error(`worker: ${e.message}`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  },
};
