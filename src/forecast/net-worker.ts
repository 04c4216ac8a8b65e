/** fitPooledNets' worker: fits one network on the rows it was given, posting each epoch, then the network. */
import { parentPort, workerData } from 'node:worker_threads';
import { fitNetRows, type NetRows, type NetWorkerMessage } from './pooled-net.ts';

const { data, seed } = workerData as { data: NetRows; seed: number };
const post = (m: NetWorkerMessage) => parentPort?.postMessage(m);
post({ net: fitNetRows(data, seed, () => post({ epoch: 1 })) });
