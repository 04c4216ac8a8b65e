import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { loadConfig } from '../config/load.ts';
import { BACKEND_PREFS, type BackendPref } from '../env.ts';
import { requestedBackend } from '../model/backend.ts';
import { runSweep } from '../pipeline/sweep.ts';
import { runTraining } from '../pipeline/train.ts';
import type { PairedComparison } from '../report/run-report.ts';
import { finish } from './output.ts';

interface Args {
  config: string;
  'run-id'?: string;
  resume: boolean;
  sweep: boolean;
  backend?: BackendPref;
  redis?: string;
  json: boolean;
}

/** "blend vs topic_recent: Δ +0.0068 [0.0023, 0.0112], 1.071 × [1.023, 1.120]" (ndcg@10). */
const versusLine = (p: PairedComparison) =>
  `  ${p.a} vs ${p.b} (best baseline): ${p.metric} Δ ${signed(p.diff)} [${signed(p.lo)}, ${signed(p.hi)}], ` +
  `${p.ratio.toFixed(3)} × [${p.ratioLo.toFixed(3)}, ${p.ratioHi.toFixed(3)}]`;

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

export const trainCommand: CommandModule<object, Args> = {
  command: 'train',
  describe: 'train on a config: data → embeddings → topics → LSTM + ARIMA → blend → evaluate → checkpoint',
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'YAML config file' })
      .option('run-id', { type: 'string', describe: 'name of the run (default: <run.name>-<UTC time>)' })
      .option('sweep', {
        type: 'boolean',
        default: false,
        describe: "train every point of the config's `sweep:` grid and rank them by validation NDCG@10",
      })
      .option('resume', {
        type: 'boolean',
        default: false,
        describe:
          'continue an interrupted run from its last finished epoch (--run-id, or the latest of this config)',
      })
      .option('backend', {
        choices: BACKEND_PREFS,
        describe: 'tfjs backend (overrides INTEREST_EVO_BACKEND and train.backend)',
      })
      .option('redis', {
        type: 'string',
        describe:
          'shard item embedding and topic forecasts over `worker`s on this Redis (over distributed.redis)',
      })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    if (args.sweep) {
      const { rows, dir } = await runSweep(loadConfig(args.config), {
        runId: args['run-id'],
        backend: requestedBackend(args.backend),
      });
      finish(
        args.json,
        { dir, rows },
        () => `${readFileSync(join(dir, 'sweep.md'), 'utf8')}\nsweep table: ${dir}/sweep.md`,
      );
      return;
    }
    const r = await runTraining(loadConfig(args.config), {
      runId: args['run-id'],
      backend: requestedBackend(args.backend),
      resume: args.resume,
      redis: args.redis,
    });
    finish(args.json, r, () => {
      const rows = Object.entries(r.metrics).map(
        ([m, v]) =>
          `  ${m.padEnd(15)} ndcg@10 ${v['ndcg@10'].toFixed(4)}  recall@10 ${v['recall@10'].toFixed(4)}`,
      );
      return [
        `run ${r.runId}: ${r.usersEvaluated} test users, α=${r.alpha} β=${r.beta}, ${r.seconds.toFixed(0)}s`,
        ...rows,
        ...r.versusBest.map(versusLine),
        `checkpoint ${r.checkpointDir}`,
        `report ${r.reportDir}/report.md`,
      ].join('\n');
    });
  },
};
