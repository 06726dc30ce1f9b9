// The kernel ABI shared by both backends. A pointer is a number naming a place in the backend's memory (a byte
// offset into wasm linear memory; for the JS backend, a block id and a byte offset packed into one number).
// Pointer arithmetic is in bytes: floats take `floatBytes` (4, or 8 for the f64 JS reference), ints take 4.
// Argument order is outputs, inputs, params, sizes (llm.c). Shapes are documented once, in assembly/*.ts.

export type Ptr = number;
/** Float storage of a backend: Float32Array (wasm, js 'float32') or Float64Array (js 'float64'). */
export type FloatArray = Float32Array | Float64Array;

/** f_s codes, shared with assembly/activations.ts. */
export const ACT = { tanh: 0, relu: 1, sigmoid: 2, linear: 3 } as const;
/** f_o codes, shared with assembly/loss.ts. */
export const OUT = { softmax: 0, sigmoid: 1, linear: 2 } as const;

export interface Kernels {
  matmulForward(out: Ptr, a: Ptr, b: Ptr, bias: Ptr, M: number, K: number, N: number, aRow: number, aCol: number, acc: number): void;
  transpose(out: Ptr, inp: Ptr, R: number, C: number): void;
  activationForward(x: Ptr, n: number, act: number): void;
  activationBackward(dz: Ptr, ds: Ptr, s: Ptr, n: number, act: number): void;
  rnnForward(s: Ptr, Wh: Ptr, bs: Ptr, len: Ptr, T: number, B: number, H: number, act: number, mask: Ptr, sm: Ptr): void;
  rnnBackward(dz: Ptr, ds0: Ptr, s: Ptr, WhT: Ptr, len: Ptr, T: number, B: number, H: number, act: number, mask: Ptr): void;
  /** The real steps of every sequence last to first (assembly/layers.ts); pad 0 for floats, 255 for token ids. */
  reverseSteps(out: Ptr, inp: Ptr, len: Ptr, T: number, B: number, C: number, pad: number): void;
  /** A batch's whole sequences (at word offsets off[b]) into the time-major (T, B, C) layout, pads filled (assembly/layers.ts). */
  gatherSteps(out: Ptr, inp: Ptr, off: Ptr, len: Ptr, T: number, B: number, C: number, pad: number, reverse: number): void;
  mergeForward(y: Ptr, a: Ptr, b: Ptr, N: number, H: number, mode: number): void;
  mergeBackward(da: Ptr, db: Ptr, dy: Ptr, a: Ptr, b: Ptr, N: number, H: number, mode: number): void;
  /** x[r] *= m[r % P] row by row: dropout masks. */
  maskRows(x: Ptr, m: Ptr, N: number, C: number, P: number): void;
  embeddingForward(out: Ptr, tok: Ptr, W: Ptr, N: number, H: number): void;
  embeddingBackward(dW: Ptr, tok: Ptr, dout: Ptr, N: number, H: number): void;
  biasBackward(db: Ptr, dout: Ptr, N: number, C: number): void;
  broadcastRows(out: Ptr, v: Ptr, N: number, C: number): void;
  /** Moves the real rows of a time-major (T, B, C) buffer to its front (assembly/rnn.ts). */
  compactRows(buf: Ptr, len: Ptr, T: number, B: number, C: number): void;
  outputForward(y: Ptr, N: number, O: number, kind: number): void;
  lossForwardBackward(loss: Ptr, dy: Ptr, y: Ptr, tgt: Ptr, w: Ptr, N: number, O: number, kind: number): void;
  sgdUpdate(p: Ptr, g: Ptr, n: number, lr: number): void;
  sumSquares(x: Ptr, n: number): number;
  // optimizer updates, clipping and sampling: assembly/optim.ts has each formula
  addScaled(y: Ptr, x: Ptr, n: number, a: number): void;
  scale(x: Ptr, n: number, c: number): void;
  clipByValue(x: Ptr, n: number, c: number): void;
  momentumUpdate(p: Ptr, v: Ptr, g: Ptr, n: number, lr: number, mu: number, wd: number, nesterov: number): void;
  adamUpdate(
    p: Ptr, m: Ptr, v: Ptr, g: Ptr, n: number,
    lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number, bc1: number, bc2: number,
  ): void;
  rmspropUpdate(p: Ptr, v: Ptr, g: Ptr, n: number, lr: number, rho: number, eps: number, wd: number): void;
  adagradUpdate(p: Ptr, v: Ptr, g: Ptr, n: number, lr: number, eps: number, wd: number): void;
  /** Index drawn from softmax(y / temperature) over the topK largest logits; argmax when temperature <= 0. */
  sampleLogits(work: Ptr, y: Ptr, n: number, temperature: number, topK: number, u: number): number;
  /** One row times a matrix (assembly/step.ts): matmulForward with M = 1, the same bits, rows of W streamed. */
  gemv(out: Ptr, x: Ptr, W: Ptr, bias: Ptr, K: number, N: number, acc: number): void;
}

export interface Backend extends Kernels {
  readonly name: 'wasm' | 'js';
  /** Bytes per float in this backend's memory: 4 (f32), or 8 for the f64 JS reference. */
  readonly floatBytes: 4 | 8;
  /** Allocates `bytes` bytes (16-byte aligned, contents unspecified). */
  alloc(bytes: number): Ptr;
  free(ptr: Ptr): void;
  /** Sets `bytes` bytes at ptr to zero. */
  zero(ptr: Ptr, bytes: number): void;
  /** A live view of n floats at ptr. It is invalidated by the next alloc: copy out, never keep it. */
  floats(ptr: Ptr, n: number): FloatArray;
  /** A live view of n int32 at ptr, with the same rule as floats(). */
  ints(ptr: Ptr, n: number): Int32Array;
  /** Size of the memory the backend holds, in bytes (wasm: memory.buffer.byteLength). */
  memoryBytes(): number;
  /**
   * Optional: lets the kernels keep a (K, N) weight packed across a time loop (wasm: grows its GEMM scratch; may grow
   * memory, so no view survives it). Never throws; without it the kernels run unpacked.
   */
  reserveScratch?(K: number, N: number): void;
}

/**
 * The kernels of the column split of training threads (src/pass.ts with parts > 1): the threads build's exports of
 * assembly/threads.ts (shapes and barrier in assembly/parallel.ts). A "Cols" / "Rows" kernel computes columns c0..c1-1
 * of its one-thread twin's output with the twin's bits; the time loops and barrierWait return 0 (done), r > 0 (a wait
 * timed out: call again with resume = r) or -1 (a thread aborted the pass).
 */
export interface SplitKernels {
  matmulCols(out: Ptr, a: Ptr, b: Ptr, bias: Ptr, M: number, K: number, N: number, aRow: number, aCol: number, acc: number, c0: number, c1: number): void;
  transposeRows(out: Ptr, inp: Ptr, R: number, C: number, r0: number, r1: number): void;
  biasBackwardCols(db: Ptr, dout: Ptr, N: number, C: number, c0: number, c1: number): void;
  compactRowsCols(buf: Ptr, len: Ptr, T: number, B: number, C: number, c0: number, c1: number): void;
  barrierArrive(bar: Ptr, me: number, n: number): void;
  barrierWait(bar: Ptr, me: number, n: number): number;
  barrierAbort(bar: Ptr): void;
  rnnForwardCols(
    s: Ptr, Wh: Ptr, bs: Ptr, len: Ptr, T: number, B: number, H: number, act: number, mask: Ptr, sm: Ptr,
    c0: number, c1: number, bar: Ptr, me: number, n: number, resume: number,
  ): number;
  rnnBackwardCols(
    dz: Ptr, ds0: Ptr, s: Ptr, Ws: Ptr, WhT: Ptr, len: Ptr, T: number, B: number, H: number, act: number, mask: Ptr,
    c0: number, c1: number, bar: Ptr, me: number, n: number, resume: number,
  ): number;
}

/** The names of SplitKernels (a wasm backend binds those its build exports). */
export const SPLIT_KERNELS = [
  'matmulCols', 'transposeRows', 'biasBackwardCols', 'compactRowsCols', 'barrierArrive', 'barrierWait', 'barrierAbort',
  'rnnForwardCols', 'rnnBackwardCols',
] as const satisfies readonly (keyof SplitKernels)[];
