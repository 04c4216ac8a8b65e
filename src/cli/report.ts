import type { CommandModule } from 'yargs';
import {
  type Comparison,
  type ComparisonRow,
  comparisonDoc,
  isMetricsFile,
  loadPeer,
  loadRun,
  parsePeerSpec,
  runRows,
} from '../report/compare.ts';
import { toMarkdown, writeDoc } from '../report/document.ts';
import { type PeerOnRun, peerOnRun } from '../report/peer.ts';
import { finish } from './output.ts';

interface Args {
  runs: string[];
  peer?: string[];
  methods?: string[];
  config?: string;
  out?: string;
  json: boolean;
}

export interface ReportSummary {
  /** Per-user metrics: the runs' methods and the re-scored peers. */
  rows: ComparisonRow[];
  /** Peers' own per-case metrics (metrics.json), kept apart from `rows`. */
  perCase: ComparisonRow[];
  /** How each top-K peer was re-scored, with its unknown / missing user counts. */
  peers: PeerOnRun[];
  markdown?: string;
  html?: string;
}

/**
 * The runs' rows (all or the named methods), then the peers: a top-K dump is re-scored on the first run's
 * test examples and joins the per-user rows; a metrics file goes to the per-case table.
 */
export async function buildComparison(
  runs: readonly string[],
  peers: readonly string[] = [],
  methods?: readonly string[],
  config?: string,
): Promise<Comparison & { peers: PeerOnRun[] }> {
  const reports = runs.map((dir) => loadRun(dir));
  const rows = reports.flatMap((r) => runRows(r, methods));
  const perCase: ComparisonRow[] = [];
  const scored: PeerOnRun[] = [];
  for (const spec of peers) {
    const { name, path } = parsePeerSpec(spec);
    if (isMetricsFile(path)) {
      perCase.push(loadPeer(spec));
      continue;
    }
    const p = await peerOnRun(name, path, reports[0], config);
    scored.push(p);
    rows.push({ source: `peer (recomputed on ${p.run})`, method: name, users: p.users, metrics: p.metrics });
  }
  return { rows, perCase, notes: scored.map((p) => p.note), peers: scored };
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
        describe:
          'NAME=path: a peer model. A top-K dump (TSV, header "user_id<TAB>item_ids", then one line per ' +
          "user: the data's user id, a tab, its ranked item ids space-separated, best first) is re-scored " +
          "per user with our masking and metrics on the first run's test examples. A metrics.json " +
          '(e.g. RecBole {"ndcg@10": …}) is shown in a separate per-case table, not comparable column by column',
      })
      .option('config', {
        type: 'string',
        describe: "config to reload the data and split for top-K peers (default: the first run's own)",
      })
      .option('methods', { type: 'string', array: true, describe: 'only these methods of each run' })
      .option('out', { type: 'string', describe: 'write comparison.md and comparison.html here' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (args) => {
    const c = await buildComparison(args.runs, args.peer ?? [], args.methods, args.config);
    const doc = comparisonDoc(c);
    const summary: ReportSummary = { rows: c.rows, perCase: c.perCase, peers: c.peers };
    if (args.out) {
      const w = await writeDoc(args.out, 'comparison', doc);
      summary.markdown = w.markdown;
      summary.html = w.html;
    }
    finish(args.json, summary, () => toMarkdown(doc, () => ''));
  },
};
