import { parentPort, workerData } from 'node:worker_threads';
import type { ShareForecaster } from './examples.ts';
import {
  type ForecasterSource,
  runJob,
  shareForecasterFrom,
  type WorkerReply,
  type WorkerRequest,
} from './many.ts';

/** forecastJobs' worker: its own forecasters (and ARIMA WASM runtime), answering batches of jobs. */
const port = parentPort;
if (!port) throw new Error('forecast worker: must run in a worker thread');
const { sources } = workerData as { sources: ForecasterSource[] };
const forecasters: ShareForecaster[] = [];
for (const s of sources) forecasters.push(await shareForecasterFrom(s));

port.on('message', (msg: WorkerRequest) => {
  if (msg === null) {
    for (const f of forecasters) f.dispose();
    port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    reply = { batch: msg.batch, results: msg.jobs.map((j) => runJob(forecasters, j)) };
  } catch (e) {
    reply = { batch: msg.batch, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WorkerReply);
