import type { Worker } from 'node:worker_threads';
import type { EventLog, Example } from '../data/split.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import { buildKnnSnapshots, type KnnSnapshots } from './knn.ts';

/** Below this many events (default) the builds take less than starting a thread (~0.3 s): in-process. */
const THREADED_EVENTS = 200_000;

/**
 * Item-kNN snapshots of several windows of examples (validation, test), started as soon as the split is
 * known: they need only the log and the cutoffs, so on a large log they are built on one worker thread
 * beside training instead of after it (on the 1M-event bench log, 16 builds of about 1 s each). Built
 * with the most neighbours any use needs: a smaller count reads a prefix of each list. Each window's
 * snapshots are buildKnnSnapshots' bit for bit; a small log builds them in-process when first asked for.
 */
export class KnnStarted {
  private readonly byWindow = new Map<readonly Example[], () => Promise<KnnSnapshots>>();
  private worker: Worker | null = null;

  constructor(
    log: EventLog,
    windows: readonly (readonly Example[])[],
    nItems: number,
    readonly maxNeighbours: number,
    threadedEvents = THREADED_EVENTS,
  ) {
    if (log.item.length < threadedEvents) {
      // take() hands each window over once, so each is built at most once.
      for (const w of windows)
        this.byWindow.set(w, async () => buildKnnSnapshots(log, w, nItems, maxNeighbours));
      return;
    }
    const pending = windows.map(() => deferred<KnnSnapshots>());
    const cutoffs = windows.map((w) => Float64Array.from(w, (ex) => ex.cutoff));
    const worker = startTsWorker(new URL('./knn-worker.ts', import.meta.url), {
      log: { userOffsets: log.userOffsets, item: log.item, ts: log.ts },
      windows: cutoffs,
      nItems,
      maxNeighbours,
    });
    // The run may end (or fail) before asking: the thread must not keep the process alive.
    worker.unref();
    let done = 0;
    worker.on('message', ({ window, snapshots }: { window: number; snapshots: KnnSnapshots }) => {
      pending[window].resolve(snapshots);
      if (++done === windows.length) void worker.terminate();
    });
    const fail = (e: Error) => {
      for (const p of pending) p.reject(new Error(`item-knn thread: ${e.message}`));
    };
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (done < windows.length) fail(new Error(`exited with code ${code} before every window was built`));
    });
    windows.forEach((w, j) => {
      this.byWindow.set(w, () => pending[j].promise);
    });
    this.worker = worker;
  }

  /**
   * The snapshots of exactly this list of examples, if it was one of the windows, handed over: a window is
   * asked for once, and the snapshots (16 MB each on the 1M-event log) are then its caller's to drop.
   */
  take(window: readonly Example[]): Promise<KnnSnapshots> | undefined {
    const build = this.byWindow.get(window);
    this.byWindow.delete(window);
    return build?.();
  }

  /** Stops the thread if it is still building (a run that fails early). */
  async dispose(): Promise<void> {
    await this.worker?.terminate();
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited later (or never, when the run stops first): no unhandled rejection meanwhile.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
