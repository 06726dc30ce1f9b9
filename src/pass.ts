// One pass of SimpleRNN over one packed (T, B) batch: forward, loss, backward, as a fixed number of kernel calls per
// layer and direction on byte pointers (the time loops run inside rnnForward / rnnBackward). A function of
// (kernels, pointers, sizes) only, so the model's thread and the training threads (src/parallel/) run the same
// orchestration.
//
// A model is L layers of the seed's cell, each with one direction or two (bidirectional):
//   layer l, direction d:  s_{l,d}^t = f_s([s_{l,d}^{t-1} x_l^t] W_s^{l,d} + b_s^{l,d})
//   x_0^t = i^t (inputDropout mask: one per sequence),  x_l^t = y_{l-1}^t (dropout mask between layers)
//   y_l^t = s_{l,0}^t, or merge(s_{l,0}^t, s_{l,1}^t) with the reverse direction in the sequence's own time
// The reverse direction reads each sequence's real steps last to first: it runs the forward kernels on its input
// with the real steps reversed (reverseSteps), so pads stay pads, and its states are reversed back for the merge.
// The head reads the top layer: o = f_o(y^T W_o + b_o) (bidirectional: merge of the forward state after the last real
// step and the reverse state after the first), or o^t at every real step (returnSequences).
//
// Arguments are one flat record of numbers (a worker receives them as a Float64Array row in passFields order):
// header fields, then per layer-direction k = l·dirs + d the fields of LD_FIELDS with the suffix k, then per layer l
// the fields of LAYER_FIELDS with the suffix L<l>. A pointer of 0 means "not used".
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

/** The fields of the header (every pass). */
export const HEADER_FIELDS = [
  // 0 forward to the logits y; 1 + loss and dy; 2 + gradients (the grads buffer is zeroed first)
  'mode', 'B', 'T',
  // inputSize of dense models (0 for tokens), vocabSize of token models (0 for dense), embeddingSize (0: none), O
  'I', 'V', 'D', 'O',
  // bytes per float; ACT code of f_s; OUT code of f_o; MERGE code
  'fb', 'act', 'out', 'merge',
  // 1: outputs at every step (rows T*B); 1: E gets no gradient
  'returnSequences', 'freezeEmbeddings',
  // s^0 of every layer-direction: 0 zeros, 1 the learned s0 broadcast (and its gradient), 2 rows written by the caller
  's0Mode',
  // layers, directions (1 or 2), width of the head's input (the top layer's output)
  'L', 'dirs', 'headIn',
  'Wo', 'bo', 'E', 'grads', 'gradBytes', 'dWo', 'dbo', 'dE',
  // len (B) i32; x: dense (T, B, I) or tokens (T, B) i32; xe/dxe (T, B, D); imask (B, I or D): inputDropout
  'len', 'x', 'xe', 'dxe', 'imask',
  // yT/dyT (B, headIn): the merged final states of a bidirectional many-to-one head
  'yT', 'dyT', 'y', 'dy', 'tgt', 'w', 'loss', 'WoT',
] as const;

/**
 * The fields of one layer-direction: sizes (H, and In, the width of its input rows: 0 for token ids), its params
 * and grads, and its workspace: s (T+1, B, H), dz (T, B, H), ds0 (B, H), WhT (H, H), WiT (H, In); the reverse
 * direction's xr (T, B, In) reversed input, sro and dsro (T, B, H) its states / their gradient in the sequence's own
 * time; with recurrentDropout rmask (B, H) and sm (T, B, H) = s^{t-1} * mask; dsin (T, B, H), for model.trace only:
 * a copy of the gradient each step's state receives from above (its output, or the next layer), before BPTT.
 */
export const LD_FIELDS = [
  'H', 'In', 'Ws', 'bs', 's0', 'dWs', 'dbs', 'ds0p', 's', 'dz', 'ds0', 'WhT', 'WiT', 'xr', 'sro', 'dsro', 'rmask', 'sm', 'dsin',
] as const;

/** The fields of one layer: its output width, output y (T, B, out) and its gradient dy, and the dropout mask after it. */
export const LAYER_FIELDS = ['out', 'y', 'dy', 'dmask'] as const;

/** Everything a pass reads: numbers only. */
export type PassArgs = Record<(typeof HEADER_FIELDS)[number], number> & Record<string, number>;

/** The order of a pass's fields as numbers (the row a worker reads), for a model of L layers and `dirs` directions. */
export function passFields(L: number, dirs: number): string[] {
  const out: string[] = [...HEADER_FIELDS];
  for (let k = 0; k < L * dirs; k++) for (const f of LD_FIELDS) out.push(f + k);
  for (let l = 0; l < L; l++) for (const f of LAYER_FIELDS) out.push(f + 'L' + l);
  return out;
}

export const PASS_FORWARD = 0;
export const PASS_LOSS = 1;
export const PASS_BACKWARD = 2;

/**
 * Runs one pass; returns the loss Σ_r w[r] loss[r] (mode >= 1; the row weights w carry the mean), or 0 (mode 0).
 * Writes the workspace, and with mode 2 the grads buffer. With mode 2 and padding, the rows 0..T·B-1 of every s, sm,
 * dz and layer input end compacted (their real rows first, compactRows): only y, dy, w, loss and the final states
 * s^T (rows T·B..) are left as the forward wrote them. `compact` 0 keeps every row (the tests' reference: same bits).
 */
export function runPass(k: PassKernels, a: PassArgs, compact = 1): number {
  const B = a.B;
  const T = a.T;
  const N = T * B;
  const O = a.O;
  const D = a.D;
  const fb = a.fb;
  const L = a.L;
  const dirs = a.dirs;
  const rows = a.returnSequences ? N : B;
  const tokens = a.V > 0 && !D; // layer 0 reads token ids: a row gather of W_i instead of a product
  const copy = (dst: number, src: number, n: number) => k.floats(dst, n).set(k.floats(src, n));

  // ---- forward ----
  // layer 0's input rows: dense i^t, the embedded E[id], or token ids
  if (D) k.embeddingForward(a.xe, a.x, a.E, N, D); // xe = E[id], zeros on padding
  let X = D ? a.xe : a.x;
  let inW = D ? D : tokens ? 1 : a.I; // width in 4-byte words
  if (a.imask) k.maskRows(X, a.imask, N, inW, B); // inputDropout: one mask per sequence, the same at every step
  let Y = 0;
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < dirs; d++) {
      const g = l * dirs + d;
      const H = a['H' + g];
      const s = a['s' + g];
      const step = B * H * fb;
      const s1 = s + step;
      if (a.s0Mode === 1) k.broadcastRows(s, a['s0' + g], B, H);
      else if (a.s0Mode === 0) k.zero(s, step);
      // the rows this direction reads: x^1..x^len, or (reverse) x^len..x^1
      let src = X;
      if (d === 1) {
        src = a['xr' + g];
        k.reverseSteps(src, X, a.len, T, B, inW, l === 0 && tokens ? 255 : 0);
      }
      // s[1..T] = x^t W_i for every t at once (W_i = rows H.. of W_s), then the time loop adds b_s + s^{t-1} W_h
      const Wi = a['Ws' + g] + H * H * fb;
      if (l === 0 && tokens) k.embeddingForward(s1, src, Wi, N, H);
      else k.matmulForward(s1, src, Wi, 0, N, inW, H, inW, 1, 0);
      k.rnnForward(s, a['Ws' + g], a['bs' + g], a.len, T, B, H, a.act, a['rmask' + g], a['sm' + g]);
      if (d === 1) k.reverseSteps(a['sro' + g], s1, a.len, T, B, H, 0); // the reverse states in the sequence's own time
    }
    // the layer's output y_l (T, B, out): the forward states, or the merge of both directions
    const f = l * dirs;
    const Hl = a['H' + f];
    const f1 = a['s' + f] + B * Hl * fb;
    const out = a['outL' + l];
    const y = a['yL' + l];
    if (dirs === 2) k.mergeForward(y, f1, a['sro' + (f + 1)], N, Hl, a.merge);
    else if (y) copy(y, f1, N * Hl);
    Y = y || f1;
    if (a['dmaskL' + l]) k.maskRows(Y, a['dmaskL' + l], N, out, N); // dropout between layers (not after the top)
    X = Y;
    inW = out;
  }
  // ---- the head: o = f_o(S W_o + b_o) ----
  const top = (L - 1) * dirs;
  const Ht = a['H' + top];
  const stepTop = B * Ht * fb;
  let S = Y;
  if (!a.returnSequences) {
    if (dirs === 2) {
      // the forward state after the last real step and the reverse state after the first (the reverse's s^T)
      k.mergeForward(a.yT, a['s' + top] + T * stepTop, a['s' + (top + 1)] + T * stepTop, B, Ht, a.merge);
      S = a.yT;
    } else S = a['s' + top] + T * stepTop;
  }
  k.matmulForward(a.y, S, a.Wo, a.bo, rows, a.headIn, O, a.headIn, 1, 0);
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
  // head, forward y = S Wo + bo:  dWo += Sᵀ dy,  dbo += Σ dy,  dS = dy Woᵀ
  k.matmulForward(a.dWo, S, a.dy, 0, a.headIn, rows, O, 1, a.headIn, 1);
  k.biasBackward(a.dbo, a.dy, rows, O);
  k.transpose(a.WoT, a.Wo, a.headIn, O);
  // ∂L/∂s^t of the top layer's directions, into their dz buffers (rnnBackward's input)
  const fz = a['dz' + top];
  if (a.returnSequences) {
    if (dirs === 2) {
      k.matmulForward(a['dyL' + (L - 1)], a.dy, a.WoT, 0, N, O, a.headIn, O, 1, 0);
      k.mergeBackward(fz, a['dsro' + (top + 1)], a['dyL' + (L - 1)], a['s' + top] + stepTop, a['sro' + (top + 1)], N, Ht, a.merge);
      k.reverseSteps(a['dz' + (top + 1)], a['dsro' + (top + 1)], a.len, T, B, Ht, 0);
    } else k.matmulForward(fz, a.dy, a.WoT, 0, N, O, Ht, O, 1, 0);
  } else {
    const last = (T - 1) * stepTop;
    if (dirs === 2) {
      k.matmulForward(a.dyT, a.dy, a.WoT, 0, B, O, a.headIn, O, 1, 0);
      const rz = a['dz' + (top + 1)];
      k.mergeBackward(fz + last, rz + last, a.dyT, a['s' + top] + T * stepTop, a['s' + (top + 1)] + T * stepTop, B, Ht, a.merge);
      k.zero(rz, last);
    } else k.matmulForward(fz + last, a.dy, a.WoT, 0, B, O, Ht, O, 1, 0);
    k.zero(fz, last);
  }
  // the real rows of every step: the weight-gradient GEMMs sum over R rows instead of T·B (padded rows of dz are 0)
  const len = k.ints(a.len, B);
  let R = 0;
  for (let b = 0; b < B; b++) R += len[b] <= 0 ? 0 : len[b] < T ? len[b] : T;
  const compacting = compact && R < N;
  if (!compacting) R = N;
  for (let l = L - 1; l >= 0; l--) {
    // BPTT through each direction's time loop: dz^t = ∂L/∂z^t, ds0 = ∂L/∂s^0
    for (let d = 0; d < dirs; d++) {
      const g = l * dirs + d;
      const H = a['H' + g];
      k.transpose(a['WhT' + g], a['Ws' + g], H, H);
      if (a['dsin' + g]) copy(a['dsin' + g], a['dz' + g], N * H);
      k.rnnBackward(a['dz' + g], a['ds0' + g], a['s' + g], a['WhT' + g], a.len, T, B, H, a.act, a['rmask' + g]);
    }
    // the gradient of the layer's input x_l = y_{l-1}: Σ_d dz_d W_iᵀ (the reverse direction's turned back in time)
    const inWl = l === 0 ? (D ? D : tokens ? 1 : a.I) : a['outL' + (l - 1)];
    const dX = l > 0 ? a['dyL' + (l - 1)] : D && !a.freezeEmbeddings ? a.dxe : 0;
    if (dX) {
      for (let d = 0; d < dirs; d++) {
        const g = l * dirs + d;
        const H = a['H' + g];
        k.transpose(a['WiT' + g], a['Ws' + g] + H * H * fb, inWl, H);
        let dz = a['dz' + g];
        if (d === 1) {
          k.reverseSteps(a['dsro' + g], dz, a.len, T, B, H, 0);
          dz = a['dsro' + g];
        }
        k.matmulForward(dX, dz, a['WiT' + g], 0, N, H, inWl, H, 1, d); // forward: z = x W_i + ...  =>  dx = dz W_iᵀ
      }
      if (l > 0 && a['dmaskL' + (l - 1)]) k.maskRows(dX, a['dmaskL' + (l - 1)], N, inWl, N);
      if (l === 0 && a.imask) k.maskRows(dX, a.imask, N, inWl, B);
    }
    if (l > 0) {
      // into layer l-1's directions: ∂L/∂s^t = the merge's backward (one direction: dy_{l-1} is its dz already)
      const p = (l - 1) * dirs;
      if (dirs === 2) {
        const Hp = a['H' + p];
        k.mergeBackward(a['dz' + p], a['dsro' + (p + 1)], dX, a['s' + p] + B * Hp * fb, a['sro' + (p + 1)], N, Hp, a.merge);
        k.reverseSteps(a['dz' + (p + 1)], a['dsro' + (p + 1)], a.len, T, B, Hp, 0);
      } else if (dX !== a['dz' + p]) copy(a['dz' + p], dX, N * a['H' + p]);
    } else if (D && !a.freezeEmbeddings) k.embeddingBackward(a.dE, a.x, a.dxe, N, D); // dE[id] += dxe rows
    else if (tokens) {
      // forward: s[1..T] = W_i[id]  =>  dW_i[id] += dz rows (padding skipped); token paths read dz by token row
      for (let d = 0; d < dirs; d++) {
        const g = d;
        k.embeddingBackward(a['dWs' + g] + a['H' + g] * a['H' + g] * fb, d === 1 ? a['xr' + g] : a.x, a['dz' + g], N, a['H' + g]);
      }
    }
    // the weight gradients: BPTT's sums over the steps, dW_s = Σ_t [s^{t-1} x^t]ᵀ dz^t, one GEMM each over R rows
    const Xl = l === 0 ? (D ? a.xe : a.x) : a['yL' + (l - 1)];
    if (compacting && !(l === 0 && tokens)) k.compactRows(Xl, a.len, T, B, inWl);
    for (let d = 0; d < dirs; d++) {
      const g = l * dirs + d;
      const H = a['H' + g];
      const prevS = a['sm' + g] || a['s' + g]; // s^{t-1} (times the recurrent mask) for every t
      const dz = a['dz' + g];
      const src = d === 1 ? a['xr' + g] : Xl;
      if (compacting) {
        k.compactRows(prevS, a.len, T, B, H);
        k.compactRows(dz, a.len, T, B, H);
        if (d === 1 && !(l === 0 && tokens)) k.compactRows(src, a.len, T, B, inWl);
      }
      k.matmulForward(a['dWs' + g], prevS, dz, 0, H, R, H, 1, H, 1); // dW_h += S[0..T-1]ᵀ dz
      if (!(l === 0 && tokens)) k.matmulForward(a['dWs' + g] + H * H * fb, src, dz, 0, inWl, R, H, 1, inWl, 1); // dW_i += Xᵀ dz
      k.biasBackward(a['dbs' + g], dz, R, H);
      if (a.s0Mode === 1) k.biasBackward(a['ds0p' + g], a['ds0' + g], B, H); // s^0 = s0 for every row
    }
  }
  return loss;
}
