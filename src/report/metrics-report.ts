import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodResult } from '../evaluate/rank.ts';

/** What metrics.json holds: enough to compare runs without rerunning anything. */
export interface RunReport {
  run_id: string;
  created_at: string;
  config_path: string;
  backend: string;
  dataset: Record<string, unknown>;
  split: Record<string, unknown>;
  methods: Record<string, Record<string, number>>;
  users_evaluated: Record<string, number>;
  blend: { alpha: number; beta: number; curve: { alpha: number; beta: number; ndcg10: number }[] };
  forecast: { fitted: number; fellBack: number };
  training: { best_epoch: number; best_valid_ndcg10: number; history: unknown[] };
  timings_s: Record<string, number>;
}

export function methodTable(methods: Record<string, MethodResult>): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(methods).map(([name, r]) => [name, r.metrics]));
}

const fmt = (x: number) => x.toFixed(4);

/** Markdown table: one row per method, the chosen metric columns, best value per column in bold. */
export function markdownTable(
  methods: Record<string, Record<string, number>>,
  columns: readonly string[],
): string {
  const best = Object.fromEntries(
    columns.map((c) => [c, Math.max(...Object.values(methods).map((m) => m[c] ?? 0))]),
  );
  const head = `| method | ${columns.join(' | ')} |\n|---|${columns.map(() => '---:').join('|')}|`;
  const rows = Object.entries(methods).map(
    ([name, m]) =>
      `| ${name} | ${columns.map((c) => (m[c] === best[c] ? `**${fmt(m[c])}**` : fmt(m[c] ?? 0))).join(' | ')} |`,
  );
  return [head, ...rows].join('\n');
}

/** Validation NDCG@10 over the (α, β) grid: rows α, columns β. */
function alphaBetaTable(curve: RunReport['blend']['curve']): string {
  const alphas = [...new Set(curve.map((p) => p.alpha))];
  const betas = [...new Set(curve.map((p) => p.beta))];
  const at = (a: number, b: number) => curve.find((p) => p.alpha === a && p.beta === b)?.ndcg10 ?? Number.NaN;
  return [
    `| α \\ β | ${betas.join(' | ')} |`,
    `|---:|${betas.map(() => '---:').join('|')}|`,
    ...alphas.map((a) => `| ${a} | ${betas.map((b) => fmt(at(a, b))).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(r: RunReport, ks: readonly number[]): string {
  const columns = ks.flatMap((k) => [`ndcg@${k}`, `recall@${k}`, `hr@${k}`]);
  const split = r.split as { protocol?: string; evalUsers?: unknown; examples?: unknown; cutoffs?: unknown };
  return [
    `# Run ${r.run_id}`,
    '',
    `Created ${r.created_at} from \`${r.config_path}\` on backend **${r.backend}**.`,
    '',
    '## Test metrics',
    '',
    `Users evaluated: ${r.users_evaluated.blend} (split protocol: ${split.protocol}; seen items excluded from ranking and targets).`,
    '',
    markdownTable(r.methods, columns),
    '',
    '## Blend',
    '',
    'Score of item i: cos(α·LSTM + (1−α)·ARIMA, e_i) + β·log(1+count_i)/log(1+max count); α and β chosen on validation NDCG@10.',
    `\`blend_no_prior\` is the same with β = 0; \`lstm\` is α = 1, \`arima\` α = 0, both without the prior.`,
    '',
    `Chosen: α = **${r.blend.alpha}**, β = **${r.blend.beta}**.`,
    '',
    alphaBetaTable(r.blend.curve),
    '',
    `Topic-share forecasts: ${r.forecast.fitted} series fitted by the main forecaster, ${r.forecast.fellBack} by its fallback.`,
    '',
    '## Training',
    '',
    `Best epoch ${r.training.best_epoch} (valid ndcg@10 ${fmt(r.training.best_valid_ndcg10)}).`,
    '',
    '## Data and split',
    '',
    '```json',
    JSON.stringify({ dataset: r.dataset, split: r.split }, null, 2),
    '```',
    '',
    `Stage timings (s): ${Object.entries(r.timings_s)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
    '',
  ].join('\n');
}

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
