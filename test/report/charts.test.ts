import { describe, expect, it } from 'vitest';
import {
  forecastErrorChart,
  metricsChart,
  renderSvg,
  surfaceChart,
  svgToPng,
  trainingChart,
  trajectoryChart,
} from '../../src/report/charts.ts';
import { scopeSvgIds } from '../../src/report/document.ts';
import { inkShare, pngSize } from './pixels.ts';

describe('charts render headless to SVG and PNG', () => {
  it('metrics with error bars: every method and metric is drawn, and the PNG has ink', async () => {
    const rows = ['blend', 'most_popular'].flatMap((method, i) =>
      ['ndcg@10', 'recall@10'].map((metric) => ({
        method,
        metric,
        mean: 0.2 - i * 0.1,
        lo: 0.15 - i * 0.1,
        hi: 0.25 - i * 0.1,
      })),
    );
    const svg = await renderSvg(metricsChart(rows));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['blend', 'most_popular', 'ndcg@10', 'recall@10']) expect(svg).toContain(`>${t}</text>`);
    const png = svgToPng(svg);
    const { width, height } = pngSize(png);
    expect(width).toBeGreaterThan(300);
    const ink = inkShare(png, width, height);
    expect(ink).toBeGreaterThan(0.01);
    expect(ink).toBeLessThan(0.6);
  });

  it('training curves, α×β surface, forecast error and a user trajectory', async () => {
    const training = await renderSvg(
      trainingChart(
        [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, valid: 0.1 * epoch })),
        2,
      ),
    );
    expect(training).toContain('Training loss');
    expect(training).toContain('Validation NDCG@10');
    const surface = await renderSvg(
      surfaceChart(
        [0, 1].flatMap((alpha) => [0, 0.2].map((beta) => ({ alpha, beta, ndcg10: 0.1 + alpha / 10 + beta }))),
        { alpha: 1, beta: 0.2 },
      ),
    );
    expect(surface).toContain('>0.4000</text>'); // the chosen cell's value printed in it
    const err = await renderSvg(
      forecastErrorChart(
        [
          { topic: 'Drama', model: 'arima', value: 0.1 },
          { topic: 'Drama', model: 'lstm', value: 0.08 },
        ],
        'MAE',
      ),
    );
    expect(err).toContain('>Drama</text>');
    const traj = await renderSvg(
      trajectoryChart({
        user: 7,
        labels: ['a', 'b', 'other'],
        history: [
          [0.5, 0.3, 0.2],
          [0.2, 0.6, 0.2],
        ],
        forecasts: [
          { model: 'arima', shares: [0.1, 0.7, 0.2] },
          { model: 'lstm topic head', shares: [0.2, 0.6, 0.2] },
        ],
        observed: [0.3, 0.5, 0.2],
        truth: [0.25, 0.55, 0.2],
        recommended: [],
      }),
    );
    expect(traj).toContain('User 7');
    for (const t of ['arima', 'lstm topic head', 'observed', 'truth']) expect(traj).toContain(`>${t}</text>`);
    expect(traj).toMatch(/class="mark-line role-mark[^"]*"/); // the history lines
    expect(traj).toMatch(/class="mark-symbol role-mark[^"]*"/); // the next-bucket markers
    expect(() =>
      trajectoryChart({
        user: 1,
        labels: ['a', 'b'],
        history: [[1]],
        forecasts: [{ model: 'arima', shares: [0.5, 0.5] }],
        recommended: [],
      }),
    ).toThrow(/history\[0\] has 1 topics, expected 2/);
  });

  it('scopes SVG ids so several charts can live in one page', () => {
    const s = scopeSvgIds(
      '<clipPath id="clip1"></clipPath><g clip-path="url(#clip1)"><use href="#clip1"/></g>',
      'm',
    );
    expect(s).toBe(
      '<clipPath id="m-clip1"></clipPath><g clip-path="url(#m-clip1)"><use href="#m-clip1"/></g>',
    );
  });
});
