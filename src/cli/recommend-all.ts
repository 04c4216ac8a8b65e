import type { CommandModule } from 'yargs';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend, resolveBackend } from '../model/backend.ts';
import { recommendAll } from '../pipeline/recommend-all.ts';
import { finish } from './output.ts';

interface Args {
  checkpoint: string;
  out: string;
  k: number;
  'include-seen': boolean;
  redis?: string;
  shards: number;
  backend?: BackendPref;
  json: boolean;
}

export const recommendAllCommand: CommandModule<object, Args> = {
  command: 'recommend-all',
  describe: "every stored user's top K from a checkpoint to Parquet (user, rank, item, score)",
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true })
      .option('out', { type: 'string', demandOption: true, describe: 'Parquet file to write' })
      .option('k', { type: 'number', default: 100 })
      .option('include-seen', {
        type: 'boolean',
        default: false,
        describe: 'allow items the user already had',
      })
      .option('redis', { type: 'string', describe: 'shard users over `worker`s on this Redis' })
      .option('shards', { type: 'number', default: 8, describe: 'user shards with --redis' })
      .option('backend', {
        choices: BACKEND_PREFS,
        describe: 'tfjs backend (default: INTEREST_EVO_BACKEND, else auto)',
      })
      .option('json', { type: 'boolean', default: false })
      .check((a) => {
        if (!a.out.endsWith('.parquet')) throw new Error('--out must name a .parquet file');
        if (!Number.isInteger(a.k) || a.k < 1 || a.k > 1000)
          throw new Error('--k must be an integer from 1 to 1000');
        if (!Number.isInteger(a.shards) || a.shards < 1)
          throw new Error('--shards must be a positive integer');
        return true;
      }) as never,
  handler: async (args) => {
    if (!args.redis) await resolveBackend(requestedBackend(args.backend) ?? 'auto');
    const r = await recommendAll({
      checkpoint: args.checkpoint,
      out: args.out,
      k: args.k,
      excludeSeen: !args['include-seen'],
      redis: args.redis,
      shards: args.shards,
    });
    finish(
      args.json,
      { out: args.out, ...r },
      () => `top ${args.k} of ${r.users} users → ${args.out} (${r.seconds.toFixed(1)}s)`,
    );
  },
};
