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

/** One sample user's topic-share trajectory, the forecasts of the next bucket and what was recommended. */
export interface SampleTrajectory {
  user: string | number;
  /** Topic labels, length K. */
  labels: string[];
  /** Buckets × K topic shares. */
  history: number[][];
  arima: number[];
  lstm?: number[];
  recommended: string[];
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
    width: { step: 14 },
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
 * One user's topic shares per bucket for the `topTopics` largest topics (history mean + forecast), with the
 * next-bucket forecasts drawn one step past the history.
 */
export function trajectoryChart(s: SampleTrajectory, topTopics = 5): ChartSpec {
  const k = s.labels.length;
  for (const [what, v] of [
    ['arima', s.arima],
    ['lstm', s.lstm ?? s.arima],
    ...s.history.map((h, t) => [`history[${t}]`, h] as const),
  ] as const)
    if (v.length !== k)
      throw new Error(`trajectory of user ${s.user}: ${what} has ${v.length} topics, expected ${k}`);
  const weight = s.labels.map(
    (_, c) => s.history.reduce((a, h) => a + h[c], 0) / Math.max(1, s.history.length) + s.arima[c],
  );
  const keep = weight
    .map((w, c) => [w, c] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, topTopics)
    .map(([, c]) => c);
  const n = s.history.length;
  const hist = s.history.flatMap((h, t) =>
    keep.map((c) => ({ bucket: t + 1, topic: s.labels[c], share: h[c] })),
  );
  const fc = [
    ...keep.map((c) => ({ bucket: n + 1, topic: s.labels[c], share: s.arima[c], model: 'ARIMA' })),
    ...(s.lstm
      ? keep.map((c) => ({ bucket: n + 1, topic: s.labels[c], share: s.lstm![c], model: 'LSTM' }))
      : []),
  ];
  const color = { field: 'topic', type: 'nominal', title: 'topic', legend: { labelLimit: 180 } };
  return {
    ...base,
    title: `User ${s.user}: topic shares per bucket and next-bucket forecast`,
    width: 360,
    height: 200,
    layer: [
      {
        data: { values: hist },
        mark: { type: 'line', point: { size: 20 } },
        encoding: {
          x: { field: 'bucket', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field: 'share', type: 'quantitative', title: 'share' },
          color,
        },
      },
      {
        data: { values: fc },
        mark: { type: 'point', size: 90, filled: false, strokeWidth: 2 },
        encoding: {
          x: { field: 'bucket', type: 'quantitative' },
          y: { field: 'share', type: 'quantitative' },
          color,
          shape: { field: 'model', type: 'nominal', title: 'forecast' },
        },
      },
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
