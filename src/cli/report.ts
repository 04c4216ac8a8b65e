import type { CommandModule } from 'yargs';
import { type ComparisonRow, comparisonDoc, loadPeer, loadRun, runRows } from '../report/compare.ts';
import { toMarkdown, writeDoc } from '../report/document.ts';
import { finish } from './output.ts';

interface Args {
  runs: string[];
  peer?: string[];
  methods?: string[];
  out?: string;
  json: boolean;
}

export interface ReportSummary {
  rows: ComparisonRow[];
  markdown?: string;
  html?: string;
}

/** Comparison rows of the runs (all or the named methods) followed by the peers. */
export function comparisonRows(
  runs: readonly string[],
  peers: readonly string[] = [],
  methods?: readonly string[],
) {
  return [...runs.flatMap((dir) => runRows(loadRun(dir), methods)), ...peers.map(loadPeer)];
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report',
  describe: 'compare runs side by side (their report.json / metrics.json), with optional peer results',
  builder: (y) =>
    y
      .option('runs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'report directories (reports/<run-id>) or their metrics.json',
      })
      .option('peer', {
        type: 'string',
        array: true,
        describe: 'NAME=path/to/metrics.json: a peer result, e.g. RecBole {"ndcg@10": …, "recall@10": …}',
      })
      .option('methods', { type: 'string', array: true, describe: 'only these methods of each run' })
      .option('out', { type: 'string', describe: 'write comparison.md and comparison.html here' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    const rows = comparisonRows(args.runs, args.peer ?? [], args.methods);
    const doc = comparisonDoc(rows);
    const summary: ReportSummary = { rows };
    if (args.out) {
      const w = await writeDoc(args.out, 'comparison', doc);
      summary.markdown = w.markdown;
      summary.html = w.html;
    }
    finish(args.json, summary, () => toMarkdown(doc, () => ''));
  },
};
