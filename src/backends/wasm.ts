// The wasm backend: one module instance per JS realm, shared by every model. Each model allocates its own blocks in
// the instance's linear memory and frees them on dispose(), so the allocator reuses them.
// The strict build is inlined in the main bundle. The opt-in relaxed-SIMD build (create option simd: 'relaxed': the
// same module with the GEMM micro-kernels on f32x4.relaxed_madd, about 25 KB of wasm) is imported dynamically, so
// the bundle splits it into a chunk of its own that is loaded only when a model asks for it.
import wasmBytes from '../../build/simple-rnn.wasm';
import { SPLIT_KERNELS, type Backend, type Kernels, type Ptr, type SplitKernels } from '../backend.js';

interface WasmExports extends Kernels {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  fill(ptr: number, value: number, bytes: number): void;
  copy(dst: number, src: number, bytes: number): void;
  matmulForwardScalar: Kernels['matmulForward'];
  activationForwardScalar: Kernels['activationForward'];
  activationBackwardScalar: Kernels['activationBackward'];
  // scalar twins of the optimizer kernels (tests check SIMD == scalar bit for bit)
  sgdUpdateScalar: Kernels['sgdUpdate'];
  addScaledScalar: Kernels['addScaled'];
  scaleScalar: Kernels['scale'];
  clipByValueScalar: Kernels['clipByValue'];
  momentumUpdateScalar: Kernels['momentumUpdate'];
  adamUpdateScalar: Kernels['adamUpdate'];
  rmspropUpdateScalar: Kernels['rmspropUpdate'];
  adagradUpdateScalar: Kernels['adagradUpdate'];
  sumSquaresScalar: Kernels['sumSquares'];
  gemvScalar: Kernels['gemv'];
  // GEMM scratch (assembly/matmul.ts): the kernels pack operands into a block that TS allocates and hands over
  scratchBytes(K: number, N: number): number;
  setScratch(ptr: number, bytes: number): void;
  prepackB(b: number, K: number, N: number): number;
  matmulPrepacked(out: number, a: number, bias: number, M: number, K: number, N: number, aRow: number, aCol: number, acc: number): void;
  transposeScalar: Kernels['transpose'];
  expInPlace(x: number, n: number): void;
  /** The threads build only: bytes of the column split's barrier block for n threads (assembly/parallel.ts). */
  barrierBytes?(n: number): number;
}

/** Views over linear memory, rebuilt whenever memory.grow has replaced memory.buffer (which detaches old views). */
export class Heap {
  private f32v: Float32Array;
  private i32v: Int32Array;
  constructor(private readonly memory: WebAssembly.Memory) {
    this.f32v = new Float32Array(memory.buffer);
    this.i32v = new Int32Array(memory.buffer);
  }
  private refresh(): void {
    if (this.f32v.buffer !== this.memory.buffer || this.f32v.byteLength === 0) {
      this.f32v = new Float32Array(this.memory.buffer);
      this.i32v = new Int32Array(this.memory.buffer);
    }
  }
  f32(ptr: Ptr, n: number): Float32Array {
    this.refresh();
    return this.f32v.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }
  i32(ptr: Ptr, n: number): Int32Array {
    this.refresh();
    return this.i32v.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }
}

/** Which build of the core: 'strict' (plain SIMD, mul then add, bit-reproducible) or 'relaxed' (relaxed_madd). */
export type SimdMode = 'strict' | 'relaxed';

const modulePromises: Record<SimdMode, Promise<WebAssembly.Module> | null> = { strict: null, relaxed: null };

let relaxedLoaded: Uint8Array<ArrayBuffer> | null = null;
let relaxedLoading: Promise<Uint8Array<ArrayBuffer>> | null = null;

/** The relaxed build's bytes, from their own chunk (fetched once per realm). */
function relaxedBytes(): Promise<Uint8Array<ArrayBuffer>> {
  relaxedLoading ??= import('../../build/simple-rnn-relaxed.wasm').then((m) => (relaxedLoaded = m.default));
  relaxedLoading.catch(() => (relaxedLoading = null));
  return relaxedLoading;
}

/**
 * Compiles the inlined wasm once per realm and build; rejects with a clear error where wasm SIMD (or, for 'relaxed',
 * relaxed SIMD: check relaxedSimdUnavailableAsync() first) is missing.
 */
export function compileModule(simd: SimdMode = 'strict'): Promise<WebAssembly.Module> {
  let p = modulePromises[simd];
  if (!p) {
    p = (async () => {
      if (typeof WebAssembly === 'undefined') throw new Error('SimpleRNN: WebAssembly is not available here; use backend: "js"');
      if (simd === 'relaxed') {
        const why = await relaxedSimdUnavailableAsync();
        if (why) throw new Error(`SimpleRNN: ${why}`);
        return WebAssembly.compile(await relaxedBytes());
      }
      if (!WebAssembly.validate(wasmBytes)) {
        throw new Error('SimpleRNN: this runtime does not support WebAssembly SIMD (the wasm backend needs it); use backend: "js"');
      }
      return WebAssembly.compile(wasmBytes);
    })();
    modulePromises[simd] = p;
    p.catch(() => (modulePromises[simd] = null));
  }
  return p;
}

type NodeV8 = { setFlagsFromString?: (flags: string) => void };
type NodeGlobal = { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } };
let flagTried = false;

/**
 * Why the relaxed-SIMD build cannot run here, or null when WebAssembly.validate accepts it. Called only when a user
 * opts in (simd: 'relaxed'); it loads the relaxed build's chunk first. Node 20 ships relaxed SIMD behind
 * --experimental-wasm-relaxed-simd: in Node only, and only once, this turns the flag on with v8.setFlagsFromString
 * (taken from process.getBuiltinModule, so no import of node:v8 reaches a browser bundle) and validates again.
 * Browsers (Chromium 114+) and Node 22+ validate it as is.
 */
export function relaxedSimdUnavailableAsync(): Promise<string | null> {
  return relaxedBuildUnavailable(relaxedBytes);
}

/**
 * Why a relaxed-SIMD build (its bytes from `load`, fetched only where WebAssembly exists) cannot run here; null when
 * it can. In Node, where relaxed SIMD is behind a V8 flag, the first check turns the flag on and validates again.
 * The one-thread relaxed build's check above, and the relaxed threads build's (src/parallel/realm.ts).
 */
export async function relaxedBuildUnavailable(load: () => Promise<Uint8Array<ArrayBuffer>>): Promise<string | null> {
  if (typeof WebAssembly === 'undefined' || typeof WebAssembly.validate !== 'function') return 'WebAssembly is not available here';
  return relaxedCheck(await load());
}

function relaxedCheck(bytes: Uint8Array<ArrayBuffer>): string | null {
  if (WebAssembly.validate(bytes)) return null;
  const proc = (globalThis as NodeGlobal).process;
  if (proc?.versions?.node && typeof proc.getBuiltinModule === 'function' && !flagTried) {
    flagTried = true;
    try {
      (proc.getBuiltinModule('node:v8') as NodeV8 | undefined)?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
    } catch {
      // the flag is refused: validate below says so
    }
    if (WebAssembly.validate(bytes)) return null;
  }
  return proc?.versions?.node
    ? `this Node (${proc.versions.node}) does not validate relaxed SIMD (run node with --experimental-wasm-relaxed-simd)`
    : 'this runtime does not validate WebAssembly relaxed SIMD';
}

/** True when this runtime has WebAssembly and validates the SIMD build (the wasm backend's requirement). */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly !== 'undefined' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(wasmBytes);
}

/**
 * Resolves a backend choice: 'auto' is 'wasm' where WebAssembly SIMD validates and 'js' elsewhere; 'wasm' and 'js'
 * stay as they are. The reason says which case applied, so a caller can show the fallback instead of hiding it.
 */
export function resolveBackend(choice: 'auto' | 'wasm' | 'js' = 'auto'): {
  /** The backend to use. */
  backend: 'wasm' | 'js';
  /** Why: the choice was explicit, or what 'auto' found. */
  reason: string;
} {
  if (choice === 'js') return { backend: 'js', reason: "backend: 'js' was requested" };
  if (choice === 'wasm') return { backend: 'wasm', reason: "backend: 'wasm' was requested" };
  if (choice !== 'auto') {
    throw new TypeError(`SimpleRNN.resolveBackend: backend must be one of 'auto', 'wasm', 'js'; got ${String(choice)}`);
  }
  return wasmSimdSupported()
    ? { backend: 'wasm', reason: 'WebAssembly SIMD validated' }
    : { backend: 'js', reason: 'WebAssembly SIMD is not supported here; using the pure-JS backend' };
}

// The column split's kernels are members where the build exports them (the threads build), absent elsewhere.
export interface WasmBackend extends Partial<SplitKernels> {}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly floatBytes = 4 as const;
  readonly heap: Heap;
  readonly exports: WasmExports;
  // kernels, bound straight to the wasm exports (numbers in, numbers out)
  readonly matmulForward: Kernels['matmulForward'];
  readonly transpose: Kernels['transpose'];
  readonly activationForward: Kernels['activationForward'];
  readonly activationBackward: Kernels['activationBackward'];
  readonly rnnForward: Kernels['rnnForward'];
  readonly rnnBackward: Kernels['rnnBackward'];
  readonly embeddingForward: Kernels['embeddingForward'];
  readonly embeddingBackward: Kernels['embeddingBackward'];
  readonly biasBackward: Kernels['biasBackward'];
  readonly broadcastRows: Kernels['broadcastRows'];
  readonly compactRows: Kernels['compactRows'];
  readonly reverseSteps: Kernels['reverseSteps'];
  readonly gatherSteps: Kernels['gatherSteps'];
  readonly mergeForward: Kernels['mergeForward'];
  readonly mergeBackward: Kernels['mergeBackward'];
  readonly maskRows: Kernels['maskRows'];
  readonly outputForward: Kernels['outputForward'];
  readonly lossForwardBackward: Kernels['lossForwardBackward'];
  readonly sgdUpdate: Kernels['sgdUpdate'];
  readonly sumSquares: Kernels['sumSquares'];
  readonly addScaled: Kernels['addScaled'];
  readonly scale: Kernels['scale'];
  readonly clipByValue: Kernels['clipByValue'];
  readonly momentumUpdate: Kernels['momentumUpdate'];
  readonly adamUpdate: Kernels['adamUpdate'];
  readonly rmspropUpdate: Kernels['rmspropUpdate'];
  readonly adagradUpdate: Kernels['adagradUpdate'];
  readonly sampleLogits: Kernels['sampleLogits'];
  readonly gemv: Kernels['gemv'];

  constructor(instance: WebAssembly.Instance) {
    const x = instance.exports as unknown as WasmExports;
    this.exports = x;
    this.heap = new Heap(x.memory);
    this.matmulForward = x.matmulForward;
    this.transpose = x.transpose;
    this.activationForward = x.activationForward;
    this.activationBackward = x.activationBackward;
    this.rnnForward = x.rnnForward;
    this.rnnBackward = x.rnnBackward;
    this.embeddingForward = x.embeddingForward;
    this.embeddingBackward = x.embeddingBackward;
    this.biasBackward = x.biasBackward;
    this.broadcastRows = x.broadcastRows;
    this.compactRows = x.compactRows;
    this.reverseSteps = x.reverseSteps;
    this.gatherSteps = x.gatherSteps;
    this.mergeForward = x.mergeForward;
    this.mergeBackward = x.mergeBackward;
    this.maskRows = x.maskRows;
    this.outputForward = x.outputForward;
    this.lossForwardBackward = x.lossForwardBackward;
    this.sgdUpdate = x.sgdUpdate;
    this.sumSquares = x.sumSquares;
    this.addScaled = x.addScaled;
    this.scale = x.scale;
    this.clipByValue = x.clipByValue;
    this.momentumUpdate = x.momentumUpdate;
    this.adamUpdate = x.adamUpdate;
    this.rmspropUpdate = x.rmspropUpdate;
    this.adagradUpdate = x.adagradUpdate;
    this.sampleLogits = x.sampleLogits;
    this.gemv = x.gemv;
    const exported = x as unknown as Record<string, unknown>;
    for (const name of SPLIT_KERNELS) if (typeof exported[name] === 'function') (this as Record<string, unknown>)[name] = exported[name];
    this.reserveScratch(0, 0);
  }

  private scratchPtr: Ptr = 0;
  private scratchCap = 0;

  /**
   * Makes the GEMM scratch (owned here, handed to the kernels with setScratch) big enough for the tiled matmulForward
   * (scratchBytes(0, 0), about 640 KB, allocated with the instance) and for the time loops to prepack a (K, N)
   * weight (K = N = H: 4 H² bytes beyond 512 KB). Called by SimpleRNN's constructor with (H, H). It never shrinks and
   * lives as long as the instance. When the allocation fails the kernels keep the smaller scratch and fall back to
   * the unpacked loops, so this never throws.
   */
  reserveScratch(K: number, N: number): void {
    const need = this.exports.scratchBytes(K, N);
    if (need <= this.scratchCap) return;
    let ptr = 0;
    try {
      ptr = this.exports.alloc(need);
    } catch {
      return;
    }
    if (ptr === 0) return;
    if (this.scratchPtr) this.exports.free(this.scratchPtr);
    this.exports.setScratch(ptr, need);
    this.scratchPtr = ptr;
    this.scratchCap = need;
  }

  alloc(bytes: number): Ptr {
    const fail = () => new RangeError(`SimpleRNN: wasm memory: cannot allocate ${bytes} bytes (wasm32 memory ends at 4 GiB; ${this.memoryBytes()} in use)`);
    // AssemblyScript's TLSF allocator serves blocks below 1 GiB (BLOCK_MAXSIZE, rt/common.ts) and traps above it
    if (bytes > 2 ** 30 - 64) throw new RangeError(`SimpleRNN: wasm memory: cannot allocate ${bytes} bytes; the wasm allocator's largest block is 1 GiB`);
    if (!(bytes <= 0xffff_0000 - 16)) throw fail();
    let ptr = 0;
    try {
      ptr = this.exports.alloc(Math.max(16, bytes));
    } catch {
      // the allocator traps (unreachable) when memory.grow fails; it has not changed its free lists by then
      throw fail();
    }
    if (ptr === 0) throw fail();
    return ptr;
  }
  free(ptr: Ptr): void {
    if (ptr) this.exports.free(ptr);
  }
  zero(ptr: Ptr, bytes: number): void {
    this.exports.fill(ptr, 0, bytes);
  }
  floats(ptr: Ptr, n: number): Float32Array {
    return this.heap.f32(ptr, n);
  }
  ints(ptr: Ptr, n: number): Int32Array {
    return this.heap.i32(ptr, n);
  }
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }
}

const shared: Record<SimdMode, Promise<WasmBackend> | null> = { strict: null, relaxed: null };

/**
 * The realm's shared wasm backend of a build (one instance, one linear memory, one allocator). The relaxed build is
 * a second instance with its own linear memory: a model lives wholly on one of the two.
 */
export function wasmBackend(simd: SimdMode = 'strict'): Promise<WasmBackend> {
  let p = shared[simd];
  if (!p) {
    p = compileModule(simd).then(async (mod) => new WasmBackend(await WebAssembly.instantiate(mod, {})));
    shared[simd] = p;
    p.catch(() => (shared[simd] = null));
  }
  return p;
}
