/**
 * One encoder on several threads: the calling thread's embedder plus worker threads holding their own copy
 * of it. tfjs' wasm and cpu backends compute on one thread per instance, so on a 2-core machine a second
 * copy roughly halves a cold embedding. embedTexts still cuts the batches, so whichever thread encodes a
 * batch the vectors are the single-thread ones bit for bit (same backend, same batch).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { type ThreadBackend, threadableBackend } from '../util/thread-backend.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import type { Embedder, EmbedOptions } from './types.ts';

/** What a thread worker needs: the encoder options and the tfjs backend to activate first. */
export interface ThreadWorkerData {
  options: EmbedOptions;
  backend: ThreadBackend;
}

export type ThreadRequest = { id: number; texts: readonly string[] };
export type ThreadReply =
  | { ready: true }
  | { id: number; vectors: Float32Array }
  | { id: number; error: string };

/**
 * Below this many batches a copy costs more than it saves: it loads (seconds) before the first batch, and on
 * 1,500 movie texts (24 batches) two threads took longer than one.
 */
const MIN_BATCHES = 64;

/**
 * How many threads `embedder` should run on: `threads` ('auto': the available cores) when it encodes
 * through a one-core tfjs backend and there are at least MIN_BATCHES batches, else 1 (hashing is too fast to
 * split; onnxruntime and tfjs-node thread themselves).
 */
export function embedThreads(embedder: Embedder, threads: number | 'auto', batches: number): number {
  if (!embedder.tfjs || !threadableBackend() || batches < MIN_BATCHES) return 1;
  const want = threads === 'auto' ? availableParallelism() : threads;
  return Math.max(1, Math.min(want, batches));
}

/** An encoder serving several embed calls at once, what releases it, and the batches each thread encoded. */
export interface ThreadPool {
  encoder: Embedder;
  close: () => void;
  /** Batches encoded so far per thread, the calling one first; empty when there is one thread. */
  batches: readonly number[];
}

/**
 * `embedder` plus `threads − 1` worker copies as one encoder serving `threads` embed calls at once, each on a
 * free thread; close() stops the copies (the caller still owns `embedder`).
 */
export async function withThreads(
  embedder: Embedder,
  options: EmbedOptions,
  threads: number,
): Promise<ThreadPool> {
  if (threads <= 1) return { encoder: embedder, close: () => {}, batches: [] };
  const backend = tf.getBackend() as ThreadBackend;
  const workers = await Promise.all(
    Array.from({ length: threads - 1 }, () => startEmbedWorker({ options, backend })),
  );
  const members: ((texts: readonly string[]) => Promise<Float32Array>)[] = [
    (texts) => embedder.embed(texts),
    ...workers.map((w) => w.embed),
  ];
  const batches = members.map(() => 0);
  const free = [...members];
  const waiting: (() => void)[] = [];
  const encoder: Embedder = {
    id: embedder.id,
    version: embedder.version,
    dim: embedder.dim,
    tfjs: embedder.tfjs,
    lanes: threads,
    async embed(texts) {
      // tfjs' wasm graph runs resolve through microtasks only: without a turn of the event loop between
      // batches the main thread encodes batch after batch and never reads a copy's reply (on 9,742 movie
      // texts the copy's first batch came back after the last one: 87 s on one core instead of two).
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (free.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      const member = free.pop() as (typeof free)[number];
      try {
        const vectors = await member(texts);
        batches[members.indexOf(member)]++;
        return vectors;
      } finally {
        free.push(member);
        waiting.shift()?.();
      }
    },
    dispose: () => embedder.dispose(),
  };
  return {
    encoder,
    close: () => {
      for (const w of workers) w.close();
    },
    batches,
  };
}

/** A worker copy of the encoder, resolved once it has loaded; embed() sends one batch and awaits it. */
async function startEmbedWorker(data: ThreadWorkerData) {
  const worker: Worker = startTsWorker(new URL('./thread-worker.ts', import.meta.url), data);
  const pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failure: Error | null = null;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: ThreadReply) => {
      if ('ready' in reply) return resolve();
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) p?.reject(new Error(`embed thread: ${reply.error}`));
      else p?.resolve(reply.vectors);
    });
    worker.once('error', (e) => {
      failAll(e);
      reject(e);
    });
    worker.once('exit', (code) => {
      const e = new Error(`embed thread exited with code ${code}`);
      failAll(e);
      reject(e);
    });
  });
  return {
    embed(texts: readonly string[]): Promise<Float32Array> {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, texts } satisfies ThreadRequest);
      });
    },
    close() {
      worker.removeAllListeners('exit');
      // The copy holds nothing to save; terminating also ends a thread tfjs would keep alive.
      void worker.terminate();
    },
  };
}
