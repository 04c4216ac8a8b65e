import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Vega-Lite chart specs for the run report (pure: data in, spec out) and headless rendering: SVG through
 * vega's scenegraph (no canvas, no network), PNG through resvg for the Markdown report.
 */
export type ChartSpec = TopLevelSpec;

export interface IntervalRow {
  method: string;
  metric: string;
  mean: number;
  lo?: number;
  hi?: number;
}

export interface EpochPoint {
  epoch: number;
  loss: number;
  valid: number;
}

export interface SurfacePoint {
  alpha: number;
  beta: number;
  ndcg10: number;
}

export interface TopicErrorRow {
  topic: string;
  model: string;
  value: number;
}

/** One recommended item of a sample user and why it is there. */
export interface RecommendedItem {
  rank: number;
  item: string;
  title: string;
  /** The item's main (largest-membership) topic, as shown in the panel (or "other"). */
  topic: string;
  /** The term of the blend score that lifts the item most above that term's catalogue median. */
  term: 'lstm' | 'popularity' | 'topic' | 'none';
  /** Each term's value for the item minus the term's median over the catalogue. */
  lift: Partial<Record<'lstm' | 'popularity' | 'topic', number>>;
  /** In the user's test target. */
  hit: boolean;
}

/**
 * One sample user's topic-share trajectory (a few topics plus "other", each bucket summing to 1), the
 * forecasts of the next (test) bucket, what it turned out to be, and what was recommended.
 */
export interface SampleTrajectory {
  user: string | number;
  /** Why this user is shown (the selection rule's criterion). */
  reason?: string;
  /** Topic labels of the columns below. */
  labels: string[];
  /** History buckets × labels. */
  history: number[][];
  /** Next-bucket forecasts, one per forecaster (the configured one, the LSTM topic head). */
  forecasts: { model: string; shares: number[] }[];
  /** The observed shares of the next (test) bucket. */
  observed?: number[];
  /** The generating shares of the next bucket (synthetic data). */
  truth?: number[];
  /** The user's test metrics (e.g. NDCG@10 of blend and blend_no_forecast). */
  metrics?: Record<string, number>;
  /** JSD between the last two history buckets. */
  drift?: number;
  recommended: RecommendedItem[];
}

const FONT = 'DejaVu Sans, Verdana, sans-serif';
const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: { font: FONT, view: { stroke: '#ddd' } },
} as const;

/** Mean with its interval per method, one panel per metric. */
export function metricsChart(rows: readonly IntervalRow[]): ChartSpec {
  return {
    ...base,
    title: 'Test metrics (mean, 95% bootstrap CI over users)',
    data: { values: rows.map((r) => ({ ...r, lo: r.lo ?? r.mean, hi: r.hi ?? r.mean })) },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 170,
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2, color: '#888' },
          encoding: {
            y: { field: 'method', type: 'nominal', title: null, sort: null },
            x: { field: 'lo', type: 'quantitative', title: null },
            x2: { field: 'hi' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 60, color: '#1f77b4' },
          encoding: {
            y: { field: 'method', type: 'nominal', sort: null },
            x: { field: 'mean', type: 'quantitative' },
            tooltip: [
              { field: 'method' },
              { field: 'mean', format: '.4f' },
              { field: 'lo', format: '.4f' },
              { field: 'hi', format: '.4f' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  } as ChartSpec;
}

/** Training loss and validation NDCG@10 per epoch, the best epoch marked. */
export function trainingChart(history: readonly EpochPoint[], bestEpoch?: number): ChartSpec {
  const line = (field: 'loss' | 'valid', title: string, color: string) => ({
    width: 280,
    height: 180,
    title,
    layer: [
      {
        mark: { type: 'line', point: true, color },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field, type: 'quantitative', title: null, scale: { zero: false } },
        },
      },
      ...(bestEpoch === undefined
        ? []
        : [
            {
              data: { values: [{ epoch: bestEpoch }] },
              mark: { type: 'rule', strokeDash: [4, 3], color: '#999' },
              encoding: { x: { field: 'epoch', type: 'quantitative' } },
            },
          ]),
    ],
  });
  return {
    ...base,
    data: { values: history.map((h) => ({ epoch: h.epoch, loss: h.loss, valid: h.valid })) },
    hconcat: [line('loss', 'Training loss', '#d62728'), line('valid', 'Validation NDCG@10', '#1f77b4')],
  } as ChartSpec;
}

/** Validation NDCG@10 over the α × β grid, the chosen cell outlined. */
export function surfaceChart(
  curve: readonly SurfacePoint[],
  chosen?: { alpha: number; beta: number },
): ChartSpec {
  const values = curve.map((p) => ({
    ...p,
    chosen: chosen !== undefined && p.alpha === chosen.alpha && p.beta === chosen.beta,
  }));
  return {
    ...base,
    title: 'Validation NDCG@10 over α (LSTM weight) × β (popularity prior)',
    data: { values },
    width: 320,
    height: 220,
    encoding: {
      x: { field: 'beta', type: 'ordinal', title: 'β', axis: { labelAngle: 0 } },
      y: { field: 'alpha', type: 'ordinal', title: 'α', sort: 'descending' },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'ndcg10', type: 'quantitative', title: 'NDCG@10', scale: { scheme: 'blues' } },
          stroke: { condition: { test: 'datum.chosen', value: '#d62728' }, value: null },
          strokeWidth: { value: 3 },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: { text: { field: 'ndcg10', type: 'quantitative', format: '.4f' } },
      },
    ],
  } as ChartSpec;
}

/** Forecast error per topic, one bar per model. */
export function forecastErrorChart(rows: readonly TopicErrorRow[], metric: string): ChartSpec {
  return {
    ...base,
    title: `Topic-share forecast error per topic (${metric})`,
    data: { values: rows.map((r) => ({ ...r })) },
    // A fixed width (bars narrow as topics × models grow) so the chart never outgrows the page.
    width: 560,
    height: 200,
    mark: 'bar',
    encoding: {
      x: { field: 'topic', type: 'nominal', title: null, axis: { labelAngle: -40, labelLimit: 140 } },
      xOffset: { field: 'model' },
      y: { field: 'value', type: 'quantitative', title: metric },
      color: { field: 'model', type: 'nominal', title: 'model' },
    },
  } as ChartSpec;
}

/**
 * One user's topic shares per bucket (lines), and one step past the history the next bucket: each
 * forecaster's forecast (hollow markers), the observed shares and the generating truth (filled markers).
 */
export function trajectoryChart(s: SampleTrajectory): ChartSpec {
  const k = s.labels.length;
  const next: [string, number[]][] = [
    ...s.forecasts.map((f) => [f.model, f.shares] as [string, number[]]),
    ...(s.observed ? [['observed', s.observed] as [string, number[]]] : []),
    ...(s.truth ? [['truth', s.truth] as [string, number[]]] : []),
  ];
  for (const [what, v] of [...next, ...s.history.map((h, t) => [`history[${t}]`, h] as const)])
    if (v.length !== k)
      throw new Error(`trajectory of user ${s.user}: ${what} has ${v.length} topics, expected ${k}`);
  const n = s.history.length;
  const hist = s.history.flatMap((h, t) =>
    s.labels.map((topic, c) => ({ bucket: t + 1, topic, share: h[c] })),
  );
  // The next bucket's markers side by side around n + 1, one column per source.
  const marks = next.flatMap(([source, v], j) =>
    s.labels.map((topic, c) => ({
      bucket: n + 1 + (j - (next.length - 1) / 2) * 0.16,
      topic,
      share: v[c],
      source,
      filled: source === 'observed' || source === 'truth',
    })),
  );
  const color = {
    field: 'topic',
    type: 'nominal',
    title: 'topic',
    sort: s.labels,
    legend: { labelLimit: 160 },
  };
  const points = (filled: boolean) => ({
    data: { values: marks.filter((m) => m.filled === filled) },
    mark: { type: 'point', size: 80, strokeWidth: 2, filled, opacity: 0.9 },
    encoding: {
      x: { field: 'bucket', type: 'quantitative' },
      y: { field: 'share', type: 'quantitative' },
      color,
      shape: { field: 'source', type: 'nominal', title: 'next bucket', sort: next.map(([m]) => m) },
      tooltip: [{ field: 'source' }, { field: 'topic' }, { field: 'share', format: '.3f' }],
    },
  });
  return {
    ...base,
    title: `User ${s.user}: topic shares per bucket and the next bucket`,
    width: 340,
    height: 200,
    layer: [
      {
        data: { values: hist },
        mark: { type: 'line', point: { size: 20 } },
        encoding: {
          x: {
            field: 'bucket',
            type: 'quantitative',
            title: 'bucket (last: next bucket)',
            axis: { tickMinStep: 1 },
            scale: { domain: [1, n + 1.5], nice: false },
          },
          y: { field: 'share', type: 'quantitative', title: 'share', scale: { domain: [0, 1] } },
          color,
        },
      },
      ...(marks.some((m) => !m.filled) ? [points(false)] : []),
      ...(marks.some((m) => m.filled) ? [points(true)] : []),
    ],
  } as ChartSpec;
}

/** Vega-Lite → SVG string, headless (no DOM, no canvas, no loader network access). */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    loader: vega.loader({ mode: 'file' }),
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG → PNG (2× for legibility) with the system's sans-serif fonts. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}
