// Token sampling for generation: one draw from the output distribution of one row of logits (src/generate.ts).
// Scalar code: it runs once per generated token on n = O logits, next to a whole step of GEMMs.
// The JS twin, sampleLogits in src/backends/js.ts, follows the same rule in f64 and finds the K-th largest logit with
// a sort where this uses quickselect (the same value, so both keep the same classes).

// @ts-ignore: decorator
@inline
function f(ptr: usize, k: i32): usize {
  return ptr + (<usize>k << 2);
}

// sampleLogits: draws a class from softmax(y / temperature) restricted to the topK largest logits; returns its index.
//   work  (n)  scratch (topK's selection)
//   y     (n)  in     logits (before f_o)
//   temperature <= 0: argmax (the first maximal index). topK <= 0 or >= n: no restriction; ties with the K-th
//   largest logit are kept. u in [0, 1): the uniform draw; the result is the first k with Σ_{j<=k} e_j > u Σ e_j,
//   e_j = exp((y_j - max y) / temperature) on kept j, else 0.
export function sampleLogits(workPtr: usize, yPtr: usize, n: i32, temperature: f32, topK: i32, u: f32): i32 {
  let best = 0;
  let mx = load<f32>(yPtr);
  for (let k = 1; k < n; k++) {
    const v = load<f32>(f(yPtr, k));
    if (v > mx) {
      mx = v;
      best = k;
    }
  }
  if (temperature <= 0 || topK == 1) return best;
  let thr: f32 = -Infinity;
  if (topK > 0 && topK < n) {
    memory.copy(workPtr, yPtr, <usize>n << 2);
    thr = kthLargest(workPtr, n, topK);
  }
  const invT: f32 = <f32>1 / temperature;
  let sum: f32 = 0;
  for (let k = 0; k < n; k++) {
    const v = load<f32>(f(yPtr, k));
    const e: f32 = v >= thr ? Mathf.exp((v - mx) * invT) : 0;
    store<f32>(f(workPtr, k), e);
    sum += e;
  }
  const target = u * sum;
  let acc: f32 = 0;
  let last = best;
  for (let k = 0; k < n; k++) {
    const e = load<f32>(f(workPtr, k));
    if (e > 0) {
      acc += e;
      last = k;
      if (acc > target) return k;
    }
  }
  return last; // rounding left u * sum at or above the total: the last kept class
}

// kthLargest: the K-th largest of a (n) in place (Hoare quickselect, middle pivot; a is permuted)
function kthLargest(aPtr: usize, n: i32, K: i32): f32 {
  let lo = 0;
  let hi = n - 1;
  const want = K - 1; // index in descending order
  while (lo < hi) {
    const pivot = load<f32>(f(aPtr, lo + ((hi - lo) >> 1)));
    let a = lo;
    let b = hi;
    while (a <= b) {
      while (load<f32>(f(aPtr, a)) > pivot) a++;
      while (load<f32>(f(aPtr, b)) < pivot) b--;
      if (a <= b) {
        const t = load<f32>(f(aPtr, a));
        store<f32>(f(aPtr, a), load<f32>(f(aPtr, b)));
        store<f32>(f(aPtr, b), t);
        a++;
        b--;
      }
    }
    if (want <= b) hi = b;
    else if (want >= a) lo = a;
    else break;
  }
  return load<f32>(f(aPtr, want));
}
