/** startPeers' worker: activates the caller's tfjs backend, runs the peers stage, posts its lines and result. */
import { parentPort, workerData } from 'node:worker_threads';
import { activateThreadBackend } from '../util/thread-backend.ts';
import { type PeersThreadData, type PeersThreadMessage, runPeers } from './peers.ts';

const port = parentPort;
if (!port) throw new Error('peers thread: must run in a worker thread');
const post = (m: PeersThreadMessage) => port.postMessage(m);
const { input, log, split, nItems, backend } = workerData as PeersThreadData;
try {
  if (!(await activateThreadBackend(backend))) throw new Error(`cannot activate tfjs backend ${backend}`);
  post({ result: await runPeers(input, log, split, nItems, (line) => post({ line })) });
} catch (e) {
  post({ error: e instanceof Error ? e.message : String(e) });
}
