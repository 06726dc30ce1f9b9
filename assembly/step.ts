// The streaming step's product: one row times a matrix (B = 1, T = 1), for SimpleRNN.step and generate.
// A general GEMM walks b in column strips, which for a single row re-reads every cache line of b several times with a
// large stride; here the rows of W stream contiguously, four at a time, into the output held in L1.
//
// gemv: out = [out] + [bias] + x W
//   out   (N)     out   contiguous
//   x     (K)     in
//   W     (K, N)  in    row-major, contiguous
//   bias  (N)     in    0 for none
//   acc   0 | 1         1: add to what out holds
// Every element is computed in matmulForward's order: init (out, then + bias), then + x[k] * W[k, n] for k = 0..K-1,
// each a separate f32 multiply and add. So gemv gives matmulForward's bits for M = 1, and a step gives predict's bits.

// @ts-ignore: decorator
@inline
function f(ptr: usize, k: i32): usize {
  return ptr + (<usize>k << 2);
}

export function gemvScalar(outPtr: usize, xPtr: usize, WPtr: usize, biasPtr: usize, K: i32, N: i32, acc: i32): void {
  for (let n = 0; n < N; n++) {
    let v: f32 = acc ? load<f32>(f(outPtr, n)) : 0;
    if (biasPtr) v = acc ? v + load<f32>(f(biasPtr, n)) : load<f32>(f(biasPtr, n));
    for (let k = 0; k < K; k++) v = v + load<f32>(f(xPtr, k)) * load<f32>(f(WPtr, k * N + n));
    store<f32>(f(outPtr, n), v);
  }
}

export function gemv(outPtr: usize, xPtr: usize, WPtr: usize, biasPtr: usize, K: i32, N: i32, acc: i32): void {
  for (let n = 0; n < N; n++) {
    let v: f32 = acc ? load<f32>(f(outPtr, n)) : 0;
    if (biasPtr) v = acc ? v + load<f32>(f(biasPtr, n)) : load<f32>(f(biasPtr, n));
    store<f32>(f(outPtr, n), v);
  }
  const rowBytes = <usize>N << 2;
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const a0 = load<f32>(f(xPtr, k));
    const a1 = load<f32>(f(xPtr, k + 1));
    const a2 = load<f32>(f(xPtr, k + 2));
    const a3 = load<f32>(f(xPtr, k + 3));
    const x0 = f32x4.splat(a0);
    const x1 = f32x4.splat(a1);
    const x2 = f32x4.splat(a2);
    const x3 = f32x4.splat(a3);
    const r0 = WPtr + <usize>k * rowBytes;
    const r1 = r0 + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const o = <usize>n << 2;
      let v = v128.load(outPtr + o);
      v = f32x4.add(v, f32x4.mul(x0, v128.load(r0 + o)));
      v = f32x4.add(v, f32x4.mul(x1, v128.load(r1 + o)));
      v = f32x4.add(v, f32x4.mul(x2, v128.load(r2 + o)));
      v = f32x4.add(v, f32x4.mul(x3, v128.load(r3 + o)));
      v128.store(outPtr + o, v);
    }
    for (; n < N; n++) {
      const o = <usize>n << 2;
      let v = load<f32>(outPtr + o);
      v = v + a0 * load<f32>(r0 + o);
      v = v + a1 * load<f32>(r1 + o);
      v = v + a2 * load<f32>(r2 + o);
      v = v + a3 * load<f32>(r3 + o);
      store<f32>(outPtr + o, v);
    }
  }
  for (; k < K; k++) {
    const a = load<f32>(f(xPtr, k));
    const xv = f32x4.splat(a);
    const r = WPtr + <usize>k * rowBytes;
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const o = <usize>n << 2;
      v128.store(outPtr + o, f32x4.add(v128.load(outPtr + o), f32x4.mul(xv, v128.load(r + o))));
    }
    for (; n < N; n++) {
      const o = <usize>n << 2;
      store<f32>(outPtr + o, load<f32>(outPtr + o) + a * load<f32>(r + o));
    }
  }
}
