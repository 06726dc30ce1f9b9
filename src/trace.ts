// A look inside one sequence: what the forward and backward kernels computed for it, step by step. The model runs
// one training pass (without an update and without row compaction) and hands the raw buffers here; this module only
// reads them and turns them into the quantities BPTT is made of:
//   s^t                    the state after step t (pads: the state carried unchanged)
//   z^t                    the pre-activation [s^{t-1} i^t] W_s + b_s (real steps; recomputed in f64 from s^{t-1})
//   ∂L/∂s^t                the gradient reaching the state: from the output at t (returnSequences, or t = T) plus
//                          what comes back through step t+1: ∂L/∂s^t = dy^t W_oᵀ + dz^{t+1} W_hᵀ
//   ‖[s^{t-1} i^t]ᵀ dz^t‖  the step's term of dW_s = Σ_t [s^{t-1} i^t]ᵀ dz^t (the Frobenius norm of an outer
//                          product is the product of the two vectors' norms)
import type { FloatArray } from './backend.js';

/** What SimpleRNN.trace returns for one sequence. */
export interface Trace {
  /** Steps shown: the sequence's length, or padTo when padding was asked for. */
  steps: number;
  /** The sequence's real length; steps after it are pads. */
  length: number;
  /** pad[t-1]: step t is a pad (the state is carried unchanged). */
  pad: boolean[];
  /** s^0, then s^t for t = 1..steps (steps + 1 vectors of H; Float64Array on the float64 reference). */
  states: (Float32Array | Float64Array)[];
  /** z^t for t = 1..steps (pads: the carried state's z is not computed: NaN). */
  preActivations: Float64Array[];
  /** f_o outputs: one per real step with returnSequences, else one (from the state after the last real step). */
  outputs: Float32Array[];
  /** With a target: the mean loss of the sequence. */
  loss?: number;
  /** With a target: ‖∂L/∂s^t‖₂ for t = 1..steps (pads carry the gradient unchanged). */
  stateGradNorms?: number[];
  /** With a target: ‖∂L/∂s^0‖₂ (what a learned s0 or a caller's initial state receives). */
  initialStateGradNorm?: number;
  /** With a target: ‖∂L/∂z^t‖₂ for t = 1..steps (0 on pads). */
  preActivationGradNorms?: number[];
  /** With a target: the norm of step t's term [s^{t-1} i^t]ᵀ dz^t of dW_s (0 on pads). */
  weightGradTerms?: number[];
  /** With a target: ‖dW_s‖ of the whole sequence (the norm of the sum of the terms). */
  weightGradNorm?: number;
}

/** The buffers of one pass over a batch whose sequence of interest is row `q` of B, read from the workspace. */
export interface TraceBuffers {
  T: number;
  B: number;
  H: number;
  /** Rows of the input part of W_s (I, V or D). */
  I: number;
  q: number;
  length: number;
  /** (T+1, B, H) states. */
  s: FloatArray;
  /** (T, I) the sequence's i^t rows (token models: one-hot rows are not materialised; `tokens` instead). */
  inputs: FloatArray | null;
  tokens: Int32Array | null;
  Ws: FloatArray;
  bs: FloatArray;
  Wo: FloatArray;
  O: number;
  /** Outputs after f_o, the sequence's rows. */
  outputs: Float32Array[];
  /** With a target: dz (T, B, H) = ∂L/∂z^t, dy rows of the sequence (per step, or one), loss. */
  dz?: FloatArray;
  dy?: FloatArray[];
  returnSequences: boolean;
  loss?: number;
}

const norm = (a: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * a[k];
  return Math.sqrt(s);
};

export function buildTrace(b: TraceBuffers): Trace {
  const { T, B, H, I, q } = b;
  const row = (buf: FloatArray, t: number) => buf.subarray((t * B + q) * H, (t * B + q + 1) * H);
  const pad = Array.from({ length: T }, (_, t) => t + 1 > b.length);
  const states = Array.from({ length: T + 1 }, (_, t) => row(b.s, t).slice());
  // i^t W_i + b_s + s^{t-1} W_h, in f64
  const inputRow = (t: number): number[] => {
    if (b.tokens) return [];
    return Array.from(b.inputs!.subarray((t - 1) * I, t * I));
  };
  const preActivations = Array.from({ length: T }, (_, k) => {
    const t = k + 1;
    const z = new Float64Array(H);
    if (pad[k]) return z.fill(NaN);
    const prev = states[t - 1];
    for (let h = 0; h < H; h++) {
      let v = b.bs[h];
      for (let j = 0; j < H; j++) v += prev[j] * b.Ws[j * H + h];
      if (b.tokens) v += b.Ws[(H + b.tokens[t - 1]) * H + h];
      else {
        const x = inputRow(t);
        for (let i = 0; i < I; i++) v += x[i] * b.Ws[(H + i) * H + h];
      }
      z[h] = v;
    }
    return z;
  });
  const out: Trace = { steps: T, length: b.length, pad, states, preActivations, outputs: b.outputs };
  if (!b.dz || !b.dy) return out;
  out.loss = b.loss;
  const dzRow = (t: number) => row(b.dz!, t - 1); // ∂L/∂z^t
  // the gradient from the output at step t: dy^t W_oᵀ (returnSequences: every real step; else the last real one)
  const direct = (t: number): Float64Array => {
    const g = new Float64Array(H);
    const dy = b.returnSequences ? (t <= b.length ? b.dy![t - 1] : null) : t === b.length ? b.dy![0] : null;
    if (!dy) return g;
    for (let h = 0; h < H; h++) {
      let v = 0;
      for (let o = 0; o < b.O; o++) v += dy[o] * b.Wo[h * b.O + o];
      g[h] = v;
    }
    return g;
  };
  const stateGrad: number[] = new Array(T);
  let next: Float64Array = new Float64Array(H); // ∂L/∂s^t coming back through step t+1
  for (let t = T; t >= 1; t--) {
    const g = direct(t);
    for (let h = 0; h < H; h++) g[h] += next[h];
    stateGrad[t - 1] = norm(g);
    if (pad[t - 1]) {
      next = g; // a pad passes the gradient through unchanged
      continue;
    }
    const dz = dzRow(t);
    next = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let v = 0;
      for (let h = 0; h < H; h++) v += dz[h] * b.Ws[j * H + h];
      next[j] = v;
    }
  }
  out.stateGradNorms = stateGrad;
  out.initialStateGradNorm = norm(next);
  out.preActivationGradNorms = Array.from({ length: T }, (_, k) => (pad[k] ? 0 : norm(dzRow(k + 1))));
  const dWs = new Float64Array((H + I) * H);
  out.weightGradTerms = Array.from({ length: T }, (_, k) => {
    const t = k + 1;
    if (pad[k]) return 0;
    const prev = states[t - 1];
    const x = inputRow(t);
    const dz = dzRow(t);
    for (let j = 0; j < H; j++) for (let h = 0; h < H; h++) dWs[j * H + h] += prev[j] * dz[h];
    if (b.tokens) for (let h = 0; h < H; h++) dWs[(H + b.tokens[t - 1]) * H + h] += dz[h];
    else for (let i = 0; i < I; i++) for (let h = 0; h < H; h++) dWs[(H + i) * H + h] += x[i] * dz[h];
    const inNorm = b.tokens ? 1 : norm(x);
    return Math.sqrt(norm(prev) ** 2 + inNorm ** 2) * norm(dz);
  });
  out.weightGradNorm = norm(dWs);
  return out;
}
