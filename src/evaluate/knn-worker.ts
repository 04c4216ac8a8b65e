/** KnnStarted's worker: builds each window's snapshots in turn and posts each as it is done. */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventLog } from '../data/split.ts';
import { env } from '../env.ts';
import { buildKnnSnapshots } from './knn.ts';

const { log, windows, nItems, maxNeighbours } = workerData as {
  log: EventLog;
  windows: Float64Array[];
  nItems: number;
  maxNeighbours: number;
};
// Its bars would interleave with training's, which runs meanwhile on the main thread.
env.progress = 'off';
windows.forEach((cutoffs, window) => {
  const examples = Array.from(cutoffs, (cutoff) => ({ cutoff }));
  const snapshots = buildKnnSnapshots(log, examples, nItems, maxNeighbours);
  const buffers = snapshots.models.flatMap((m) =>
    [m.neighbours, m.sims, m.counts].map((a) => a.buffer as ArrayBuffer),
  );
  parentPort?.postMessage({ window, snapshots }, buffers);
});
