// Parameter updates and the reductions a safe update needs. All run over the whole parameter block at once.

// sgdUpdate: p -= lr * g
//   p  (n)  in/out
//   g  (n)  in
export function sgdUpdate(pPtr: usize, gPtr: usize, n: i32, lr: f32): void {
  const vlr = f32x4.splat(lr);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(pPtr + o, f32x4.sub(v128.load(pPtr + o), f32x4.mul(vlr, v128.load(gPtr + o))));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(pPtr + o, load<f32>(pPtr + o) - lr * load<f32>(gPtr + o));
  }
}

// sumSquares: Σ x², accumulated in f64 (NaN or Infinity when any element is not finite)
//   x  (n)  in
export function sumSquares(xPtr: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let k = 0; k < n; k++) {
    const v = <f64>load<f32>(xPtr + (<usize>k << 2));
    acc += v * v;
  }
  return acc;
}
