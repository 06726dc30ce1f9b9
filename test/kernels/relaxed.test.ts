// The opt-in relaxed-SIMD builds (create option simd: 'relaxed': build/simple-rnn-relaxed.wasm, and with threads > 1
// build/simple-rnn-threads-relaxed.wasm): GEMM and model gradients against the JS reference within a rounding bound
// (not bitwise), the threaded relaxed model against the one-thread one, the fallback to the strict build, and memory
// ownership of its own instance.
//
// Tolerance. Strict SIMD rounds each step of a dot product twice (the product, then the sum); relaxed_madd on a CPU
// with FMA rounds once. Either way an f32 element out = init + Σ_k a_k b_k computed in K + 2 rounded steps obeys
// |out - exact| <= γ (|out0| + |bias| + Σ_k |a_k b_k|) with γ = (K+2) u / (1 - (K+2) u), u = 2^-24 (Higham, dot
// products: one u per addition and one per product, fused or not). The f64 reference is exact to ~K 2^-53 here, so
// the GEMM test checks that bound element by element: a wrong term breaks it by orders of magnitude.
import { afterEach, describe, expect, it, vi } from 'vitest';
import relaxedBytes from '../../build/simple-rnn-relaxed.wasm';
import threadsRelaxedBytes from '../../build/simple-rnn-threads-relaxed.wasm';
import { JsBackend } from '../../src/backends/js.js';
import { relaxedSimdUnavailableAsync, wasmBackend } from '../../src/backends/wasm.js';
import { SimpleRNN, type SimpleRNNOptions } from '../../src/index.js';
import { PARAM_NAMES } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import { denseBatch, expectClose, flat, tokenBatch } from '../util.js';
import { Scope, randomF32 } from './harness.js';

// In Node 20 this turns on --experimental-wasm-relaxed-simd (v8.setFlagsFromString) and validates the build again.
const why = await relaxedSimdUnavailableAsync();
if (why) console.warn(`relaxed.test: relaxed SIMD cannot run in this test process (${why}); only the fallback is tested`);
const runs = why === null;
const U = 2 ** -24;

afterEach(() => vi.restoreAllMocks());

describe('relaxed SIMD availability', () => {
  it('this process either runs the relaxed build or reports why not (the relaxed tests below are skipped then)', () => {
    if (runs) expect(WebAssembly.validate(relaxedBytes)).toBe(true);
    else expect(why).toMatch(/relaxed SIMD|WebAssembly/);
  });

  it('the relaxed build is a different binary from the strict one and has its own instance and memory', async () => {
    const strict = await wasmBackend();
    expect(relaxedBytes.byteLength).toBeGreaterThan(1000);
    if (!runs) return expect(wasmBackend('relaxed')).rejects.toThrow(/relaxed SIMD/);
    const relaxed = await wasmBackend('relaxed');
    expect(relaxed).not.toBe(strict);
    expect(relaxed.exports.memory).not.toBe(strict.exports.memory);
    expect(await wasmBackend('relaxed')).toBe(relaxed); // one per realm
  });
});

describe.runIf(runs)('relaxed GEMM vs the f64 JS reference', () => {
  // [M, K, N, transposed a, acc, bias]: direct and tiled paths, tails of 4 and 8, K past one KC=256 block, packed b
  // (K N 4 > 256 KB with M >= 96), M = 1 (the 1-row kernels), a transposed (weight gradients)
  const cases: [number, number, number, boolean, boolean, boolean][] = [
    [1, 1, 1, false, false, false],
    [7, 13, 11, false, true, true],
    [1, 300, 70, false, false, true],
    [5, 129, 37, true, true, false],
    [64, 300, 130, false, false, true],
    [33, 200, 70, true, true, true],
    [130, 520, 260, false, true, true],
    [128, 1024, 65, true, true, false],
  ];
  it.each(cases)('M=%i K=%i N=%i transposed=%s acc=%s bias=%s: |out - ref| <= (K+2) u (|init| + Σ|a b|)', async (M, K, N, tr, acc, bias) => {
    const be = await wasmBackend('relaxed');
    const strictBe = await wasmBackend();
    const ref = new JsBackend('float64');
    const rng = new Rng(M * 1000 + K + N);
    const a = randomF32(rng, M * K);
    const b = randomF32(rng, K * N);
    const c0 = randomF32(rng, M * N);
    const bi = randomF32(rng, N);
    const [aRow, aCol] = tr ? [1, M] : [K, 1];
    const run = (s: Scope) => {
      const out = s.put(acc ? c0 : new Float32Array(M * N));
      s.be.matmulForward(out, s.put(a), s.put(b), bias ? s.put(bi) : 0, M, K, N, aRow, aCol, acc ? 1 : 0);
      const r = Array.from(s.be.floats(out, M * N));
      s.free();
      return r;
    };
    const got = run(new Scope(be));
    const strict = run(new Scope(strictBe));
    const exact = run(new Scope(ref));
    const g = ((K + 2) * U) / (1 - (K + 2) * U);
    const bad: string[] = [];
    let differ = 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let mag = (acc ? Math.abs(c0[m * N + n]) : 0) + (bias ? Math.abs(bi[n]) : 0);
        for (let k = 0; k < K; k++) mag += Math.abs(a[tr ? k * M + m : m * K + k] * b[k * N + n]);
        const o = m * N + n;
        if (!(Math.abs(got[o] - exact[o]) <= g * mag) && bad.length < 5) bad.push(`[${m},${n}] ${got[o]} vs ${exact[o]} (bound ${g * mag})`);
        if (!(Math.abs(strict[o] - exact[o]) <= g * mag) && bad.length < 5) bad.push(`strict [${m},${n}] ${strict[o]} vs ${exact[o]}`);
        if (got[o] !== strict[o]) differ++;
      }
    }
    expect(bad, bad.join(', ')).toEqual([]);
    // not asserted (it depends on the CPU: without FMA relaxed_madd is mul+add and equals strict): how many differ
    if (M * N >= 1000) console.log(`relaxed GEMM ${M}x${K}x${N}: ${differ}/${M * N} elements differ from the strict build`);
  });
});

describe.runIf(runs)("models with simd: 'relaxed'", () => {
  const opts = (o: Partial<SimpleRNNOptions>): SimpleRNNOptions => ({ hiddenSize: 13, outputSize: 5, learnInitialState: true, seed: 7, ...o });

  it.each([
    ['dense, final output', { inputSize: 6 }],
    ['tokens, returnSequences', { vocabSize: 11, returnSequences: true }],
    ['tokens, embedding layer', { vocabSize: 11, embeddingSize: 6 }],
  ] as const)('%s: loss and gradients equal the f64 JS reference within f32 rounding', async (_, o) => {
    const m = await SimpleRNN.create(opts({ ...o, simd: 'relaxed' }));
    expect(m.simd).toBe('relaxed');
    expect(m.simdFallback).toBeNull();
    const ref = await SimpleRNN.create(opts({ ...o, backend: 'js', precision: 'float64' }));
    ref.setParams(m.getParams());
    const rng = new Rng(3);
    const lengths = [5, 1, 8, 3]; // ragged: padded steps in the batch
    const inputs = 'inputSize' in o ? denseBatch(rng, lengths, o.inputSize) : tokenBatch(rng, lengths, o.vocabSize);
    const targets = 'returnSequences' in o ? lengths.map((T) => Array.from({ length: T }, () => rng.int(5))) : lengths.map(() => rng.int(5));
    const got = m.computeGradients(inputs as never, targets as never);
    const want = ref.computeGradients(inputs as never, targets as never);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want.loss)));
    // f32 through T <= 8 steps of dots of length H+I <= 24, rounded once or twice per term: the core's wasm-vs-js
    // tolerance (test/model) holds for either rounding
    for (const k of PARAM_NAMES) expectClose(got.grads[k], want.grads[k], { atol: 2e-5, rtol: 1e-4, label: k });
    m.dispose();
    ref.dispose();
  });

  it('trains: 20 Adam steps follow the strict build within f32 rounding', async () => {
    const o = opts({ inputSize: 6, optimizer: 'adam', learningRate: 0.01 } as Partial<SimpleRNNOptions>);
    const r = await SimpleRNN.create({ ...o, simd: 'relaxed' });
    const s = await SimpleRNN.create(o);
    const rng = new Rng(5);
    const inputs = denseBatch(rng, [6, 4, 7], 6);
    const targets = [1, 3, 0];
    const lr: number[] = [];
    const ls: number[] = [];
    for (let k = 0; k < 20; k++) {
      lr.push(r.trainBatch(inputs, targets));
      ls.push(s.trainBatch(inputs, targets));
    }
    expect(lr[19]).toBeLessThan(lr[0]); // it learns
    expectClose(lr, ls, { atol: 1e-5, rtol: 1e-4, label: 'loss per step' });
    // a checkpoint does not carry the build: load picks it again, and restores the same bits on the relaxed build
    const back = await SimpleRNN.load(r.save(), { simd: 'relaxed' });
    expect(back.simd).toBe('relaxed');
    expect(back.getParams()).toEqual(r.getParams());
    expect(back.trainBatch(inputs, targets)).toBe(r.trainBatch(inputs, targets));
    await expect(SimpleRNN.load(r.save(), { simd: 'fast' as never })).rejects.toThrow(/options\.simd must be 'strict' or 'relaxed'/);
    back.dispose();
    r.dispose();
    s.dispose();
  });

  // the row split sums the two halves' gradients in another order than one thread: the threads tests' core tolerance
  it('threads: 2 runs the relaxed threads build: gradients and 4 Adam steps of the relaxed one-thread model, a realm of its own', async () => {
    const o = opts({ inputSize: 6, optimizer: 'adam', learningRate: 0.01 } as Partial<SimpleRNNOptions>);
    const one = await SimpleRNN.create({ ...o, simd: 'relaxed' });
    const two = await SimpleRNN.create({ ...o, simd: 'relaxed', threads: 2 });
    const strictTwo = await SimpleRNN.create({ ...o, threads: 2 });
    try {
      if (two.threads < 2) return void expect(two.threadsFallback).not.toBeNull(); // no threads in this runtime
      expect([two.simd, two.simdFallback, two.threads]).toEqual(['relaxed', null, 2]);
      // its own shared memory and instance, not the strict threaded models'
      const be = (m: SimpleRNN) => (m as unknown as { be: { exports: { memory: WebAssembly.Memory } } }).be;
      expect(be(two)).not.toBe(be(strictTwo));
      expect(be(two).exports.memory).not.toBe(be(strictTwo).exports.memory);
      const rng = new Rng(8);
      const inputs = denseBatch(rng, [6, 4, 7, 5, 3, 6], 6);
      const targets = [1, 3, 0, 2, 2, 1];
      const g1 = one.computeGradients(inputs, targets);
      const g2 = two.computeGradients(inputs, targets);
      expectClose([g2.loss], [g1.loss], { atol: 2e-5, rtol: 1e-4, label: 'loss' });
      for (const k of PARAM_NAMES) expectClose(g2.grads[k], g1.grads[k], { atol: 2e-5, rtol: 1e-4, label: k });
      const l1: number[] = [];
      const l2: number[] = [];
      for (let k = 0; k < 4; k++) {
        l1.push(one.trainBatch(inputs, targets));
        l2.push(two.trainBatch(inputs, targets));
      }
      expect(l2[3]).toBeLessThan(l2[0]);
      expectClose(l2, l1, { atol: 2e-5, rtol: 1e-4, label: 'loss per step' });
    } finally {
      for (const m of [one, two, strictTwo]) m.dispose();
    }
  });

  it('1000 create / train / dispose cycles leave both instances\' memory unchanged', async () => {
    const relaxed = await wasmBackend('relaxed');
    const strict = await wasmBackend();
    const rng = new Rng(1);
    const inputs = denseBatch(rng, [12, 5, 9], 8);
    const cycle = async (k: number) => {
      const m = await SimpleRNN.create({ inputSize: 8, hiddenSize: 32 + (k % 3), outputSize: 4, seed: k, simd: 'relaxed' });
      m.trainBatch(inputs, [0, 1, 2]);
      m.dispose();
    };
    for (let k = 0; k < 20; k++) await cycle(k);
    const before = relaxed.memoryBytes();
    const strictBefore = strict.memoryBytes();
    for (let k = 0; k < 1000; k++) await cycle(k);
    expect(relaxed.memoryBytes()).toBe(before);
    expect(strict.memoryBytes()).toBe(strictBefore); // relaxed models never allocate in the strict instance
  });
});

describe("simd: 'relaxed' falls back to the strict build and says why", () => {
  const base = { inputSize: 4, hiddenSize: 8, outputSize: 3, seed: 2 };

  it('where WebAssembly.validate refuses the relaxed build: strict model, the reason, one warning', async () => {
    const validate = WebAssembly.validate.bind(WebAssembly);
    vi.spyOn(WebAssembly, 'validate').mockImplementation((b) => b !== relaxedBytes && validate(b));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const a = await SimpleRNN.create({ ...base, simd: 'relaxed' });
    const b = await SimpleRNN.create({ ...base, simd: 'relaxed' });
    expect(a.simd).toBe('strict');
    expect(a.simdFallback).toMatch(/does not validate (WebAssembly )?relaxed SIMD/);
    expect(b.simdFallback).toBe(a.simdFallback);
    const simdWarnings = warn.mock.calls.filter((c) => /simd: 'relaxed' falls back/.test(String(c[0])));
    expect(simdWarnings).toHaveLength(1);
    // it really runs on the strict instance: the same bits as a model that never asked for relaxed
    const s = await SimpleRNN.create(base);
    const x = denseBatch(new Rng(4), [5, 2], 4);
    expect(flat(a.predict(x))).toEqual(flat(s.predict(x)));
    for (const m of [a, b, s]) m.dispose();
  });

  it("with backend 'js', and with threads > 1 where the relaxed threads build does not validate", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const js = await SimpleRNN.create({ ...base, backend: 'js', simd: 'relaxed' });
    expect(js.simd).toBe('strict');
    expect(js.simdFallback).toMatch(/backend: 'js'/);
    const validate = WebAssembly.validate.bind(WebAssembly);
    vi.spyOn(WebAssembly, 'validate').mockImplementation((b) => b !== threadsRelaxedBytes && validate(b));
    const t = await SimpleRNN.create({ ...base, threads: 2, simd: 'relaxed' });
    if (t.threads > 1) {
      expect(t.simd).toBe('strict');
      expect(t.simdFallback).toMatch(/does not validate (WebAssembly )?relaxed SIMD/);
      // it trains on the strict threads build: the same bits as a threaded model that never asked for relaxed
      const s = await SimpleRNN.create({ ...base, threads: 2 });
      const x = denseBatch(new Rng(4), [5, 2, 3], 4);
      expect(t.trainBatch(x, [0, 1, 2])).toBe(s.trainBatch(x, [0, 1, 2]));
      s.dispose();
    } else expect(t.threadsFallback).not.toBeNull(); // no threads here
    js.dispose();
    t.dispose();
  });

  it("default and 'strict' run strict with no reason; anything else is a TypeError naming options.simd", async () => {
    const m = await SimpleRNN.create({ ...base, simd: 'strict' });
    expect([m.simd, m.simdFallback]).toEqual(['strict', null]);
    m.dispose();
    await expect(SimpleRNN.create({ ...base, simd: 'fast' as never })).rejects.toThrow(/options\.simd must be 'strict' or 'relaxed'/);
  });
});
