/**
 * Training off the UI thread: the Trainer runs a model in a Web Worker (simple-rnn/worker/web) or a Node
 * worker_thread (simple-rnn/worker/node) over a message protocol, on the demo tasks those scripts serve; serve() and
 * the tasks are exported for a worker script of one's own.
 * @module simple-rnn/worker
 */
// simple-rnn/worker: the host side of the Trainer (src/trainer/; no Node or DOM imports) with the jobs of the
// package's worker scripts, simple-rnn/worker/web (a browser Web Worker) and simple-rnn/worker/node (a Node
// worker_thread), which serve the demo tasks (./tasks.ts). serve() and the tasks are exported too, for a worker
// script of one's own: serveWebWorker([textTask, myTask]).
export * from '../trainer/index.js';
export { additionTask, demoTasks, textTask } from './tasks.js';
export type { AdditionJob, AdditionTaskOptions, DemoJob, TextJob, TextOptions } from './tasks.js';
