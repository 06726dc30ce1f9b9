// Activations f_s, applied in place, and their backward from the activation's output s = f(z).
//   act: 0 tanh | 1 relu | 2 sigmoid | 3 linear   (src/backend.ts ACT)
//
// tanh is a rational minimax approximation p(x)/q(x) of degrees 13/6 in odd/even powers, on x clamped to
// [-CLAMP, CLAMP]. Measured max |tanhApprox(x) - tanh(x)| < 1e-6 over all f32 x (test/kernels/activations.test.ts).
// sigmoid(x) = 0.5 + 0.5 tanh(x/2), so it shares tanh's error bound (halved).
// Each SIMD loop has a scalar twin with the same operations in the same order: they agree bit for bit
// (pmin/pmax in the SIMD clamp equal the scalar ternaries for every input, NaN included: a NaN stays NaN).

export const ACT_TANH: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_LINEAR: i32 = 3;

const CLAMP: f32 = 7.90531110763549805;
const A1: f32 = 4.89352455891786e-3;
const A3: f32 = 6.37261928875436e-4;
const A5: f32 = 1.48572235717979e-5;
const A7: f32 = 5.12229709037114e-8;
const A9: f32 = -8.60467152213735e-11;
const A11: f32 = 2.00018790482477e-13;
const A13: f32 = -2.76076847742355e-16;
const B0: f32 = 4.89352518554385e-3;
const B2: f32 = 2.268434632439e-3;
const B4: f32 = 1.18534705686654e-4;
const B6: f32 = 1.19825839466702e-6;

// @ts-ignore: decorator
@inline
export function tanhScalar(z: f32): f32 {
  let x = CLAMP < z ? CLAMP : z; // pmin(z, CLAMP)
  x = x < -CLAMP ? -CLAMP : x; // pmax(x, -CLAMP)
  const x2 = x * x;
  let p = A13;
  p = p * x2 + A11;
  p = p * x2 + A9;
  p = p * x2 + A7;
  p = p * x2 + A5;
  p = p * x2 + A3;
  p = p * x2 + A1;
  p = p * x;
  let q = B6;
  q = q * x2 + B4;
  q = q * x2 + B2;
  q = q * x2 + B0;
  return p / q;
}

// @ts-ignore: decorator
@inline
export function tanhVec(z: v128): v128 {
  // pmin(z, c) = c < z ? c : z and pmax(x, -c) = x < -c ? -c : x: the scalar twin's ternaries, operand for operand,
  // so a NaN passes through (tanh(NaN) = NaN, as in the JS reference) instead of being clamped to ±CLAMP
  let x = f32x4.pmin(z, f32x4.splat(CLAMP));
  x = f32x4.pmax(x, f32x4.splat(-CLAMP));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(A13);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A9));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A7));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A1));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(B6);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B2));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B0));
  return f32x4.div(p, q);
}

// @ts-ignore: decorator
@inline
function actScalar(z: f32, act: i32): f32 {
  if (act == ACT_TANH) return tanhScalar(z);
  if (act == ACT_RELU) return z > 0 ? z : 0;
  if (act == ACT_SIGMOID) return <f32>0.5 + <f32>0.5 * tanhScalar(<f32>0.5 * z);
  return z;
}

// @ts-ignore: decorator
@inline
function actVec(z: v128, act: i32): v128 {
  if (act == ACT_TANH) return tanhVec(z);
  if (act == ACT_RELU) return v128.and(z, f32x4.gt(z, f32x4.splat(0)));
  if (act == ACT_SIGMOID) {
    const h = f32x4.splat(0.5);
    return f32x4.add(h, f32x4.mul(h, tanhVec(f32x4.mul(h, z))));
  }
  return z;
}

// activationForward: x = f(x) in place
//   x  (n)  in/out
export function activationForward(xPtr: usize, n: i32, act: i32): void {
  if (act == ACT_LINEAR) return;
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    const p = xPtr + (<usize>k << 2);
    v128.store(p, actVec(v128.load(p), act));
    v128.store(p, actVec(v128.load(p, 16), act), 16);
  }
  for (; k + 4 <= n; k += 4) {
    const p = xPtr + (<usize>k << 2);
    v128.store(p, actVec(v128.load(p), act));
  }
  for (; k < n; k++) {
    const p = xPtr + (<usize>k << 2);
    store<f32>(p, actScalar(load<f32>(p), act));
  }
}

export function activationForwardScalar(xPtr: usize, n: i32, act: i32): void {
  for (let k = 0; k < n; k++) {
    const p = xPtr + (<usize>k << 2);
    store<f32>(p, actScalar(load<f32>(p), act));
  }
}

// @ts-ignore: decorator
@inline
function dactScalar(d: f32, s: f32, act: i32): f32 {
  if (act == ACT_TANH) return d * (<f32>1 - s * s);
  if (act == ACT_RELU) return s > 0 ? d : 0;
  if (act == ACT_SIGMOID) return d * (s * (<f32>1 - s));
  return d;
}

// @ts-ignore: decorator
@inline
function dactVec(d: v128, s: v128, act: i32): v128 {
  if (act == ACT_TANH) return f32x4.mul(d, f32x4.sub(f32x4.splat(1), f32x4.mul(s, s)));
  if (act == ACT_RELU) return v128.and(d, f32x4.gt(s, f32x4.splat(0)));
  if (act == ACT_SIGMOID) return f32x4.mul(d, f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)));
  return d;
}

// activationBackward: forward s = f(z)  =>  dz = ds * f'(z), written from s (in place: dz may be ds)
//   dz  (n)  out
//   ds  (n)  in
//   s   (n)  in   the forward output
export function activationBackward(dzPtr: usize, dsPtr: usize, sPtr: usize, n: i32, act: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dzPtr + o, dactVec(v128.load(dsPtr + o), v128.load(sPtr + o), act));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(dzPtr + o, dactScalar(load<f32>(dsPtr + o), load<f32>(sPtr + o), act));
  }
}

export function activationBackwardScalar(dzPtr: usize, dsPtr: usize, sPtr: usize, n: i32, act: i32): void {
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(dzPtr + o, dactScalar(load<f32>(dsPtr + o), load<f32>(sPtr + o), act));
  }
}
