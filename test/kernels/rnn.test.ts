// The kernels of assembly/rnn.ts and assembly/loss.ts on small ragged batches: the time loops (packed and unpacked
// weight bit for bit, the JS reference within f32 rounding, the padding rule exactly), the gathers and row sums, and
// the output activations with their losses.
import { describe, expect } from 'vitest';
import { ACT, OUT } from '../../src/backend.js';
import type { Rng } from '../../src/random.js';
import { backends, randomF32, Scope, testKernel, type Results } from './harness.js';

// (lengths sorted descending, H): B=1, T=1, H and padding not multiples of 4
const CASES: [number[], number][] = [
  [[1], 1],
  [[1], 5],
  [[6], 7],
  [[5, 5, 3, 1], 6],
  [[9, 4, 4, 2, 1], 13],
  [[3, 3, 3, 3, 3, 3, 3, 3, 3], 32],
];

const NO_TWIN =
  'the time loops have no …Scalar twin: their arithmetic is matmulForward, activationForward/Backward (each pinned to ' +
  'its twin in matmul.test.ts and activations.test.ts) and one f32 add per element; direct pins the packed weight';
const RNN_TOL = { atol: 2e-5, rtol: 1e-4, why: 'f32 dots of length H over T steps, plus the tanh approximation (<= 1e-6 per step), through a contraction' };

const dims = ([lens, H]: [number[], number]) => ({ B: lens.length, T: lens[0], H, padded: lens.some((l) => l < lens[0]) });
const label = ([lens, H]: [number[], number]) => `B=${lens.length} T=${lens[0]} H=${H} lengths ${lens.join(',')}`;

/** Seeded data of one case, in the order the draws have always been made. */
function data([lens, H]: [number[], number], rng: Rng) {
  const B = lens.length;
  const T = lens[0];
  const s = randomF32(rng, (T + 1) * B * H); // s[0] = s^0, s[t>0] = the input part i^t W_i
  const Wh = randomF32(rng, H * H, 1 / Math.sqrt(H));
  const bs = randomF32(rng, H, 0.1);
  const dz = randomF32(rng, T * B * H);
  return { s, Wh, bs, dz, len: Int32Array.from(lens) };
}

/** The step-t rows of sequence b in a (steps, B, H) buffer whose first block is step `first`. */
function row(buf: ArrayLike<number>, t: number, b: number, B: number, H: number, first: number): number[] {
  const o = ((t - first) * B + b) * H;
  return Array.from({ length: H }, (_, h) => buf[o + h]);
}

describe.each(Object.entries(ACT))('rnnForward / rnnBackward, f_s = %s', (name, act) => {
  testKernel<[number[], number]>({
    kernels: ['rnnForward'],
    shapes: CASES,
    label: (c) => `${name} rnnForward ${label(c)}`,
    seed: ([lens, H]) => lens.length * 100 + H + act,
    inputs: (c, rng) => {
      const { s, Wh, bs, len } = data(c, rng);
      return { s, Wh, bs, len };
    },
    call: ({ k, p }, [lens, H]) => {
      const [B, T] = [lens.length, lens[0]];
      k.rnnForward(p.s, p.Wh, p.bs, p.len, T, B, H, act, 0, 0);
      return { s: [p.s, (T + 1) * B * H] };
    },
    exact: ['direct'],
    noTwin: NO_TWIN,
    tol: () => ({ s: RNN_TOL }),
    // the padding rule, exactly: s^t = s^{t-1} for t > len[b]
    also: (out: Results, [lens, H]) => {
      const [B, T] = [lens.length, lens[0]];
      for (const path of ['simd', 'js'] as const) {
        for (let b = 0; b < B; b++) {
          for (let t = lens[b] + 1; t <= T; t++) {
            expect(row(out[path].s, t, b, B, H, 0), `${path} s^${t} of sequence ${b} (padding)`).toEqual(row(out[path].s, t - 1, b, B, H, 0));
          }
        }
      }
    },
    dims,
  });

  testKernel<[number[], number]>({
    kernels: ['rnnBackward'],
    shapes: CASES,
    label: (c) => `${name} rnnBackward ${label(c)}`,
    seed: ([lens, H]) => lens.length * 100 + H + act,
    // backward from the wasm states on every path, so the comparison isolates the backward kernel
    inputs: async (c, rng) => {
      const [lens, H] = c;
      const [B, T] = [lens.length, lens[0]];
      const { s, Wh, bs, dz, len } = data(c, rng);
      const { wasm } = await backends();
      const sc = new Scope(wasm);
      const ps = sc.put(s);
      wasm.rnnForward(ps, sc.put(Wh), sc.put(bs), sc.ints(len), T, B, H, act, 0, 0);
      const states = sc.read(ps, (T + 1) * B * H);
      sc.free();
      const WhT = new Float32Array(H * H);
      for (let r = 0; r < H; r++) for (let q = 0; q < H; q++) WhT[q * H + r] = Wh[r * H + q];
      return { dz, ds0: new Float32Array(B * H), s: states, WhT, len };
    },
    call: ({ k, p }, [lens, H]) => {
      const [B, T] = [lens.length, lens[0]];
      k.rnnBackward(p.dz, p.ds0, p.s, p.WhT, p.len, T, B, H, act, 0);
      return { dz: [p.dz, T * B * H], ds0: [p.ds0, B * H] };
    },
    exact: ['direct'],
    noTwin: NO_TWIN,
    tol: () => ({ dz: RNN_TOL, ds0: RNN_TOL }),
    // no gradient through z on pad steps, exactly
    also: (out: Results, [lens, H]) => {
      const [B, T] = [lens.length, lens[0]];
      for (const path of ['simd', 'js'] as const) {
        for (let b = 0; b < B; b++) {
          for (let t = lens[b] + 1; t <= T; t++) {
            expect(row(out[path].dz, t, b, B, H, 1).every((v) => v === 0), `${path} dz^${t} of sequence ${b} (padding)`).toBe(true);
          }
        }
      }
    },
    dims,
  });
});

describe('embedding, bias and broadcast kernels', () => {
  // [V, H, N, seed]: the original case (seed 11), one row of one float, SIMD width, and a longer tail
  testKernel<[number, number, number, number]>({
    kernels: ['embeddingForward', 'embeddingBackward', 'biasBackward', 'broadcastRows'],
    shapes: [[7, 9, 12, 11], [3, 1, 1, 12], [5, 8, 7, 13], [65, 13, 30, 14]],
    label: ([V, H, N]) => `V=${V} H=${H} N=${N}: gather, scatter-add, column sums and row broadcast`,
    seed: ([, , , seed]) => seed,
    inputs: ([V, H, N], rng) => {
      const W = randomF32(rng, V * H);
      const tok = Int32Array.from({ length: N }, (_, r) => (r % 5 === 4 ? -1 : rng.int(V)));
      const dout = randomF32(rng, N * H);
      const v = randomF32(rng, H);
      return { W, tok, dout, v, out: new Float32Array(N * H).fill(9), dW: new Float32Array(V * H), db: new Float32Array(H), bc: new Float32Array(3 * H) };
    },
    call: ({ k, p }, [V, H, N]) => {
      k.embeddingForward(p.out, p.tok, p.W, N, H);
      k.embeddingBackward(p.dW, p.tok, p.dout, N, H);
      k.biasBackward(p.db, p.dout, N, H);
      k.broadcastRows(p.bc, p.v, 3, H);
      return { out: [p.out, N * H], dW: [p.dW, V * H], db: [p.db, H], bc: [p.bc, 3 * H] };
    },
    exact: [],
    noTwin: 'copies, gathers and f32 adds in row order: the JS reference is their exact twin',
    tol: () => {
      const why = "f32 sums in a fixed row order: JS's f64 add then round to f32 is the correctly rounded f32 add";
      return { out: { exact: true, why }, dW: { exact: true, why }, db: { exact: true, why }, bc: { exact: true, why } };
    },
    also: (out, [, H, N], inputs) => {
      const tok = inputs.tok;
      for (let r = 0; r < N; r++) {
        const got = Array.from(out.simd.out.subarray(r * H, (r + 1) * H));
        // a pad row gathers zeros, a real row its row of W
        const want = tok[r] < 0 ? new Array(H).fill(0) : Array.from(inputs.W.subarray(tok[r] * H, (tok[r] + 1) * H));
        expect(got, `row ${r} (token ${tok[r]})`).toEqual(want);
      }
    },
    dims: ([, H, N]) => ({ B: N, H }),
  });
});

describe.each(Object.entries(OUT))('output %s: outputForward and lossForwardBackward', (name, kind) => {
  // [N, O, seed]: the original case (seed 5 + kind), B = 1, a SIMD-width row, a single output
  const shapes: [number, number, number][] = [[9, kind === OUT.softmax ? 11 : 6, 5 + kind], [1, 3, 20 + kind], [5, 8, 30 + kind], [4, 1, 40 + kind]];
  testKernel<[number, number, number]>({
    kernels: ['lossForwardBackward', 'outputForward'],
    shapes,
    label: ([N, O]) => `${name} N=${N} O=${O}: match the JS reference; zero-weight rows give zero loss and gradient`,
    seed: ([, , seed]) => seed,
    inputs: ([N, O], rng) => {
      const y = randomF32(rng, N * O, 5);
      const w = Float32Array.from({ length: N }, (_, r) => (r === 3 ? 0 : 1 / Math.max(1, N - 1)));
      const cls = Int32Array.from({ length: N }, (_, r) => (r === 3 ? -1 : rng.int(O)));
      const tv = Float32Array.from({ length: N * O }, () => (kind === OUT.sigmoid ? rng.uniform() : 2 * rng.uniform() - 1));
      return { y, w, tgt: kind === OUT.softmax ? cls : tv, loss: new Float32Array(N), dy: new Float32Array(N * O) };
    },
    call: ({ k, p }, [N, O]) => {
      k.lossForwardBackward(p.loss, p.dy, p.y, p.tgt, p.w, N, O, kind);
      k.outputForward(p.y, N, O, kind);
      return { loss: [p.loss, N], dy: [p.dy, N * O], out: [p.y, N * O] };
    },
    exact: [],
    noTwin: 'outputForward and lossForwardBackward run on expVec / expScalar, pinned lane for lane in perf-loss.test.ts',
    tol: () => {
      const why = 'f32 exp/log vs f64 Math.exp/log on logits up to 5 in size';
      return { loss: { atol: 1e-5, rtol: 1e-5, why }, dy: { atol: 1e-6, rtol: 1e-5, why }, out: { atol: 1e-6, rtol: 1e-5, why } };
    },
    also: (out, [N, O], inputs) => {
      for (const path of ['simd', 'js'] as const) {
        for (let r = 0; r < N; r++) {
          if (inputs.w[r] !== 0) continue;
          expect(out[path].loss[r], `${path} loss of zero-weight row ${r}`).toBe(0);
          expect(Array.from(out[path].dy.subarray(r * O, (r + 1) * O)).every((v) => v === 0), `${path} dy of row ${r}`).toBe(true);
        }
        if (kind === OUT.softmax) {
          for (let r = 0; r < N; r++) {
            const sum = Array.from(out[path].out.subarray(r * O, (r + 1) * O)).reduce((a, b) => a + b, 0);
            expect(sum, `${path} softmax row ${r} sums to 1`).toBeCloseTo(1, 5);
          }
        }
      }
    },
    dims: ([N, O]) => ({ B: N, H: O }),
  });
});
