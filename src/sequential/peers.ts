import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { EventLog, Example } from '../data/split.ts';
import { evaluateScorer, type MethodResult } from '../evaluate/rank.ts';
import { type ThreadBackend, threadableBackend } from '../util/thread-backend.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import type { SequentialSpecInput } from './spec.ts';
import { trainSequential } from './train.ts';

/** The peers stage's settings: the configured peers (evaluate.sequential) and how the run evaluates. */
export interface PeersInput {
  entries: readonly SequentialSpecInput[];
  seed: number;
  ks: readonly number[];
  excludeSeen: boolean;
}

/** What a peer cost and where early stopping left it (the report's training-cost line). */
export interface PeerCost {
  kind: string;
  epochs: number;
  best_epoch: number;
  best_valid_ndcg10: number;
  seconds: number;
}

export interface PeersResult {
  methods: Record<string, MethodResult>;
  costs: PeerCost[];
}

/** The split the peers train, stop early and test on. */
export interface PeerSplit {
  train: readonly Example[];
  valid: readonly Example[];
  test: readonly Example[];
}

/** Trains each configured peer on the split (early stopping on valid) and tests it, in this thread. */
export async function runPeers(
  input: PeersInput,
  log: EventLog,
  split: PeerSplit,
  nItems: number,
  say: (line: string) => void,
): Promise<PeersResult> {
  const methods: Record<string, MethodResult> = {};
  const costs: PeerCost[] = [];
  for (const entry of input.entries) {
    const r = await trainSequential({ seed: input.seed, ...entry }, log, nItems, split.train, split.valid, {
      excludeSeen: input.excludeSeen,
      log: say,
    });
    try {
      methods[entry.kind] = await evaluateScorer(log, split.test, r.scorer, {
        nItems,
        ks: input.ks,
        excludeSeen: input.excludeSeen,
        keepLists: true,
      });
      costs.push({
        kind: entry.kind,
        epochs: r.history.length,
        best_epoch: r.bestEpoch,
        best_valid_ndcg10: r.bestValid,
        seconds: r.seconds,
      });
    } finally {
      r.dispose();
    }
  }
  return { methods, costs };
}

export interface PeersThreadData {
  input: PeersInput;
  log: EventLog;
  split: PeerSplit;
  nItems: number;
  backend: ThreadBackend;
}

export type PeersThreadMessage = { line: string } | { result: PeersResult } | { error: string };

/** A peers stage under way: `result` when it is needed, stop() to end it early (a failed run). */
export interface StartedPeers {
  result: Promise<PeersResult>;
  /** Where the peers train: beside the run, or in this thread when awaited. */
  where: 'thread' | 'inline';
  stop(): void;
}

/**
 * Starts the peers stage now and hands its result over when awaited. The peers need only the split, so
 * with a second core and a threadable backend they train on worker threads (one each) while this one embeds,
 * clusters, trains the LSTM and evaluates (the same seeds and backend: the same numbers as in this
 * thread); otherwise they run here when `result` is first awaited.
 */
export function startPeers(
  input: PeersInput,
  log: EventLog,
  split: PeerSplit,
  nItems: number,
  say: (line: string) => void,
): StartedPeers {
  const backend = threadableBackend();
  if (input.entries.length === 0 || availableParallelism() < 2 || !backend) {
    let result: Promise<PeersResult> | null = null;
    return {
      get result() {
        result ??= runPeers(input, log, split, nItems, say);
        return result;
      },
      where: 'inline',
      stop: () => {},
    };
  }
  // One thread per peer: once the main thread is done, the peers still left use every core.
  const workers = input.entries.map((entry) => {
    const data: PeersThreadData = {
      input: { ...input, entries: [entry] },
      log,
      split,
      nItems,
      backend,
    };
    return startTsWorker(new URL('./peers-thread.ts', import.meta.url), data);
  });
  const result = Promise.all(workers.map((w) => peersFrom(w, say))).then(merged);
  // A failure is reported where the result is awaited, not as an unhandled rejection before that.
  result.catch(() => {});
  const stop = () => {
    for (const w of workers) void w.terminate();
  };
  return { result, where: 'thread', stop };
}

/** The peers' results in entry order, as runPeers gives them. */
function merged(parts: readonly PeersResult[]): PeersResult {
  return {
    methods: Object.assign({}, ...parts.map((p) => p.methods)),
    costs: parts.flatMap((p) => p.costs),
  };
}

function peersFrom(worker: Worker, say: (line: string) => void): Promise<PeersResult> {
  return new Promise((resolve, reject) => {
    let done = false;
    worker.on('message', (m: PeersThreadMessage) => {
      if ('line' in m) return say(m.line);
      done = true;
      void worker.terminate();
      if ('result' in m) resolve(m.result);
      else reject(new Error(`sequential peers: ${m.error}`));
    });
    worker.on('error', (e) => {
      done = true;
      reject(new Error(`sequential peers: ${e.message}`));
    });
    worker.on('exit', (code) => {
      if (!done)
        reject(new Error(`sequential peers: the thread stopped (exit code ${code}) before finishing`));
    });
  });
}
