import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/metrics-report.ts';
import { inkShare, pngSize } from './pixels.ts';
import { syntheticRunReport } from './run-fixture.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('SKIPPED html-chromium tests: no chromium (apt-get install -y chromium)');

/** Screenshot of a local HTML file in headless Chromium, plus the console messages it logged. */
function screenshot(html: string, width: number, height: number) {
  const png = join(mkdtempSync(join(tmpdir(), 'shot-')), 'shot.png');
  const r = spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--enable-logging=stderr',
      '--v=0',
      `--window-size=${width},${height}`,
      `--screenshot=${png}`,
      `file://${html}`,
    ],
    { encoding: 'utf8', timeout: 90_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const consoleLines = r.stderr.split('\n').filter((l) => /:CONSOLE[(:]/.test(l));
  return { png: readFileSync(png), consoleLines };
}

describe.skipIf(!CHROMIUM)('HTML report in headless Chromium', () => {
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
