/** sphericalKMeansThreaded's worker: runs its share of the restarts and posts them back, in seed order. */
import { parentPort, workerData } from 'node:worker_threads';
import { kMeansOnce } from './kmeans.ts';

const { x, dim, k, seeds, maxIter } = workerData as {
  x: Float32Array;
  dim: number;
  k: number;
  seeds: number[];
  maxIter: number;
};
parentPort?.postMessage(seeds.map((seed) => kMeansOnce(x, dim, k, seed, maxIter)));
