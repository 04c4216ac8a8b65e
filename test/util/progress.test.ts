import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from '../../src/env.ts';
import { createProgress, formatEta } from '../../src/util/progress.ts';

class Capture extends Writable {
  text = '';
  constructor(public isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** A clock the test advances by hand. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

afterEach(() => vi.restoreAllMocks());

describe('createProgress (lines)', () => {
  it('prints at most every interval plus one final line', () => {
    const out = new Capture();
    const c = clock();
    const p = createProgress('embed', 1000, { mode: 'lines', stream: out, now: c.now });
    for (let i = 0; i < 10; i++) {
      c.advance(500); // 10 ticks over 5 s → lines at 2 s and 4 s
      p.tick(50, { loss: 0.51234 });
    }
    p.stop();
    p.stop();
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toEqual([
      'embed: 200/1000 (20%) 100.0/s eta 8s loss=0.5123',
      'embed: 400/1000 (40%) 100.0/s eta 6s loss=0.5123',
      'embed: 500/1000 (50%) 100.0/s eta 5s loss=0.5123',
    ]);
  });

  it("'auto' picks lines on a non-TTY and 'off' prints nothing", () => {
    const out = new Capture(false);
    const p = createProgress('x', 2, { mode: 'auto', stream: out });
    p.tick(2);
    p.stop();
    expect(out.text).toMatch(/^x: 2\/2 \(100%\) [\d.]+\/s eta 0s\n$/);

    const off = new Capture();
    const before = env.progress;
    env.progress = 'off';
    try {
      const q = createProgress('x', 2, { stream: off });
      q.tick();
      q.stop();
    } finally {
      env.progress = before;
    }
    expect(off.text).toBe('');
  });

  it('writes to stderr by default, never to stdout', () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = createProgress('quiet', 3, { mode: 'lines' });
    p.tick(3);
    p.stop();
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^quiet: 3\/3 \(100%\)/));
  });

  it('rejects a bad total', () => {
    expect(() => createProgress('t', Number.NaN)).toThrow(/total must be/);
  });
});

describe('createProgress (tty)', () => {
  it('draws a cli-progress bar with value/total, rate and info', () => {
    const out = new Capture(true);
    const c = clock();
    const p = createProgress('train', 10, { stream: out, now: c.now, mode: 'auto' });
    c.advance(2000);
    p.tick(4, { loss: 0.25 });
    p.stop();
    expect(out.text).toContain('train [');
    expect(out.text).toMatch(/4\/10 40% \| 2\.0\/s \| eta \S+ loss=0\.25/);
  });
});

describe('formatEta', () => {
  it('formats seconds, minutes and hours', () => {
    expect([formatEta(4.4), formatEta(125), formatEta(3720), formatEta(Number.NaN)]).toEqual([
      '4s',
      '2m05s',
      '1h02m',
      '?',
    ]);
  });
});
