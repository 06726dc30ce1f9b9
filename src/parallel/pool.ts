// Training threads of one model: Node worker_threads or browser Web Workers, each running src/parallel/thread.ts on the
// realm's shared memory. dispatch() hands jobs to the threads; the model's thread runs its own share meanwhile, then
// join() blocks in Atomics.wait until every thread has published its result (allowed in Node and inside a browser
// worker; never on a page's main thread, which src/parallel/index.ts refuses up front).
//
// A thread can be stopped from outside: its Worker's terminate(), or in Node process.exit or an out-of-memory end
// inside it. The first thread found stopped makes the pool end the others and refuse further jobs (`stopped` says
// why); the model then trains on one thread.
//   Node: no event reaches a thread that is blocked in Atomics.wait, so join() waits in slices of SLICE_MS and, when a
// slice ends without the result, asks whether the thread still runs: the Worker's event-loop utilization reads
// idle = -1 once the thread has stopped, which Node reports before its 'exit' event can be delivered here. A slice
// costs nothing while results come in time (Atomics.wait returns as soon as the thread notifies).
//   Browsers tell nothing synchronously (and Chromium lets a busy worker run on after terminate(), forcing the stop
// later from the parent's event loop): the pool records its Workers' terminate() and 'error' itself, and a
// terminate() during a job takes effect when the job is done, so a job's buffers are never freed under its thread.
import { passFields, type PassArgs } from '../pass.js';
import type { ThreadedRealm } from './realm.js';
import { CMD, CTRL_WORDS, DONE, STATUS, argsWords, workerSource, type ThreadInit } from './thread.js';

/** Milliseconds join() waits for a result before it looks whether the thread still runs. */
const SLICE_MS = 50;

/** One training thread as the pool sees it. */
interface ThreadHandle {
  /** The Node Worker or the Web Worker (tests reach it to stop a thread from outside the pool). */
  readonly worker: { terminate(): unknown };
  /** Why the thread stopped or is stopping ('exit code 1: terminated', 'error: ...'), or null while it runs. */
  why(): string | null;
  /** True once the thread runs no more code, so that its buffers are free to reuse. */
  gone(): boolean;
  /** The pool has handed the thread a job (until collected): a browser defers terminate() until the job is done. */
  busy(on: boolean): void;
  /** Ends the thread (dispose). */
  end(): void;
}

let live = 0;

/** Training threads started and not yet exited, in this realm (tests check that dispose() leaves none). */
export function liveThreads(): number {
  return live;
}

type NodeWorker = {
  on(ev: string, fn: (v: any) => void): void;
  unref(): void;
  terminate(): Promise<number>;
  performance?: { eventLoopUtilization?: () => { idle: number } };
};
type NodeWorkerCtor = new (src: string, o: { eval: true; workerData: unknown }) => NodeWorker;

function nodeWorkers(): NodeWorkerCtor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule('node:worker_threads') as { Worker?: NodeWorkerCtor }) : null;
  return wt?.Worker ?? null;
}

/** "SimpleRNN.api: message" (or "SimpleRNN: message" without an api): an Error, the library's state error. */
function stateError(api: string | undefined, message: string): Error {
  return new Error(`SimpleRNN${api ? '.' + api : ''}: ${message}`);
}

/** Starts one thread and resolves when it is ready (its instance is up and waiting for jobs). */
function spawn(init: ThreadInit): Promise<ThreadHandle> {
  const NodeWorker = nodeWorkers();
  return new Promise<ThreadHandle>((resolve, reject) => {
    let ready = false;
    let why: string | null = null;
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
      let exited = false;
      const elu = w.performance?.eventLoopUtilization;
      const terminate = w.terminate.bind(w);
      // a terminate() from outside the pool marks the thread at once (Node reports exit code 1); it stops soon after
      w.terminate = () => ((why ??= 'exit code 1: terminated'), terminate());
      const handle: ThreadHandle = {
        worker: w,
        why: () => why,
        // idle = -1: Node's reading of a thread that no longer runs (before its 'exit' event can be delivered here)
        gone: () => exited || (elu !== undefined && elu().idle < 0),
        busy: () => {},
        end: () => void terminate(),
      };
      w.on('message', (m) => {
        if (m?.type === 'ready') elu?.(); // the first reading records the loop's start; later ones read -1 once stopped
        onMessage(m, handle);
      });
      w.on('error', (e: Error) => {
        if (!ready) reject(e);
        why ??= `error: ${e.message}`;
      });
      w.on('exit', (code: number) => {
        live--;
        exited = true;
        why ??= `exit code ${code}`;
        if (!ready) reject(new Error('SimpleRNN: a training thread exited before it was ready'));
      });
      return;
    }
    const url = URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
    const w = new Worker(url);
    live++;
    const terminate = w.terminate.bind(w);
    let working = false;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      live--; // a Web Worker has no exit event: terminate() is the end
      terminate();
    };
    const stop = (reason: string) => {
      why ??= reason;
      if (!working) end(); // during a job: when it is done (busy(false))
    };
    // a terminate() from outside the pool is recorded here: the browser tells nobody else
    w.terminate = () => stop('terminated');
    const handle: ThreadHandle = {
      worker: w,
      why: () => why,
      gone: () => ended,
      busy: (on) => {
        working = on;
        if (!on && why !== null) end();
      },
      end: () => stop('ended'),
    };
    w.onmessage = (e: MessageEvent) => {
      URL.revokeObjectURL(url);
      onMessage(e.data, handle);
    };
    w.onerror = (e: ErrorEvent) => {
      // an uncaught error ends the thread's job loop: it will answer no job again
      stop(`error: ${e.message}`);
      if (!ready) reject(new Error(`SimpleRNN: a training thread failed to start: ${e.message}`));
    };
    w.postMessage(init);
  });
}

/** Ends the threads of a model that was garbage-collected without dispose() (its memory is lost, its threads are not). */
const orphans = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => pool.dispose()) : null;

/** What the threads of one dispatch() gave: their losses in job order, whether a pass threw, the first thread gone. */
interface Outcome {
  losses: number[];
  failed: boolean;
  dead: number;
}

export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  /** Float64 words per slot: the fields, then the loss. */
  private readonly words: number;
  private disposed = false;
  /** Why the pool stopped early: the first thread found stopped. */
  private broken: string | null = null;
  /** The command number of each dispatched job, until join() (or dispose()) collects it. */
  private pending: number[] = [];
  /** What dispose() collected from the jobs it waited for, for the join() that follows. */
  private collected: Outcome | null = null;

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
   * Why these threads take no more jobs: 'training thread k stopped (exit code 1: terminated)' when one was found
   * stopped (looked up now), 'the training threads were disposed' after dispose(); null while they all run.
   */
  get stopped(): string | null {
    if (this.broken === null && !this.disposed) {
      const k = this.threads.findIndex((t) => t.why() !== null || t.gone());
      if (k >= 0) this.broken = this.stopReason(k);
    }
    return this.broken ?? (this.disposed ? 'the training threads were disposed' : null);
  }

  private stopReason(slot: number): string {
    return `training thread ${slot + 1} stopped (${this.threads[slot].why() ?? 'no exit code reported yet'})`;
  }

  /** The error of a call whose batch met a stopped thread; the pool ends its other threads first. */
  private stoppedError(api: string | undefined): Error {
    const why = this.broken!;
    this.dispose();
    return stateError(api, `${why}; the batch was not applied (no parameter changed), and the model trains on one thread from now on (threadsFallback)`);
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

  /**
   * Starts jobs on threads 0.. (at most size); the caller runs its own share meanwhile, then calls join(). Every job
   * must write only its own workspace and grads buffer (they all read the same params). Throws (an Error naming `api`)
   * and starts nothing when a thread was found stopped, after dispose(), or while earlier jobs are not joined.
   */
  dispatch(jobs: PassArgs[], api?: string): void {
    if (this.stopped !== null) throw this.broken !== null ? this.stoppedError(api) : stateError(api, 'the training threads were disposed');
    if (this.pending.length > 0) throw stateError(api, 'the training threads are busy: join() the jobs dispatched before');
    if (jobs.length > this.threads.length) throw stateError(api, `${jobs.length} jobs for ${this.threads.length} threads`);
    const { ctrl, args, fields } = this;
    for (let slot = 0; slot < jobs.length; slot++) {
      const f = slot * this.words;
      for (let q = 0; q < fields.length; q++) args[f + q] = jobs[slot][fields[q]] ?? 0; // 0: a pointer not used
      const gen = (ctrl[slot * CTRL_WORDS + CMD] + 1) | 0;
      this.pending.push(gen);
      this.threads[slot].busy(true);
      Atomics.store(ctrl, slot * CTRL_WORDS + CMD, gen); // publishes the job and every workspace write before it
      Atomics.notify(ctrl, slot * CTRL_WORDS + CMD);
    }
  }

  /**
   * Blocks (Atomics.wait, in slices) until every dispatched job is done; returns their losses in job order. Throws
   * (an Error naming `api`) when a pass threw on its thread, or when a thread stopped before its result: then the
   * other threads have finished their jobs and ended. Returns [] when nothing was dispatched; after a dispose() that
   * waited for the jobs, it returns what they gave.
   */
  join(api?: string): number[] {
    const r = this.collected ?? this.collect();
    this.collected = null;
    if (r.dead >= 0) throw this.stoppedError(api);
    if (r.failed) throw stateError(api, 'a training thread failed (see the warning above); its share of the batch was not computed');
    return r.losses;
  }

  /** Waits for every pending job (or for its thread to be gone) and reads what the threads gave. */
  private collect(): Outcome {
    const { ctrl, args } = this;
    const pending = this.pending;
    this.pending = [];
    const out: Outcome = { losses: [], failed: false, dead: -1 };
    for (let slot = 0; slot < pending.length; slot++) {
      const done = this.wait(slot, pending[slot]);
      this.threads[slot].busy(false);
      if (!done) {
        if (out.dead < 0) out.dead = slot;
        this.broken ??= this.stopReason(slot);
        continue;
      }
      if (Atomics.load(ctrl, slot * CTRL_WORDS + STATUS) !== 1) out.failed = true;
      out.losses.push(args[(slot + 1) * this.words - 1]);
    }
    return out;
  }

  /** Waits until `slot` has published job `gen` (true), or its thread is gone without it (false). */
  private wait(slot: number, gen: number): boolean {
    const { ctrl } = this;
    const at = slot * CTRL_WORDS + DONE;
    for (let d = Atomics.load(ctrl, at); d !== gen; d = Atomics.load(ctrl, at)) {
      if (Atomics.wait(ctrl, at, d, SLICE_MS) === 'timed-out' && this.threads[slot].gone()) return Atomics.load(ctrl, at) === gen;
    }
    return true;
  }

  /**
   * False once a thread with a dispatched job is gone (what a pass split by columns asks when a barrier has waited
   * long: src/pass.ts). Looked up now, without waiting.
   */
  running(): boolean {
    for (let slot = 0; slot < this.pending.length; slot++) if (this.threads[slot].gone()) return false;
    return true;
  }

  /** Ends the threads when `owner` is garbage-collected before dispose() is called. */
  watch(owner: object): void {
    orphans?.register(owner, this, this);
  }

  /**
   * Ends every thread and frees their scratch blocks. Jobs still running are waited for first (a later join() returns
   * what they gave). Safe to call twice.
   */
  dispose(): void {
    if (this.disposed) return;
    if (this.pending.length > 0) this.collected = this.collect();
    this.disposed = true;
    orphans?.unregister(this);
    const { ctrl, args } = this;
    for (let slot = 0; slot < this.scratch.length; slot++) {
      args[slot * this.words] = -1; // mode < 0: the thread leaves its loop
      Atomics.add(ctrl, slot * CTRL_WORDS + CMD, 1);
      Atomics.notify(ctrl, slot * CTRL_WORDS + CMD);
    }
    for (const t of this.threads) t.end();
    // every thread is idle or gone (collect() returned), so their scratch is free to reuse now
    for (const p of this.scratch) this.realm.be.free(p);
  }
}
