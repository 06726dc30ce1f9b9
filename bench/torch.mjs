// The PyTorch contender: ours (wasm) against torch's nn.RNN on OpenBLAS, same weights, same Adam, same loss, 1 and 2 threads.
//   node bench/torch.mjs                        LM, CLS, BIG, SMALL (bench/configs.mjs TORCH_CONFIGS), 1 and 2 threads
//   options: --quick  --only=LM,BIG  --threads=1,2  --python=/usr/bin/python3  --lm-input=onehot|embedding|both
//            --allow-reference-blas  --blas-dir=/path/to/openblas (empty: the system's)  --timeout=120 (s per request)
//            --no-relaxed  --out=path.json
// torch runs in bench/torch-worker.py (JSON lines over stdin/stdout), one process per thread count, with OpenBLAS
// picked for it alone: LD_LIBRARY_PATH names Debian's openblas-openmp folder, so the system's BLAS choice is untouched.
// The worker says which library its sgemm_ resolves to; a torch on the reference (netlib) BLAS, a few GFLOP/s, is no
// contender and is refused unless --allow-reference-blas (then its rows are labelled so).
// Before timing, each config checks that both sides compute the same thing from the same weights: the softmax
// outputs (inference), the step-0 loss, and the loss after one Adam step. Then blocks of steps alternate torch / ours
// (each block about 20 ms of back-to-back steps, as a training loop runs them: one short step alone would time the
// process waking up), so each pair sees the same load of the shared machine; torch's time is the worker's own
// (perf_counter around each step, the pipe left out).
// LM input: ours selects row H+id of W_s for a token. torch's default here is F.one_hot rows into nn.RNN (its fused
// C++ loop, plus a (B*T, 65) x (65, H) input product ours does not do); --lm-input=embedding instead looks the same
// rows up (F.embedding) and runs the recurrence as a Python loop of addmm + tanh (no input product, but T steps of
// Python dispatch). 'both' times both as two rows.
// Every row also times ours on the relaxed-SIMD build (create option simd: 'relaxed', fused multiply-adds; with
// threads, the relaxed threads build) as a third block of each round, when it can run here (--no-relaxed leaves it
// out); its step-0 loss is checked too.
import { availableParallelism, cpus, endianness, loadavg } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib } from './lib.mjs';
import { TORCH_CONFIGS, makeData, stepFlops } from './configs.mjs';
import { flag, fmt, kfmt, opt, stats } from './util.mjs';
const { SimpleRNN, Rng } = lib;

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, 'torch-worker.py');
export const DEFAULT_PYTHON = '/usr/bin/python3';
const OPTIMIZER = 'adam';
const LR = 1e-3;
/** A timed block runs about this many milliseconds of steps on each side (at least one step, at most MAX_PER_BLOCK). */
const BLOCK_MS = 20;
const MAX_PER_BLOCK = 200;

// ---------- finding torch and OpenBLAS ----------

/**
 * Whether `python` imports torch (and numpy, which the worker uses): { ok, python, version } or { ok: false, reason }.
 * Debian's python3-torch lives under /usr/bin/python3; a python3 earlier on PATH may be another one.
 */
export function probeTorch(python = DEFAULT_PYTHON) {
  if (!existsSync(python)) return { ok: false, python, reason: `${python} not found` };
  const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { ok: false, python, reason: `${python} -c "import torch" failed: ${r.error.message}` };
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').at(-1) || `exit code ${r.status}`;
    return { ok: false, python, reason: `${python} -c "import torch" failed: ${last}` };
  }
  return { ok: true, python, version: r.stdout.trim() };
}

/** Debian's OpenBLAS folder (libblas.so.3 inside): the OpenMP build first, then the pthreads one; null if neither. */
export function openblasDir() {
  const roots = ['/usr/lib'];
  for (const root of roots) {
    let triplets = [];
    try {
      triplets = readdirSync(root).filter((d) => d.endsWith('-linux-gnu'));
    } catch {
      continue;
    }
    for (const kind of ['openblas-openmp', 'openblas-pthread']) {
      for (const t of triplets) {
        const dir = join(root, t, kind);
        if (existsSync(join(dir, 'libblas.so.3'))) return dir;
      }
    }
  }
  return null;
}

// ---------- the worker ----------

if (endianness() !== 'LE') throw new Error('bench/torch.mjs: the worker protocol sends little-endian floats; this host is big-endian');
/** A typed array as base64 of its bytes (little-endian on this host). */
export const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
/** base64 of little-endian f32 as a Float32Array (a copy: small Buffers share a pool). */
export const fromB64 = (s) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** One torch-worker.py process: request(msg) sends one JSON line and resolves with its answer, in order. */
export class TorchWorker {
  /**
   * Starts the worker and waits for its `ready` line (torch version, threads, BLAS). threads sets torch's intra-op
   * threads and OpenMP's / OpenBLAS's (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS); blasDir (default: openblasDir())
   * goes first on LD_LIBRARY_PATH; null leaves the library path as it is. OpenMP's threads wait passively
   * (OMP_WAIT_POLICY=PASSIVE, unless the environment sets it): the steps alternate with ours, and a torch thread
   * that spins after its step would take the core ours is timed on.
   */
  static async start({ python = DEFAULT_PYTHON, threads = 1, blasDir = openblasDir(), timeoutMs = 120_000 } = {}) {
    const env = { ...process.env, TORCH_WORKER_THREADS: String(threads), OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE', PYTHONUNBUFFERED: '1' };
    if (blasDir) env.LD_LIBRARY_PATH = [blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const w = new TorchWorker(spawn(python, [WORKER], { env, stdio: ['pipe', 'pipe', 'pipe'] }), timeoutMs);
    w.ready = await w.next('ready', timeoutMs);
    w.blasDir = blasDir;
    return w;
  }

  constructor(child, timeoutMs) {
    this.child = child;
    this.timeoutMs = timeoutMs;
    this.queue = [];
    this.stderr = '';
    this.exited = null;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => (this.stderr = (this.stderr + s).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    child.on('error', (e) => this.fail(new Error(`bench torch: worker could not start: ${e.message}`)));
    child.stdin.on('error', (e) => this.fail(new Error(`bench torch: writing to the worker failed: ${e.message}`)));
    child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      this.fail(new Error(`bench torch: worker exited (${signal ?? `code ${code}`})${this.stderr ? `; stderr: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    });
  }

  onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.fail(new Error(`bench torch: worker printed a line that is not JSON: ${line.slice(0, 200)}`));
    }
    const p = this.queue.shift();
    if (!p) return;
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg);
    else p.reject(new Error(`bench torch: worker ${msg.cmd ?? 'request'} failed: ${msg.error}`));
  }

  fail(err) {
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.dead = this.dead ?? err;
  }

  /** The next answer, within timeoutMs: past it the worker is killed (a hung torch never hangs the bench). */
  next(what, timeoutMs = this.timeoutMs) {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        this.fail(new Error(`bench torch: worker gave no answer to ${what} within ${timeoutMs / 1000} s; killed`));
      }, timeoutMs);
      this.queue.push({ resolve, reject, timer });
    });
  }

  /** Sends one request and waits for its answer. */
  request(msg, timeoutMs) {
    const answer = this.next(msg.cmd, timeoutMs);
    if (!this.dead) this.child.stdin.write(JSON.stringify(msg) + '\n');
    return answer;
  }

  /** Asks the worker to quit; kills it if it has not exited 5 s later. */
  async close() {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      if (!this.dead) await this.request({ cmd: 'quit' }, 5000);
    } catch {
      // killed by the timeout, or it died meanwhile
    }
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    if (!this.exited) await gone;
    clearTimeout(timer);
  }
}

/** A short label of the worker's BLAS: 'OpenBLAS 0.3.21 ... (Zen, openmp)' or the file sgemm_ came from. */
export function blasLabel(blas) {
  if (blas.kind === 'openblas') return `${blas.openblasConfig} (core ${blas.openblasCore}, ${blas.openblasParallel}, ${blas.openblasThreads} thread(s))`;
  if (blas.kind === 'reference') return `reference (netlib) BLAS ${blas.sgemmFile}`;
  return `${blas.kind} BLAS ${blas.sgemmFile ?? '(sgemm_ not found)'}`;
}

/** Starts a worker and applies the BLAS rule: { worker, label } or { skipped: reason }. */
export async function startContender({ python = DEFAULT_PYTHON, threads = 1, allowReferenceBlas = false, blasDir, timeoutMs = Number(opt('timeout') ?? 120) * 1000, log = console.log } = {}) {
  const worker = await TorchWorker.start({ python, threads, blasDir: blasDir === undefined ? openblasDir() : blasDir, timeoutMs });
  const { blas } = worker.ready;
  const optimized = ['openblas', 'mkl', 'blis'].includes(blas.kind);
  if (!optimized && !allowReferenceBlas) {
    await worker.close();
    return { skipped: `torch's sgemm_ comes from ${blasLabel(blas)}, not an optimized BLAS (Debian: apt-get install libopenblas0-openmp); --allow-reference-blas times it anyway` };
  }
  if (worker.ready.threads !== threads) log(`  warning: torch reports ${worker.ready.threads} threads; asked for ${threads}`);
  return { worker, label: optimized ? 'torch' : `torch (${blas.kind} BLAS)`, optimized };
}

// ---------- one config ----------

/** Our batch as the worker's flat arrays: inputs (B*T ids or B*T*I floats), targets (B*T or B class ids). */
function flatBatch(cfg, data) {
  const { B, T } = cfg;
  if (data.lens.some((L) => L !== T)) throw new Error(`bench torch ${cfg.name}: padded batches are not sent to torch (the table's configs are full length)`);
  const m = cfg.model;
  const inputs = m.vocabSize ? new Int32Array(B * T) : new Float32Array(B * T * m.inputSize);
  data.inputs.forEach((x, b) => inputs.set(x, b * x.length));
  const targets = Int32Array.from(m.returnSequences ? data.targets.flat() : data.targets);
  return { inputs: b64(inputs), targets: b64(targets) };
}

/** Our model's weights and Adam in the worker's init message. */
function initMessage(cfg, model, lmInput) {
  const p = model.getParams();
  const o = model.training.optimizer;
  const m = cfg.model;
  return {
    cmd: 'init',
    config: { vocabSize: m.vocabSize ?? 0, inputSize: m.inputSize ?? 0, hiddenSize: m.hiddenSize, outputSize: m.outputSize, returnSequences: !!m.returnSequences, T: cfg.T, B: cfg.B, lmInput, adam: { learningRate: model.training.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon } },
    weights: { Ws: b64(p.Ws), bs: b64(p.bs), Wo: b64(p.Wo), bo: b64(p.bo) },
  };
}

const relDiff = (a, b) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);

/**
 * One config at one thread count: checks, then alternating torch / ours steps for `budget` seconds. Throws when the
 * two sides disagree (a contender that computes something else is not timed).
 */
async function measure(cfg, worker, threads, { lmInput = 'onehot', budget, minSteps, warmup, relaxed: wantRelaxed = true }) {
  const data = makeData(cfg, new Rng(7));
  const opts = { ...cfg.model, seed: 1, optimizer: OPTIMIZER, learningRate: LR };
  const ours = await SimpleRNN.create({ ...opts, ...(threads > 1 ? { threads } : {}) });
  // ours on the relaxed-SIMD build, at the same thread count (threads > 1: the relaxed threads build)
  let relaxed = wantRelaxed ? await SimpleRNN.create({ ...opts, simd: 'relaxed', ...(threads > 1 ? { threads } : {}) }) : null;
  let relaxedFallback = null;
  if (relaxed && (relaxed.simd !== 'relaxed' || relaxed.threads !== threads)) {
    relaxedFallback = relaxed.simdFallback ?? relaxed.threadsFallback;
    relaxed.dispose();
    relaxed = null;
  }
  try {
    if (ours.threads !== threads) throw new Error(`bench torch ${cfg.name}: ours asked for ${threads} threads, got ${ours.threads} (${ours.threadsFallback})`);
    const init = await worker.request(initMessage(cfg, ours, cfg.model.vocabSize ? lmInput : undefined));
    await worker.request({ cmd: 'batch', ...flatBatch(cfg, data) });
    const checks = {};
    // inference: softmax outputs from the initial weights; f32 on both sides, ours with a rational tanh (max abs
    // error 3.8e-7) and another summation order: 1e-5 on probabilities leaves 25x room and catches a wrong mapping
    const t = fromB64((await worker.request({ cmd: 'infer', n: 1 })).outputs);
    const o = ours.predict(data.inputs, { output: 'typed' });
    let maxd = 0;
    if (cfg.model.returnSequences) o.forEach((seq, b) => seq.forEach((v, j) => (maxd = Math.max(maxd, Math.abs(v - t[b * seq.length + j])))));
    else o.forEach((seq, b) => { const O = cfg.model.outputSize; const last = seq.subarray(seq.length - O); last.forEach((v, j) => (maxd = Math.max(maxd, Math.abs(v - t[b * O + j])))); });
    checks.outputsMaxDiff = maxd;
    if (!(maxd <= 1e-5)) throw new Error(`bench torch ${cfg.name}: softmax outputs differ from ours by ${maxd} (> 1e-5)`);
    // step 0: the loss before any update, f32 both sides, different summation order: 1e-5 relative
    const t0 = (await worker.request({ cmd: 'step', n: 1 })).loss0;
    const o0 = ours.trainBatch(data.inputs, data.targets);
    checks.loss0 = { torch: t0, ours: o0, rel: relDiff(t0, o0) };
    if (!(checks.loss0.rel <= 1e-5)) throw new Error(`bench torch ${cfg.name}: step-0 loss ${t0} vs ours ${o0} (relative difference ${checks.loss0.rel} > 1e-5)`);
    if (relaxed) {
      // the same weights on the relaxed build: one rounding per multiply-add instead of two, the same 1e-5
      const r0 = relaxed.trainBatch(data.inputs, data.targets);
      checks.relaxedLoss0 = { torch: t0, ours: r0, rel: relDiff(t0, r0) };
      if (!(checks.relaxedLoss0.rel <= 1e-5)) throw new Error(`bench torch ${cfg.name}: step-0 loss ${t0} vs ours (relaxed) ${r0} (relative difference ${checks.relaxedLoss0.rel} > 1e-5)`);
    }
    // step 1: the loss after one Adam update (every weight moved by about lr); the f32 rounding of the two updates
    // differs (torch divides by sqrt(v)/sqrt(bc2), ours by sqrt(v/bc2)): 1e-4 relative
    const t1 = (await worker.request({ cmd: 'step', n: 1 })).loss0;
    const o1 = ours.trainBatch(data.inputs, data.targets);
    checks.loss1 = { torch: t1, ours: o1, rel: relDiff(t1, o1) };
    if (!(checks.loss1.rel <= 1e-4)) throw new Error(`bench torch ${cfg.name}: loss after one Adam step ${t1} vs ours ${o1} (relative difference ${checks.loss1.rel} > 1e-4): the optimizers differ`);
    let warmMs = Infinity;
    for (let k = 0; k < warmup; k++) {
      await worker.request({ cmd: 'step', n: 1 });
      const s = performance.now();
      ours.trainBatch(data.inputs, data.targets);
      warmMs = Math.min(warmMs, performance.now() - s);
      relaxed?.trainBatch(data.inputs, data.targets);
    }
    // steps run in blocks of `per` back to back on each side (as in a training loop), blocks alternating torch /
    // ours: a single short step right after the pipe woke the process would time the wake-up, not the step
    const per = Math.max(1, Math.min(MAX_PER_BLOCK, Math.round(BLOCK_MS / warmMs)));
    const tt = [];
    const to = [];
    const trip = [];
    const paired = [];
    const tr = [];
    const pairedRelaxed = [];
    /** One block of `per` steps of a model of ours: ms per step. */
    const block = (m) => {
      const s = performance.now();
      for (let k = 0; k < per; k++) m.trainBatch(data.inputs, data.targets);
      return (performance.now() - s) / per;
    };
    const start = performance.now();
    while (tt.length < minSteps || (performance.now() - start < budget * 1000 && tt.length < 200)) {
      const s = performance.now();
      const r = await worker.request({ cmd: 'step', n: per });
      trip.push((performance.now() - s) / per);
      tt.push(r.ms.reduce((x, y) => x + y, 0) / per);
      to.push(block(ours));
      paired.push(tt.at(-1) / to.at(-1));
      if (relaxed) {
        tr.push(block(relaxed));
        pairedRelaxed.push(tt.at(-1) / tr.at(-1));
      }
    }
    const flops = stepFlops(cfg, data.lens);
    const st = { torch: stats(tt), ours: stats(to) };
    const rel = relaxed ? stats(tr) : null;
    return {
      config: cfg.name, lmInput: cfg.model.vocabSize ? init.lmInput : null, threads, tokens: cfg.tokens, flopsPerStep: flops, checks, stepsPerBlock: per,
      msPerStep: st, torchRoundTripMs: stats(trip),
      tokensPerSec: { torch: (cfg.tokens / st.torch.median) * 1e3, ours: (cfg.tokens / st.ours.median) * 1e3 },
      gflops: { torch: flops / st.torch.median / 1e6, ours: flops / st.ours.median / 1e6 },
      // ours ÷ torch in tokens/s = torch time ÷ ours time: the ratio of the medians, and per pair
      ratio: st.torch.median / st.ours.median, paired: stats(paired),
      // ours on the relaxed build, its blocks right after ours': null where it cannot run
      relaxed: rel ? { msPerStep: rel, tokensPerSec: (cfg.tokens / rel.median) * 1e3, gflops: flops / rel.median / 1e6, paired: stats(pairedRelaxed) } : null,
      relaxedFallback,
    };
  } finally {
    ours.dispose();
    relaxed?.dispose();
  }
}

// ---------- the table ----------

/**
 * Runs the torch table (bench/run.mjs calls this too): every config of TORCH_CONFIGS in `only`, at each thread count.
 * Returns { skipped } with the reason when torch cannot run, else { machine, torch, blas, gemm, rows, table }.
 */
export async function benchTorch({ only, threads = [1, 2], quick = false, python = DEFAULT_PYTHON, allowReferenceBlas = false, lmInput = 'onehot', blasDir, relaxed = true, log = console.log } = {}) {
  const probe = probeTorch(python);
  if (!probe.ok) {
    log(`torch contender skipped: ${probe.reason}`);
    return { skipped: probe.reason };
  }
  const cfgs = TORCH_CONFIGS.filter((c) => !only || only.includes(c.name));
  if (!cfgs.length) {
    const reason = `no config of its table (${TORCH_CONFIGS.map((c) => c.name).join(', ')}) in --only=${only.join(',')}`;
    log(`torch contender skipped: ${reason}`);
    return { skipped: reason };
  }
  const lmInputs = lmInput === 'both' ? ['onehot', 'embedding'] : [lmInput];
  if (!lmInputs.every((x) => x === 'onehot' || x === 'embedding')) throw new Error(`bench torch: --lm-input=${lmInput}; expected onehot, embedding or both`);
  const budget = quick ? 1.2 : 4; // seconds of timed pairs per config and thread count
  const minSteps = quick ? 3 : 6;
  const warmup = quick ? 1 : 3;
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, date: new Date().toISOString(), loadavgBefore: loadavg() };
  log(`torch: PyTorch ${probe.version} (${python}) vs ours (wasm), same weights, Adam (lr ${LR}), steps alternating; ${machine.cores} cores (${machine.cpu}), load average ${machine.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}`);
  const rows = [];
  const workers = {};
  let label = 'torch';
  for (const n of threads) {
    const c = await startContender({ python, threads: n, allowReferenceBlas, blasDir, log });
    if (c.skipped) {
      log(`torch contender skipped: ${c.skipped}`);
      return { skipped: c.skipped, blas: null };
    }
    label = c.label;
    const w = c.worker;
    try {
      const gemm = (await w.request({ cmd: 'blas', shapes: [[64, 512, 512], [512, 512, 512]], seconds: quick ? 0.15 : 0.5 })).rates;
      workers[n] = { ready: w.ready, gemm };
      const built = /BLAS_INFO=([^,\s]+)/.exec(w.ready.config ?? '')?.[1] ?? '?';
      log(`  ${n} thread(s): torch (built with BLAS_INFO=${built}) calls sgemm_ from ${w.ready.blas.sgemmFile}: ${blasLabel(w.ready.blas)}; torch.mm ${gemm.map((g) => `${g.M}x${g.K}x${g.N} ${g.gflops.toFixed(1)}`).join(', ')} GFLOP/s`);
      for (const cfg of cfgs) {
        for (const li of cfg.model.vocabSize ? lmInputs : [null]) {
          const r = await measure(cfg, w, n, { lmInput: li ?? undefined, budget, minSteps, warmup, relaxed });
          r.name = li === 'embedding' ? `${cfg.name}-emb` : cfg.name;
          rows.push(r);
          log(`  ${r.name.padEnd(7)} ${n}T: torch ${fmt(r.msPerStep.torch.median, 2)} ms, ours ${fmt(r.msPerStep.ours.median, 2)} ms per step; ours ÷ torch ${r.paired.median.toFixed(2)}x paired (${r.paired.p25.toFixed(2)}-${r.paired.p75.toFixed(2)}, n ${r.paired.n}); step-0 loss ${r.checks.loss0.ours.toFixed(6)} (rel diff ${r.checks.loss0.rel.toExponential(1)}), after one step rel diff ${r.checks.loss1.rel.toExponential(1)}, outputs max diff ${r.checks.outputsMaxDiff.toExponential(1)}`);
          if (r.relaxed) log(`  ${''.padEnd(7)}     relaxed SIMD: ours ${fmt(r.relaxed.msPerStep.median, 2)} ms per step; ours ÷ torch ${r.relaxed.paired.median.toFixed(2)}x paired (${r.relaxed.paired.p25.toFixed(2)}-${r.relaxed.paired.p75.toFixed(2)}); step-0 loss rel diff ${r.checks.relaxedLoss0.rel.toExponential(1)}`);
          else if (r.relaxedFallback) log(`  ${''.padEnd(7)}     no relaxed-SIMD column: ${r.relaxedFallback}`);
        }
      }
    } finally {
      await w.close();
    }
  }
  machine.loadavgAfter = loadavg();
  const table = printTable(rows, threads, label, log);
  log(`  (tokens/s = B*T / median step time; ours ÷ torch = the median over pairs of torch's step time ÷ the next ours step's,`);
  log(`   which cancels the load of the shared machine; torch's time is the worker's own, the pipe left out)`);
  if (rows.some((r) => r.lmInput)) log(`  LM: torch ${lmInputs.map((x) => (x === 'onehot' ? 'F.one_hot rows into nn.RNN (adds a (B*T, 65) x (65, H) input product)' : 'F.embedding of the same rows + a Python loop of addmm + tanh (LM-emb)')).join('; ')}; ours selects row H+id of W_s`);
  log(`  load average after: ${machine.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}`);
  return { machine, torch: probe.version, python, label, workers, rows, table };
}

/** config | torch 1T | ours 1T | ours÷torch | torch 2T | ours 2T | ours÷torch (tokens/s, paired ratios). */
function printTable(rows, threads, label, log) {
  const names = [...new Set(rows.map((r) => r.name))];
  const head = ['config'];
  const withRelaxed = rows.some((r) => r.relaxed);
  for (const n of threads) {
    head.push(`${label} ${n}T`, `ours ${n}T`, 'ours÷torch');
    if (withRelaxed) head.push(`ours relaxed ${n}T`, 'relaxed÷torch');
  }
  const table = [head];
  for (const name of names) {
    const line = [name];
    for (const n of threads) {
      const r = rows.find((x) => x.name === name && x.threads === n);
      line.push(r ? kfmt(r.tokensPerSec.torch) : '-', r ? kfmt(r.tokensPerSec.ours) : '-', r ? `${r.paired.median.toFixed(2)}x` : '-');
      if (withRelaxed) line.push(r?.relaxed ? kfmt(r.relaxed.tokensPerSec) : '-', r?.relaxed ? `${r.relaxed.paired.median.toFixed(2)}x` : '-');
    }
    table.push(line);
  }
  const w = head.map((_, k) => Math.max(...table.map((l) => l[k].length)));
  log('');
  log(`  tokens/s, ${label} on the BLAS named above:`);
  for (const [k, l] of table.entries()) {
    log(`  ${l.map((c, j) => (j ? c.padStart(w[j]) : c.padEnd(w[j]))).join(' | ')}`);
    if (k === 0) log(`  ${w.map((x) => '-'.repeat(x)).join('-|-')}`);
  }
  return table;
}

// ---------- alone ----------

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const quick = flag('quick');
  let r;
  try {
    r = await benchTorch({
      only: opt('only')?.split(','), threads: (opt('threads') ?? '1,2').split(',').map(Number), quick,
      python: opt('python') ?? DEFAULT_PYTHON, allowReferenceBlas: flag('allow-reference-blas'), lmInput: opt('lm-input') ?? 'onehot',
      blasDir: opt('blas-dir'), relaxed: !flag('no-relaxed'),
    });
  } catch (e) {
    console.log(`torch contender failed: ${e.message}`);
    process.exit(1);
  }
  if (r.skipped) process.exitCode = 1;
  else {
    const out = opt('out') ?? join(here, 'results', `torch-${quick ? 'quick-' : ''}${r.machine.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ ...r, quick, command: `node bench/torch.mjs ${args.join(' ')}`.trim() }, null, 2));
    console.log(`JSON: ${out}`);
  }
}
