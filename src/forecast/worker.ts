import { parentPort, workerData } from 'node:worker_threads';
import type { ForecastJob, WorkerReply, WorkerRequest } from './many.ts';
import { createForecaster } from './registry.ts';
import { forecastShares } from './shares.ts';
import type { ForecastSpec } from './types.ts';

/** forecastMany's worker: its own forecaster (and ARIMA WASM runtime), answering batches of jobs. */
const port = parentPort;
if (!port) throw new Error('forecast worker: must run in a worker thread');
const forecaster = await createForecaster((workerData as { spec: ForecastSpec }).spec);

port.on('message', (msg: WorkerRequest) => {
  if (msg === null) {
    forecaster.dispose();
    port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    reply = {
      batch: msg.batch,
      results: msg.jobs.map((j: ForecastJob) => forecastShares(forecaster, j.series, j.horizon)),
    };
  } catch (e) {
    reply = { batch: msg.batch, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WorkerReply);
