import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/render.ts';
import { inkShare, pngSize } from './pixels.ts';
import { syntheticRunReport } from './run-fixture.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('SKIPPED html-chromium tests: no chromium (apt-get install -y chromium)');

/** Headless Chromium on a local HTML file with one action (screenshot or DOM dump), console on stderr. */
function chromium(width: number, height: number, action: string, html: string) {
  return spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--enable-logging=stderr',
      '--v=0',
      `--window-size=${width},${height}`,
      action,
      `file://${html}`,
    ],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 },
  );
}

/** Screenshot of a local HTML file in headless Chromium, plus the console messages it logged. */
function screenshot(html: string, width: number, height: number) {
  const png = join(mkdtempSync(join(tmpdir(), 'shot-')), 'shot.png');
  const r = chromium(width, height, `--screenshot=${png}`, html);
  expect(r.status, r.stderr).toBe(0);
  const consoleLines = r.stderr.split('\n').filter((l) => /:CONSOLE[(:]/.test(l));
  return { png: readFileSync(png), consoleLines };
}

/**
 * The page's layout as Chromium computes it: a copy of the report with a probe script appended (the report
 * itself has no scripts) that writes what the test asks into the DOM, read back with --dump-dom.
 */
function layout(html: string, width: number) {
  const probe = join(mkdtempSync(join(tmpdir(), 'probe-')), 'probe.html');
  const script = `<script>
const d = document.documentElement;
const count = (sel) => document.querySelectorAll(sel).length;
const fig = (name, sel) => count('#fig-' + name + ' ' + sel);
const users = [...document.querySelectorAll('figure[id^="fig-evolution-user-"]')].map((f) => f.id.slice(4));
const out = { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth,
  panels: users.map((u) => ({ name: u, lines: fig(u, '.mark-line path'), points: fig(u, '.mark-symbol path') })),
  wide: [...document.querySelectorAll('figure')].filter((f) => f.getBoundingClientRect().right > d.clientWidth).map((f) => f.id) };
document.body.setAttribute('data-probe', JSON.stringify(out));
</script>`;
  writeFileSync(probe, readFileSync(html, 'utf8').replace('</body>', `${script}</body>`));
  const r = chromium(width, 900, '--dump-dom', probe);
  expect(r.status, r.stderr).toBe(0);
  const m = r.stdout.match(/data-probe="([^"]*)"/);
  expect(m, 'probe output').not.toBeNull();
  const json = m![1].replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return {
    ...(JSON.parse(json) as {
      scrollWidth: number;
      clientWidth: number;
      panels: { name: string; lines: number; points: number }[];
      wide: string[];
    }),
    consoleLines: r.stderr.split('\n').filter((l) => /:CONSOLE[(:]/.test(l)),
  };
}

describe.skipIf(!CHROMIUM)('HTML report in headless Chromium', () => {
  it('fits the page width (no sideways scroll) and the trajectory panels draw lines and markers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const report = await syntheticRunReport();
    // A real run's forecast-error chart: 20 topics × 8 forecasters (it used to grow past the page).
    report.forecast_error = {
      metric: 'MAE',
      rows: Array.from({ length: 20 }, (_, t) =>
        Array.from({ length: 8 }, (_, m) => ({
          topic: `topic ${t} label`,
          model: `forecaster ${m}`,
          value: 0.01 * (t + m),
        })),
      ).flat(),
    };
    const files = await writeReport(dir, report, [5, 10]);
    for (const width of [1200, 800]) {
      const page = layout(files.html, width);
      expect(page.consoleLines).toEqual([]);
      expect(page.wide).toEqual([]);
      expect(page.scrollWidth).toBeLessThanOrEqual(page.clientWidth);
      expect(page.panels.length).toBeGreaterThanOrEqual(3);
      for (const p of page.panels) {
        expect(p.lines, p.name).toBeGreaterThan(0);
        expect(p.points, p.name).toBeGreaterThan(0);
      }
    }
  });

  it('the layout probe does catch a page wider than the window (control)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctrl-'));
    const page = join(dir, 'wide.html');
    writeFileSync(
      page,
      '<!DOCTYPE html><html><body><figure id="fig-x" style="width:3000px">x</figure></body></html>',
    );
    const probe = layout(page, 800);
    expect(probe.scrollWidth).toBeGreaterThan(probe.clientWidth);
    expect(probe.wide).toEqual(['fig-x']);
  });

  it('renders a non-blank page with no console messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const files = await writeReport(dir, await syntheticRunReport(), [5, 10]);
    const shot = screenshot(files.html, 1200, 2400);
    expect(shot.consoleLines).toEqual([]);
    const { width, height } = pngSize(shot.png);
    expect([width, height]).toEqual([1200, 2400]);
    expect(inkShare(shot.png, width, height)).toBeGreaterThan(0.03);
  });

  it('the checks do catch a console error and a blank page (control)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctrl-'));
    const page = join(dir, 'ctrl.html');
    writeFileSync(
      page,
      '<!DOCTYPE html><html><body><script>console.error("control-error")</script></body></html>',
    );
    const shot = screenshot(page, 400, 300);
    expect(shot.consoleLines.join('\n')).toContain('control-error');
    expect(inkShare(shot.png, 400, 300)).toBeLessThan(0.001);
  });
});
