// The Web Worker side of a Trainer: serves the protocol on the worker's own scope. A worker script calls it with the
// tasks it serves (the package's script, simple-rnn/worker/web, is src/demos/trainer-web.ts: the demo tasks).
import { serve } from './serve.js';
import type { HostMessage, WorkerMessage } from './protocol.js';
import type { TrainerTask } from './task.js';

interface WorkerScope {
  postMessage(m: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<HostMessage>) => void): void;
}

/** True inside a Web Worker (a WorkerGlobalScope); false on a page or in Node. */
export function inWebWorker(): boolean {
  const WGS = (globalThis as { WorkerGlobalScope?: new () => unknown }).WorkerGlobalScope;
  return WGS !== undefined && globalThis instanceof WGS;
}

/** Serves Trainer jobs of `tasks` on this Web Worker's scope. Does nothing (returns false) outside a Web Worker. */
export function serveWebWorker(tasks: readonly TrainerTask[]): boolean {
  if (!inWebWorker()) return false;
  const scope = globalThis as unknown as WorkerScope;
  serve({
    post: (m, transfer) => scope.postMessage(m, transfer ?? []),
    listen: (handler) => scope.addEventListener('message', (e) => handler(e.data)),
  }, tasks);
  return true;
}
