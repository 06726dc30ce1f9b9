// Character sampling for a token model, one step at a time from a copy of its parameters (plain JS, float64 math):
//   s^t = f_s(s^{t-1} W_s[0:H] + i^t W_s[H:] + b_s),  p = softmax((s^t W_o + b_o) / temperature)
// where i^t W_s[H:] is row H+id of W_s, or E[id] W_s[H:] for a model with an embedding layer (E non-empty).
// Used when the model has no generate() of its own. Temperature 0 takes the argmax.
import type { Activation, ModelConfig, Params } from '../model.js';
import { Rng } from '../random.js';

const F: Record<Activation, (z: number) => number> = {
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  linear: (z) => z,
};

export interface SampleOptions {
  /** Token ids fed before sampling starts. Default: none (starts from s^0). */
  prompt?: ArrayLike<number>;
  /** Tokens to generate. */
  length: number;
  /** Softmax temperature; 0 picks the most likely token. */
  temperature: number;
  seed: number;
}

/** Generates `length` token ids after the prompt. */
export function sampleTokens(params: Params, cfg: Pick<ModelConfig, 'hiddenSize' | 'vocabSize' | 'outputSize' | 'activation'>, o: SampleOptions): Int32Array {
  const H = cfg.hiddenSize;
  const O = cfg.outputSize;
  const f = F[cfg.activation];
  const { Ws, bs, Wo, bo, s0 } = params;
  const E = (params as Partial<Params>).E;
  const D = E && E.length > 0 ? E.length / cfg.vocabSize : 0;
  const rng = new Rng(o.seed);
  let s = Float64Array.from(s0);
  let next = new Float64Array(H);
  const logits = new Float64Array(O);
  const stepIn = (id: number) => {
    if (D === 0) for (let h = 0; h < H; h++) next[h] = bs[h] + Ws[(H + id) * H + h];
    else {
      for (let h = 0; h < H; h++) next[h] = bs[h];
      for (let d = 0; d < D; d++) {
        const ed = E![id * D + d];
        const row = (H + d) * H;
        for (let h = 0; h < H; h++) next[h] += ed * Ws[row + h];
      }
    }
    for (let k = 0; k < H; k++) {
      const sk = s[k];
      if (sk === 0) continue;
      const row = k * H;
      for (let h = 0; h < H; h++) next[h] += sk * Ws[row + h];
    }
    for (let h = 0; h < H; h++) next[h] = f(next[h]);
    [s, next] = [next, s];
  };
  const draw = (): number => {
    for (let c = 0; c < O; c++) logits[c] = bo[c];
    for (let h = 0; h < H; h++) {
      const sh = s[h];
      for (let c = 0; c < O; c++) logits[c] += sh * Wo[h * O + c];
    }
    let best = 0;
    for (let c = 1; c < O; c++) if (logits[c] > logits[best]) best = c;
    if (!(o.temperature > 0)) return best;
    const max = logits[best];
    let total = 0;
    for (let c = 0; c < O; c++) {
      logits[c] = Math.exp((logits[c] - max) / o.temperature);
      total += logits[c];
    }
    let u = rng.uniform() * total;
    for (let c = 0; c < O; c++) {
      u -= logits[c];
      if (u < 0) return c;
    }
    return best;
  };
  const prompt = o.prompt ?? [];
  for (let t = 0; t < prompt.length; t++) stepIn(prompt[t]);
  const out = new Int32Array(o.length);
  for (let t = 0; t < o.length; t++) {
    const id = draw();
    out[t] = id;
    stepIn(id);
  }
  return out;
}
