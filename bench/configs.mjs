// The benchmark configurations of issue 4 and their seeded data (shared by bench/run.mjs and bench/profile.mjs).
import { existsSync, readFileSync } from 'node:fs';

const SHAKESPEARE = '/work/shared/data/tinyshakespeare.txt';

/** kind 'train': one trainBatch per step; 'infer': one predict per step. tokens = real steps in the batch. */
export const CONFIGS = [
  { name: 'LM', kind: 'train', desc: 'V=65 tokens, H=128, T=32, B=32, softmax every step',
    model: { vocabSize: 65, hiddenSize: 128, outputSize: 65, returnSequences: true }, T: 32, B: 32, pad: 0 },
  { name: 'CLS', kind: 'train', desc: 'I=32 dense, H=256, T=64, B=64, final 2-class softmax',
    model: { inputSize: 32, hiddenSize: 256, outputSize: 2 }, T: 64, B: 64, pad: 0 },
  { name: 'CLS-pad25', kind: 'train', desc: 'CLS with lengths 32..64 (25% of the (B,T) grid is padding)',
    model: { inputSize: 32, hiddenSize: 256, outputSize: 2 }, T: 64, B: 64, pad: 0.25 },
  { name: 'BIG', kind: 'train', desc: 'I=512 dense, H=512, T=32, B=64, final 512-class softmax',
    model: { inputSize: 512, hiddenSize: 512, outputSize: 512 }, T: 32, B: 64, pad: 0 },
  { name: 'LM-infer', kind: 'infer', desc: 'LM model, predict (forward + softmax every step), B=32, T=32',
    model: { vocabSize: 65, hiddenSize: 128, outputSize: 65, returnSequences: true }, T: 32, B: 32, pad: 0 },
  { name: 'LM-stream', kind: 'stream', desc: 'LM model, step() one token at a time (one sequence, H=128): 256 tokens per timed step',
    model: { vocabSize: 65, hiddenSize: 128, outputSize: 65, returnSequences: true }, T: 256, B: 1, pad: 0 },
];

let text = null;
/** Character ids of tinyshakespeare (65 symbols) when present, else seeded generated text; and which one it was. */
export function corpus(rng) {
  if (text) return text;
  if (existsSync(SHAKESPEARE)) {
    const s = readFileSync(SHAKESPEARE, 'utf8');
    const chars = [...new Set(s)].sort();
    const id = new Map(chars.map((c, k) => [c, k]));
    const ids = new Int32Array(s.length);
    for (let k = 0; k < s.length; k++) ids[k] = id.get(s[k]) % 65;
    text = { ids, source: `tinyshakespeare (${s.length} chars, ${chars.length} symbols)` };
  } else {
    const ids = new Int32Array(1 << 20);
    for (let k = 0; k < ids.length; k++) ids[k] = rng.int(65);
    text = { ids, source: 'generated text (uniform over 65 symbols; tinyshakespeare not found)' };
  }
  return text;
}

/** Lengths of the B sequences: all T, or uniform in [T/2, T] (25% padding on average). */
export function lengths(cfg, rng) {
  return Array.from({ length: cfg.B }, () => (cfg.pad ? cfg.T / 2 + rng.int(cfg.T / 2 + 1) : cfg.T));
}

/** Seeded inputs and targets in the library's format, plus the padded dense tensors other libraries take. */
export function makeData(cfg, rng) {
  const lens = lengths(cfg, rng);
  const m = cfg.model;
  const tokens = lens.reduce((a, b) => a + b, 0);
  cfg.tokens = tokens;
  if (m.vocabSize) {
    const { ids } = corpus(rng);
    const inputs = [];
    const targets = [];
    for (const L of lens) {
      const at = rng.int(ids.length - L - 1);
      inputs.push(Int32Array.from(ids.subarray(at, at + L)));
      targets.push(Array.from(ids.subarray(at + 1, at + L + 1)));
    }
    return { inputs, targets, lens, tokens };
  }
  const I = m.inputSize;
  const inputs = lens.map((L) => {
    const x = new Float32Array(L * I);
    for (let k = 0; k < x.length; k++) x[k] = 2 * rng.uniform() - 1;
    return x;
  });
  const targets = lens.map(() => rng.int(m.outputSize));
  return { inputs, targets, lens, tokens };
}

/** FLOPs of one step (multiply-adds count 2), from the GEMM shapes the model runs; the elementwise work is left out. */
export function stepFlops(cfg, lens) {
  const { hiddenSize: H, outputSize: O, vocabSize: V, inputSize: I, returnSequences: seq } = cfg.model;
  const tok = lens.reduce((a, b) => a + b, 0);
  const B = lens.length;
  const rec = 2 * tok * H * H; // s^{t-1} Wh over real rows
  const inp = V ? 0 : 2 * tok * I * H; // X Wi (token models gather)
  const outRows = seq ? tok : B;
  const out = 2 * outRows * H * O;
  if (cfg.kind !== 'train') return rec + inp + out;
  const inpBack = V ? 0 : 2 * tok * I * H; // dWi
  return rec * 3 + inp + inpBack + out * 3; // forward, dsNext, dWh; forward, dWo, dS
}
