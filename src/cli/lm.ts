// Language-model helpers shared by train, sample and eval: the text split into parallel tracks, loss over a
// stream, and sampling.
import type { SimpleRNN } from '../model.js';
import type { Rng } from '../random.js';

/**
 * Chunks of a token stream as char-rnn trains on them: the stream is cut into B tracks of equal length, and step k of
 * an epoch takes the k-th chunk of T tokens from every track (the targets are the same chunks shifted by one).
 */
export class Tracks {
  readonly trackLength: number;
  readonly stepsPerEpoch: number;

  constructor(readonly ids: Int32Array, readonly B: number, readonly T: number) {
    this.trackLength = Math.floor((ids.length - 1) / B);
    this.stepsPerEpoch = Math.floor(this.trackLength / T);
  }

  /** Inputs and per-step targets of chunk k (0 <= k < stepsPerEpoch). */
  chunk(k: number): { inputs: Int32Array[]; targets: Int32Array[] } {
    const inputs: Int32Array[] = [];
    const targets: Int32Array[] = [];
    for (let b = 0; b < this.B; b++) {
      const at = b * this.trackLength + k * this.T;
      inputs.push(this.ids.subarray(at, at + this.T));
      targets.push(this.ids.subarray(at + 1, at + 1 + this.T));
    }
    return { inputs, targets };
  }
}

/**
 * Mean loss per token (nats) of a model on a token stream, in windows of T tokens, `batch` windows per call. Each
 * window starts from the model's initial state, as training chunks do.
 */
export function streamLoss(model: SimpleRNN, ids: Int32Array, T: number, batch = 64): number {
  let total = 0;
  let count = 0;
  const windows: [number, number][] = [];
  for (let at = 0; at + 1 < ids.length; at += T) windows.push([at, Math.min(T, ids.length - 1 - at)]);
  for (let w = 0; w < windows.length; w += batch) {
    const part = windows.slice(w, w + batch);
    const inputs = part.map(([at, n]) => ids.subarray(at, at + n));
    const targets = part.map(([at, n]) => Array.from(ids.subarray(at + 1, at + 1 + n)));
    const steps = part.reduce((a, [, n]) => a + n, 0);
    total += model.computeGradients(inputs, targets).loss * steps;
    count += steps;
  }
  return count > 0 ? total / count : NaN;
}

/** Draws a token from probabilities p: temperature 0 takes the argmax; topK > 0 keeps the k most likely. */
export function drawToken(p: ArrayLike<number>, temperature: number, topK: number, rng: Rng): number {
  const V = p.length;
  let best = 0;
  for (let v = 1; v < V; v++) if (p[v] > p[best]) best = v;
  if (temperature === 0) return best;
  // reweight p^(1/temperature) in log space, from the softmax output
  const logits = new Float64Array(V);
  for (let v = 0; v < V; v++) logits[v] = Math.log(Math.max(p[v], 1e-30)) / temperature;
  let keep: number[] = Array.from({ length: V }, (_, v) => v);
  if (topK > 0 && topK < V) keep = keep.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, topK);
  const max = Math.max(...keep.map((v) => logits[v]));
  let sum = 0;
  const w = keep.map((v) => {
    const e = Math.exp(logits[v] - max);
    sum += e;
    return e;
  });
  let u = rng.uniform() * sum;
  for (let k = 0; k < keep.length; k++) {
    u -= w[k];
    if (u < 0) return keep[k];
  }
  return keep[keep.length - 1];
}

/** Continues a prompt by `length` tokens (the prompt is not repeated in the result). */
export function sampleTokens(
  model: SimpleRNN, prompt: Int32Array, length: number, temperature: number, topK: number, rng: Rng,
): Int32Array {
  const seq = Array.from(prompt);
  const out = new Int32Array(length);
  for (let k = 0; k < length; k++) {
    const probs = model.predict([seq]) as number[][][];
    const last = probs[0][probs[0].length - 1];
    out[k] = drawToken(last, temperature, topK, rng);
    seq.push(out[k]);
  }
  return out;
}
