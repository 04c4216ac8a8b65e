import type { CommandModule } from 'yargs';
import { loadConfig } from '../config/load.ts';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend } from '../model/backend.ts';
import { evaluateCheckpoint } from '../pipeline/evaluate-checkpoint.ts';
import { finish } from './output.ts';

interface Args {
  checkpoint: string;
  config?: string;
  backend?: BackendPref;
  json: boolean;
}

export const evaluateCommand: CommandModule<object, Args> = {
  command: 'evaluate',
  describe: "recompute the test metrics of a checkpoint on its config's data (or --config's)",
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'checkpoint directory' })
      .option('config', {
        type: 'string',
        describe: 'evaluate on this config instead of the one in the checkpoint',
      })
      .option('backend', { choices: BACKEND_PREFS })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    const r = await evaluateCheckpoint(args.checkpoint, {
      config: args.config ? loadConfig(args.config) : undefined,
      backend: requestedBackend(args.backend),
    });
    finish(args.json, r, () =>
      [
        `checkpoint ${r.checkpoint}: ${r.usersEvaluated} test users (drift from stored metrics ${r.maxDriftFromManifest.toExponential(1)})`,
        ...Object.entries(r.metrics).map(
          ([m, v]) =>
            `  ${m.padEnd(15)} ndcg@10 ${v['ndcg@10'].toFixed(4)}  recall@10 ${v['recall@10'].toFixed(4)}`,
        ),
      ].join('\n'),
    );
  },
};
