// Output activations f_o and the losses that pair with them.
//   kind: 0 softmax (cross-entropy) | 1 sigmoid (binary cross-entropy) | 2 linear (squared error)   (src/backend.ts OUT)
// Every loss is averaged over the O output units where it is elementwise (BCE, squared error), as Keras does;
// the mean over rows is the caller's, through the row weights.

export const OUT_SOFTMAX: i32 = 0;
export const OUT_SIGMOID: i32 = 1;
export const OUT_LINEAR: i32 = 2;

// ---- exp, vectorised ----
// expVec(x) = 2^n · p(r), n = round(x log2 e), r = x - n ln2 (ln2 split in two, Cody-Waite), p a degree-7 Taylor-like
// polynomial (Cephes expf coefficients) on |r| <= ln2/2. x is first clamped to [EXP_LO, EXP_HI] so that 2^n stays a
// normal float: exp of x < EXP_LO gives exp(EXP_LO) ≈ 1.2e-38 instead of a denormal or 0 (absolute error below
// 1.2e-38), x > EXP_HI gives exp(EXP_HI) (never reached by softmax, whose arguments are <= 0).
// Measured relative error against Math.exp over [-87.3, 88]: 8.2e-8, tested < 1e-7 (test/kernels/perf-loss.test.ts).
// NaN goes through (the clamps are pmin/pmax with x first), so a NaN logit still makes a NaN loss.
// expScalar is the twin: the same operations in the same order, so it equals every lane of expVec bit for bit.
const EXP_HI: f32 = 88.0;
const EXP_LO: f32 = -87.33654;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// @ts-ignore: decorator
@inline
export function expVec(v: v128): v128 {
  let x = f32x4.pmin(v, f32x4.splat(EXP_HI)); // EXP_HI < x ? EXP_HI : x  (NaN stays)
  x = f32x4.pmax(x, f32x4.splat(EXP_LO)); //  x < EXP_LO ? EXP_LO : x
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// @ts-ignore: decorator
@inline
export function expScalar(v: f32): f32 {
  let x = EXP_HI < v ? EXP_HI : v;
  x = x < EXP_LO ? EXP_LO : x;
  const n = nearest<f32>(x * LOG2E);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  p = p * r * r + r + <f32>1;
  const scale = reinterpret<f32>((<i32>n + 127) << 23);
  return p * scale;
}

/** expVec over n floats at x (in place): exported for the error-bound test (test/kernels/perf-loss.test.ts). */
export function expInPlace(xPtr: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const p = xPtr + (<usize>k << 2);
    v128.store(p, expVec(v128.load(p)));
  }
  for (; k < n; k++) {
    const p = xPtr + (<usize>k << 2);
    store<f32>(p, expScalar(load<f32>(p)));
  }
}

// max over a row: 4 lanes, then the tail (NaN propagates, so a NaN logit makes a NaN loss)
// @ts-ignore: decorator
@inline
function rowMax(p: usize, O: i32): f32 {
  let mx = load<f32>(p);
  let o = 0;
  if (O >= 4) {
    let m = v128.load(p);
    for (o = 4; o + 4 <= O; o += 4) m = f32x4.max(m, v128.load(p + (<usize>o << 2)));
    mx = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  }
  for (; o < O; o++) mx = max(mx, load<f32>(p + (<usize>o << 2)));
  return mx;
}

// dst[o] = exp(src[o] - mx) for o < O; returns Σ dst: 4 lane sums, added as ((l0 + l1) + (l2 + l3)), then the tail.
// @ts-ignore: decorator
@inline
function expShiftSum(dst: usize, src: usize, O: i32, mx: f32): f32 {
  const m = f32x4.splat(mx);
  let acc = f32x4.splat(0);
  let o = 0;
  for (; o + 4 <= O; o += 4) {
    const e = expVec(f32x4.sub(v128.load(src + (<usize>o << 2)), m));
    v128.store(dst + (<usize>o << 2), e);
    acc = f32x4.add(acc, e);
  }
  let sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; o < O; o++) {
    const e = expScalar(load<f32>(src + (<usize>o << 2)) - mx);
    store<f32>(dst + (<usize>o << 2), e);
    sum += e;
  }
  return sum;
}

// @ts-ignore: decorator
@inline
function scaleRow(p: usize, O: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let o = 0;
  for (; o + 4 <= O; o += 4) v128.store(p + (<usize>o << 2), f32x4.mul(v128.load(p + (<usize>o << 2)), cv));
  for (; o < O; o++) store<f32>(p + (<usize>o << 2), load<f32>(p + (<usize>o << 2)) * c);
}

// outputForward: y = f_o(y) in place, row by row
//   y  (N, O)  in/out  logits in, outputs out
// softmax: exp(y - max) / Σ (expVec); sigmoid: 1 / (1 + exp(-y)) (expVec). Rows are independent.
export function outputForward(yPtr: usize, N: i32, O: i32, kind: i32): void {
  const rowBytes = <usize>O << 2;
  if (kind == OUT_SIGMOID) {
    const n = N * O;
    const one = f32x4.splat(1);
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const p = yPtr + (<usize>k << 2);
      v128.store(p, f32x4.div(one, f32x4.add(one, expVec(f32x4.neg(v128.load(p))))));
    }
    for (; k < n; k++) {
      const p = yPtr + (<usize>k << 2);
      store<f32>(p, <f32>1 / (<f32>1 + expScalar(-load<f32>(p))));
    }
    return;
  }
  if (kind != OUT_SOFTMAX) return;
  for (let r = 0; r < N; r++) {
    const p = yPtr + <usize>r * rowBytes;
    const sum = expShiftSum(p, p, O, rowMax(p, O));
    scaleRow(p, O, <f32>1 / sum);
  }
}

// lossForwardBackward: per-row loss and dL/dlogits, from the logits
//   loss  (N)     out  per-row loss, unweighted (0 where w[r] = 0)
//   dy    (N, O)  out  w[r] * dloss[r]/dlogits[r]
//   y     (N, O)  in   logits (before f_o)
//   tgt   softmax: (N) i32 class ids; sigmoid, linear: (N, O) f32 targets
//   w     (N)     in   row weights: 1/count on real rows, 0 on padding (those rows are skipped)
// softmax:  loss = logsumexp(y) - y[c]                          dy = w (softmax(y) - onehot(c))
// sigmoid:  loss = mean_o max(y,0) - y t + log1p(exp(-|y|))   dy = w (sigmoid(y) - t) / O
// linear:   loss = mean_o (y - t)^2                              dy = w 2 (y - t) / O
export function lossForwardBackward(
  lossPtr: usize, dyPtr: usize, yPtr: usize, tgtPtr: usize, wPtr: usize, N: i32, O: i32, kind: i32,
): void {
  const rowBytes = <usize>O << 2;
  const invO: f32 = <f32>1 / <f32>O;
  for (let r = 0; r < N; r++) {
    const w = load<f32>(wPtr + (<usize>r << 2));
    const y = yPtr + <usize>r * rowBytes;
    const dy = dyPtr + <usize>r * rowBytes;
    if (w == 0) {
      store<f32>(lossPtr + (<usize>r << 2), 0);
      memory.fill(dy, 0, rowBytes);
      continue;
    }
    let loss: f32 = 0;
    if (kind == OUT_SOFTMAX) {
      const c = load<i32>(tgtPtr + (<usize>r << 2));
      const mx = rowMax(y, O);
      const sum = expShiftSum(dy, y, O, mx);
      loss = mx + Mathf.log(sum) - load<f32>(y + (<usize>c << 2));
      scaleRow(dy, O, w / sum);
      store<f32>(dy + (<usize>c << 2), load<f32>(dy + (<usize>c << 2)) - w);
    } else {
      const t0 = tgtPtr + <usize>r * rowBytes;
      for (let o = 0; o < O; o++) {
        const z = load<f32>(y + (<usize>o << 2));
        const t = load<f32>(t0 + (<usize>o << 2));
        let g: f32;
        if (kind == OUT_SIGMOID) {
          loss += max(z, <f32>0) - z * t + Mathf.log1p(Mathf.exp(-Mathf.abs(z)));
          g = <f32>1 / (<f32>1 + Mathf.exp(-z)) - t;
        } else {
          const d = z - t;
          loss += d * d;
          g = <f32>2 * d;
        }
        store<f32>(dy + (<usize>o << 2), w * g * invO);
      }
      loss *= invO;
    }
    store<f32>(lossPtr + (<usize>r << 2), loss);
  }
}
