// The benchmark configurations and their seeded data (shared by bench/run.mjs, bench/profile.mjs and the other benches).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The text the language-model rows train on: the file named by SIMPLE_RNN_TEXT, else tinyshakespeare.txt in a data
 * folder beside the clone (shared/data/ next to the repository) when there is one; the benches say when they fall
 * back to generated text instead.
 */
export const SHAKESPEARE = process.env.SIMPLE_RNN_TEXT || fileURLToPath(new URL('../../shared/data/tinyshakespeare.txt', import.meta.url));

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
  // deep and bidirectional (bench/deep.mjs sets them beside the single-layer models they are made of: DEEP_PARTS)
  { name: 'LM-2L', kind: 'train', desc: 'LM with 2 layers: V=65 tokens, H=128 each, T=32, B=32, softmax every step',
    model: { vocabSize: 65, hiddenSize: 128, outputSize: 65, returnSequences: true, layers: 2 }, T: 32, B: 32, pad: 0 },
  { name: 'CLS-bi', kind: 'train', desc: 'bidirectional CLS: I=32 dense, H=256 per direction, T=64, B=64, merge concat, final 10-class softmax',
    model: { inputSize: 32, hiddenSize: 256, outputSize: 10, bidirectional: true, merge: 'concat' }, T: 64, B: 64, pad: 0 },
];

/**
 * The single-layer models a deep or bidirectional config is made of (bench/deep.mjs): LM-2L is LM (layer 0) plus
 * LM-top (layer 1 alone: a one-layer model on 128-wide dense inputs, with its own softmax head); CLS-bi is CLS-fwd
 * plus CLS-rev (each direction alone, with its own 10-class head).
 */
export const DEEP_PARTS = {
  'LM-2L': ['LM', 'LM-top'],
  'CLS-bi': ['CLS-fwd', 'CLS-rev'],
};
export const PART_CONFIGS = [
  { name: 'LM-top', kind: 'train', desc: "LM-2L's layer 1 alone: I=128 dense, H=128, T=32, B=32, softmax (65) every step",
    model: { inputSize: 128, hiddenSize: 128, outputSize: 65, returnSequences: true }, T: 32, B: 32, pad: 0 },
  { name: 'CLS-fwd', kind: 'train', desc: "CLS-bi's forward direction alone: I=32 dense, H=256, T=64, B=64, final 10-class softmax",
    model: { inputSize: 32, hiddenSize: 256, outputSize: 10 }, T: 64, B: 64, pad: 0 },
  { name: 'CLS-rev', kind: 'train', desc: "CLS-bi's reverse direction alone: CLS-fwd with goBackwards",
    model: { inputSize: 32, hiddenSize: 256, outputSize: 10, goBackwards: true }, T: 64, B: 64, pad: 0 },
];

/**
 * The PyTorch contender's table (bench/torch.mjs): the sizes of the performance goals. CLS and BIG here end in a
 * 10-way softmax (CONFIGS' CLS has 2 classes, its BIG 512), so their rows are not CONFIGS' rows; SMALL ends in a
 * 4-way softmax. All sequences are full length (no padding), so both sides average the loss over the same positions.
 */
export const TORCH_CONFIGS = [
  { name: 'LM', kind: 'train', desc: 'V=65 tokens, H=128, T=32, B=32, softmax (65) every step',
    model: { vocabSize: 65, hiddenSize: 128, outputSize: 65, returnSequences: true }, T: 32, B: 32, pad: 0 },
  { name: 'CLS', kind: 'train', desc: 'I=32 dense, H=256, T=64, B=64, final 10-way softmax',
    model: { inputSize: 32, hiddenSize: 256, outputSize: 10 }, T: 64, B: 64, pad: 0 },
  { name: 'BIG', kind: 'train', desc: 'I=512 dense, H=512, T=32, B=64, final 10-way softmax',
    model: { inputSize: 512, hiddenSize: 512, outputSize: 10 }, T: 32, B: 64, pad: 0 },
  { name: 'SMALL', kind: 'train', desc: 'I=8 dense, H=32, T=16, B=16, final 4-way softmax',
    model: { inputSize: 8, hiddenSize: 32, outputSize: 4 }, T: 16, B: 16, pad: 0 },
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
  // one class per sequence, or (returnSequences) one per real step
  const targets = lens.map((L) => (m.returnSequences ? Array.from({ length: L }, () => rng.int(m.outputSize)) : rng.int(m.outputSize)));
  return { inputs, targets, lens, tokens };
}

/**
 * FLOPs of one step (multiply-adds count 2), from the GEMM shapes the model runs; the elementwise work is left out.
 * Per layer l and direction: the recurrent product s^{t-1} W_h and the input product x^t W_i (none for token ids on
 * layer 0: a gather); training adds dsNext and dW_h (recurrent), dW_i and, above layer 0, the input gradient dx.
 * The head: o = y W_o over B rows (the merged final states) or every real step's row; training adds dW_o and dS.
 */
export function stepFlops(cfg, lens) {
  const { hiddenSize, outputSize: O, vocabSize: V, inputSize: I, returnSequences: seq } = cfg.model;
  const L = cfg.model.layers ?? 1;
  const dirs = cfg.model.bidirectional ? 2 : 1;
  const concat = dirs === 2 && (cfg.model.merge ?? 'concat') === 'concat';
  const Hs = Array.isArray(hiddenSize) ? hiddenSize : Array.from({ length: L }, () => hiddenSize);
  const tok = lens.reduce((a, b) => a + b, 0);
  const B = lens.length;
  const train = cfg.kind === 'train';
  let flops = 0;
  let In = V ? 0 : I;
  for (let l = 0; l < L; l++) {
    const H = Hs[l];
    const rec = 2 * tok * H * H;
    const inp = 2 * tok * In * H;
    const per = train ? rec * 3 + inp * (l === 0 ? 2 : 3) : rec + inp;
    flops += dirs * per;
    In = concat ? 2 * H : H;
  }
  const out = 2 * (seq ? tok : B) * In * O;
  return flops + (train ? out * 3 : out);
}
