// Streaming cost per token: ours step() and generate() beside torch's per-token loop, one thread, H=128 and H=512.
//   node bench/streaming.mjs                    V=65 token models at H=128 and H=512
//   options: --quick  --hidden=128,512  --tokens=256  --python=/usr/bin/python3  --no-torch  --allow-reference-blas
//            --out=path.json
// One sequence (batch 1), one token at a time, the state carried from token to token, every token's softmax
// computed: what a chat or a live demo does. Ours: model.step(state, token) (state copied in and out) and
// model.generate({ prompt, length }) (sampling inside the library). torch, in bench/torch-worker.py under
// inference_mode, two ways: 'RNNCell' (nn.RNNCell on the token's one-hot row, nn.Linear's product, softmax) and
// 'addmm' (our row select by hand: tanh(addmm(row[id], h, W_h)), addmm for the output, softmax); generation adds
// torch.multinomial and .item() to feed the token back. Both run our weights; before timing, the output after the
// last token of the step loop must agree. Reps alternate torch / ours (each sees the same load of a shared machine).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib } from './lib.mjs';
import { corpus } from './configs.mjs';
import { DEFAULT_PYTHON, b64, blasLabel, fromB64, probeTorch, startContender } from './torch.mjs';
import { flag, fmt, opt, stats } from './util.mjs';
const { SimpleRNN, Rng } = lib;

const here = dirname(fileURLToPath(import.meta.url));
const V = 65;

/** µs per token of one pass of `fn` over n tokens. */
const perToken = (fn, n) => {
  const s = performance.now();
  fn();
  return ((performance.now() - s) * 1e3) / n;
};

async function measureH(H, worker, { tokens, budget, minReps }) {
  const model = await SimpleRNN.create({ vocabSize: V, hiddenSize: H, outputSize: V, returnSequences: true, seed: 1 });
  try {
    const { ids } = corpus(new Rng(1));
    const toks = Int32Array.from(ids.subarray(1000, 1000 + tokens));
    const stepLoop = () => {
      let s = model.initialState();
      let out = null;
      for (let t = 0; t < toks.length; t++) ({ state: s, output: out } = model.step(s, toks[t]));
      return out;
    };
    const gen = () => model.generate({ prompt: [toks[0]], length: tokens, seed: 1 });
    const rows = {};
    let check = null;
    if (worker) {
      const p = model.getParams();
      await worker.request({
        cmd: 'init',
        config: { vocabSize: V, inputSize: 0, hiddenSize: H, outputSize: V, returnSequences: true, T: 1, B: 1 },
        weights: { Ws: b64(p.Ws), bs: b64(p.bs), Wo: b64(p.Wo), bo: b64(p.bo) },
      });
      // the last token's softmax after `tokens` steps of carried state: f32 both sides, ours with a rational tanh
      // (max abs error 3.8e-7) fed back through every step: 1e-5 on probabilities
      const ours = stepLoop();
      check = {};
      for (const variant of ['cell', 'manual']) {
        const r = await worker.request({ cmd: 'stream', tokens: b64(toks), mode: 'step', variant, reps: 1 });
        const t = fromB64(r.lastOutput);
        let maxd = 0;
        ours.forEach((v, j) => (maxd = Math.max(maxd, Math.abs(v - t[j]))));
        check[variant] = maxd;
        if (!(maxd <= 1e-5)) throw new Error(`bench streaming H=${H}: torch (${variant}) last output differs from ours by ${maxd} (> 1e-5)`);
      }
    }
    const series = { 'ours step()': [], 'ours generate()': [] };
    if (worker) for (const k of ['torch RNNCell step', 'torch addmm step', 'torch RNNCell generate', 'torch addmm generate']) series[k] = [];
    stepLoop();
    gen(); // warm-up
    const start = performance.now();
    while (series['ours step()'].length < minReps || (performance.now() - start < budget * 1000 && series['ours step()'].length < 200)) {
      for (const mode of ['step', 'generate']) {
        if (worker) {
          for (const [variant, name] of [['cell', 'RNNCell'], ['manual', 'addmm']]) {
            const r = await worker.request({ cmd: 'stream', tokens: b64(toks), mode, variant, reps: 1 });
            series[`torch ${name} ${mode}`].push(r.usPerToken[0]);
          }
        }
        series[mode === 'step' ? 'ours step()' : 'ours generate()'].push(mode === 'step' ? perToken(stepLoop, tokens) : perToken(gen, tokens));
      }
    }
    for (const [k, v] of Object.entries(series)) rows[k] = stats(v);
    return { H, V, tokens, check, usPerToken: rows };
  } finally {
    model.dispose();
  }
}

/**
 * The streaming rows (bench/run.mjs calls this too). torch's rows need python3 with torch on an optimized BLAS; without
 * it (or with torch: false, printing skipReason) only ours is timed and the reason is printed. Returns
 * { machine, torch, skipped, rows }.
 */
export async function benchStreaming({ hidden = [128, 512], tokens = 256, quick = false, torch = true, skipReason = 'left out (--no-torch)', python = DEFAULT_PYTHON, allowReferenceBlas = false, log = console.log } = {}) {
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, date: new Date().toISOString(), loadavgBefore: loadavg() };
  const budget = quick ? 0.8 : 3;
  const minReps = quick ? 3 : 8;
  let worker = null;
  let skipped = torch ? null : skipReason;
  let info = null;
  if (torch) {
    const probe = probeTorch(python);
    if (!probe.ok) skipped = probe.reason;
    else {
      const c = await startContender({ python, threads: 1, allowReferenceBlas, log });
      if (c.skipped) skipped = c.skipped;
      else {
        worker = c.worker;
        info = { version: probe.version, label: c.label, blas: blasLabel(worker.ready.blas) };
      }
    }
  }
  log(`streaming: one sequence, one token at a time, V=${V}, ${tokens} tokens per rep, one thread; ${machine.cores} cores (${machine.cpu}), load average ${machine.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}`);
  log(worker ? `  torch ${info.version} on ${info.blas}` : `  torch rows skipped: ${skipped}`);
  const rows = [];
  try {
    for (const H of hidden) {
      const r = await measureH(H, worker, { tokens, budget, minReps });
      rows.push(r);
      const u = r.usPerToken;
      const best = (mode) => Math.min(u[`torch RNNCell ${mode}`]?.median ?? Infinity, u[`torch addmm ${mode}`]?.median ?? Infinity);
      for (const mode of ['step', 'generate']) {
        const ours = u[mode === 'step' ? 'ours step()' : 'ours generate()'].median;
        const t = worker ? `  torch RNNCell ${fmt(u[`torch RNNCell ${mode}`].median, 2).padStart(6)}  torch addmm ${fmt(u[`torch addmm ${mode}`].median, 2).padStart(6)}  fastest torch ÷ ours ${(best(mode) / ours).toFixed(2)}x` : '';
        log(`  H=${String(H).padEnd(4)} ${mode.padEnd(8)} µs/token: ours ${fmt(ours, 2).padStart(6)}${t}`);
      }
      if (r.check) log(`  H=${H}: last output after ${tokens} tokens, max |torch - ours|: RNNCell ${r.check.cell.toExponential(1)}, addmm ${r.check.manual.toExponential(1)}`);
    }
  } finally {
    if (worker) await worker.close();
  }
  machine.loadavgAfter = loadavg();
  log(`  (medians over reps; torch's time is the worker's own perf_counter around the loop, the pipe left out)`);
  return { machine, torch: info, skipped, rows };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const quick = flag('quick');
  const r = await benchStreaming({
    hidden: (opt('hidden') ?? '128,512').split(',').map(Number), tokens: Number(opt('tokens') ?? 256), quick,
    torch: !flag('no-torch'), python: opt('python') ?? DEFAULT_PYTHON, allowReferenceBlas: flag('allow-reference-blas'),
  });
  const out = opt('out') ?? join(here, 'results', `streaming-${quick ? 'quick-' : ''}${r.machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...r, quick, command: `node bench/streaming.mjs ${args.join(' ')}`.trim() }, null, 2));
  console.log(`JSON: ${out}`);
}
