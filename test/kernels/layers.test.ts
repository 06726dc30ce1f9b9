// The kernels of assembly/layers.ts (reverseSteps, gatherSteps, mergeForward / mergeBackward, maskRows) and the
// recurrent-dropout mask of rnnForward / rnnBackward, wasm against the JS twins. The layer kernels do one f32 operation
// per element (a copy, an add or a multiply), so wasm and JS must agree bit for bit; the masked time loops go through
// matmulForward, whose wasm and JS sums differ in order: f32 dots of length H over T steps, atol 1e-5 / rtol 1e-4.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { expectClose } from '../util.js';
import { backends, randomF32, Scope } from './harness.js';

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
const SHAPES = [
  { lens: [5, 3, 1], C: 3 },
  { lens: [1], C: 4 },
  { lens: [7, 7, 6, 2, 2], C: 9 },
];

describe('layer kernels: wasm = JS bit for bit', () => {
  it.each(SHAPES)('reverseSteps on floats and token ids, pads filled (lens $lens, C $C)', async ({ lens, C }) => {
    const { wasm, js } = await backends();
    const T = lens[0];
    const B = lens.length;
    const rng = new Rng(T * 7 + C);
    const x = randomF32(rng, T * B * C);
    const ids = Int32Array.from({ length: T * B }, () => rng.int(50));
    const out: Record<string, number[][]> = {};
    for (const [name, be] of [['wasm', wasm], ['js', js]] as const) {
      const s = new Scope(be);
      const pl = s.ints(lens);
      const px = s.put(x);
      const po = s.put(new Float32Array(T * B * C).fill(7));
      be.reverseSteps(po, px, pl, T, B, C, 0);
      const pi = s.ints(ids);
      const pj = s.ints(new Int32Array(T * B));
      be.reverseSteps(pj, pi, pl, T, B, 1, 255);
      out[name] = [bits(s.read(po, T * B * C)), Array.from(be.ints(pj, T * B))];
      s.free();
    }
    expect(out.wasm).toEqual(out.js);
    // the definition, checked once on the JS result: out[t, b] = inp[len_b - 1 - t, b], pads 0 / -1
    const [f, t32] = out.js;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const id = t32[t * B + b];
        expect(id).toBe(t < lens[b] ? ids[(lens[b] - 1 - t) * B + b] : -1);
        const v = new Float32Array(new Uint32Array(f.slice((t * B + b) * C, (t * B + b + 1) * C)).buffer);
        for (let c = 0; c < C; c++) expect(v[c]).toBe(t < lens[b] ? x[((lens[b] - 1 - t) * B + b) * C + c] : 0);
      }
    }
  });

  // C = 70 takes the memory.copy branch, 9 the v128 moves plus a word, 1 the words alone
  it.each([...SHAPES, { lens: [4, 2, 3], C: 70 }])('gatherSteps on floats and token ids, both directions, pads filled (lens $lens, C $C)', async ({ lens, C }) => {
    const { wasm, js } = await backends();
    const B = lens.length;
    const T = Math.max(...lens);
    const rng = new Rng(T * 11 + C);
    const total = lens.reduce((a, n) => a + n, 0);
    // the sequences stored whole in a shuffled order; off[b] says where sorted sequence b starts
    const slots = Array.from({ length: B }, (_, b) => b).reverse();
    const off = new Int32Array(B);
    for (let k = 0, at = 0; k < B; k++) {
      off[slots[k]] = at;
      at += lens[slots[k]];
    }
    const x = randomF32(rng, total * C);
    const ids = Int32Array.from({ length: total }, () => rng.int(50));
    const out: Record<string, number[][]> = {};
    for (const [name, be] of [['wasm', wasm], ['js', js]] as const) {
      const s = new Scope(be);
      const pl = s.ints(lens);
      const pf = s.ints(off.map((o) => o * C));
      const po = s.ints(off);
      const px = s.put(x);
      const pi = s.ints(ids);
      const res: number[][] = [];
      for (const reverse of [0, 1]) {
        const pd = s.put(new Float32Array(T * B * C).fill(7));
        be.gatherSteps(pd, px, pf, pl, T, B, C, 0, reverse);
        const pj = s.ints(new Int32Array(T * B).fill(7));
        be.gatherSteps(pj, pi, po, pl, T, B, 1, 255, reverse);
        res.push(bits(s.read(pd, T * B * C)), Array.from(be.ints(pj, T * B)));
      }
      out[name] = res;
      s.free();
    }
    expect(out.wasm).toEqual(out.js);
    // the definition, checked on the JS result: out[t, b] = sequence b's step t (reverse: len_b - 1 - t), pads 0 / -1
    for (const reverse of [0, 1]) {
      const [f, t32] = out.js.slice(2 * reverse, 2 * reverse + 2);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          const step = reverse ? lens[b] - 1 - t : t;
          expect(t32[t * B + b]).toBe(t < lens[b] ? ids[off[b] + step] : -1);
          const v = new Float32Array(new Uint32Array(f.slice((t * B + b) * C, (t * B + b + 1) * C)).buffer);
          for (let c = 0; c < C; c++) expect(v[c]).toBe(t < lens[b] ? x[(off[b] + step) * C + c] : 0);
        }
      }
    }
  });

  it.each([0, 1, 2, 3])('mergeForward / mergeBackward, mode %i (concat, sum, mul, ave)', async (mode) => {
    const { wasm, js } = await backends();
    const rng = new Rng(mode + 1);
    for (const [N, H] of [[1, 1], [6, 5], [4, 8], [3, 13]]) {
      const a = randomF32(rng, N * H);
      const b = randomF32(rng, N * H);
      const W = mode === 0 ? 2 * H : H;
      const dy = randomF32(rng, N * W);
      const res: Record<string, number[][]> = {};
      for (const [name, be] of [['wasm', wasm], ['js', js]] as const) {
        const s = new Scope(be);
        const pa = s.put(a);
        const pb = s.put(b);
        const py = s.put(new Float32Array(N * W));
        be.mergeForward(py, pa, pb, N, H, mode);
        const pda = s.put(new Float32Array(N * H));
        const pdb = s.put(new Float32Array(N * H));
        be.mergeBackward(pda, pdb, s.put(dy), pa, pb, N, H, mode);
        res[name] = [bits(s.read(py, N * W)), bits(s.read(pda, N * H)), bits(s.read(pdb, N * H))];
        s.free();
      }
      expect(res.wasm, `N=${N} H=${H}`).toEqual(res.js);
    }
  });

  it.each([[6, 5, 2], [6, 5, 6], [3, 4, 3], [1, 1, 1]])('maskRows N=%i C=%i P=%i', async (N, C, P) => {
    const { wasm, js } = await backends();
    const rng = new Rng(N * C + P);
    const x = randomF32(rng, N * C);
    const m = Float32Array.from({ length: P * C }, () => (rng.uniform() < 0.3 ? 0 : 1 / 0.7));
    const res: number[][] = [];
    for (const be of [wasm, js]) {
      const s = new Scope(be);
      const px = s.put(x);
      be.maskRows(px, s.put(m), N, C, P);
      res.push(bits(s.read(px, N * C)));
      s.free();
    }
    expect(res[0]).toEqual(res[1]);
    if (N > 1) expect(new Float32Array(new Uint32Array(res[0]).buffer)[C]).toBe(Math.fround(x[C] * m[(1 % P) * C])); // row 1 uses mask row 1 % P
  });
});

describe('recurrent dropout in the time loops', () => {
  it.each([[[5, 3, 1], 6], [[4, 4], 8], [[1], 3]] as const)('rnnForward / rnnBackward with a mask: wasm vs JS (lens %j, H %i)', async (lens, H) => {
    const { wasm, js } = await backends();
    const T = lens[0];
    const B = lens.length;
    const rng = new Rng(H * 3 + T);
    const s = randomF32(rng, (T + 1) * B * H, 0.5);
    const Wh = randomF32(rng, H * H, 0.5);
    const bs = randomF32(rng, H, 0.1);
    const mask = Float32Array.from({ length: B * H }, () => (rng.uniform() < 0.25 ? 0 : 1 / 0.75));
    const dz = randomF32(rng, T * B * H);
    const out: Record<string, Float32Array[]> = {};
    for (const [name, be] of [['wasm', wasm], ['js', js]] as const) {
      const sc = new Scope(be);
      const ps = sc.put(s);
      const pm = sc.put(mask);
      const psm = sc.put(new Float32Array(T * B * H));
      const pl = sc.ints(lens);
      be.rnnForward(ps, sc.put(Wh), sc.put(bs), pl, T, B, H, 0, pm, psm);
      const WhT = new Float32Array(H * H);
      for (let r = 0; r < H; r++) for (let q = 0; q < H; q++) WhT[q * H + r] = Wh[r * H + q];
      const pdz = sc.put(dz);
      const pds0 = sc.put(new Float32Array(B * H));
      be.rnnBackward(pdz, pds0, ps, sc.put(WhT), pl, T, B, H, 0, pm);
      out[name] = [sc.read(ps, (T + 1) * B * H), sc.read(psm, T * B * H), sc.read(pdz, T * B * H), sc.read(pds0, B * H)];
      sc.free();
    }
    const tol = { atol: 1e-5, rtol: 1e-4 };
    ['s', 'sm', 'dz', 'ds0'].forEach((label, k) => expectClose(out.wasm[k], out.js[k], { ...tol, label }));
    // sm[t-1] is s^{t-1} times the mask, on every row
    const [sw, smw] = out.wasm;
    for (let k = 0; k < B * H; k++) expect(smw[k]).toBe(Math.fround(sw[k] * mask[k]));
  });
});
