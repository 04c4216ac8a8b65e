/** withThreads' worker: activates the caller's tfjs backend, loads its own encoder, answers batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { activateThreadBackend } from '../util/thread-backend.ts';
import { createEmbedder } from './registry.ts';
import type { ThreadReply, ThreadRequest, ThreadWorkerData } from './threads.ts';

const port = parentPort;
if (!port) throw new Error('embed thread: must run in a worker thread');
const { options, backend } = workerData as ThreadWorkerData;
if (!(await activateThreadBackend(backend)))
  throw new Error(`embed thread: cannot activate tfjs backend ${backend}`);
const embedder = await createEmbedder(options);

port.on('message', async (msg: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    reply = { id: msg.id, vectors: await embedder.embed(msg.texts) };
  } catch (e) {
    reply = { id: msg.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies ThreadReply);
