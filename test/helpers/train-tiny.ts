import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { runTraining, type TrainRunResult } from '../../src/pipeline/train.ts';

/** A whole quiet training run of a project's config (tinyProject's) under `runId`. */
export function trainTiny(project: { config: string }, runId: string): Promise<TrainRunResult> {
  return runTraining(loadConfig(project.config), { runId, log: () => {} });
}

/** One of a run's report files (metrics.json, report.json, per_user.json), parsed. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the JSON's fields they assert on
export function reportJson(run: { reportDir: string }, name: string): any {
  return JSON.parse(readFileSync(join(run.reportDir, name), 'utf8'));
}
