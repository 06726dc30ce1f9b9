// Parameter updates and gradient clipping (token sampling is in sample.ts).
// An update runs over the whole parameter block at once: params | grads | optimizer state share one layout of n = P
// floats (src/model.ts), so a training step is one kernel call, whatever the model's shape.
// Each SIMD kernel has a …Scalar twin, the algorithmic reference, which also does the tail (n not a multiple of 4).
// Both use the same f32 operations in the same order (mul then add, no FMA; div and sqrt are correctly rounded in
// both), so SIMD equals …Scalar bit for bit. Hyper-parameters arrive as f32.
//
// Weight decay: `wd` enters as L2 (gd = g + wd p, "coupled") except in AdamW, where it is decoupled:
// p -= lr (update + wd p) with the old p (Loshchilov & Hutter; PyTorch's AdamW applies the same product).

// @ts-ignore: decorator
@inline
function f(ptr: usize, k: i32): usize {
  return ptr + (<usize>k << 2);
}

// sgdUpdate: p -= lr * g, as addScaled with a = -lr: the same bits, since (-lr) g = -(lr g) and p + (-y) = p - y
//   p  (n)  in/out
//   g  (n)  in
export function sgdUpdateScalar(pPtr: usize, gPtr: usize, n: i32, lr: f32): void {
  addScaledScalar(pPtr, gPtr, n, -lr);
}

export function sgdUpdate(pPtr: usize, gPtr: usize, n: i32, lr: f32): void {
  addScaled(pPtr, gPtr, n, -lr);
}

// addScaled: y += a * x   (weight decay of plain SGD: g += wd p)
//   y  (n)  in/out
//   x  (n)  in
export function addScaledScalar(yPtr: usize, xPtr: usize, n: i32, a: f32): void {
  for (let k = 0; k < n; k++) store<f32>(f(yPtr, k), load<f32>(f(yPtr, k)) + a * load<f32>(f(xPtr, k)));
}

export function addScaled(yPtr: usize, xPtr: usize, n: i32, a: f32): void {
  const va = f32x4.splat(a);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    v128.store(f(yPtr, k), f32x4.add(v128.load(f(yPtr, k)), f32x4.mul(va, v128.load(f(xPtr, k)))));
  }
  addScaledScalar(f(yPtr, k), f(xPtr, k), n - k, a);
}

// scale: x *= c   (clipping by global norm: g *= clipNorm / ‖g‖)
//   x  (n)  in/out
export function scaleScalar(xPtr: usize, n: i32, c: f32): void {
  for (let k = 0; k < n; k++) store<f32>(f(xPtr, k), load<f32>(f(xPtr, k)) * c);
}

export function scale(xPtr: usize, n: i32, c: f32): void {
  const vc = f32x4.splat(c);
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(f(xPtr, k), f32x4.mul(v128.load(f(xPtr, k)), vc));
  scaleScalar(f(xPtr, k), n - k, c);
}

// clipByValue: x = min(max(x, -c), c)   (clipping by value; written as pmax/pmin so the twins agree)
//   x  (n)  in/out
export function clipByValueScalar(xPtr: usize, n: i32, c: f32): void {
  for (let k = 0; k < n; k++) {
    let v = load<f32>(f(xPtr, k));
    v = v < -c ? -c : v; // pmax(v, -c)
    v = c < v ? c : v; // pmin(v, c)
    store<f32>(f(xPtr, k), v);
  }
}

export function clipByValue(xPtr: usize, n: i32, c: f32): void {
  const hi = f32x4.splat(c);
  const lo = f32x4.splat(-c);
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(f(xPtr, k), f32x4.pmin(f32x4.pmax(v128.load(f(xPtr, k)), lo), hi));
  clipByValueScalar(f(xPtr, k), n - k, c);
}

// momentumUpdate: SGD with momentum, or Nesterov momentum (PyTorch's formulation)
//   gd = g + wd p
//   v  = mu v + gd
//   p -= lr v                 (nesterov = 0)
//   p -= lr (gd + mu v)       (nesterov = 1, with the new v)
//   p  (n)  in/out
//   v  (n)  in/out  velocity, 0 at step 1
//   g  (n)  in
export function momentumUpdateScalar(pPtr: usize, vPtr: usize, gPtr: usize, n: i32, lr: f32, mu: f32, wd: f32, nesterov: i32): void {
  for (let k = 0; k < n; k++) {
    const p = load<f32>(f(pPtr, k));
    const gd = load<f32>(f(gPtr, k)) + wd * p;
    const v = mu * load<f32>(f(vPtr, k)) + gd;
    store<f32>(f(vPtr, k), v);
    const u = nesterov ? gd + mu * v : v;
    store<f32>(f(pPtr, k), p - lr * u);
  }
}

export function momentumUpdate(pPtr: usize, vPtr: usize, gPtr: usize, n: i32, lr: f32, mu: f32, wd: f32, nesterov: i32): void {
  const vlr = f32x4.splat(lr);
  const vmu = f32x4.splat(mu);
  const vwd = f32x4.splat(wd);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const p = v128.load(f(pPtr, k));
    const gd = f32x4.add(v128.load(f(gPtr, k)), f32x4.mul(vwd, p));
    const v = f32x4.add(f32x4.mul(vmu, v128.load(f(vPtr, k))), gd);
    v128.store(f(vPtr, k), v);
    const u = nesterov ? f32x4.add(gd, f32x4.mul(vmu, v)) : v;
    v128.store(f(pPtr, k), f32x4.sub(p, f32x4.mul(vlr, u)));
  }
  momentumUpdateScalar(f(pPtr, k), f(vPtr, k), f(gPtr, k), n - k, lr, mu, wd, nesterov);
}

// adamUpdate: Adam (decoupled = 0, wd as L2) or AdamW (decoupled = 1)
//   gd = g + wd p                      (Adam; AdamW uses gd = g)
//   m  = b1 m + (1 - b1) gd
//   v  = b2 v + (1 - b2) gd gd
//   u  = (m / bc1) / (sqrt(v / bc2) + eps),   bc1 = 1 - b1^t, bc2 = 1 - b2^t (the caller's, t = step number from 1)
//   u += wd p                          (AdamW only)
//   p -= lr u
//   p  (n)  in/out
//   m  (n)  in/out  first moment, 0 at step 1
//   v  (n)  in/out  second moment, 0 at step 1
//   g  (n)  in
export function adamUpdateScalar(
  pPtr: usize, mPtr: usize, vPtr: usize, gPtr: usize, n: i32,
  lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, decoupled: i32, bc1: f32, bc2: f32,
): void {
  const wdL2: f32 = decoupled ? 0 : wd;
  const wdW: f32 = decoupled ? wd : 0;
  const c1: f32 = <f32>1 - b1;
  const c2: f32 = <f32>1 - b2;
  for (let k = 0; k < n; k++) {
    const p = load<f32>(f(pPtr, k));
    const gd = load<f32>(f(gPtr, k)) + wdL2 * p;
    const m = b1 * load<f32>(f(mPtr, k)) + c1 * gd;
    const v = b2 * load<f32>(f(vPtr, k)) + c2 * (gd * gd);
    store<f32>(f(mPtr, k), m);
    store<f32>(f(vPtr, k), v);
    const u = (m / bc1) / (Mathf.sqrt(v / bc2) + eps) + wdW * p;
    store<f32>(f(pPtr, k), p - lr * u);
  }
}

export function adamUpdate(
  pPtr: usize, mPtr: usize, vPtr: usize, gPtr: usize, n: i32,
  lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, decoupled: i32, bc1: f32, bc2: f32,
): void {
  const wdL2 = f32x4.splat(decoupled ? 0 : wd);
  const wdW = f32x4.splat(decoupled ? wd : 0);
  const vb1 = f32x4.splat(b1);
  const vb2 = f32x4.splat(b2);
  const c1 = f32x4.splat(<f32>1 - b1);
  const c2 = f32x4.splat(<f32>1 - b2);
  const vbc1 = f32x4.splat(bc1);
  const vbc2 = f32x4.splat(bc2);
  const veps = f32x4.splat(eps);
  const vlr = f32x4.splat(lr);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const p = v128.load(f(pPtr, k));
    const gd = f32x4.add(v128.load(f(gPtr, k)), f32x4.mul(wdL2, p));
    const m = f32x4.add(f32x4.mul(vb1, v128.load(f(mPtr, k))), f32x4.mul(c1, gd));
    const v = f32x4.add(f32x4.mul(vb2, v128.load(f(vPtr, k))), f32x4.mul(c2, f32x4.mul(gd, gd)));
    v128.store(f(mPtr, k), m);
    v128.store(f(vPtr, k), v);
    const den = f32x4.add(f32x4.sqrt(f32x4.div(v, vbc2)), veps);
    const u = f32x4.add(f32x4.div(f32x4.div(m, vbc1), den), f32x4.mul(wdW, p));
    v128.store(f(pPtr, k), f32x4.sub(p, f32x4.mul(vlr, u)));
  }
  adamUpdateScalar(f(pPtr, k), f(mPtr, k), f(vPtr, k), f(gPtr, k), n - k, lr, b1, b2, eps, wd, decoupled, bc1, bc2);
}

// rmspropUpdate: RMSprop (Hinton; the Keras/PyTorch form)
//   gd = g + wd p
//   v  = rho v + (1 - rho) gd gd
//   p -= (lr gd) / (sqrt(v) + eps)
//   p  (n)  in/out
//   v  (n)  in/out  running mean of gd², 0 at step 1
//   g  (n)  in
export function rmspropUpdateScalar(pPtr: usize, vPtr: usize, gPtr: usize, n: i32, lr: f32, rho: f32, eps: f32, wd: f32): void {
  const c: f32 = <f32>1 - rho;
  for (let k = 0; k < n; k++) {
    const p = load<f32>(f(pPtr, k));
    const gd = load<f32>(f(gPtr, k)) + wd * p;
    const v = rho * load<f32>(f(vPtr, k)) + c * (gd * gd);
    store<f32>(f(vPtr, k), v);
    store<f32>(f(pPtr, k), p - (lr * gd) / (Mathf.sqrt(v) + eps));
  }
}

export function rmspropUpdate(pPtr: usize, vPtr: usize, gPtr: usize, n: i32, lr: f32, rho: f32, eps: f32, wd: f32): void {
  const vrho = f32x4.splat(rho);
  const vc = f32x4.splat(<f32>1 - rho);
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd);
  const vlr = f32x4.splat(lr);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const p = v128.load(f(pPtr, k));
    const gd = f32x4.add(v128.load(f(gPtr, k)), f32x4.mul(vwd, p));
    const v = f32x4.add(f32x4.mul(vrho, v128.load(f(vPtr, k))), f32x4.mul(vc, f32x4.mul(gd, gd)));
    v128.store(f(vPtr, k), v);
    v128.store(f(pPtr, k), f32x4.sub(p, f32x4.div(f32x4.mul(vlr, gd), f32x4.add(f32x4.sqrt(v), veps))));
  }
  rmspropUpdateScalar(f(pPtr, k), f(vPtr, k), f(gPtr, k), n - k, lr, rho, eps, wd);
}

// adagradUpdate: Adagrad as min-char-rnn writes it (eps inside the root)
//   gd = g + wd p
//   v += gd gd
//   p -= (lr gd) / sqrt(v + eps)
//   p  (n)  in/out
//   v  (n)  in/out  sum of gd², 0 at step 1
//   g  (n)  in
export function adagradUpdateScalar(pPtr: usize, vPtr: usize, gPtr: usize, n: i32, lr: f32, eps: f32, wd: f32): void {
  for (let k = 0; k < n; k++) {
    const p = load<f32>(f(pPtr, k));
    const gd = load<f32>(f(gPtr, k)) + wd * p;
    const v = load<f32>(f(vPtr, k)) + gd * gd;
    store<f32>(f(vPtr, k), v);
    store<f32>(f(pPtr, k), p - (lr * gd) / Mathf.sqrt(v + eps));
  }
}

export function adagradUpdate(pPtr: usize, vPtr: usize, gPtr: usize, n: i32, lr: f32, eps: f32, wd: f32): void {
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd);
  const vlr = f32x4.splat(lr);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const p = v128.load(f(pPtr, k));
    const gd = f32x4.add(v128.load(f(gPtr, k)), f32x4.mul(vwd, p));
    const v = f32x4.add(v128.load(f(vPtr, k)), f32x4.mul(gd, gd));
    v128.store(f(vPtr, k), v);
    v128.store(f(pPtr, k), f32x4.sub(p, f32x4.div(f32x4.mul(vlr, gd), f32x4.sqrt(f32x4.add(v, veps)))));
  }
  adagradUpdateScalar(f(pPtr, k), f(vPtr, k), f(gPtr, k), n - k, lr, eps, wd);
}

// sumSquares: Σ x², in f64 (NaN or Infinity when any element is not finite). The global norm is its root.
//   x  (n)  in
// Four f64 partial sums, element k into sum k mod 4 in order, then (s0 + s1) + (s2 + s3): the SIMD loop keeps them as
// two f64x2 (each f32x4 promoted in halves), the scalar twin as four locals, so both give the same bits.
export function sumSquaresScalar(xPtr: usize, n: i32): f64 {
  let s0: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let s3: f64 = 0;
  for (let k = 0; k < n; k++) {
    const v = <f64>load<f32>(f(xPtr, k));
    const j = k & 3;
    if (j == 0) s0 += v * v;
    else if (j == 1) s1 += v * v;
    else if (j == 2) s2 += v * v;
    else s3 += v * v;
  }
  return (s0 + s1) + (s2 + s3);
}

export function sumSquares(xPtr: usize, n: i32): f64 {
  let lo = f64x2.splat(0); // sums 0, 1
  let hi = f64x2.splat(0); // sums 2, 3
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x = v128.load(f(xPtr, k));
    const a = f64x2.promote_low_f32x4(x);
    const b = f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let s0 = f64x2.extract_lane(lo, 0);
  let s1 = f64x2.extract_lane(lo, 1);
  let s2 = f64x2.extract_lane(hi, 0);
  let s3 = f64x2.extract_lane(hi, 1);
  for (let j = 0; k < n; k++, j++) {
    const v = <f64>load<f32>(f(xPtr, k));
    if (j == 0) s0 += v * v;
    else if (j == 1) s1 += v * v;
    else s2 += v * v;
  }
  return (s0 + s1) + (s2 + s3);
}
