// GEMM kernels. Every pointer is a byte offset into linear memory; sizes count floats.
//
// matmulForward: out = [out] + [bias] + a b, one kernel for the three products BPTT needs:
//   out   (M, N)   out   row-major, contiguous
//   a     (M, K)   in    element (m, k) at a[m*aRow + k*aCol]: aRow=K, aCol=1 reads a plain (M, K) matrix,
//                        aRow=1, aCol=M reads the transpose of a (K, M) one (weight gradients: dW += xᵀ dz)
//   b     (K, N)   in    row-major, contiguous
//   bias  (N)      in    0 for none
//   acc   0 | 1          1: add to what out holds (out is read first, then bias, then the products)
//
// Every element is computed in the same order on every path: init, then + a[m,k]*b[k,n] for k = 0..K-1, with a
// separate multiply and add (no FMA). So the SIMD paths equal matmulForwardScalar bit for bit, and a row of out does
// not depend on which other rows are in the batch (padding invariance holds to the bit).
//
// SIMD goes over N: splat a[m,k], v128.load b[k, n..n+3]. Register block: 4 rows x 8 columns, eight f32x4
// accumulators. Rows are processed in panels of MC so that a panel of a stays in L2 while every 8-column strip of
// b (K x 32 bytes) is streamed once per panel from L1.

const MC: i32 = 64;

// @ts-ignore: decorator
@inline
function initValue(outPtr: usize, biasPtr: usize, acc: i32, idx: usize, n: i32): f32 {
  let v: f32 = 0;
  if (acc) v = load<f32>(outPtr + (idx << 2));
  if (biasPtr) v = acc ? v + load<f32>(biasPtr + (<usize>n << 2)) : load<f32>(biasPtr + (<usize>n << 2));
  return v;
}

// @ts-ignore: decorator
@inline
function initVec(outPtr: usize, biasPtr: usize, acc: i32, idx: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  if (acc) v = v128.load(outPtr + (idx << 2));
  if (biasPtr) {
    const bv = v128.load(biasPtr + (<usize>n << 2));
    v = acc ? f32x4.add(v, bv) : bv;
  }
  return v;
}

export function matmulForwardScalar(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const o = <usize>m * N + n;
      let v = initValue(outPtr, biasPtr, acc, o, n);
      for (let k = 0; k < K; k++) {
        const x = load<f32>(aPtr + ((<usize>m * aRow + <usize>k * aCol) << 2));
        const w = load<f32>(bPtr + ((<usize>k * N + n) << 2));
        v = v + x * w;
      }
      store<f32>(outPtr + (o << 2), v);
    }
  }
}

// One row of out, columns n0..N-1: 8 at a time, then 4, then scalar.
// @ts-ignore: decorator
@inline
function rowStrip(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  m: i32, n0: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  const aStep = <usize>aCol << 2;
  const bStep = <usize>N << 2;
  const a0 = aPtr + ((<usize>m * aRow) << 2);
  let n = n0;
  for (; n + 8 <= N; n += 8) {
    const o = <usize>m * N + n;
    let c0 = initVec(outPtr, biasPtr, acc, o, n);
    let c1 = initVec(outPtr, biasPtr, acc, o + 4, n + 4);
    let pa = a0;
    let pb = bPtr + (<usize>n << 2);
    for (let k = 0; k < K; k++) {
      const x = f32x4.splat(load<f32>(pa));
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
      c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
      pa += aStep;
      pb += bStep;
    }
    v128.store(outPtr + (o << 2), c0);
    v128.store(outPtr + (o << 2), c1, 16);
  }
  for (; n + 4 <= N; n += 4) {
    const o = <usize>m * N + n;
    let c0 = initVec(outPtr, biasPtr, acc, o, n);
    let pa = a0;
    let pb = bPtr + (<usize>n << 2);
    for (let k = 0; k < K; k++) {
      c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(pa)), v128.load(pb)));
      pa += aStep;
      pb += bStep;
    }
    v128.store(outPtr + (o << 2), c0);
  }
  for (; n < N; n++) {
    const o = <usize>m * N + n;
    let v = initValue(outPtr, biasPtr, acc, o, n);
    let pa = a0;
    let pb = bPtr + (<usize>n << 2);
    for (let k = 0; k < K; k++) {
      v = v + load<f32>(pa) * load<f32>(pb);
      pa += aStep;
      pb += bStep;
    }
    store<f32>(outPtr + (o << 2), v);
  }
}

export function matmulForward(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  const aStep = <usize>aCol << 2;
  const aRowBytes = <usize>aRow << 2;
  const bStep = <usize>N << 2;
  const N8 = N & ~7;
  for (let m0 = 0; m0 < M; m0 += MC) {
    const m1 = min(m0 + MC, M);
    const m4 = m0 + ((m1 - m0) & ~3);
    for (let n = 0; n < N8; n += 8) {
      for (let m = m0; m < m4; m += 4) {
        const o = <usize>m * N + n;
        const oN = <usize>N;
        let c00 = initVec(outPtr, biasPtr, acc, o, n);
        let c01 = initVec(outPtr, biasPtr, acc, o + 4, n + 4);
        let c10 = initVec(outPtr, biasPtr, acc, o + oN, n);
        let c11 = initVec(outPtr, biasPtr, acc, o + oN + 4, n + 4);
        let c20 = initVec(outPtr, biasPtr, acc, o + 2 * oN, n);
        let c21 = initVec(outPtr, biasPtr, acc, o + 2 * oN + 4, n + 4);
        let c30 = initVec(outPtr, biasPtr, acc, o + 3 * oN, n);
        let c31 = initVec(outPtr, biasPtr, acc, o + 3 * oN + 4, n + 4);
        let pa = aPtr + (<usize>m * aRowBytes);
        let pb = bPtr + (<usize>n << 2);
        for (let k = 0; k < K; k++) {
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          const x0 = f32x4.splat(load<f32>(pa));
          const x1 = f32x4.splat(load<f32>(pa + aRowBytes));
          const x2 = f32x4.splat(load<f32>(pa + 2 * aRowBytes));
          const x3 = f32x4.splat(load<f32>(pa + 3 * aRowBytes));
          c00 = f32x4.add(c00, f32x4.mul(x0, b0));
          c01 = f32x4.add(c01, f32x4.mul(x0, b1));
          c10 = f32x4.add(c10, f32x4.mul(x1, b0));
          c11 = f32x4.add(c11, f32x4.mul(x1, b1));
          c20 = f32x4.add(c20, f32x4.mul(x2, b0));
          c21 = f32x4.add(c21, f32x4.mul(x2, b1));
          c30 = f32x4.add(c30, f32x4.mul(x3, b0));
          c31 = f32x4.add(c31, f32x4.mul(x3, b1));
          pa += aStep;
          pb += bStep;
        }
        const po = outPtr + (o << 2);
        const rowBytes = <usize>N << 2;
        v128.store(po, c00);
        v128.store(po, c01, 16);
        v128.store(po + rowBytes, c10);
        v128.store(po + rowBytes, c11, 16);
        v128.store(po + 2 * rowBytes, c20);
        v128.store(po + 2 * rowBytes, c21, 16);
        v128.store(po + 3 * rowBytes, c30);
        v128.store(po + 3 * rowBytes, c31, 16);
      }
    }
    // columns past the last full 8-strip, for the 4-row blocks
    if (N8 < N) {
      for (let m = m0; m < m4; m++) rowStrip(outPtr, aPtr, bPtr, biasPtr, m, N8, K, N, aRow, aCol, acc);
    }
    // rows past the last full 4-block
    for (let m = m4; m < m1; m++) rowStrip(outPtr, aPtr, bPtr, biasPtr, m, 0, K, N, aRow, aCol, acc);
  }
}

// transpose: out = inpᵀ
//   out  (C, R)  out
//   inp  (R, C)  in
export function transpose(outPtr: usize, inpPtr: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      store<f32>(outPtr + ((<usize>c * R + r) << 2), load<f32>(inpPtr + ((<usize>r * C + c) << 2)));
    }
  }
}
