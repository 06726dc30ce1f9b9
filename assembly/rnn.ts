// The recurrence of the seed and its backward through time (BPTT), all B sequences of a batch in one call.
//
// The seed, in the tutorial's symbols ([a b] joins two rows end to end):
//   s^t = f_s([s^{t-1} i^t] W_s + b_s),  t = 1..T      the state; s^0 is zeros, a learned row or the caller's
//   o   = f_o(s^T W_o + b_o)                          the output (o^t = f_o(s^t W_o + b_o) at every t: returnSequences)
// Splitting W_s at row H splits the product in two, and only the first part waits for the previous step:
//   [s^{t-1} i^t] W_s = s^{t-1} W_h + i^t W_i,   W_h = rows 0..H-1 of W_s (H, H),  W_i = rows H.. of W_s (I, H)
// So a pass (src/pass.ts runPass) runs:
//   1. i^t W_i for every t at once, before the time loop: one GEMM over T·B rows (matmulForward on inp; for token ids,
//      embeddingForward, which gathers row H+id of W_s: i^t W_i for a one-hot i^t), written into s[1..T]
//   2. the time loop, here: rnnForward adds b_s and s^{t-1} W_h to s[t] and applies f_s, t = 1..T
//   3. o = f_o(s^T W_o + b_o) after the loop, in src/pass.ts: matmulForward(y, S, Wo, bo) over the rows of s^T (or of
//      every s^t), then f_o with its loss in lossForwardBackward, or alone in outputForward (assembly/loss.ts)
// and backward, the same three in reverse: dS = dy W_oᵀ; rnnBackward turns dS into dz^t = ∂L/∂z^t step by step,
// t = T..1; then the weight gradients are BPTT's sums over the time steps,
//   dW_s = Σ_t [s^{t-1} i^t]ᵀ dz^t,   db_s = Σ_t Σ_b dz^t
// and, with the steps stacked time-major, each sum over t (and b) is the K dimension of one GEMM over T·B rows
// (src/pass.ts: dW_h += S[0..T-1]ᵀ dz, dW_i += inpᵀ dz, biasBackward; after compactRows, over the real rows only;
// for token ids dW_i is embeddingBackward, the scatter-add of the dz rows).
//
// The reading copy is the JS reference: rnnForward and rnnBackward in src/backends/js.ts are this file's two time
// loops as plain loops (the length of min-char-rnn's BPTT). This file adds the packed weight and SIMD; its arithmetic
// is matmulForward, activationForward and activationBackward (each pinned to its scalar twin) and one f32 add per
// element, so the loops hold no rounding of their own.
//
// Buffers (time-major: step t of all B sequences is one contiguous (B, H) block, so a step is one GEMM):
//   s     (T+1, B, H)  state   s[0] = s^0, s[t] = s^t; before rnnForward s[t] holds i^t W_i (t >= 1)
//   inp   (T, B, I)    in      i^t, the rows of step t (src/pass.ts); token ids: (T, B) i32, < 0 on padding, and
//                              with an embedding layer i^t = E[id] (I = D)
//   Ws    (H+I, H)     param   W_s, row-major: rows 0..H-1 are W_h (multiply s^{t-1}), rows H.. are W_i (multiply i^t)
//   bs    (H)          param   b_s
//   dz    (T, B, H)    grad    dz[t-1] = ∂L/∂z^t, z^t = [s^{t-1} i^t] W_s + b_s the pre-activation
//   len   (B)          in      i32, sorted descending (src/batch.ts); steps t > len[b] are padding: s^t = s^{t-1}
// Sorted lengths make the real rows of step t a prefix 0..Bt-1: the padded rows Bt..B-1 cost a copy, not a product.
import { matmulForward, matmulPrepacked, prepackB } from './matmul';
import { activationForward, activationBackward } from './activations';

// Bt: the sequences still running at step t (len[b] >= t), a prefix of the sorted batch
// @ts-ignore: decorator
@inline
export function realRows(lenPtr: usize, B: i32, t: i32): i32 {
  let n = 0;
  while (n < B && load<i32>(lenPtr + (<usize>n << 2)) >= t) n++;
  return n;
}

// rnnForward: s^t = f_s(z^t), z^t = (i^t W_i + b_s) + s^{t-1} W_h, t = 1..T (the seed's line, split at row H of W_s)
//   s    (T+1, B, H)  in/out  on entry s[0] = s^0 and s[t] = i^t W_i (t >= 1); on return s[t] = s^t
//   Wh   (H, H)       param   W_h: rows 0..H-1 of Ws (src/pass.ts passes Ws itself: W_h is its first H·H floats)
//   bs   (H)          param   b_s
//   len  (B)          in      i32, sorted descending; steps t > len[b] are padding: s^t = s^{t-1}
//   act               f_s     ACT code (activations.ts)
//   mask (B, H)       in      recurrentDropout: 0 or 1/(1-p) per sequence and unit; maskPtr 0: no dropout
//   sm   (T, B, H)    out     with a mask: sm[t-1] = s^{t-1} * mask, the rows the product reads (and dW_h's GEMM)
// Each element of z^t is summed in matmulForward's order: i^t W_i (already in s[t]), + b_s, + s^{t-1}[k] W_h[k, h]
// for k = 0..H-1, each a separate f32 multiply and add.
export function rnnForward(sPtr: usize, WhPtr: usize, bsPtr: usize, lenPtr: usize, T: i32, B: i32, H: i32, act: i32, maskPtr: usize, smPtr: usize): void {
  const stepBytes = (<usize>B * H) << 2;
  const packed = prepackB(WhPtr, H, H); // Wh packed once for all T steps, when the scratch has room
  for (let t = 1; t <= T; t++) {
    const prev = sPtr + <usize>(t - 1) * stepBytes;
    const cur = prev + stepBytes;
    const Bt = realRows(lenPtr, B, t);
    // recurrentDropout: the product reads s^{t-1} * mask (the carried state of a pad row stays unmasked)
    let rowsIn = prev;
    if (maskPtr) {
      rowsIn = smPtr + <usize>(t - 1) * stepBytes;
      mulRows(rowsIn, prev, maskPtr, B * H);
    }
    // z^t = (i^t W_i + b_s) + s^{t-1} W_h on the real rows (the input part is already in cur), then s^t = f_s(z^t)
    if (packed) matmulPrepacked(cur, rowsIn, bsPtr, Bt, H, H, H, 1, 1);
    else matmulForward(cur, rowsIn, WhPtr, bsPtr, Bt, H, H, H, 1, 1);
    activationForward(cur, Bt * H, act);
    // padded rows: s^t = s^{t-1}
    const realBytes = (<usize>Bt * H) << 2;
    memory.copy(cur + realBytes, prev + realBytes, stepBytes - realBytes);
  }
}

// rnnBackward: backpropagation through the T steps of rnnForward, all B sequences in one call.
//   forward: z^t = (i^t W_i + b_s) + s^{t-1} W_h,  s^t = f_s(z^t)     (pad rows: s^t = s^{t-1})
//   dz   (T, B, H)    in/out  on entry dz[t-1] = ∂L/∂s^t from the outputs (dS = dy W_oᵀ: at every step, or at t = T
//                             only); on return dz[t-1] = ∂L/∂z^t, 0 on padded rows
//   ds0  (B, H)       out     ∂L/∂s^0 (also the running ∂L/∂s^{t-1} of the loop: dsNext)
//   s    (T+1, B, H)  in      from rnnForward (f_s' is written from s^t)
//   WhT  (H, H)       in      W_hᵀ (the caller transposes once per batch)
//   len  (B)          in      as in rnnForward
//   mask (B, H)       in      rnnForward's recurrentDropout mask (maskPtr 0: none)
// Per step, t = T..1, with dsNext the part of ∂L/∂s^t that comes through step t+1 (0 at t = T):
//   ds = dz[t-1] + dsNext            forward: s^t feeds o^t and z^{t+1}  =>  ∂L/∂s^t is the sum of both
//   real rows: dz[t-1] = ds f_s'     forward: s^t = f_s(z^t)  =>  dz^t = ds^t f_s'(z^t), f_s' written from s^t
//              dsNext = dz[t-1] W_hᵀ  forward: z^t = s^{t-1} W_h + ...  =>  ds^{t-1} = dz^t W_hᵀ
//                                     (with a mask: z^t = (s^{t-1} mask) W_h + ...  =>  ds^{t-1} = (dz^t W_hᵀ) mask)
//   pad rows:  dz[t-1] = 0, dsNext = ds   forward: s^t = s^{t-1} (the identity)  =>  ds^{t-1} = ds^t
// The weight gradients are not summed here: dW_s = Σ_t [s^{t-1} i^t]ᵀ dz^t is one GEMM in src/pass.ts (header above).
export function rnnBackward(
  dzPtr: usize, ds0Ptr: usize, sPtr: usize, WhTPtr: usize, lenPtr: usize,
  T: i32, B: i32, H: i32, act: i32, maskPtr: usize,
): void {
  const stepBytes = (<usize>B * H) << 2;
  const packed = prepackB(WhTPtr, H, H); // Whᵀ packed once for all T steps, when the scratch has room
  memory.fill(ds0Ptr, 0, stepBytes);
  for (let t = T; t >= 1; t--) {
    const dzt = dzPtr + <usize>(t - 1) * stepBytes;
    const st = sPtr + <usize>t * stepBytes;
    const Bt = realRows(lenPtr, B, t);
    const realBytes = (<usize>Bt * H) << 2;
    // ds = dz[t-1] + dsNext, in place in dz[t-1]
    const n = B * H;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      v128.store(dzt + o, f32x4.add(v128.load(dzt + o), v128.load(ds0Ptr + o)));
    }
    for (; k < n; k++) {
      const o = <usize>k << 2;
      store<f32>(dzt + o, load<f32>(dzt + o) + load<f32>(ds0Ptr + o));
    }
    // pad rows: pass ds through unchanged, then zero their dz
    memory.copy(ds0Ptr + realBytes, dzt + realBytes, stepBytes - realBytes);
    memory.fill(dzt + realBytes, 0, stepBytes - realBytes);
    // real rows: dz^t = ds^t f_s'(z^t), then dsNext = dz^t W_hᵀ
    activationBackward(dzt, dzt, st, Bt * H, act);
    if (packed) matmulPrepacked(ds0Ptr, dzt, 0, Bt, H, H, H, 1, 0);
    else matmulForward(ds0Ptr, dzt, WhTPtr, 0, Bt, H, H, H, 1, 0);
    if (maskPtr) mulRows(ds0Ptr, ds0Ptr, maskPtr, Bt * H);
  }
}

// out[k] = a[k] * m[k], k < n (out may be a)
// @ts-ignore: decorator
@inline
function mulRows(outPtr: usize, aPtr: usize, mPtr: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(outPtr + o, f32x4.mul(v128.load(aPtr + o), v128.load(mPtr + o)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(outPtr + o, load<f32>(aPtr + o) * load<f32>(mPtr + o));
  }
}

// embeddingForward: out[r] = W[tok[r]], i^t W for a one-hot i^t: a row gather instead of the product
//   out  (N, H)  out   rows with tok[r] < 0 (padding) are set to 0
//   tok  (N)     in    i32 token ids
//   W    (V, H)  param W_i, the input rows of Ws (rows H..H+V-1), or the embedding E (V, D) with H = D
export function embeddingForward(outPtr: usize, tokPtr: usize, WPtr: usize, N: i32, H: i32): void {
  const rowBytes = <usize>H << 2;
  for (let r = 0; r < N; r++) {
    const id = load<i32>(tokPtr + (<usize>r << 2));
    const dst = outPtr + <usize>r * rowBytes;
    if (id < 0) memory.fill(dst, 0, rowBytes);
    else memory.copy(dst, WPtr + <usize>id * rowBytes, rowBytes);
  }
}

// embeddingBackward: forward out[r] = W[tok[r]]  =>  dW[tok[r]] += dout[r], rows in order r = 0..N-1
//   dW    (V, H)  in/out
//   tok   (N)     in     rows with tok[r] < 0 are skipped
//   dout  (N, H)  in
export function embeddingBackward(dWPtr: usize, tokPtr: usize, doutPtr: usize, N: i32, H: i32): void {
  const rowBytes = <usize>H << 2;
  for (let r = 0; r < N; r++) {
    const id = load<i32>(tokPtr + (<usize>r << 2));
    if (id < 0) continue;
    addRow(dWPtr + <usize>id * rowBytes, doutPtr + <usize>r * rowBytes, H);
  }
}

// @ts-ignore: decorator
@inline
function addRow(dstPtr: usize, srcPtr: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dstPtr + o, f32x4.add(v128.load(dstPtr + o), v128.load(srcPtr + o)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(dstPtr + o, load<f32>(dstPtr + o) + load<f32>(srcPtr + o));
  }
}

// biasBackward: forward out[r] = ... + b  =>  db += Σ_r dout[r], rows in order
//   db    (C)     in/out
//   dout  (N, C)  in
export function biasBackward(dbPtr: usize, doutPtr: usize, N: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < N; r++) addRow(dbPtr, doutPtr + <usize>r * rowBytes, C);
}

// broadcastRows: out[r] = v for r = 0..N-1 (s^0 for every sequence)
//   out  (N, C)  out
//   v    (C)     in
export function broadcastRows(outPtr: usize, vPtr: usize, N: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < N; r++) memory.copy(outPtr + <usize>r * rowBytes, vPtr, rowBytes);
}

// compactRows: moves the real rows of a time-major (T, B, C) buffer to its front, in order t = 1..T, b = 0..Bt-1
// (Bt = the sequences with len >= t, a prefix: sorted batches). Row (t-1)*B + b is step t of sequence b. Padded
// rows are dropped, so a weight-gradient GEMM over the front rows does only the real work. The destination row is
// never past the source row, so a forward copy is safe. Rows past the real ones keep stale values.
//   buf  (T, B, C)  in/out  on return rows 0..R-1 are the real rows (R = Σ_b min(len[b], T))
//   len  (B)        in      as in rnnForward
export function compactRows(bufPtr: usize, lenPtr: usize, T: i32, B: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  let dst = bufPtr;
  for (let t = 1; t <= T; t++) {
    const src = bufPtr + <usize>(t - 1) * B * rowBytes;
    const bytes = <usize>realRows(lenPtr, B, t) * rowBytes;
    if (dst !== src) memory.copy(dst, src, bytes);
    dst += bytes;
  }
}

// biasBackwardCols: columns c0..c1-1 of biasBackward (one thread's share, src/parallel/): the same sum, rows in order
//   db    (C)     in/out  only db[c0..c1-1] is written
//   dout  (N, C)  in
export function biasBackwardCols(dbPtr: usize, doutPtr: usize, N: i32, C: i32, c0: i32, c1: i32): void {
  const rowBytes = <usize>C << 2;
  const off = <usize>c0 << 2;
  for (let r = 0; r < N; r++) addRow(dbPtr + off, doutPtr + <usize>r * rowBytes + off, c1 - c0);
}

// compactRowsCols: columns c0..c1-1 of compactRows (one thread's share, src/parallel/): every real row's columns
// c0..c1-1 move to their place in compactRows' order; the other columns are not touched. Threads that compact
// disjoint columns of one buffer at once give compactRows' result.
export function compactRowsCols(bufPtr: usize, lenPtr: usize, T: i32, B: i32, C: i32, c0: i32, c1: i32): void {
  const rowBytes = <usize>C << 2;
  const off = <usize>c0 << 2;
  const bytes = <usize>(c1 - c0) << 2;
  let dst = bufPtr;
  for (let t = 1; t <= T; t++) {
    const src = bufPtr + <usize>(t - 1) * B * rowBytes;
    const Bt = realRows(lenPtr, B, t);
    if (dst !== src) for (let b = 0; b < Bt; b++) memory.copy(dst + <usize>b * rowBytes + off, src + <usize>b * rowBytes + off, bytes);
    dst += <usize>Bt * rowBytes;
  }
}
