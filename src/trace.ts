// A look inside one sequence: what the forward and backward kernels computed for it, step by step, in every layer and
// direction. The model runs one training pass (without an update and without row compaction, keeping a copy of the
// gradient each state receives from above) and hands the raw buffers here; this module only reads them and turns
// them into the quantities BPTT is made of, per layer-direction, in its reading order:
//   s^t                    the state after reading step t (pads: the state carried unchanged)
//   z^t                    the pre-activation [s^{t-1} x^t] W_s + b_s (real steps; recomputed in f64 from s^{t-1})
//   ∂L/∂s^t                the gradient reaching the state: from above at t (the output, or the next layer) plus
//                          what comes back through step t+1: ∂L/∂s^t = g^t + dz^{t+1} W_hᵀ
//   ‖[s^{t-1} i^t]ᵀ dz^t‖  the step's term of dW_s = Σ_t [s^{t-1} i^t]ᵀ dz^t (the Frobenius norm of an outer
//                          product is the product of the two vectors' norms)
import type { FloatArray } from './backend.js';

/** One layer and direction of a trace, in the order it reads the sequence. */
export interface LayerTrace {
  /** Layer index (0 reads the inputs). */
  layer: number;
  /** 'forward' reads x^1..x^len, 'reverse' reads x^len..x^1. */
  direction: 'forward' | 'reverse';
  /** The sequence's step (1-based) read at each reading step, 0 on pads. */
  reads: number[];
  /** s^0, then the state after each reading step (steps + 1 vectors of H; Float64Array on the float64 reference). */
  states: (Float32Array | Float64Array)[];
  /** z^t per reading step (pads: NaN). */
  preActivations: Float64Array[];
  /** With a target: ‖∂L/∂s^t‖₂ per reading step (pads carry the gradient unchanged). */
  stateGradNorms?: number[];
  /** With a target: ‖∂L/∂s^0‖₂. */
  initialStateGradNorm?: number;
  /** With a target: ‖∂L/∂z^t‖₂ per reading step (0 on pads). */
  preActivationGradNorms?: number[];
  /** With a target: the norm of each reading step's term [s^{t-1} x^t]ᵀ dz^t of dW_s (0 on pads). */
  weightGradTerms?: number[];
  /** With a target: ‖dW_s‖ of this layer-direction (the norm of the sum of the terms). */
  weightGradNorm?: number;
}

/** What SimpleRNN.trace returns for one sequence: every layer-direction, and layer 0 forward's at the top level. */
export interface Trace extends Omit<LayerTrace, 'layer' | 'direction' | 'reads'> {
  /** Steps shown: the sequence's length, or padTo when padding was asked for. */
  steps: number;
  /** The sequence's real length; steps after it are pads. */
  length: number;
  /** pad[t-1]: step t is a pad (the state is carried unchanged). */
  pad: boolean[];
  /** f_o outputs: one per real step with returnSequences, else one (from the state after the last real step). */
  outputs: Float32Array[];
  /** With a target: the mean loss of the sequence. */
  loss?: number;
  /** Every layer and direction (PyTorch's order: layer 0 forward, layer 0 reverse, layer 1 forward, ...). */
  layers: LayerTrace[];
}

/** One layer-direction's buffers for the sequence of interest, row q of a batch of B, read from the workspace. */
export interface LayerBuffers {
  layer: number;
  reverse: boolean;
  T: number;
  B: number;
  H: number;
  /** Width of the input rows (0 for token ids). */
  In: number;
  q: number;
  length: number;
  /** Whether the model reads its inputs last to first (goBackwards): layer-0 forward's reads then run backwards. */
  readsBackwards: boolean;
  /** (T+1, B, H) states in reading order. */
  s: FloatArray;
  /** (T, B, In) input rows in reading order, or null for token ids. */
  inputs: FloatArray | null;
  /** Token ids in reading order (layer 0 of token models without an embedding layer). */
  tokens: Int32Array | null;
  Ws: FloatArray;
  bs: FloatArray;
  /** With a target: dz (T, B, H) = ∂L/∂z^t and dsin (T, B, H), the gradient each state received from above. */
  dz?: FloatArray;
  dsin?: FloatArray;
}

const norm = (a: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * a[k];
  return Math.sqrt(s);
};

export function buildLayerTrace(b: LayerBuffers): LayerTrace {
  const { T, B, H, In, q, length } = b;
  const row = (buf: FloatArray, t: number, w = H) => buf.subarray((t * B + q) * w, (t * B + q + 1) * w);
  const pad = Array.from({ length: T }, (_, t) => t + 1 > length);
  const backwards = b.reverse !== b.readsBackwards;
  const reads = pad.map((p, k) => (p ? 0 : backwards ? length - k : k + 1));
  const states = Array.from({ length: T + 1 }, (_, t) => row(b.s, t).slice());
  const input = (t: number) => (b.inputs ? row(b.inputs, t - 1, In) : null);
  const preActivations = Array.from({ length: T }, (_, k) => {
    const t = k + 1;
    const z = new Float64Array(H);
    if (pad[k]) return z.fill(NaN);
    const prev = states[t - 1];
    const x = input(t);
    for (let h = 0; h < H; h++) {
      let v = b.bs[h];
      for (let j = 0; j < H; j++) v += prev[j] * b.Ws[j * H + h];
      if (b.tokens) v += b.Ws[(H + b.tokens[(t - 1) * B + q]) * H + h];
      else for (let i = 0; i < In; i++) v += x![i] * b.Ws[(H + i) * H + h];
      z[h] = v;
    }
    return z;
  });
  const out: LayerTrace = { layer: b.layer, direction: b.reverse ? 'reverse' : 'forward', reads, states, preActivations };
  if (!b.dz || !b.dsin) return out;
  const dzRow = (t: number) => row(b.dz!, t - 1); // ∂L/∂z^t
  const stateGrad: number[] = new Array(T);
  let next: Float64Array = new Float64Array(H); // ∂L/∂s^t coming back through step t+1
  for (let t = T; t >= 1; t--) {
    const g = Float64Array.from(row(b.dsin, t - 1));
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
  const W = b.tokens ? 0 : In;
  const dWs = new Float64Array((H + (b.tokens ? 0 : In)) * H);
  const dWi = b.tokens ? new Map<number, Float64Array>() : null;
  out.weightGradTerms = Array.from({ length: T }, (_, k) => {
    const t = k + 1;
    if (pad[k]) return 0;
    const prev = states[t - 1];
    const x = input(t);
    const dz = dzRow(t);
    for (let j = 0; j < H; j++) for (let h = 0; h < H; h++) dWs[j * H + h] += prev[j] * dz[h];
    if (dWi) {
      const id = b.tokens![(t - 1) * B + q];
      const r = dWi.get(id) ?? new Float64Array(H);
      for (let h = 0; h < H; h++) r[h] += dz[h];
      dWi.set(id, r);
    } else for (let i = 0; i < W; i++) for (let h = 0; h < H; h++) dWs[(H + i) * H + h] += x![i] * dz[h];
    const inNorm = b.tokens ? 1 : norm(x!);
    return Math.sqrt(norm(prev) ** 2 + inNorm ** 2) * norm(dz);
  });
  let sq = norm(dWs) ** 2;
  if (dWi) for (const r of dWi.values()) sq += norm(r) ** 2;
  out.weightGradNorm = Math.sqrt(sq);
  return out;
}

/** The whole trace from its layer-directions (layer 0 forward first) and the outputs. */
export function buildTrace(layers: LayerTrace[], meta: { steps: number; length: number; outputs: Float32Array[]; loss?: number }): Trace {
  const [first] = layers;
  const { layer: _l, direction: _d, reads: _r, ...top } = first;
  return {
    ...top,
    steps: meta.steps,
    length: meta.length,
    pad: Array.from({ length: meta.steps }, (_, t) => t + 1 > meta.length),
    outputs: meta.outputs,
    ...(meta.loss !== undefined ? { loss: meta.loss } : {}),
    layers,
  };
}
