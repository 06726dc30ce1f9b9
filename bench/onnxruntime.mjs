// Inference against ONNX Runtime: the same model (toOnnx's bytes) in onnxruntime-web's wasm SIMD backend in Node,
// beside ours (predict, step), one thread each.
//   node bench/onnxruntime.mjs                 batched rows LM-infer, CLS-infer, BIG-infer and the streaming rows
//   options: --quick  --only=LM-infer,stream-128  --no-relaxed  --out=path.json
// Batched: one predict (ours) and one session.run (ORT) over the same batch of equal-length sequences, outputs
// checked within 1e-5 before timing, then timed in alternation (each pair sees the same load of a shared machine);
// then ours on the relaxed-SIMD build (simd: 'relaxed', where it can run) against ORT the same way.
// Streaming: one token at a time from a carried state, the softmax of every token: ours model.step(state, token),
// ORT the graph exported with { initialState: true } run with time = 1, its `state` output fed back as
// `initial_state` (what a user streaming with onnxruntime does). Both must give the same outputs over the tokens.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { lib } from './lib.mjs';
import { corpus, makeData } from './configs.mjs';
import { flag, fmt, kfmt, opt, stats } from './util.mjs';
const { SimpleRNN, Rng, toOnnx } = lib;

const here = dirname(fileURLToPath(import.meta.url));
let QUICK = flag('quick');
let BUDGET = QUICK ? 1 : 4; // seconds per row
ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;

export const ORT_CONFIGS = [
  { name: 'LM-infer', desc: 'V=65 tokens, H=128, T=32, B=32, softmax every step', model: { vocabSize: 65, hiddenSize: 128, outputSize: 65, returnSequences: true }, T: 32, B: 32, pad: 0 },
  { name: 'CLS-infer', desc: 'I=32 dense, H=256, T=64, B=64, final 10-way softmax', model: { inputSize: 32, hiddenSize: 256, outputSize: 10 }, T: 64, B: 64, pad: 0 },
  { name: 'BIG-infer', desc: 'I=512 dense, H=512, T=32, B=64, final 10-way softmax', model: { inputSize: 512, hiddenSize: 512, outputSize: 10 }, T: 32, B: 64, pad: 0 },
];
const STREAM_H = [128, 512];

const maxDiff = (a, b) => {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
};

/** ORT feeds of a batch of equal-length sequences. */
function feeds(cfg, data) {
  const { B, T } = cfg;
  const lengths = new ort.Tensor('int32', Int32Array.from(data.lens), [B]);
  if (cfg.model.vocabSize) {
    const ids = new Int32Array(B * T);
    data.inputs.forEach((x, b) => ids.set(x, b * T));
    return { input: new ort.Tensor('int32', ids, [B, T]), lengths };
  }
  const I = cfg.model.inputSize;
  const x = new Float32Array(B * T * I);
  data.inputs.forEach((v, b) => x.set(v, b * T * I));
  return { input: new ort.Tensor('float32', x, [B, T, I]), lengths };
}

/** Alternating timing: ours, then ORT, until the budget is spent; per-call ms of each and the paired ratios. */
async function alternate(ours, theirs, budget = BUDGET, minReps = QUICK ? 3 : 8) {
  for (let w = 0; w < 2; w++) {
    ours();
    await theirs();
  }
  const a = [];
  const b = [];
  const ratio = [];
  const t0 = performance.now();
  while (a.length < minReps || performance.now() - t0 < budget * 1000) {
    let s = performance.now();
    ours();
    const ta = performance.now() - s;
    s = performance.now();
    await theirs();
    const tb = performance.now() - s;
    a.push(ta);
    b.push(tb);
    ratio.push(tb / ta);
    if (a.length >= 500) break;
  }
  return { ours: stats(a), ort: stats(b), ratio: stats(ratio) };
}

async function batched(cfg, withRelaxed) {
  const model = await SimpleRNN.create({ ...cfg.model, seed: 1 });
  // the same weights on the relaxed-SIMD build (fused multiply-adds), timed against ORT in a second alternation
  let relaxed = withRelaxed ? await SimpleRNN.create({ ...cfg.model, seed: 1, simd: 'relaxed' }) : null;
  if (relaxed && relaxed.simd !== 'relaxed') {
    relaxed.dispose();
    relaxed = null;
  }
  try {
    const data = makeData(cfg, new Rng(7));
    const session = await ort.InferenceSession.create(toOnnx(model, { tokenType: 'int32' }), { executionProviders: ['wasm'] });
    const f = feeds(cfg, data);
    const mine = model.predict(data.inputs, { output: 'typed' });
    const flatMine = new Float32Array(mine.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of mine) (flatMine.set(x, at), (at += x.length));
    const r = await session.run(f);
    const diff = maxDiff(flatMine, r.output.data);
    if (!(diff < 1e-5)) throw new Error(`${cfg.name}: ORT and ours differ by ${diff}; expected within 1e-5`);
    const t = await alternate(() => model.predict(data.inputs, { output: 'typed' }), () => session.run(f));
    let rel = null;
    if (relaxed) {
      const mineR = relaxed.predict(data.inputs, { output: 'typed' });
      let diffR = 0;
      at = 0;
      for (const x of mineR) (diffR = Math.max(diffR, maxDiff(x, r.output.data.subarray(at, at + x.length))), (at += x.length));
      if (!(diffR < 1e-5)) throw new Error(`${cfg.name}: ORT and ours (relaxed) differ by ${diffR}; expected within 1e-5`);
      const tr = await alternate(() => relaxed.predict(data.inputs, { output: 'typed' }), () => session.run(f));
      rel = { maxDiff: diffR, oursMs: tr.ours, ortMs: tr.ort, ratio: tr.ratio };
    }
    await session.release();
    const tokens = cfg.B * cfg.T;
    return { name: cfg.name, desc: cfg.desc, tokens, maxDiff: diff, oursMs: t.ours, ortMs: t.ort, ratio: t.ratio,
      oursTokensPerSec: (tokens / t.ours.median) * 1e3, ortTokensPerSec: (tokens / t.ort.median) * 1e3,
      relaxed: rel && { ...rel, oursTokensPerSec: (tokens / rel.oursMs.median) * 1e3 } };
  } finally {
    model.dispose();
    relaxed?.dispose();
  }
}

async function streaming(H) {
  const V = 65;
  const n = QUICK ? 64 : 256;
  const model = await SimpleRNN.create({ vocabSize: V, hiddenSize: H, outputSize: V, returnSequences: true, seed: 1 });
  try {
    const session = await ort.InferenceSession.create(toOnnx(model, { tokenType: 'int32', initialState: true }), { executionProviders: ['wasm'] });
    const { ids } = corpus(new Rng(1));
    const toks = Int32Array.from(ids.subarray(1000, 1000 + n));
    const one = new ort.Tensor('int32', Int32Array.of(1), [1]);
    const oursLoop = () => {
      let s = model.initialState();
      let out = null;
      for (let t = 0; t < n; t++) ({ state: s, output: out } = model.step(s, toks[t]));
      return out;
    };
    const ortLoop = async () => {
      let state = new ort.Tensor('float32', model.initialState(), [1, model.stateSize]);
      let out = null;
      for (let t = 0; t < n; t++) {
        const r = await session.run({ input: new ort.Tensor('int32', Int32Array.of(toks[t]), [1, 1]), lengths: one, initial_state: state });
        state = r.state;
        out = r.output.data;
      }
      return out;
    };
    const diff = maxDiff(oursLoop(), await ortLoop());
    if (!(diff < 1e-5)) throw new Error(`stream H=${H}: ORT and ours differ by ${diff} after ${n} tokens; expected within 1e-5`);
    const t = await alternate(oursLoop, ortLoop);
    await session.release();
    const us = (s) => ({ ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : (v * 1e3) / n])) });
    return { name: `stream-${H}`, desc: `step() one token at a time, V=65, H=${H}, ${n} tokens per rep`, tokens: n, maxDiff: diff, oursUsPerToken: us(t.ours), ortUsPerToken: us(t.ort), ratio: t.ratio };
  } finally {
    model.dispose();
  }
}

/** Whether `--only` names a row: its name, or the config it extends (LM takes LM-infer; LM also the stream rows). */
const wanted = (only, name) => !only || only.some((o) => name === o || name.startsWith(`${o}-`) || (o === 'LM' && name.startsWith('stream-')));

/**
 * Runs the ORT rows (bench/run.mjs saves them with its results). onnxruntime-web missing is a skip with the reason.
 * @param {{ quick?: boolean, only?: string[], log?: (...a: unknown[]) => void }} o
 */
export async function benchOnnxruntime({ quick = QUICK, only = undefined, relaxed = true, log = console.log } = {}) {
  QUICK = quick;
  BUDGET = quick ? 1 : 4;
  log(`onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm SIMD backend, 1 thread) against ours (wasm, 1 thread): batched predict and per-token streaming`);
  const rows = [];
  for (const cfg of ORT_CONFIGS) {
    if (!wanted(only, cfg.name)) continue;
    const r = await batched(cfg, relaxed);
    rows.push(r);
    log(`  ${r.name.padEnd(10)} ours ${kfmt(r.oursTokensPerSec).padStart(7)} tok/s  ORT ${kfmt(r.ortTokensPerSec).padStart(7)} tok/s  ours ÷ ORT ${fmt(r.ratio.median, 2)}x (paired median; ${r.ratio.p25.toFixed(2)}-${r.ratio.p75.toFixed(2)})  max |diff| ${r.maxDiff.toExponential(1)}`);
    if (r.relaxed) log(`  ${''.padEnd(10)} relaxed SIMD: ours ${kfmt(r.relaxed.oursTokensPerSec).padStart(7)} tok/s  ours ÷ ORT ${fmt(r.relaxed.ratio.median, 2)}x (paired median; ${r.relaxed.ratio.p25.toFixed(2)}-${r.relaxed.ratio.p75.toFixed(2)})`);
  }
  for (const H of STREAM_H) {
    if (!wanted(only, `stream-${H}`)) continue;
    const r = await streaming(H);
    rows.push(r);
    log(`  ${r.name.padEnd(10)} ours ${fmt(r.oursUsPerToken.median)} µs/token  ORT ${fmt(r.ortUsPerToken.median)} µs/token  ORT ÷ ours ${fmt(r.ratio.median, 2)}x  max |diff| ${r.maxDiff.toExponential(1)}`);
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const machine = { cpu: cpus()[0]?.model ?? 'unknown CPU', cores: availableParallelism(), node: process.version, date: new Date().toISOString(), loadavgBefore: loadavg() };
  console.log(`on ${machine.cpu}, ${machine.cores} cores, Node ${process.version}, load ${machine.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}`);
  const rows = await benchOnnxruntime({ only: opt('only')?.split(','), relaxed: !flag('no-relaxed') });
  machine.loadavgAfter = loadavg();
  const out = opt('out') ?? join(here, 'results', `onnxruntime${QUICK ? '-quick' : ''}-${machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const command = `node bench/onnxruntime.mjs ${process.argv.slice(2).join(' ')}`.trim();
  writeFileSync(out, JSON.stringify({ machine, command, ort: ort.env.versions ?? null, rows }, null, 2));
  console.log(`saved ${out}`);
}
