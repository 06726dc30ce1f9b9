// simple-rnn/worker/node: the same Trainer in a Node worker_thread. This file is both the host helper and the worker
// script: createNodeTrainer() starts a Worker on this very file, which then serves the protocol on its parentPort.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { serve } from './serve.js';
import { Trainer } from './trainer.js';

export { Trainer } from './trainer.js';

const MARK = 'simple-rnn trainer';

/** Starts a worker_thread running the trainer and returns its Trainer (call terminate() when done). */
export function createNodeTrainer(): Trainer {
  return new Trainer(new Worker(new URL(import.meta.url), { workerData: { role: MARK } }));
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === MARK) {
  const port = parentPort;
  serve({
    post: (m, transfer) => port.postMessage(m, (transfer ?? []) as never),
    listen: (handler) => port.on('message', handler),
  });
}
