// The Node side of a Trainer: a worker_thread. startNodeTrainer(script) starts a Worker on a script file that calls
// serveNodeWorker(tasks) at its top level (the package's, simple-rnn/worker/node, is src/demos/trainer-node.ts: one
// file that is both the host helper and the worker script). Node only: it imports node:worker_threads.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { typeError } from '../errors.js';
import { serve } from './serve.js';
import type { TrainerTask } from './task.js';
import { Trainer } from './trainer.js';

const MARK = 'simple-rnn trainer';

/** Starts a worker_thread on `script` (a file URL or path) running the trainer; call terminate() when done. */
export function startNodeTrainer(script: URL | string): Trainer {
  if (!(script instanceof URL) && typeof script !== 'string') throw typeError('startNodeTrainer', 'script', 'a file URL or a path', script);
  return new Trainer(new Worker(script, { workerData: { role: MARK } }));
}

/** In a worker_thread started by startNodeTrainer: serves Trainer jobs of `tasks` and returns true; else false. */
export function serveNodeWorker(tasks: readonly TrainerTask[]): boolean {
  if (isMainThread || !parentPort || (workerData as { role?: string } | null)?.role !== MARK) return false;
  const port = parentPort;
  serve({
    post: (m, transfer) => port.postMessage(m, (transfer ?? []) as never),
    listen: (handler) => port.on('message', handler),
  }, tasks);
  return true;
}
