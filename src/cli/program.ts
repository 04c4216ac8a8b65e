import yargs from 'yargs';
import { dataCommand } from './data.ts';
import { embedCommand } from './embed.ts';
import { UsageError } from './errors.ts';
import { evaluateCommand } from './evaluate.ts';
import { itemsCommand } from './items.ts';
import { recommendCommand } from './recommend.ts';
import { recommendAllCommand } from './recommend-all.ts';
import { reportCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { trainCommand } from './train.ts';
import { workerCommand } from './worker.ts';

/** Parses argv and runs its command; every failure, bad arguments included, is thrown to the caller. */
export async function runCli(argv: readonly string[]): Promise<void> {
  await yargs([...argv])
    .scriptName('interest-evo')
    .usage(
      '$0 <command> [options]\n\nTrains and serves an interest-evolution recommender (LSTM + ARIMA over text embeddings).',
    )
    .command(trainCommand)
    .command(evaluateCommand)
    .command(recommendCommand)
    .command(recommendAllCommand)
    .command(embedCommand)
    .command(dataCommand)
    .command(reportCommand)
    .command(serveCommand)
    .command(itemsCommand)
    .command(workerCommand)
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'print one JSON summary as the last stdout line',
    })
    .option('debug', {
      type: 'boolean',
      default: false,
      describe: 'print the stack trace of an error (also INTEREST_EVO_DEBUG=1)',
    })
    .example('$0 train --config configs/movielens-small.yaml', 'train on the shipped MovieLens sample')
    .example('$0 recommend --checkpoint checkpoints/<run-id> --user 42 --k 10', 'recommend from a checkpoint')
    .example(
      '$0 evaluate --checkpoint checkpoints/<run-id> --json',
      'recompute test metrics from a checkpoint',
    )
    .example('$0 serve --checkpoint checkpoints/<run-id> --port 8080', 'HTTP recommendations on 127.0.0.1')
    .example('$0 report --runs reports/A reports/B', 'compare runs side by side')
    .example(
      '$0 data inspect --config configs/lastfm-2k.yaml',
      'users, buckets, quarantine counts of a dataset',
    )
    .example('$0 items add --checkpoint checkpoints/<run-id> --file new.csv', 'new items, no retraining')
    .example('$0 worker --redis redis://queue-host:6379', 'take sharded stage jobs of `train --redis` runs')
    .demandCommand(
      1,
      'name a command: train, evaluate, recommend, recommend-all, embed, data, report, serve, items or worker',
    )
    .strict()
    .recommendCommands()
    .help()
    // yargs passes a command's own error with msg null; msg set means the arguments were rejected.
    .fail((msg, err) => {
      throw msg === null ? err : new UsageError(err?.message ?? msg);
    })
    .parseAsync();
}
