// The program of a training thread. It is started from source text (no worker script file to ship or resolve):
// workerSource() = threadMain's source applied to runPass's source. Both functions are self-contained.
//
// A thread instantiates the threads build of the wasm module on the realm's shared memory, takes the scratch block the
// model's thread allocated for it (it never allocates: only the model's thread runs the allocator), says 'ready',
// then blocks in Atomics.wait until its slot's command counter moves. It reads its job (a row of numbers in `fields` order),
// runs the pass, writes the loss, and publishes the command number in its done word. Mode < 0 ends the thread.
// A job split by columns (parts > 1) runs the same pass as the model's thread, meeting it at barriers inside the pass
// (src/pass.ts); when it throws there, it aborts the barrier so that no partner waits for it.
import { runPass } from '../pass.js';

/** What the model's thread sends a training thread once (Node workerData, or the first message in a browser). */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Int32 words, CTRL_WORDS per slot: command counter, done counter, status (1 ok, 2 failed). */
  ctrl: SharedArrayBuffer;
  /** Float64 words, argsWords per slot: the job (`fields` order) and, in the last word, the loss. */
  args: SharedArrayBuffer;
  slot: number;
  /** The pass's fields (passFields(L, dirs) of the model): the order of a job's numbers. */
  fields: readonly string[];
  /** Float64 words per slot: fields.length + 1 (argsWords(fields)). */
  argsWords: number;
  scratch: number;
  scratchBytes: number;
}

/** Int32 words per slot of the control block (a 64-byte line each, so that slots do not share a cache line). */
export const CTRL_WORDS = 16;
export const CMD = 0;
export const DONE = 1;
export const STATUS = 2;

/** Float64 words per slot of the args block: the job's fields, then the loss (the last word). */
export const argsWords = (fields: readonly string[]): number => fields.length + 1;

// Self-contained (shipped as text): the word offsets above are repeated as literals.
function threadMain(pass: (k: unknown, a: Record<string, number>) => number): void {
  const g = globalThis as any;
  const wt = g.process && typeof g.process.getBuiltinModule === 'function' ? g.process.getBuiltinModule('node:worker_threads') : null;
  if (wt && wt.parentPort) {
    const port = wt.parentPort;
    start(wt.workerData, (m: unknown) => port.postMessage(m), () => port.close());
  } else {
    g.onmessage = (e: { data: unknown }) => {
      g.onmessage = null;
      start(e.data, (m: unknown) => g.postMessage(m), () => g.close());
    };
  }

  async function start(init: any, post: (m: unknown) => void, close: () => void) {
    let x: any;
    try {
      const instance = await WebAssembly.instantiate(init.module as WebAssembly.Module, { env: { memory: init.memory } });
      x = instance.exports;
      x.setScratch(init.scratch, init.scratchBytes);
    } catch (e) {
      post({ type: 'error', message: String((e && (e as Error).message) || e) });
      close();
      return;
    }
    const k: Record<string, unknown> = {};
    for (const name of Object.keys(x)) k[name] = x[name];
    k.zero = (p: number, n: number) => x.fill(p, 0, n);
    k.floats = (p: number, n: number) => new Float32Array(init.memory.buffer, p, n);
    k.ints = (p: number, n: number) => new Int32Array(init.memory.buffer, p, n);
    const ctrl = new Int32Array(init.ctrl);
    const args = new Float64Array(init.args);
    const c = init.slot * 16; // CTRL_WORDS
    const f = init.slot * init.argsWords;
    const lossAt = f + init.argsWords - 1;
    const fields = init.fields as string[];
    post({ type: 'ready' });
    let seen = 0;
    for (;;) {
      Atomics.wait(ctrl, c, seen); // CMD
      const cmd = Atomics.load(ctrl, c);
      if (cmd === seen) continue;
      seen = cmd;
      if (args[f] < 0) break; // mode < 0: quit
      const a: Record<string, number> = {};
      for (let j = 0; j < fields.length; j++) a[fields[j]] = args[f + j];
      let status = 1;
      try {
        args[lossAt] = pass(k, a);
      } catch (e) {
        status = 2;
        // a pass split by columns: the other threads stop waiting for this one (abort); an abort that came from
        // another thread is that thread's error to tell
        if (a.parts > 1) x.barrierAbort(a.bar);
        if (!(e && (e as { splitAbort?: boolean }).splitAbort)) post({ type: 'error', message: String((e && (e as Error).message) || e) });
      }
      Atomics.store(ctrl, c + 2, status); // STATUS
      Atomics.store(ctrl, c + 1, cmd); // DONE
      Atomics.notify(ctrl, c + 1);
    }
    close();
  }
}

let source: string | null = null;

/** The source text of a training thread (a classic script: Node eval worker, or a browser Blob worker). */
export function workerSource(): string {
  source ??= `"use strict";\n(${threadMain.toString()})(${runPass.toString()});\n`;
  return source;
}
