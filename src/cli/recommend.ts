import type { CommandModule } from 'yargs';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend, resolveBackend } from '../model/backend.ts';
import { Recommender } from '../recommend/recommender.ts';
import { finish } from './output.ts';

interface Args {
  checkpoint: string;
  user: string;
  k: number;
  'include-seen': boolean;
  backend?: BackendPref;
  json: boolean;
}

export const recommendCommand: CommandModule<object, Args> = {
  command: 'recommend',
  describe: 'next-period recommendations for a user, from a checkpoint alone',
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true })
      .option('user', { type: 'string', demandOption: true, describe: 'user id as in the data' })
      .option('k', { type: 'number', default: 10 })
      .option('include-seen', {
        type: 'boolean',
        default: false,
        describe: 'allow items the user already had',
      })
      .option('backend', {
        choices: BACKEND_PREFS,
        describe: 'tfjs backend (default: INTEREST_EVO_BACKEND, else auto)',
      })
      .option('json', { type: 'boolean', default: false })
      .check((a) => {
        if (!Number.isInteger(a.k) || a.k < 1 || a.k > 1000)
          throw new Error('--k must be an integer from 1 to 1000');
        return true;
      }) as never,
  handler: async (args) => {
    await resolveBackend(requestedBackend(args.backend) ?? 'auto');
    const rec = new Recommender(await loadCheckpoint(args.checkpoint));
    const r = rec.recommend(String(args.user), args.k, { excludeSeen: !args['include-seen'] });
    rec.dispose();
    finish(args.json, r, () =>
      [
        `user ${r.user}: next-period forecast topics ${r.topics
          .slice(0, 3)
          .map((t) => `${t.label} ${(100 * t.share).toFixed(0)}%`)
          .join(', ')}`,
        ...r.items.map(
          (it, i) => `${String(i + 1).padStart(3)}. ${it.score.toFixed(3)}  ${it.title}  [${it.id}]`,
        ),
      ].join('\n'),
    );
  },
};
