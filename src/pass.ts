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
import type { FloatArray, Kernels, Ptr, SplitKernels } from './backend.js';

/** The kernels a pass calls, plus memory access (wasm: fill and a view over linear memory). */
export interface PassKernels extends Kernels, Partial<SplitKernels> {
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
  // the column split: this thread's index and the threads of the pass (parts > 1), their barrier block
  'part', 'parts', 'bar',
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
 *
 * The column split (a.parts > 1, the threads build's kernels): a.parts threads run this same pass at once on the same
 * workspace and grads, thread a.part computing its share of the columns of every product (share(): whole 8-column
 * strips) and meeting the others at barriers (a.bar) where a step reads what another thread wrote. Each element is
 * computed as on one thread, so the result has the one-thread bits. The small steps between the products (the
 * loss, merges, reversals, masks, embedding gathers and scatters, transposes of W_o and W_i) run on thread 0 alone
 * ("lead"); part 0 returns the loss, the others 0. `alive` (thread 0: the pool's check that the others still run) is
 * asked whenever a wait has slept for its budget; a wait that finds a partner gone or the pass aborted throws an Error
 * with `splitAbort` set, after aborting the pass for every thread.
 */
export function runPass(k: PassKernels, a: PassArgs, compact = 1, alive?: () => boolean): number {
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

  // ---- the column split: this thread's share, barriers, thread 0's steps ----
  const parts = a.parts > 1 ? a.parts : 1;
  const me = parts > 1 ? a.part : 0;
  const split = parts > 1;
  const lead = me === 0;
  const bar = a.bar;
  /** This thread's columns [c0, c1) of W: whole 8-column strips, as even as they come. */
  const share = (W: number): [number, number] => {
    const g = Math.ceil(W / 8);
    return [Math.min(W, Math.floor((g * me) / parts) * 8), Math.min(W, Math.floor((g * (me + 1)) / parts) * 8)];
  };
  const gone = (why: string) => {
    k.barrierAbort!(bar);
    return Object.assign(new Error(`SimpleRNN: ${why}`), { splitAbort: true });
  };
  /** Runs a resumable split call (0 done, r > 0 call again with r, -1 aborted) to its end. */
  const until = (call: (resume: number) => number) => {
    let r = call(0);
    while (r > 0) {
      if (alive && !alive()) throw gone('a training thread stopped during a pass split by columns');
      r = call(r);
    }
    if (r < 0) throw Object.assign(new Error('SimpleRNN: another thread gave up on the pass split by columns'), { splitAbort: true });
  };
  /** Every thread has come here: what any thread wrote before is there for all. */
  const sync = () => {
    if (!split) return;
    k.barrierArrive!(bar, me, parts);
    until(() => k.barrierWait!(bar, me, parts));
  };
  /** Zeroes this thread's share of `bytes` bytes at ptr (16-byte pieces; all of it on one thread). */
  const zeroShare = (ptr: number, bytes: number) => {
    if (!split) return k.zero(ptr, bytes);
    const units = Math.floor(bytes / 16);
    const lo = Math.floor((units * me) / parts) * 16;
    const hi = me === parts - 1 ? bytes : Math.floor((units * (me + 1)) / parts) * 16;
    k.zero(ptr + lo, hi - lo);
  };
  /** out = [out] + [bias] + a b: this thread's columns of it (all of it on one thread). */
  const mm = (out: number, x: number, w: number, bias: number, M: number, K: number, Nc: number, aRow: number, aCol: number, acc: number) => {
    if (!split) return k.matmulForward(out, x, w, bias, M, K, Nc, aRow, aCol, acc);
    const [c0, c1] = share(Nc);
    k.matmulCols!(out, x, w, bias, M, K, Nc, aRow, aCol, acc, c0, c1);
  };

  // ---- forward ----
  // layer 0's input rows: dense i^t, the embedded E[id], or token ids
  if (D && lead) k.embeddingForward(a.xe, a.x, a.E, N, D); // xe = E[id], zeros on padding
  let X = D ? a.xe : a.x;
  let inW = D ? D : tokens ? 1 : a.I; // width in 4-byte words
  if (a.imask && lead) k.maskRows(X, a.imask, N, inW, B); // inputDropout: one mask per sequence, the same at every step
  if (D || a.imask) sync();
  let Y = 0;
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < dirs; d++) {
      const g = l * dirs + d;
      const H = a['H' + g];
      const s = a['s' + g];
      const step = B * H * fb;
      const s1 = s + step;
      if (lead) {
        if (a.s0Mode === 1) k.broadcastRows(s, a['s0' + g], B, H);
        else if (a.s0Mode === 0) k.zero(s, step);
      }
      // the rows this direction reads: x^1..x^len, or (reverse) x^len..x^1
      let src = X;
      if (d === 1) {
        src = a['xr' + g];
        if (lead) k.reverseSteps(src, X, a.len, T, B, inW, l === 0 && tokens ? 255 : 0);
        sync();
      }
      // s[1..T] = x^t W_i for every t at once (W_i = rows H.. of W_s), then the time loop adds b_s + s^{t-1} W_h
      const Wi = a['Ws' + g] + H * H * fb;
      if (l === 0 && tokens) {
        if (lead) k.embeddingForward(s1, src, Wi, N, H);
      } else mm(s1, src, Wi, 0, N, inW, H, inW, 1, 0);
      if (split) {
        const [c0, c1] = share(H);
        until((r) => k.rnnForwardCols!(s, a['Ws' + g], a['bs' + g], a.len, T, B, H, a.act, a['rmask' + g], a['sm' + g], c0, c1, bar, me, parts, r));
      } else k.rnnForward(s, a['Ws' + g], a['bs' + g], a.len, T, B, H, a.act, a['rmask' + g], a['sm' + g]);
      if (d === 1 && lead) k.reverseSteps(a['sro' + g], s1, a.len, T, B, H, 0); // the reverse states in the sequence's own time
    }
    // the layer's output y_l (T, B, out): the forward states, or the merge of both directions
    const f = l * dirs;
    const Hl = a['H' + f];
    const f1 = a['s' + f] + B * Hl * fb;
    const out = a['outL' + l];
    const y = a['yL' + l];
    if (lead) {
      if (dirs === 2) k.mergeForward(y, f1, a['sro' + (f + 1)], N, Hl, a.merge);
      else if (y) copy(y, f1, N * Hl);
    }
    Y = y || f1;
    if (a['dmaskL' + l] && lead) k.maskRows(Y, a['dmaskL' + l], N, out, N); // dropout between layers (not after the top)
    sync();
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
      if (lead) k.mergeForward(a.yT, a['s' + top] + T * stepTop, a['s' + (top + 1)] + T * stepTop, B, Ht, a.merge);
      sync();
      S = a.yT;
    } else S = a['s' + top] + T * stepTop;
  }
  mm(a.y, S, a.Wo, a.bo, rows, a.headIn, O, a.headIn, 1, 0);
  if (a.mode === 0) return 0;

  // ---- loss (mean over real positions, through w) and dy ----
  sync();
  let loss = 0;
  if (lead) {
    k.lossForwardBackward(a.loss, a.dy, a.y, a.tgt, a.w, rows, O, a.out);
    const losses = k.floats(a.loss, rows);
    const w = k.floats(a.w, rows);
    for (let r = 0; r < rows; r++) loss += w[r] * losses[r];
  }
  if (a.mode === 1) return loss;

  // ---- backward ----
  zeroShare(a.grads, a.gradBytes);
  sync(); // dy (thread 0's) and every share of the zeroed grads are there for all
  // head, forward y = S Wo + bo:  dWo += Sᵀ dy,  dbo += Σ dy,  dS = dy Woᵀ
  mm(a.dWo, S, a.dy, 0, a.headIn, rows, O, 1, a.headIn, 1);
  if (lead) k.biasBackward(a.dbo, a.dy, rows, O);
  if (split) {
    // the columns of W_oᵀ this thread multiplies by: its rows of W_o, transposed
    const [c0, c1] = share(a.headIn);
    k.transposeRows!(a.WoT, a.Wo, a.headIn, O, c0, c1);
  } else k.transpose(a.WoT, a.Wo, a.headIn, O);
  // ∂L/∂s^t of the top layer's directions, into their dz buffers (rnnBackward's input)
  const fz = a['dz' + top];
  if (a.returnSequences) {
    if (dirs === 2) {
      mm(a['dyL' + (L - 1)], a.dy, a.WoT, 0, N, O, a.headIn, O, 1, 0);
      sync();
      if (lead) {
        k.mergeBackward(fz, a['dsro' + (top + 1)], a['dyL' + (L - 1)], a['s' + top] + stepTop, a['sro' + (top + 1)], N, Ht, a.merge);
        k.reverseSteps(a['dz' + (top + 1)], a['dsro' + (top + 1)], a.len, T, B, Ht, 0);
      }
    } else mm(fz, a.dy, a.WoT, 0, N, O, Ht, O, 1, 0);
  } else {
    const last = (T - 1) * stepTop;
    if (dirs === 2) {
      mm(a.dyT, a.dy, a.WoT, 0, B, O, a.headIn, O, 1, 0);
      sync();
      const rz = a['dz' + (top + 1)];
      if (lead) k.mergeBackward(fz + last, rz + last, a.dyT, a['s' + top] + T * stepTop, a['s' + (top + 1)] + T * stepTop, B, Ht, a.merge);
      zeroShare(rz, last);
    } else mm(fz + last, a.dy, a.WoT, 0, B, O, Ht, O, 1, 0);
    zeroShare(fz, last);
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
      if (a['dsin' + g] && lead) copy(a['dsin' + g], a['dz' + g], N * H);
      if (split) {
        // the time loop packs its columns of W_hᵀ from W_s itself (entry barrier: dz and s complete)
        const [c0, c1] = share(H);
        until((r) => k.rnnBackwardCols!(a['dz' + g], a['ds0' + g], a['s' + g], a['Ws' + g], a['WhT' + g], a.len, T, B, H, a.act, a['rmask' + g], c0, c1, bar, me, parts, r));
      } else {
        k.transpose(a['WhT' + g], a['Ws' + g], H, H);
        k.rnnBackward(a['dz' + g], a['ds0' + g], a['s' + g], a['WhT' + g], a.len, T, B, H, a.act, a['rmask' + g]);
      }
    }
    // the gradient of the layer's input x_l = y_{l-1}: Σ_d dz_d W_iᵀ (the reverse direction's turned back in time)
    const inWl = l === 0 ? (D ? D : tokens ? 1 : a.I) : a['outL' + (l - 1)];
    const dX = l > 0 ? a['dyL' + (l - 1)] : D && !a.freezeEmbeddings ? a.dxe : 0;
    if (dX) {
      for (let d = 0; d < dirs; d++) {
        const g = l * dirs + d;
        const H = a['H' + g];
        if (split) {
          const [c0, c1] = share(inWl); // this thread's columns of W_iᵀ: its rows of W_i
          k.transposeRows!(a['WiT' + g], a['Ws' + g] + H * H * fb, inWl, H, c0, c1);
        } else k.transpose(a['WiT' + g], a['Ws' + g] + H * H * fb, inWl, H);
        let dz = a['dz' + g];
        if (d === 1) {
          if (lead) k.reverseSteps(a['dsro' + g], dz, a.len, T, B, H, 0);
          sync();
          dz = a['dsro' + g];
        }
        mm(dX, dz, a['WiT' + g], 0, N, H, inWl, H, 1, d); // forward: z = x W_i + ...  =>  dx = dz W_iᵀ
      }
      sync();
      if (lead) {
        if (l > 0 && a['dmaskL' + (l - 1)]) k.maskRows(dX, a['dmaskL' + (l - 1)], N, inWl, N);
        if (l === 0 && a.imask) k.maskRows(dX, a.imask, N, inWl, B);
      }
    }
    if (lead) {
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
    }
    sync();
    // the weight gradients: BPTT's sums over the steps, dW_s = Σ_t [s^{t-1} x^t]ᵀ dz^t, one GEMM each over R rows
    // (after compactRows: each thread compacts its columns of every buffer, then the products read all of them)
    const Xl = l === 0 ? (D ? a.xe : a.x) : a['yL' + (l - 1)];
    const compactCols = (buf: number, W: number) => {
      if (!split) return k.compactRows(buf, a.len, T, B, W);
      const [c0, c1] = share(W);
      k.compactRowsCols!(buf, a.len, T, B, W, c0, c1);
    };
    if (compacting) {
      if (!(l === 0 && tokens)) compactCols(Xl, inWl);
      for (let d = 0; d < dirs; d++) {
        const g = l * dirs + d;
        const H = a['H' + g];
        compactCols(a['sm' + g] || a['s' + g], H);
        compactCols(a['dz' + g], H);
        if (d === 1 && !(l === 0 && tokens)) compactCols(a['xr' + g], inWl);
      }
      sync();
    }
    for (let d = 0; d < dirs; d++) {
      const g = l * dirs + d;
      const H = a['H' + g];
      const prevS = a['sm' + g] || a['s' + g]; // s^{t-1} (times the recurrent mask) for every t
      const dz = a['dz' + g];
      const src = d === 1 ? a['xr' + g] : Xl;
      mm(a['dWs' + g], prevS, dz, 0, H, R, H, 1, H, 1); // dW_h += S[0..T-1]ᵀ dz
      if (!(l === 0 && tokens)) mm(a['dWs' + g] + H * H * fb, src, dz, 0, inWl, R, H, 1, inWl, 1); // dW_i += Xᵀ dz
      if (split) {
        const [c0, c1] = share(H);
        k.biasBackwardCols!(a['dbs' + g], dz, R, H, c0, c1);
      } else k.biasBackward(a['dbs' + g], dz, R, H);
      if (a.s0Mode === 1 && lead) k.biasBackward(a['ds0p' + g], a['ds0' + g], B, H); // s^0 = s0 for every row
    }
  }
  return loss;
}
