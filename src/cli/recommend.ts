import type { CommandModule } from 'yargs';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend, resolveBackend } from '../model/backend.ts';
import { HistoryRecommender } from '../recommend/history.ts';
import { interestEvents } from '../recommend/history-request.ts';
import { type Recommendation, Recommender } from '../recommend/recommender.ts';
import { finish } from './output.ts';

interface Args {
  checkpoint: string;
  user?: string;
  interest?: string[];
  kind?: string;
  k: number;
  'include-seen': boolean;
  backend?: BackendPref;
  json: boolean;
  explain: boolean;
}

/** One listed item: score, title and id, then with --explain the term that put it there and its topic. */
function itemLine(it: Recommendation, rank: number): string {
  const line = `${String(rank).padStart(3)}. ${it.score.toFixed(3)}  ${it.title}  [${it.id}]`;
  if (!it.reason) return line;
  const lift = it.reason === 'none' ? undefined : it.lift?.[it.reason];
  const by =
    lift === undefined ? it.reason : `${it.reason} ${lift >= 0 ? '+' : ''}${lift.toFixed(3)} over median`;
  return `${line}  ← ${by}; topic ${it.topic}`;
}

export const recommendCommand: CommandModule<object, Args> = {
  command: 'recommend',
  describe: 'next-period recommendations for a user (or free-text interests), from a checkpoint alone',
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true })
      .option('user', { type: 'string', describe: 'user id as in the data' })
      .option('interest', {
        type: 'string',
        array: true,
        describe: 'a free-text interest (repeatable): recommendations for a user with no events',
      })
      .option('kind', { type: 'string', describe: 'only items of this kind (items.kind of the data)' })
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
      .option('explain', {
        type: 'boolean',
        default: false,
        describe: "per item: the blend term that put it in the list (each term's lift) and its topic",
      })
      .check((a) => {
        if (!Number.isInteger(a.k) || a.k < 1 || a.k > 1000)
          throw new Error('--k must be an integer from 1 to 1000');
        if ((a.user === undefined) === (a.interest === undefined))
          throw new Error('give exactly one of --user or --interest');
        return true;
      }) as never,
  handler: async (args) => {
    await resolveBackend(requestedBackend(args.backend) ?? 'auto');
    const rec = new Recommender(await loadCheckpoint(args.checkpoint));
    const opts = { excludeSeen: !args['include-seen'], explain: args.explain, kind: args.kind };
    let r: { user: string } & Omit<ReturnType<Recommender['recommend']>, 'user'>;
    if (args.interest) {
      // A user known only by their stated interests goes through the ad-hoc history path.
      const history = new HistoryRecommender(rec);
      const events = interestEvents(args.interest.map(String), Math.floor(Date.now() / 1000));
      r = { user: '(interests)', ...(await history.recommend(events, args.k, opts)) };
      await history.dispose();
    } else r = rec.recommend(String(args.user), args.k, opts);
    rec.dispose();
    finish(args.json, r, () =>
      [
        `user ${r.user}: next-period forecast topics ${r.topics
          .slice(0, 3)
          .map((t) => `${t.label} ${(100 * t.share).toFixed(0)}%`)
          .join(', ')}`,
        ...r.items.map((it, i) => itemLine(it, i + 1)),
      ].join('\n'),
    );
  },
};
