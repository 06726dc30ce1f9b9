// One pass of SimpleRNN over one packed (T, B) batch: forward, loss, backward, as a fixed number of kernel calls on
// byte pointers (the time loops run inside rnnForward / rnnBackward). A function of (kernels, pointers, sizes) only,
// so the model's thread and the training threads (src/threads/) run the same orchestration.
//
// runPass is shipped to worker threads as source text (Function.prototype.toString): it must reference nothing
// outside its own body (no imports, no module constants, no helpers), and keep to syntax every target runs as-is.
import type { FloatArray, Kernels, Ptr } from './backend.js';

/** The kernels a pass calls, plus memory access (wasm: fill and a view over linear memory). */
export interface PassKernels extends Kernels {
  zero(ptr: Ptr, bytes: number): void;
  floats(ptr: Ptr, n: number): FloatArray;
  ints(ptr: Ptr, n: number): Int32Array;
}

/**
 * Everything a pass reads: sizes, codes and byte pointers, all numbers (a worker receives them as a Float64Array row,
 * in the order of PASS_FIELDS). Params and grads share one layout (d* point into a grads buffer of gradBytes bytes).
 */
export interface PassArgs {
  /** 0: forward to the logits y; 1: + loss and dy; 2: + gradients (the grads buffer is zeroed first). */
  mode: number;
  B: number;
  T: number;
  H: number;
  /** inputSize of dense models (0 for tokens). */
  I: number;
  /** vocabSize of token models (0 for dense inputs). */
  V: number;
  /** embeddingSize (0: no embedding layer). */
  D: number;
  O: number;
  /** Bytes per float. */
  fb: number;
  /** ACT code of f_s; OUT code of f_o. */
  act: number;
  out: number;
  /** 1: outputs at every step (rows T*B), 0: from the final state (rows B). */
  returnSequences: number;
  /** 1: E gets no gradient. */
  freezeEmbeddings: number;
  /** s^0: 0 zeros, 1 the learned s0 broadcast to every row (and its gradient), 2 rows already written by the caller. */
  s0Mode: number;
  Ws: Ptr; bs: Ptr; Wo: Ptr; bo: Ptr; s0: Ptr; E: Ptr;
  grads: Ptr; gradBytes: number;
  dWs: Ptr; dbs: Ptr; dWo: Ptr; dbo: Ptr; ds0p: Ptr; dE: Ptr;
  len: Ptr; x: Ptr; xe: Ptr; dxe: Ptr; WiT: Ptr; s: Ptr; dz: Ptr; ds0: Ptr;
  y: Ptr; dy: Ptr; tgt: Ptr; w: Ptr; loss: Ptr; WhT: Ptr; WoT: Ptr;
}

/** The order of PassArgs as numbers (the row a worker reads). */
export const PASS_FIELDS: readonly (keyof PassArgs)[] = [
  'mode', 'B', 'T', 'H', 'I', 'V', 'D', 'O', 'fb', 'act', 'out', 'returnSequences', 'freezeEmbeddings', 's0Mode',
  'Ws', 'bs', 'Wo', 'bo', 's0', 'E', 'grads', 'gradBytes', 'dWs', 'dbs', 'dWo', 'dbo', 'ds0p', 'dE',
  'len', 'x', 'xe', 'dxe', 'WiT', 's', 'dz', 'ds0', 'y', 'dy', 'tgt', 'w', 'loss', 'WhT', 'WoT',
];

export const PASS_FORWARD = 0;
export const PASS_LOSS = 1;
export const PASS_BACKWARD = 2;

/**
 * Runs one pass; returns the loss Σ_r w[r] loss[r] (mode >= 1; the row weights w carry the mean), or 0 (mode 0).
 * Writes the workspace, and with mode 2 the grads buffer. With mode 2 and padding, the rows 0..T·B-1 of s, dz and the
 * dense x (or xe) end compacted (their real rows first, compactRows): only y, dy, w, loss and the final state s^T
 * (rows T·B..) are left as the forward wrote them. `compact` 0 keeps every row (the tests' reference: same bits).
 */
export function runPass(k: PassKernels, a: PassArgs, compact = 1): number {
  const B = a.B;
  const T = a.T;
  const H = a.H;
  const O = a.O;
  const D = a.D;
  const fb = a.fb;
  const step = B * H * fb;
  const s1 = a.s + step;
  const rows = a.returnSequences ? T * B : B;
  // ---- forward: s^t = f_s(s^{t-1} Wh + x^t Wi + bs),  y = S Wo + bo ----
  if (a.s0Mode === 1) k.broadcastRows(a.s, a.s0, B, H);
  else if (a.s0Mode === 0) k.zero(a.s, step);
  const Wi = a.Ws + H * H * fb;
  if (D) {
    k.embeddingForward(a.xe, a.x, a.E, T * B, D); // xe = E[id], zeros on padding
    k.matmulForward(s1, a.xe, Wi, 0, T * B, D, H, D, 1, 0);
  } else if (a.V) k.embeddingForward(s1, a.x, Wi, T * B, H);
  else k.matmulForward(s1, a.x, Wi, 0, T * B, a.I, H, a.I, 1, 0);
  k.rnnForward(a.s, a.Ws, a.bs, a.len, T, B, H, a.act);
  const S = a.returnSequences ? s1 : a.s + T * step;
  k.matmulForward(a.y, S, a.Wo, a.bo, rows, H, O, H, 1, 0);
  if (a.mode === 0) return 0;

  // ---- loss (mean over real positions, through w) and dy ----
  k.lossForwardBackward(a.loss, a.dy, a.y, a.tgt, a.w, rows, O, a.out);
  const losses = k.floats(a.loss, rows);
  const w = k.floats(a.w, rows);
  let loss = 0;
  for (let r = 0; r < rows; r++) loss += w[r] * losses[r];
  if (a.mode === 1) return loss;

  // ---- backward ----
  k.zero(a.grads, a.gradBytes);
  // output layer, forward y = S Wo + bo:  dWo += Sᵀ dy,  dbo += Σ dy,  dS = dy Woᵀ
  k.matmulForward(a.dWo, S, a.dy, 0, H, rows, O, 1, H, 1);
  k.biasBackward(a.dbo, a.dy, rows, O);
  k.transpose(a.WoT, a.Wo, H, O);
  if (a.returnSequences) k.matmulForward(a.dz, a.dy, a.WoT, 0, rows, O, H, O, 1, 0);
  else {
    k.zero(a.dz, (T - 1) * step);
    k.matmulForward(a.dz + (T - 1) * step, a.dy, a.WoT, 0, B, O, H, O, 1, 0);
  }
  // recurrence, forward z^t = s^{t-1} Wh + x^t Wi + bs
  k.transpose(a.WhT, a.Ws, H, H);
  k.rnnBackward(a.dz, a.ds0, a.s, a.WhT, a.len, T, B, H, a.act);
  const dWi = a.dWs + H * H * fb;
  // the token paths read dz by token row: they run before the compaction
  if (D && !a.freezeEmbeddings) {
    // forward: xe = E[id], z = xe Wi + ...  =>  dxe = dz Wiᵀ,  dE[id] += dxe rows
    k.transpose(a.WiT, Wi, D, H);
    k.matmulForward(a.dxe, a.dz, a.WiT, 0, T * B, H, D, H, 1, 0);
    k.embeddingBackward(a.dE, a.x, a.dxe, T * B, D);
  } else if (!D && a.V) k.embeddingBackward(dWi, a.x, a.dz, T * B, H); // dWi[id] += dz rows (padding skipped)
  // The weight gradients sum over rows, and the padded rows of dz are zeros: with the real rows of S[0..T-1], dz and
  // the inputs moved to the front, the sums run over R real rows instead of T·B and get the same bits (x + 0 = x).
  const len = k.ints(a.len, B);
  let R = 0;
  for (let b = 0; b < B; b++) R += len[b] <= 0 ? 0 : len[b] < T ? len[b] : T; // Σ_t (rows with len >= t)
  if (!compact || R === T * B) R = T * B;
  else {
    k.compactRows(a.s, a.len, T, B, H); // row (t-1)B+b: s^{t-1} of sequence b, the S[0..T-1] of dWh
    k.compactRows(a.dz, a.len, T, B, H);
    if (D) k.compactRows(a.xe, a.len, T, B, D);
    else if (!a.V) k.compactRows(a.x, a.len, T, B, a.I);
  }
  k.matmulForward(a.dWs, a.s, a.dz, 0, H, R, H, 1, H, 1); // dWh += S[0..T-1]ᵀ dz
  if (D) k.matmulForward(dWi, a.xe, a.dz, 0, D, R, H, 1, D, 1); // forward: z = xe Wi + ...  =>  dWi += xeᵀ dz
  else if (!a.V) k.matmulForward(dWi, a.x, a.dz, 0, a.I, R, H, 1, a.I, 1); // dWi += Xᵀ dz
  k.biasBackward(a.dbs, a.dz, R, H);
  // s^0 = s0 for every row (a carried initial state is a constant: the gradient stops there)
  if (a.s0Mode === 1) k.biasBackward(a.ds0p, a.ds0, B, H);
  return loss;
}
