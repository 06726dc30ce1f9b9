// The sentiment demo's baseline: bag-of-words logistic regression, which sees which words occur but not their order.
//
//   x     (V+1)  feature vector of a sentence: x[j] = 1 when training word j occurs in it (presence, not counts;
//                'count' counts), x[V] = 1 (the bias); words not seen in training are dropped
//   p     = σ(w·x), the probability of positive
//   loss  = mean_n [ -y_n log p_n - (1 - y_n) log(1 - p_n) ] + (l2 / 2) Σ_{j<V} w_j²   (the bias is not decayed)
//
// The loss is strictly convex in the word weights, so it has one minimum; full-batch gradient descent with Nesterov
// momentum (FISTA's schedule, restarted whenever the momentum points uphill) from w = 0 finds it. The step is 1/L with L = 0.25 λmax(XᵀX / n) + l2, the gradient's Lipschitz constant
// (λmax by power iteration from a vector of ones). No randomness: the same sentences give the same bits.
// Plain TS in f64, sparse rows (a sentence has ~10-30 distinct words): 3,000 sentences x 1,000 iterations is ~0.1 s.

export interface BowOptions {
  /** L2 strength on the word weights (the bias is free). Default 1e-3. */
  l2?: number;
  /** Gradient steps. Default 1000. */
  iterations?: number;
  /** 'presence' (default): 1 when a word occurs; 'count': how many times. */
  features?: 'presence' | 'count';
  /** Words seen fewer times than this in training are dropped. Default 1. */
  minCount?: number;
}

export const BOW_DEFAULTS: Required<BowOptions> = { l2: 1e-3, iterations: 1000, features: 'presence', minCount: 1 };

export interface BowModel {
  /** The training words, by feature index. */
  words: string[];
  /** Weight of each word (same order as words). */
  weights: Float64Array;
  bias: number;
  /** Loss at the end (mean log-loss + L2 term) and the norm of its gradient there (about 0: converged). */
  finalLoss: number;
  finalGradNorm: number;
  /** Probability of positive for each token list. */
  predict(docs: readonly (readonly string[])[]): number[];
}

interface Sparse {
  idx: Int32Array[];
  val: Float64Array[];
}

function featurize(docs: readonly (readonly string[])[], index: Map<string, number>, counts: boolean): Sparse {
  const idx: Int32Array[] = [];
  const val: Float64Array[] = [];
  for (const d of docs) {
    const m = new Map<number, number>();
    for (const w of d) {
      const j = index.get(w);
      if (j !== undefined) m.set(j, counts ? (m.get(j) ?? 0) + 1 : 1);
    }
    const keys = [...m.keys()].sort((a, b) => a - b);
    idx.push(Int32Array.from(keys));
    val.push(Float64Array.from(keys, (j) => m.get(j)!));
  }
  return { idx, val };
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** z_n = w·x_n + b for every row. */
function scores(X: Sparse, w: Float64Array, b: number, z: Float64Array): void {
  for (let n = 0; n < X.idx.length; n++) {
    const ix = X.idx[n];
    const vx = X.val[n];
    let s = b;
    for (let q = 0; q < ix.length; q++) s += w[ix[q]] * vx[q];
    z[n] = s;
  }
}

/** Trains the baseline on token lists (one per sentence) with labels 0/1. */
export function trainBow(docs: readonly (readonly string[])[], labels: readonly number[], options: BowOptions = {}): BowModel {
  const o = { ...BOW_DEFAULTS, ...options };
  if (docs.length !== labels.length || docs.length === 0) throw new RangeError(`trainBow: ${docs.length} sentences and ${labels.length} labels; expected the same number, at least one`);
  const freq = new Map<string, number>();
  for (const d of docs) for (const w of d) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq].filter(([, c]) => c >= o.minCount).map(([w]) => w).sort();
  const index = new Map(words.map((w, j) => [w, j]));
  const X = featurize(docs, index, o.features === 'count');
  const V = words.length;
  const n = docs.length;
  const y = Float64Array.from(labels);

  // λmax(XᵀX/n) over [x 1] by power iteration (20 steps from ones; an over-estimate only makes the step smaller)
  let u = new Float64Array(V + 1).fill(1 / Math.sqrt(V + 1));
  let lambda = 1;
  for (let it = 0; it < 20; it++) {
    const v = new Float64Array(V + 1);
    for (let r = 0; r < n; r++) {
      const ix = X.idx[r];
      const vx = X.val[r];
      let s = u[V];
      for (let q = 0; q < ix.length; q++) s += u[ix[q]] * vx[q];
      for (let q = 0; q < ix.length; q++) v[ix[q]] += (s * vx[q]) / n;
      v[V] += s / n;
    }
    let norm = 0;
    for (let j = 0; j <= V; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm);
    lambda = norm;
    for (let j = 0; j <= V; j++) v[j] /= norm;
    u = v;
  }
  const L = 0.25 * lambda * 1.05 + o.l2; // 5% margin over the power-iteration estimate
  const step = 1 / L;

  // Nesterov: look-ahead point a = w + μ (w - wPrev), w' = a - step ∇f(a); μ = (k-1)/(k+2) (FISTA's schedule)
  const w = new Float64Array(V + 1); // w[V] is the bias
  const wPrev = new Float64Array(V + 1);
  const a = new Float64Array(V + 1);
  const g = new Float64Array(V + 1);
  const z = new Float64Array(n);
  const gradient = (at: Float64Array): number => {
    scores(X, at, at[V], z);
    g.fill(0);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const p = sigmoid(z[r]);
      // log(1 + e^{-z}) for y = 1, log(1 + e^{z}) for y = 0, computed stably
      const m = y[r] ? -z[r] : z[r];
      loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      const e = (p - y[r]) / n;
      const ix = X.idx[r];
      const vx = X.val[r];
      for (let q = 0; q < ix.length; q++) g[ix[q]] += e * vx[q];
      g[V] += e;
    }
    loss /= n;
    let reg = 0;
    for (let j = 0; j < V; j++) {
      g[j] += o.l2 * at[j];
      reg += at[j] * at[j];
    }
    return loss + 0.5 * o.l2 * reg;
  };
  let k = 1;
  for (let it = 0; it < o.iterations; it++, k++) {
    const mu = (k - 1) / (k + 2);
    for (let j = 0; j <= V; j++) a[j] = w[j] + mu * (w[j] - wPrev[j]);
    gradient(a);
    // adaptive restart (O'Donoghue & Candès 2015): when the momentum points uphill, drop it
    let uphill = 0;
    for (let j = 0; j <= V; j++) uphill += g[j] * (w[j] - wPrev[j]);
    wPrev.set(w);
    for (let j = 0; j <= V; j++) w[j] = a[j] - step * g[j];
    if (uphill > 0) k = 0;
  }
  const finalLoss = gradient(w);
  let gn = 0;
  for (let j = 0; j <= V; j++) gn += g[j] * g[j];
  const weights = w.slice(0, V);
  const bias = w[V];
  return {
    words,
    weights,
    bias,
    finalLoss,
    finalGradNorm: Math.sqrt(gn),
    predict(test) {
      const T = featurize(test, index, o.features === 'count');
      const out = new Float64Array(test.length);
      scores(T, weights, bias, out);
      return Array.from(out, sigmoid);
    },
  };
}
