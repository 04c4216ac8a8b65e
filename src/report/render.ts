import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Estimate, ForecastErrorRow } from '../evaluate/forecast-error.ts';
import { reportColumns } from '../evaluate/metrics.ts';
import { recencyName } from '../features/sequence.ts';
import {
  type ChartSpec,
  type EpochPoint,
  forecastErrorChart,
  type IntervalRow,
  metricsChart,
  surfaceChart,
  trainingChart,
} from './charts.ts';
import { type Block, type ReportDoc, type Section, toMarkdown, writeDoc } from './document.ts';
import { evolutionSection, tercileBlock } from './evolution.ts';
import type { PerUserReport, RunReport } from './run-report.ts';
import { segmentsSection } from './segments.ts';

/** The run report drawn: Markdown, HTML and charts from the data run-report.ts defines. */

const est = (e: Estimate) => `${e.value.toFixed(4)} [${e.lo.toFixed(4)}, ${e.hi.toFixed(4)}]`;

/** Next-bucket topic-share forecast error on the test windows: every forecaster, with paired Δ to the reference. */
function forecastAccuracyBlock(rows: readonly ForecastErrorRow[]): Block {
  const ref = rows.some((r) => r.vsReference);
  return {
    kind: 'table',
    head: [
      'forecaster',
      'rows',
      'series fitted / fell back',
      'MAE [95% CI]',
      'JSD [95% CI]',
      ...(ref ? ['ΔJSD vs mean [95% CI]'] : []),
    ],
    rows: rows.map((r) => [
      r.forecaster,
      r.of === undefined ? String(r.rows) : `${r.rows} of ${r.of}`,
      r.series ? `${r.series.fitted} / ${r.series.fellBack}` : '—',
      est(r.mae),
      est(r.jsd),
      ...(ref ? [r.vsReference ? est(r.vsReference.jsd) : ''] : []),
    ]),
    align: ['l', 'r', 'r', 'r', 'r', 'r'],
  };
}
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '—');

/** "mean [lo, hi]" when an interval is known; the best mean per column in bold. */
function metricRows(r: RunReport, columns: readonly string[]): string[][] {
  const best = Object.fromEntries(
    columns.map((c) => [
      c,
      // The oracle (fed the generating future) is a ceiling, not a competitor: it is never bolded.
      Math.max(
        ...Object.entries(r.methods)
          .filter(([name]) => name !== 'oracle')
          .map(([, m]) => m[c] ?? Number.NEGATIVE_INFINITY),
      ),
    ]),
  );
  return Object.entries(r.methods).map(([name, m]) => [
    name,
    ...columns.map((c) => {
      const v = m[c];
      if (v === undefined) return '—';
      const ci = r.intervals?.[name]?.[c];
      const mean = v === best[c] ? `**${fmt(v)}**` : fmt(v);
      return ci ? `${mean} [${fmt(ci.lo)}, ${fmt(ci.hi)}]` : mean;
    }),
  ]);
}

/** Markdown table: one row per method, the chosen metric columns, best value per column in bold. */
export function markdownTable(
  methods: Record<string, Record<string, number>>,
  columns: readonly string[],
): string {
  const r = { methods } as RunReport;
  const doc: ReportDoc = {
    title: '',
    sections: [{ title: '', blocks: [metricsTableBlock(r, columns)] }],
  };
  return toMarkdown(doc, () => '')
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .join('\n');
}

function metricsTableBlock(r: RunReport, columns: readonly string[]): Block {
  return {
    kind: 'table',
    head: ['method', ...columns],
    rows: metricRows(r, columns),
    align: ['l', ...columns.map(() => 'r' as const)],
  };
}

/** Validation NDCG@10 per (mode, α) row and β column (one row block per blend mode). */
function alphaBetaBlock(curve: RunReport['blend']['curve']): Block {
  const modeOf = (p: (typeof curve)[number]) => p.mode ?? 'vector';
  const rows = [...new Set(curve.map((p) => `${modeOf(p)}|${p.alpha}`))];
  const betas = [...new Set(curve.map((p) => p.beta))].sort((a, b) => a - b);
  const at = (row: string, b: number) =>
    curve.find((p) => `${modeOf(p)}|${p.alpha}` === row && p.beta === b)?.ndcg10 ?? Number.NaN;
  return {
    kind: 'table',
    head: ['mode', 'α \\ β', ...betas.map(String)],
    rows: rows.map((row) => [...row.split('|'), ...betas.map((b) => fmt(at(row, b)))]),
  };
}

function summaryBlock(r: RunReport): Block {
  const d = r.dataset as { users?: number; items?: number; events?: number; fingerprint?: string };
  const s = r.split as {
    protocol?: string;
    validation?: string;
    users?: number;
    evalUsers?: { valid: number; test: number };
    examples?: { train: number; valid: number; test: number };
    cutoffs?: { valid_from: string; test_from: string; test_to: string };
  };
  const rows: string[][] = [
    ['users / items / events', `${d.users ?? '?'} / ${d.items ?? '?'} / ${d.events ?? '?'}`],
    [
      'split protocol',
      `${s.protocol ?? '?'}${s.validation === 'users' ? ', validation on held-out users' : ''}`,
    ],
    ['evaluated users (valid / test)', s.evalUsers ? `${s.evalUsers.valid} / ${s.evalUsers.test}` : '?'],
    [
      'examples (train / valid / test)',
      s.examples ? `${s.examples.train} / ${s.examples.valid} / ${s.examples.test}` : '?',
    ],
  ];
  if (s.cutoffs)
    rows.push(['cutoffs', `valid ${s.cutoffs.valid_from}, test ${s.cutoffs.test_from}–${s.cutoffs.test_to}`]);
  if (d.fingerprint) rows.push(['data fingerprint', `\`${String(d.fingerprint).slice(0, 16)}\``]);
  return { kind: 'table', head: ['', 'value'], rows, align: ['l', 'l'] };
}

/** A ratio to three decimals; a report read back from JSON has null where the ratio was NaN. */
const ratioCell = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : `${x.toFixed(3)} ×`);

function pairedBlocks(r: RunReport): Block[] {
  if (!r.paired?.length) return [];
  const b = r.bootstrap;
  return [
    {
      kind: 'text',
      text:
        `Paired over the same users: mean difference a − b with its percentile bootstrap interval` +
        (b ? ` (B = ${b.samples}, seed ${b.seed})` : '') +
        '; a / b: the ratio of the means with its interval from the same resamples; p: two-sided bootstrap ' +
        'p-value (and sign-flip randomisation test when run). The first rows test the blend and, on ' +
        "synthetic data, the oracle against the best baseline: the oracle's ratio is the most any ranking " +
        'can reach over it.',
    },
    {
      kind: 'table',
      head: ['a', 'b', 'metric', 'users', 'a − b', 'CI', 'a / b', 'CI', 'p', 'p (randomisation)'],
      align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows: r.paired.map((p) => [
        p.a,
        p.b,
        p.metric,
        String(p.n),
        fmt(p.diff),
        `[${fmt(p.lo)}, ${fmt(p.hi)}]`,
        ratioCell(p.ratio),
        Number.isFinite(p.ratio) ? `[${ratioCell(p.ratioLo)}, ${ratioCell(p.ratioHi)}]` : '—',
        p.p.toFixed(4),
        p.pRandomisation === undefined ? '—' : p.pRandomisation.toFixed(4),
      ]),
    },
  ];
}

function beyondBlock(beyond: NonNullable<RunReport['beyond']>): Block {
  const cols = [...new Set(Object.values(beyond).flatMap((m) => Object.keys(m)))];
  return {
    kind: 'table',
    head: ['method', ...cols],
    align: ['l', ...cols.map(() => 'r' as const)],
    rows: Object.entries(beyond).map(([name, m]) => [
      name,
      ...cols.map((c) => (m[c] === undefined ? '—' : m[c].toFixed(c.startsWith('novelty') ? 2 : 4))),
    ]),
  };
}

/** What the run did with items the user had before the cutoff (older reports without a config: excluded). */
function seenRule(r: RunReport): string {
  const cfg = r.config as { evaluate?: { exclude_seen?: boolean } } | undefined;
  return cfg?.evaluate?.exclude_seen === false
    ? 'seen items kept in the ranking and the targets (unmasked)'
    : 'seen items excluded from ranking and targets';
}

function patternBlocks(byPattern: NonNullable<RunReport['by_pattern']>): Block[] {
  const first = Object.values(byPattern)[0] ?? [];
  return [
    {
      kind: 'text',
      text: 'NDCG@10 by planted drift pattern (synthetic log; users per pattern in the header):',
    },
    {
      kind: 'table',
      head: ['method', ...first.map((s) => `${s.pattern} (${s.users})`)],
      align: ['l', ...first.map(() => 'r' as const)],
      rows: Object.entries(byPattern).map(([m, segs]) => [
        m,
        ...first.map((p) => fmt(segs.find((s) => s.pattern === p.pattern)?.ndcg10 ?? Number.NaN)),
      ]),
    },
  ];
}

function segmentsBlock(segments: NonNullable<RunReport['segments']>, metric: string): Block {
  return tercileBlock(
    segments,
    metric,
    (s, n) => `${n} (${s.minHistory}–${s.maxHistory} events, ${s.users} users)`,
  );
}

function intervalRows(r: RunReport, columns: readonly string[]): IntervalRow[] {
  return Object.entries(r.methods).flatMap(([method, m]) =>
    columns
      .filter((c) => m[c] !== undefined)
      .map((c) => ({ method, metric: c, mean: m[c], ...r.intervals?.[method]?.[c] })),
  );
}

function epochPoints(history: unknown[]): EpochPoint[] {
  return history.flatMap((h) => {
    const e = h as Partial<EpochPoint>;
    return typeof e.epoch === 'number' && typeof e.loss === 'number' && typeof e.valid === 'number'
      ? [{ epoch: e.epoch, loss: e.loss, valid: e.valid }]
      : [];
  });
}

/** The whole run report as a document; `charts: false` leaves the charts out (plain Markdown). */
export function buildRunDoc(r: RunReport, ks: readonly number[], opts: { charts?: boolean } = {}): ReportDoc {
  const charts = opts.charts ?? true;
  const chart = (name: string, title: string, spec: ChartSpec): Block[] =>
    charts ? [{ kind: 'chart', name, title, spec }] : [];
  const columns = reportColumns(ks);
  const k0 = ks[0];
  const sections: Section[] = [
    {
      title: 'Data and split',
      blocks: [
        {
          kind: 'text',
          text: `Created ${r.created_at} from \`${r.config_path}\` on backend **${r.backend}**.`,
        },
        summaryBlock(r),
      ],
    },
    {
      title: 'Test metrics',
      blocks: [
        {
          kind: 'text',
          text:
            `Users evaluated: ${r.users_evaluated.blend ?? Object.values(r.users_evaluated)[0] ?? '?'} ` +
            `(split protocol: ${(r.split as { protocol?: string }).protocol ?? '?'}; ${seenRule(r)}).` +
            (r.intervals ? ' Cells: mean [95% bootstrap CI over users].' : ''),
        },
        metricsTableBlock(r, columns),
        ...chart(
          'metrics',
          'Test metrics with 95% bootstrap intervals',
          metricsChart(intervalRows(r, reportColumns([k0]))),
        ),
        ...pairedBlocks(r),
      ],
    },
  ];
  if (r.beyond || r.segments || r.knn || r.by_pattern || r.sequential) {
    const blocks: Block[] = [];
    if (r.beyond)
      blocks.push(
        {
          kind: 'text',
          text: "Coverage: share of the catalogue in anyone's top K; novelty: mean −log2 p(item) from training popularity; ILD: mean pairwise 1 − cos in the top K.",
        },
        beyondBlock(r.beyond),
      );
    if (r.segments)
      blocks.push(
        { kind: 'text', text: `NDCG@${k0} by user-activity tercile (history length before the cutoff):` },
        segmentsBlock(r.segments, `ndcg@${k0}`),
      );
    if (r.knn)
      blocks.push({
        kind: 'text',
        text: `item_knn neighbours: **${r.knn.neighbours}**, chosen on validation NDCG@10 (${r.knn.curve.map((p) => `${p.neighbours}: ${fmt(p.ndcg10)}`).join(', ')}).`,
      });
    if (r.by_pattern) blocks.push(...patternBlocks(r.by_pattern));
    if (r.sequential?.length)
      blocks.push({
        kind: 'text',
        text: `Sequential baselines (trained on the same split, early stopping on validation NDCG@10): ${r.sequential
          .map(
            (c) =>
              `${c.kind} ${c.epochs} epochs in ${c.seconds.toFixed(0)} s, best epoch ${c.best_epoch} (valid ${fmt(c.best_valid_ndcg10)})`,
          )
          .join('; ')}.`,
      });
    sections.push({ title: 'Beyond accuracy', blocks });
  }
  sections.push({
    title: 'Blend',
    blocks: [
      {
        kind: 'text',
        text: "The LSTM expert scores item i by ⟨l̂, v_i⟩/τ + β·log(1+c_i) (its contrastive logits, popularity weight β); the topic expert by p(i | u) = Σ_k ŝ_k·p(i | k), the forecast topic shares times each topic's item distribution (soft membership × count + 0.5, counts known at the cutoff). `log-linear` adds α·LSTM + (1−α)·log p(i | u) (product of experts); `mixture` adds α·softmax(LSTM) + (1−α)·p(i | u); `vector` is the original cos(α·l̂ + (1−α)·â, v_i) + β·prior with â = Σ_k ŝ_k·centroid_k. Mode, α and β are chosen together on validation NDCG@10. `blend_no_prior`: β = 0; `blend_no_forecast`: the best α = 1 setting; `lstm`: α = 1, β = 0; `topic_blend_half`: the topic expert alone, fed the shares the blend uses; `topic_forecast`: fed the configured forecaster; `topic_vector`: the original ARIMA vector alone; `topic_static` / `topic_recent`: the topic expert fed the shares of the whole history / of its recent events (the last fraction of the history, or every event weighted down by a per-event decay; chosen on validation); `topic_lstm_head`: fed the LSTM's topic head; `oracle` (synthetic data): fed the generating shares over the target window, with each item's planted topic.",
      },
      {
        kind: 'text',
        text: `Chosen: ${r.blend.mode ?? 'vector'}, α = **${r.blend.alpha}**, β = **${r.blend.beta}**${r.blend.topic_source ? `; topic shares from **${r.blend.topic_source}**${r.blend.gate_tau ? ` (gate τ = ${r.blend.gate_tau})` : ''}${r.blend.strength !== undefined ? ` with per-user refit strength **${r.blend.strength ?? 'none'}**` : ''} (validation NDCG@10 of the topic expert alone: ${(r.blend.topic_curve ?? []).map((p) => `${p.source}${p.strength !== undefined ? ` @ ${p.strength ?? 'none'}` : ''}${p.tau ? ` τ ${p.tau}` : ''} ${fmt(p.ndcg10)}`).join(', ')})` : ''}${r.blend.recent_window !== undefined ? `; topic_recent profile: ${recencyName({ window: r.blend.recent_window, decay: r.blend.recent_decay ?? 0 })} (${(r.blend.recent_curve ?? []).map((p) => `${recencyName({ window: p.window, decay: p.decay ?? 0 })}: ${fmt(p.ndcg10)}`).join(', ')})` : ''}${r.blend.recent_mix !== undefined ? `; weight of that profile's shares in the blend's topic shares: **${r.blend.recent_mix}** (${(r.blend.recent_mix_curve ?? []).map((p) => `${p.mix}: ${fmt(p.ndcg10)}${p.mix > 0 && p.gainLo !== undefined ? ` (gain's lower end ${fmt(p.gainLo)})` : ''}`).join(', ')}; a weight is taken only when the lower end of its paired gain's 95 % interval is above 0)` : ''}.`,
      },
      alphaBetaBlock(r.blend.curve),
      ...(r.blend.curve.length
        ? chart(
            'surface',
            `Validation NDCG@10 over the α × β grid of the chosen mode, ${r.blend.mode ?? 'vector'} (chosen cell outlined)`,
            surfaceChart(
              r.blend.curve.filter((p) => (p.mode ?? 'vector') === (r.blend.mode ?? 'vector')),
              r.blend,
            ),
          )
        : []),
      {
        kind: 'text',
        text: `Topic-share forecasts: ${r.forecast.fitted} series fitted by the main forecaster, ${r.forecast.fellBack} by its fallback.`,
      },
      ...(r.forecast_accuracy?.length ? [forecastAccuracyBlock(r.forecast_accuracy)] : []),
      ...(r.forecast_accuracy_valid?.length
        ? [
            {
              kind: 'text' as const,
              text: 'The same on the validation windows (forecaster choices are made here, never on the test window):',
            },
            forecastAccuracyBlock(r.forecast_accuracy_valid),
          ]
        : []),
      ...(r.forecast_error?.rows.length
        ? chart(
            'forecast-error',
            `Forecast error per topic (${r.forecast_error.metric})`,
            forecastErrorChart(r.forecast_error.rows, r.forecast_error.metric),
          )
        : []),
    ],
  });
  const segments = segmentsSection(r);
  if (segments) sections.push(segments);
  const history = epochPoints(r.training.history);
  sections.push({
    title: 'Training',
    blocks: [
      ...(r.validation_ndcg10
        ? [
            {
              kind: 'text' as const,
              text: `Validation NDCG@10 (what model selection saw): ${Object.entries(r.validation_ndcg10)
                .map(([m, v]) => `${m} ${fmt(v)}`)
                .join(', ')}.`,
            },
          ]
        : []),
      {
        kind: 'text',
        text: `Best epoch ${r.training.best_epoch} (valid ndcg@10 ${fmt(r.training.best_valid_ndcg10)}).`,
      },
      ...(history.length
        ? chart(
            'training',
            'Training loss and validation NDCG@10 per epoch (best epoch dashed)',
            trainingChart(history, r.training.best_epoch),
          )
        : []),
    ],
  });
  const evolution = evolutionSection(r.samples, r.evolution, (name, title, spec, alt) =>
    charts ? [{ kind: 'chart', name, title, spec, ...(alt ? { alt } : {}) }] : [],
  );
  if (evolution) sections.push(evolution);
  sections.push({
    title: 'Run details',
    blocks: [
      {
        kind: 'text',
        text: `Stage timings (s): ${Object.entries(r.timings_s)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}`,
      },
      ...(r.config === undefined
        ? []
        : [{ kind: 'code', lang: 'json', text: JSON.stringify(r.config, null, 2) } as Block]),
      { kind: 'code', lang: 'json', text: JSON.stringify({ dataset: r.dataset, split: r.split }, null, 2) },
    ],
  });
  return { title: `Run ${r.run_id}`, sections };
}

export function renderMarkdown(r: RunReport, ks: readonly number[]): string {
  return toMarkdown(buildRunDoc(r, ks, { charts: false }), () => '');
}

/** Synchronous: metrics.json + a chart-free report.md (what the pipeline has always written). */
export function writeRunReport(
  dir: string,
  r: RunReport,
  ks: readonly number[],
): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'metrics.json');
  const markdown = join(dir, 'report.md');
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(r, ks));
  return { json, markdown };
}

export interface ReportFiles {
  json: string;
  metrics: string;
  markdown: string;
  html: string;
  charts: string[];
}

/** The full report: report.json (= metrics.json), report.md with PNG charts, self-contained report.html. */
export async function writeReport(
  dir: string,
  r: RunReport,
  ks: readonly number[],
  perUser?: PerUserReport,
): Promise<ReportFiles> {
  mkdirSync(dir, { recursive: true });
  if (perUser) writeFileSync(join(dir, 'per_user.json'), `${JSON.stringify(perUser)}\n`);
  const text = `${JSON.stringify(r, null, 2)}\n`;
  const json = join(dir, 'report.json');
  const metrics = join(dir, 'metrics.json');
  writeFileSync(json, text);
  writeFileSync(metrics, text);
  const doc = await writeDoc(dir, 'report', buildRunDoc(r, ks));
  return { json, metrics, ...doc };
}
