// simple-rnn/worker/node: the same Trainer in a Node worker_thread, on the demo tasks. This file is both the host
// helper and the worker script: createNodeTrainer() starts a Worker on this very file (the built dist/worker-node.js
// or .cjs), which then serves the protocol on its parentPort.
import { serveNodeWorker, startNodeTrainer } from '../trainer/node.js';
import type { Trainer } from '../trainer/trainer.js';
import { demoTasks } from './tasks.js';

export { Trainer } from '../trainer/trainer.js';
export { serveNodeWorker, startNodeTrainer } from '../trainer/node.js';
export type { AdditionJob, DemoJob, TextJob } from './tasks.js';

/** Starts a worker_thread running the trainer (text and addition jobs) and returns its Trainer (call terminate() when done). */
export function createNodeTrainer(): Trainer {
  return startNodeTrainer(new URL(import.meta.url));
}

serveNodeWorker(demoTasks);
