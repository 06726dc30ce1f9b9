// simple-rnn/worker/web: the script of a browser Web Worker (module type) that runs Trainer jobs.
//   const trainer = new Trainer(new Worker(new URL('simple-rnn/worker/web', import.meta.url), { type: 'module' }))
import { serve } from './serve.js';
import type { HostMessage, WorkerMessage } from './protocol.js';

interface WorkerScope {
  postMessage(m: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<HostMessage>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const WGS = (globalThis as { WorkerGlobalScope?: new () => unknown }).WorkerGlobalScope;
if (WGS !== undefined && scope instanceof WGS) {
  // only inside a worker: imported on a page, this module does nothing
  serve({
    post: (m, transfer) => scope.postMessage(m, transfer ?? []),
    listen: (handler) => scope.addEventListener('message', (e) => handler(e.data)),
  });
}
