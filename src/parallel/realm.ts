// The threaded wasm realm: one shared WebAssembly.Memory, the threads build of the module (same kernels, imported shared
// memory) and its instance on this thread, whose allocator owns every byte (training threads never allocate).
// One per JS realm, shared by every threaded model, like the plain backend (src/backends/wasm.ts). The threads build
// is imported dynamically, so the bundle splits its bytes into a chunk that only a threaded model loads.
import { WasmBackend } from '../backends/wasm.js';

export interface ThreadedRealm {
  be: WasmBackend;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** Pages of 64 KiB: the module's declared maximum (asconfig.json "threads": maximumMemory), i.e. 4 GiB. */
const MAX_PAGES = 65536;

let bytes: Promise<Uint8Array<ArrayBuffer>> | null = null;

/** The threads build's bytes, from their own chunk (fetched once per realm). */
function threadsWasm(): Promise<Uint8Array<ArrayBuffer>> {
  bytes ??= import('../../build/simple-rnn-threads.wasm').then((m) => m.default);
  bytes.catch(() => (bytes = null));
  return bytes;
}

/** Why threadedRealm() refuses a runtime that does not validate the threads build. */
export const THREADS_WASM_UNSUPPORTED = 'this runtime does not validate the shared-memory wasm build (WebAssembly threads)';

/** True where this runtime validates the threads build (SIMD + threads, shared memory); loads the build's chunk. */
export async function threadsWasmSupported(): Promise<boolean> {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(await threadsWasm());
}

/** A shared memory: the full 4 GiB maximum, or 1 GiB where the runtime will not reserve that much address space. */
function sharedMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES / 4, shared: true });
  }
}

let shared: Promise<ThreadedRealm> | null = null;

/** The realm's threaded backend (compiled and instantiated once); rejects where the threads build does not validate. */
export function threadedRealm(): Promise<ThreadedRealm> {
  if (!shared) {
    shared = (async () => {
      if (!(await threadsWasmSupported())) throw new Error(THREADS_WASM_UNSUPPORTED);
      const module = await WebAssembly.compile(await threadsWasm());
      const memory = sharedMemory();
      const instance = await WebAssembly.instantiate(module, { env: { memory } });
      return { be: new WasmBackend(instance), module, memory };
    })();
    shared.catch(() => (shared = null));
  }
  return shared;
}
