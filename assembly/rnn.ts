// The recurrence and its backward through time. Layout is time-major: step t of all B sequences is one contiguous
// (B, H) block, so each step is one GEMM and the weight gradients of all steps are one GEMM each.
// Sequences are sorted by length, longest first (src/batch.ts does it): at step t the real rows are a prefix
// 0..Bt-1, and the padded rows Bt..B-1 cost a copy, not a product.
import { matmulForward, matmulPrepacked, prepackB } from './matmul';
import { activationForward, activationBackward } from './activations';

// @ts-ignore: decorator
@inline
function realRows(lenPtr: usize, B: i32, t: i32): i32 {
  let n = 0;
  while (n < B && load<i32>(lenPtr + (<usize>n << 2)) >= t) n++;
  return n;
}

// rnnForward: s^t = f(s^{t-1} Wh + x^t Wi + bs), t = 1..T, all B sequences in one call.
//   s    (T+1, B, H)  in/out  s[0] = s^0. On entry s[t] holds x^t Wi for t >= 1 (one GEMM over all steps, or an
//                             embedding gather); on return s[t] = s^t.
//   Wh   (H, H)       param   rows 0..H-1 of Ws (they multiply s^{t-1})
//   bs   (H)          param
//   len  (B)          in      i32, sorted descending; steps t > len[b] are padding: s^t = s^{t-1}
export function rnnForward(sPtr: usize, WhPtr: usize, bsPtr: usize, lenPtr: usize, T: i32, B: i32, H: i32, act: i32): void {
  const stepBytes = (<usize>B * H) << 2;
  const packed = prepackB(WhPtr, H, H); // Wh packed once for all T steps, when the scratch has room
  for (let t = 1; t <= T; t++) {
    const prev = sPtr + <usize>(t - 1) * stepBytes;
    const cur = prev + stepBytes;
    const Bt = realRows(lenPtr, B, t);
    // z = x^t Wi + bs + s^{t-1} Wh  (the input part is already in cur)
    if (packed) matmulPrepacked(cur, prev, bsPtr, Bt, H, H, H, 1, 1);
    else matmulForward(cur, prev, WhPtr, bsPtr, Bt, H, H, H, 1, 1);
    activationForward(cur, Bt * H, act);
    const realBytes = (<usize>Bt * H) << 2;
    memory.copy(cur + realBytes, prev + realBytes, stepBytes - realBytes);
  }
}

// rnnBackward: backpropagation through the T steps of rnnForward, all B sequences in one call.
//   forward: z^t = s^{t-1} Wh + x^t Wi + bs,  s^t = f(z^t)
//   dz   (T, B, H)    in/out  on entry dL/ds^t from the outputs (o^t at every step, or o at t = T only);
//                             on return dL/dz^t, 0 on padded rows
//   ds0  (B, H)       out     dL/ds^0 (also the running dL/ds^t of the loop)
//   s    (T+1, B, H)  in      from rnnForward
//   WhT  (H, H)       in      Whᵀ (the caller transposes once per batch)
//   len  (B)          in      as in rnnForward
// Per step, t = T..1:  ds = dz[t] + dsNext
//   real rows: dz[t] = ds * f'(z^t);  dsNext = dz[t] Whᵀ        (forward: z = s^{t-1} Wh  =>  ds^{t-1} = dz Whᵀ)
//   pad rows:  dz[t] = 0;             dsNext = ds              (forward: s^t = s^{t-1}, the identity)
export function rnnBackward(
  dzPtr: usize, ds0Ptr: usize, sPtr: usize, WhTPtr: usize, lenPtr: usize,
  T: i32, B: i32, H: i32, act: i32,
): void {
  const stepBytes = (<usize>B * H) << 2;
  const packed = prepackB(WhTPtr, H, H); // Whᵀ packed once for all T steps, when the scratch has room
  memory.fill(ds0Ptr, 0, stepBytes);
  for (let t = T; t >= 1; t--) {
    const dzt = dzPtr + <usize>(t - 1) * stepBytes;
    const st = sPtr + <usize>t * stepBytes;
    const Bt = realRows(lenPtr, B, t);
    const realBytes = (<usize>Bt * H) << 2;
    // ds = dz[t] + dsNext, in place in dz[t]
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
    // real rows
    activationBackward(dzt, dzt, st, Bt * H, act);
    if (packed) matmulPrepacked(ds0Ptr, dzt, 0, Bt, H, H, H, 1, 0);
    else matmulForward(ds0Ptr, dzt, WhTPtr, 0, Bt, H, H, H, 1, 0);
  }
}

// embeddingForward: out[r] = W[tok[r]] (a row gather, the product of a one-hot x with W, without the product)
//   out  (N, H)  out   rows with tok[r] < 0 (padding) are set to 0
//   tok  (N)     in    i32 token ids
//   W    (V, H)  param the input rows of Ws (rows H..H+V-1)
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
