// Dropout masks of one training batch, drawn from the model's Rng in the caller's order of sequences (so the same
// batch gets the same masks whether it runs on one thread or is split across several, and a resumed checkpoint,
// which restores the Rng, draws the same masks). Inverted dropout: a kept unit is scaled by 1/(1-p) in training, so
// inference runs without masks. Per sequence b (in this order, only for the rates that are > 0):
//   inputDropout      one mask over layer 0's input units, the same at every step (Keras dropout)
//   recurrentDropout  one mask per layer and direction over s^{t-1}'s units, the same at every step (Keras)
//   dropout           one value per step and unit of every layer's output but the top one's (PyTorch)
import type { FloatArray } from './backend.js';
import type { ModelConfig } from './config.js';
import type { Arch } from './layout.js';
import type { Rng } from './random.js';

/** The masks of a batch, per sequence in the caller's order. */
export interface Masks {
  /** (In_0) per sequence, or null. */
  input: FloatArray[] | null;
  /** Per layer-direction k: (H_l) per sequence, or null. */
  recurrent: FloatArray[][] | null;
  /** Per layer l < L-1: (len x out_l) per sequence, or null. */
  between: FloatArray[][] | null;
}

function draw(rng: Rng, p: number, n: number, fb: number): FloatArray {
  const m = fb === 8 ? new Float64Array(n) : new Float32Array(n);
  const keep = 1 / (1 - p);
  for (let k = 0; k < n; k++) m[k] = rng.uniform() < p ? 0 : keep;
  return m;
}

/** The masks of one batch, or null when the model has no dropout. */
export function drawMasks(c: ModelConfig, A: Arch, lengths: Int32Array, rng: Rng, fb: number): Masks | null {
  if (!(c.inputDropout > 0 || c.recurrentDropout > 0 || c.dropout > 0)) return null;
  const B = lengths.length;
  const K = A.L * A.dirs;
  const m: Masks = {
    input: c.inputDropout > 0 ? [] : null,
    recurrent: c.recurrentDropout > 0 ? Array.from({ length: K }, () => []) : null,
    between: c.dropout > 0 ? Array.from({ length: A.L - 1 }, () => []) : null,
  };
  for (let b = 0; b < B; b++) {
    if (m.input) m.input.push(draw(rng, c.inputDropout, A.In[0], fb));
    if (m.recurrent) for (let k = 0; k < K; k++) m.recurrent[k].push(draw(rng, c.recurrentDropout, A.H[Math.floor(k / A.dirs)], fb));
    if (m.between) for (let l = 0; l < A.L - 1; l++) m.between[l].push(draw(rng, c.dropout, lengths[b] * A.out[l], fb));
  }
  return m;
}
