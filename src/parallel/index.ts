// Training on threads (the `threads` option of SimpleRNN.create), split one of two ways (the `threadSplit` option):
// - 'rows' (data parallel): the model's thread validates a batch, splits the length-sorted batch into contiguous
//   sub-batches (splitBatch), packs each into its own workspace, runs sub-batch 0 itself and the others on training
//   threads (pool.ts) over the same params, then sums the grads buffers in a fixed order (0, 1, ...) and takes the one
//   optimizer step. The row weights of every sub-batch are the whole batch's (1/B, or 1/steps with returnSequences),
//   so each sub-batch's grads are its share of the batch mean and the sum is the mean.
// - 'columns': every thread runs the same pass over the whole batch in one workspace, each computing its share of the
//   columns of every product and meeting the others at barriers (src/pass.ts, assembly/parallel.ts), so that each
//   keeps its share of the weights in its own core's cache. The grads land in the model's grads buffer directly, with
//   the bits of one thread.
// The threads option itself (MAX_THREADS, coreCount, resolveThreads) is resolved in src/config.ts.
import type { Packed } from '../batch.js';

export { relaxedThreadsUnavailable, threadedRealm, threadsWasmSupported, THREADS_WASM_UNSUPPORTED, type ThreadedRealm } from './realm.js';
export { ThreadPool, liveThreads } from './pool.js';

type Global = {
  process?: { getBuiltinModule?: (id: string) => unknown };
  crossOriginIsolated?: boolean;
  Worker?: unknown;
  document?: unknown;
};

/**
 * Why this runtime cannot train on threads, or null when it may. Synchronous, so it does not validate the threads
 * build (that build is a chunk loaded on demand): threadedRealm() does, and rejects with THREADS_WASM_UNSUPPORTED.
 */
export function threadsUnavailable(backend: 'wasm' | 'js'): string | null {
  if (backend === 'js') return "backend: 'js' runs on one thread (threads need the wasm backend)";
  const g = globalThis as Global;
  const node = typeof g.process?.getBuiltinModule === 'function' && g.process.getBuiltinModule('node:worker_threads') != null;
  if (!node && g.crossOriginIsolated === false) {
    return 'this page is not crossOriginIsolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so it has no shared memory';
  }
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return 'SharedArrayBuffer is not available here';
  if (!node && typeof g.Worker !== 'function') return 'no Worker here (Node needs process.getBuiltinModule, Node >= 20.16)';
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // returns 'not-equal' where waiting is allowed
  } catch {
    return "Atomics.wait is not allowed on a page's main thread; train in a worker (simple-rnn/worker) to use threads";
  }
  return null;
}

const warned = new Set<string>();

/** console.warn once per reason per realm. */
export function warnFallback(reason: string): void {
  if (warned.has(reason)) return;
  warned.add(reason);
  console.warn(`SimpleRNN: threads fall back to one thread: ${reason}`);
}

/**
 * Splits a length-sorted batch into at most n contiguous sub-batches of about equal real steps (each at least one
 * sequence). Each is a Packed of its own (B_k, T_k) whose order maps its rows to the caller's indices.
 */
export function splitBatch(p: Packed, n: number): Packed[] {
  const parts = Math.max(1, Math.min(n, p.B));
  const out: Packed[] = [];
  let start = 0;
  let acc = 0;
  for (let k = 0; k < parts; k++) {
    let end = p.B;
    if (k < parts - 1) {
      const goal = (p.steps * (k + 1)) / parts;
      end = start + 1;
      acc += p.lenSorted[start];
      // take the next sequence while at least half of it fits under the goal; leave one per later part
      while (end < p.B - (parts - 1 - k) && acc + p.lenSorted[end] / 2 <= goal) acc += p.lenSorted[end++];
    }
    const lenSorted = p.lenSorted.subarray(start, end);
    let steps = 0;
    for (let q = 0; q < lenSorted.length; q++) steps += lenSorted[q];
    out.push({ B: end - start, T: lenSorted[0], lengths: p.lengths, order: p.order.subarray(start, end), lenSorted, steps });
    start = end;
  }
  return out;
}
