// The threaded wasm realms: one shared WebAssembly.Memory per build, the threads build of the module (same kernels,
// imported shared memory) and its instance on this thread, whose allocator owns every byte (training threads never
// allocate). One per JS realm and build ('strict', or 'relaxed': the threads build with the relaxed-SIMD micro-kernels,
// for threads > 1 with simd: 'relaxed'), shared by every threaded model of that build, like the plain backends
// (src/backends/wasm.ts). The threads builds are imported dynamically, so the bundle splits their bytes into chunks
// that only a threaded model loads.
import { relaxedBuildUnavailable, WasmBackend, type SimdMode } from '../backends/wasm.js';

export interface ThreadedRealm {
  be: WasmBackend;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** Pages of 64 KiB: the module's declared maximum (asconfig.json "threads": maximumMemory), i.e. 4 GiB. */
const MAX_PAGES = 65536;

const bytes: Record<SimdMode, Promise<Uint8Array<ArrayBuffer>> | null> = { strict: null, relaxed: null };

/** A threads build's bytes, from their own chunk (fetched once per realm). */
function threadsWasm(simd: SimdMode = 'strict'): Promise<Uint8Array<ArrayBuffer>> {
  let p = bytes[simd];
  if (!p) {
    p = simd === 'relaxed'
      ? import('../../build/simple-rnn-threads-relaxed.wasm').then((m) => m.default)
      : import('../../build/simple-rnn-threads.wasm').then((m) => m.default);
    bytes[simd] = p;
    p.catch(() => (bytes[simd] = null));
  }
  return p;
}

/** Why threadedRealm() refuses a runtime that does not validate the threads build. */
export const THREADS_WASM_UNSUPPORTED = 'this runtime does not validate the shared-memory wasm build (WebAssembly threads)';

/** True where this runtime validates the threads build (SIMD + threads, shared memory); loads the build's chunk. */
export async function threadsWasmSupported(): Promise<boolean> {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(await threadsWasm());
}

/**
 * Why the relaxed threads build cannot run here (null when it can): as for the one-thread relaxed build, Node 20
 * validates it once --experimental-wasm-relaxed-simd is on, which this turns on (src/backends/wasm.ts).
 */
export function relaxedThreadsUnavailable(): Promise<string | null> {
  return relaxedBuildUnavailable(() => threadsWasm('relaxed'));
}

/** A shared memory: the full 4 GiB maximum, or 1 GiB where the runtime will not reserve that much address space. */
function sharedMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES / 4, shared: true });
  }
}

const shared: Record<SimdMode, Promise<ThreadedRealm> | null> = { strict: null, relaxed: null };

/**
 * The realm's threaded backend of a build (compiled and instantiated once); rejects where the threads build does not
 * validate. 'relaxed' expects relaxedThreadsUnavailable() to have said null.
 */
export function threadedRealm(simd: SimdMode = 'strict'): Promise<ThreadedRealm> {
  let p = shared[simd];
  if (!p) {
    p = (async () => {
      if (!(await threadsWasmSupported())) throw new Error(THREADS_WASM_UNSUPPORTED);
      const module = await WebAssembly.compile(await threadsWasm(simd));
      const memory = sharedMemory();
      const instance = await WebAssembly.instantiate(module, { env: { memory } });
      return { be: new WasmBackend(instance), module, memory };
    })();
    shared[simd] = p;
    p.catch(() => (shared[simd] = null));
  }
  return p;
}
