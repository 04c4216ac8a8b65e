import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { dataCommand } from './data.ts';
import { embedCommand } from './embed.ts';
import { evaluateCommand } from './evaluate.ts';
import { recommendCommand } from './recommend.ts';
import { reportCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { trainCommand } from './train.ts';

await yargs(hideBin(process.argv))
  .scriptName('interest-evo')
  .usage(
    '$0 <command> [options]\n\nTrains and serves an interest-evolution recommender (LSTM + ARIMA over text embeddings).',
  )
  .command(trainCommand)
  .command(evaluateCommand)
  .command(recommendCommand)
  .command(embedCommand)
  .command(dataCommand)
  .command(reportCommand)
  .command(serveCommand)
  .option('json', {
    type: 'boolean',
    default: false,
    describe: 'print one JSON summary as the last stdout line',
  })
  .example('$0 train --config configs/movielens-small.yaml', 'train on the shipped MovieLens sample')
  .example('$0 recommend --checkpoint checkpoints/<run-id> --user 42 --k 10', 'recommend from a checkpoint')
  .example('$0 evaluate --checkpoint checkpoints/<run-id> --json', 'recompute test metrics from a checkpoint')
  .example('$0 serve --checkpoint checkpoints/<run-id> --port 8080', 'HTTP recommendations on 127.0.0.1')
  .example('$0 report --runs reports/A reports/B', 'compare runs side by side')
  .example(
    '$0 data inspect --config configs/lastfm-2k.yaml',
    'users, buckets, quarantine counts of a dataset',
  )
  .demandCommand(1, 'name a command: train, evaluate or recommend')
  .strict()
  .recommendCommands()
  .help()
  .fail((msg, err, y) => {
    if (err) throw err;
    console.error(`${y.help()}\n\n${msg}`);
    process.exit(2);
  })
  .parseAsync()
  .catch((e: Error) => {
    // Known user-facing errors carry a complete message; anything else keeps its stack for a bug report.
    const known = [
      'ConfigError',
      'CheckpointError',
      'UnknownUserError',
      'DataError',
      'HistoryError',
    ].includes(e.name);
    console.error(`interest-evo: ${known ? e.message : (e.stack ?? e.message)}`);
    process.exit(1);
  });
