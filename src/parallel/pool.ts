// Training threads of one model: Node worker_threads or browser Web Workers, each running src/parallel/thread.ts on the
// realm's shared memory. dispatch() hands jobs to the threads; the model's thread runs its own share meanwhile, then
// join() blocks in Atomics.wait until every thread has published its result (allowed in Node and inside a browser
// worker; never on a page's main thread, which src/parallel/index.ts refuses up front).
import { passFields, type PassArgs } from '../pass.js';
import type { ThreadedRealm } from './realm.js';
import { CMD, CTRL_WORDS, DONE, STATUS, argsWords, workerSource, type ThreadInit } from './thread.js';

/** The part of a Node Worker or a Web Worker that the pool uses. */
interface ThreadHandle {
  terminate(): void;
}

let live = 0;

/** Training threads started and not yet exited, in this realm (tests check that dispose() leaves none). */
export function liveThreads(): number {
  return live;
}

type NodeWorkerCtor = new (src: string, o: { eval: true; workerData: unknown }) => {
  on(ev: string, fn: (v: any) => void): void;
  unref(): void;
  terminate(): Promise<number>;
};

function nodeWorkers(): NodeWorkerCtor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule('node:worker_threads') as { Worker?: NodeWorkerCtor }) : null;
  return wt?.Worker ?? null;
}

/** Starts one thread and resolves when it is ready (its instance is up and waiting for jobs). */
function spawn(init: ThreadInit): Promise<ThreadHandle> {
  const NodeWorker = nodeWorkers();
  return new Promise<ThreadHandle>((resolve, reject) => {
    let ready = false;
    const onMessage = (m: { type: string; message?: string }, handle: ThreadHandle) => {
      if (m?.type === 'ready' && !ready) {
        ready = true;
        resolve(handle);
      } else if (m?.type === 'error') {
        if (!ready) reject(new Error(`SimpleRNN: a training thread failed to start: ${m.message}`));
        else console.warn(`SimpleRNN: a training thread failed: ${m.message}`);
      }
    };
    if (NodeWorker) {
      const w = new NodeWorker(workerSource(), { eval: true, workerData: init });
      live++;
      w.unref(); // an idle pool does not keep the process alive
      w.on('message', (m) => onMessage(m, w));
      w.on('error', (e: Error) => {
        if (!ready) reject(e);
      });
      w.on('exit', () => {
        live--;
        if (!ready) reject(new Error('SimpleRNN: a training thread exited before it was ready'));
      });
      return;
    }
    const url = URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
    const w = new Worker(url);
    live++;
    let ended = false;
    const handle: ThreadHandle = {
      terminate: () => {
        w.terminate(); // a Web Worker has no exit event: terminate() is the end
        if (!ended) live--;
        ended = true;
      },
    };
    w.onmessage = (e: MessageEvent) => {
      URL.revokeObjectURL(url);
      onMessage(e.data, handle);
    };
    w.onerror = (e: ErrorEvent) => {
      if (!ready) {
        handle.terminate();
        reject(new Error(`SimpleRNN: a training thread failed to start: ${e.message}`));
      }
    };
    w.postMessage(init);
  });
}

/** Ends the threads of a model that was garbage-collected without dispose() (its memory is lost, its threads are not). */
const orphans = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => pool.dispose()) : null;

export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  /** Float64 words per slot: the fields, then the loss. */
  private readonly words: number;
  private disposed = false;

  private constructor(
    private readonly realm: ThreadedRealm,
    private readonly threads: ThreadHandle[],
    private readonly scratch: number[],
    private readonly fields: readonly string[],
    ctrl: SharedArrayBuffer,
    args: SharedArrayBuffer,
  ) {
    this.words = argsWords(fields);
    this.ctrl = new Int32Array(ctrl);
    this.args = new Float64Array(args);
  }

  /** Training threads (the model's thread runs one more share itself). */
  get size(): number {
    return this.threads.length;
  }

  /**
   * Starts `n` threads on the realm, each with its own GEMM scratch block (sized to prepack an (H, H) weight, or the
   * base size when that does not fit). `fields` is the order of a job's numbers: passFields(L, dirs) of the model
   * (default: one layer, one direction). All or nothing: on failure every started thread ends and every block is freed.
   */
  static async start(realm: ThreadedRealm, n: number, H: number, fields: readonly string[] = passFields(1, 1)): Promise<ThreadPool> {
    const be = realm.be;
    const ctrl = new SharedArrayBuffer(n * CTRL_WORDS * 4);
    const args = new SharedArrayBuffer(n * argsWords(fields) * 8);
    const scratch: number[] = [];
    const sizes: number[] = [];
    try {
      for (let slot = 0; slot < n; slot++) {
        let bytes = be.exports.scratchBytes(H, H);
        let ptr: number;
        try {
          ptr = be.alloc(bytes);
        } catch {
          bytes = be.exports.scratchBytes(0, 0);
          ptr = be.alloc(bytes);
        }
        scratch.push(ptr);
        sizes.push(bytes);
      }
    } catch (e) {
      for (const p of scratch) be.free(p);
      throw e;
    }
    const started = await Promise.allSettled(
      scratch.map((ptr, slot) => spawn({ module: realm.module, memory: realm.memory, ctrl, args, slot, fields: [...fields], argsWords: argsWords(fields), scratch: ptr, scratchBytes: sizes[slot] })),
    );
    const threads = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const pool = new ThreadPool(realm, threads, scratch, fields, ctrl, args);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      pool.dispose();
      throw (failed as PromiseRejectedResult).reason;
    }
    return pool;
  }

  private pending: number[] = [];

  /**
   * Starts jobs on threads 0.. (at most size); the caller runs its own share meanwhile, then calls join(). Every job
   * must write only its own workspace and grads buffer (they all read the same params).
   */
  dispatch(jobs: PassArgs[]): void {
    if (this.disposed) throw new Error('SimpleRNN: the training threads were stopped');
    if (jobs.length > this.threads.length) throw new Error(`SimpleRNN: ${jobs.length} jobs for ${this.threads.length} threads`);
    const { ctrl, args, fields } = this;
    this.pending = [];
    for (let slot = 0; slot < jobs.length; slot++) {
      const f = slot * this.words;
      for (let q = 0; q < fields.length; q++) args[f + q] = jobs[slot][fields[q]] ?? 0; // 0: a pointer not used
      const gen = (ctrl[slot * CTRL_WORDS + CMD] + 1) | 0;
      this.pending.push(gen);
      Atomics.store(ctrl, slot * CTRL_WORDS + CMD, gen); // publishes the job and every workspace write before it
      Atomics.notify(ctrl, slot * CTRL_WORDS + CMD);
    }
  }

  /** Blocks (Atomics.wait) until every dispatched job is done; returns their losses in job order. */
  join(): number[] {
    const { ctrl, args } = this;
    const losses: number[] = [];
    let failed = false;
    for (let slot = 0; slot < this.pending.length; slot++) {
      const c = slot * CTRL_WORDS;
      const gen = this.pending[slot];
      for (let d = Atomics.load(ctrl, c + DONE); d !== gen; d = Atomics.load(ctrl, c + DONE)) Atomics.wait(ctrl, c + DONE, d);
      if (Atomics.load(ctrl, c + STATUS) !== 1) failed = true;
      losses.push(args[(slot + 1) * this.words - 1]);
    }
    this.pending = [];
    if (failed) throw new Error('SimpleRNN: a training thread failed (see the warning above); its share of the batch was not computed');
    return losses;
  }

  /** Ends the threads when `owner` is garbage-collected before dispose() is called. */
  watch(owner: object): void {
    orphans?.register(owner, this, this);
  }

  /** Ends every thread and frees their scratch blocks. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    orphans?.unregister(this);
    const { ctrl, args } = this;
    for (let slot = 0; slot < this.scratch.length; slot++) {
      args[slot * this.words] = -1; // mode < 0: the thread leaves its loop
      Atomics.add(ctrl, slot * CTRL_WORDS + CMD, 1);
      Atomics.notify(ctrl, slot * CTRL_WORDS + CMD);
    }
    for (const t of this.threads) t.terminate();
    // the threads are idle (run() returns only after every job is done), so their scratch is free to reuse now
    for (const p of this.scratch) this.realm.be.free(p);
  }
}
