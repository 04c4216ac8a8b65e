import { loadConfig } from '../../src/config/load.ts';
import type { SynthOptions } from '../../src/data/synth.ts';
import { runTraining, type TrainRunResult } from '../../src/pipeline/train.ts';
import { tinyProject } from '../helpers/tiny-run.ts';

/** A real checkpoint from the tiny synthetic project (~3 s), for the serving tests. */
export async function tinyCheckpoint(
  runId = 'tiny-serve',
  overrides = '',
  synth: Partial<SynthOptions> = {},
): Promise<{ project: ReturnType<typeof tinyProject>; run: TrainRunResult }> {
  const project = tinyProject(overrides, synth);
  const run = await runTraining(loadConfig(project.config), { runId, log: () => {} });
  return { project, run };
}
