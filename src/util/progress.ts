/**
 * Progress reporting on stderr only: stdout is reserved for the CLI's `--json` output.
 * A TTY gets a cli-progress bar; anything else (logs, CI, pipes) gets a plain line at most every
 * ~2 s plus one final line, e.g. `embed: 500/1000 (50%) 123.4/s eta 4s loss=0.51`.
 */
import cliProgress from 'cli-progress';
import { env, type ProgressMode } from '../env.ts';

export type ProgressInfo = Record<string, string | number>;

export interface Progress {
  /** Advances by `n` and replaces the displayed info fields (e.g. `{ loss: 0.51 }`) when given. */
  tick(n?: number, info?: ProgressInfo): void;
  /** Prints the final state once; later calls do nothing. */
  stop(): void;
}

export interface ProgressOptions {
  /** Overrides `env.progress`. */
  mode?: ProgressMode;
  /** Where to write; default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Minimum time between plain lines; default 2000 ms. */
  intervalMs?: number;
  /** Clock in ms (injectable so throttling is testable). */
  now?: () => number;
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(1) : String(Number(x.toPrecision(4)));
}

function formatInfo(info: ProgressInfo): string {
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(' ');
}

/** 4s, 2m05s, 1h02m; '?' while the rate is unknown. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

interface State {
  value: number;
  total: number;
  elapsedMs: number;
  info: ProgressInfo;
}

function rateOf(s: State): number {
  return s.elapsedMs > 0 ? (s.value * 1000) / s.elapsedMs : 0;
}

/** The plain-line rendering, e.g. `embed: 500/1000 (50%) 123.4/s eta 4s loss=0.51`. */
export function formatProgressLine(label: string, s: State): string {
  const pct = s.total > 0 ? Math.floor((100 * s.value) / s.total) : 100;
  const rate = rateOf(s);
  const eta = s.value >= s.total ? 0 : rate > 0 ? (s.total - s.value) / rate : Number.NaN;
  const info = formatInfo(s.info);
  return `${label}: ${s.value}/${s.total} (${pct}%) ${rate.toFixed(1)}/s eta ${formatEta(eta)}${info ? ` ${info}` : ''}`;
}

const silent: Progress = { tick() {}, stop() {} };

/** Creates a progress reporter for `total` units of work labelled `label`. */
export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  if (!Number.isFinite(total) || total < 0) {
    throw new Error(
      `createProgress(${JSON.stringify(label)}): total must be a finite number >= 0, got ${total}`,
    );
  }
  const stream = opts.stream ?? process.stderr;
  const requested = opts.mode ?? env.progress;
  if (requested === 'off') return silent;
  const mode = requested === 'auto' ? (stream.isTTY ? 'tty' : 'lines') : requested;
  const now = opts.now ?? Date.now;
  const start = now();
  const state: State = { value: 0, total, elapsedMs: 0, info: {} };
  let stopped = false;

  const update = (n: number, info?: ProgressInfo) => {
    state.value += n;
    state.elapsedMs = now() - start;
    if (info) state.info = info;
  };

  if (mode === 'tty') {
    const bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {value}/{total} {percentage}% | {rate}/s | eta {eta_formatted} {info}`,
      stream: stream as NodeJS.WritableStream,
      noTTYOutput: true, // a forced 'tty' mode on a non-TTY stream still prints
      hideCursor: false,
      barsize: 30,
    });
    const payload = () => ({ rate: rateOf(state).toFixed(1), info: formatInfo(state.info) });
    bar.start(total, 0, payload());
    return {
      tick(n = 1, info) {
        if (stopped) return;
        update(n, info);
        bar.update(state.value, payload());
      },
      stop() {
        if (stopped) return;
        stopped = true;
        state.elapsedMs = now() - start;
        bar.update(state.value, payload());
        bar.stop();
      },
    };
  }

  const intervalMs = opts.intervalMs ?? 2000;
  let lastPrint = start;
  const print = () => stream.write(`${formatProgressLine(label, state)}\n`);
  return {
    tick(n = 1, info) {
      if (stopped) return;
      update(n, info);
      const t = start + state.elapsedMs;
      if (t - lastPrint >= intervalMs) {
        lastPrint = t;
        print();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      state.elapsedMs = now() - start;
      print();
    },
  };
}
