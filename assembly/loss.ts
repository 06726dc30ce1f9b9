// Output activations f_o and the losses that pair with them.
//   kind: 0 softmax (cross-entropy) | 1 sigmoid (binary cross-entropy) | 2 linear (squared error)   (src/backend.ts OUT)
// Every loss is averaged over the O output units where it is elementwise (BCE, squared error), as Keras does;
// the mean over rows is the caller's, through the row weights.

export const OUT_SOFTMAX: i32 = 0;
export const OUT_SIGMOID: i32 = 1;
export const OUT_LINEAR: i32 = 2;

// @ts-ignore: decorator
@inline
function rowMax(p: usize, O: i32): f32 {
  let mx = load<f32>(p);
  for (let o = 1; o < O; o++) mx = max(mx, load<f32>(p + (<usize>o << 2)));
  return mx;
}

// outputForward: y = f_o(y) in place, row by row
//   y  (N, O)  in/out  logits in, outputs out
export function outputForward(yPtr: usize, N: i32, O: i32, kind: i32): void {
  const rowBytes = <usize>O << 2;
  for (let r = 0; r < N; r++) {
    const p = yPtr + <usize>r * rowBytes;
    if (kind == OUT_SOFTMAX) {
      const mx = rowMax(p, O);
      let sum: f32 = 0;
      for (let o = 0; o < O; o++) {
        const e = Mathf.exp(load<f32>(p + (<usize>o << 2)) - mx);
        store<f32>(p + (<usize>o << 2), e);
        sum += e;
      }
      const inv: f32 = <f32>1 / sum;
      for (let o = 0; o < O; o++) store<f32>(p + (<usize>o << 2), load<f32>(p + (<usize>o << 2)) * inv);
    } else if (kind == OUT_SIGMOID) {
      for (let o = 0; o < O; o++) {
        const z = load<f32>(p + (<usize>o << 2));
        store<f32>(p + (<usize>o << 2), <f32>1 / (<f32>1 + Mathf.exp(-z)));
      }
    }
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
      let sum: f32 = 0;
      for (let o = 0; o < O; o++) {
        const e = Mathf.exp(load<f32>(y + (<usize>o << 2)) - mx);
        store<f32>(dy + (<usize>o << 2), e);
        sum += e;
      }
      loss = mx + Mathf.log(sum) - load<f32>(y + (<usize>c << 2));
      const scale = w / sum;
      for (let o = 0; o < O; o++) store<f32>(dy + (<usize>o << 2), load<f32>(dy + (<usize>o << 2)) * scale);
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
