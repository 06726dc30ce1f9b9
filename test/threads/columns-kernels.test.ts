// The column split's kernels (assembly/threads.ts, the threads build only) against their one-thread twins, bit for
// bit: each computes columns c0..c1-1 of its twin's output in the twin's order, and writes nothing else (every output
// starts as a canary pattern that must survive outside the share). The time loops run here whole on n = 1 (no partner:
// every barrier passes at once): a share of a step reads every column of the step before, so shares need their
// partners running; the model tests (columns.test.ts) run them on 2 and 3 threads.
import { afterAll, describe, expect, it } from 'vitest';
import type { WasmBackend } from '../../src/backends/wasm.js';
import type { SplitKernels } from '../../src/backend.js';
import { threadedRealm } from '../../src/parallel/index.js';
import { Rng } from '../../src/random.js';
import { Scope, randomF32 } from '../kernels/harness.js';

const { be } = await threadedRealm();
be.reserveScratch(512, 512); // room to prepack the largest weight below (what a model of H = 512 reserves)
const k = be as WasmBackend & SplitKernels;
const x = be.exports as unknown as {
  prepackCols(b: number, K: number, N: number, c0: number, c1: number, trans: number): number;
  matmulPrepackedCols(out: number, a: number, bias: number, M: number, K: number, N: number, aRow: number, aCol: number, acc: number, c0: number, c1: number): void;
};
const scope = new Scope(be);
afterAll(() => scope.free());

const CANARY = -12345.5;
const filled = (n: number) => new Float32Array(n).fill(CANARY);
const same = (a: ArrayLike<number>, b: ArrayLike<number>, label: string) => {
  let bad = -1;
  for (let q = 0; q < a.length && bad < 0; q++) if (!Object.is(a[q], b[q])) bad = q;
  expect(bad, `${label}: first differing float`).toBe(-1);
  expect(a.length).toBe(b.length);
};
/** Columns c0..c1-1 of `full` (M rows of N), the canary elsewhere: what a share must leave in a canary-filled buffer. */
const shareOf = (full: Float32Array, M: number, N: number, c0: number, c1: number, base: Float32Array) => {
  const out = Float32Array.from(base);
  for (let m = 0; m < M; m++) for (let n = c0; n < c1; n++) out[m * N + n] = full[m * N + n];
  return out;
};

/** Column ranges a split makes (multiples of 8, the remainder last) and a few odd ones. */
const ranges = (N: number): [number, number][] => {
  const r: [number, number][] = [[0, N], [0, Math.min(N, 8)], [Math.min(N, 8), N], [0, 0]];
  const g = Math.ceil(N / 8);
  for (const parts of [2, 3]) for (let me = 0; me < parts; me++) r.push([Math.min(N, Math.floor((g * me) / parts) * 8), Math.min(N, Math.floor((g * (me + 1)) / parts) * 8)]);
  if (N > 5) r.push([3, N - 2]);
  return r;
};

describe('matmulCols: columns c0..c1-1 of matmulForward, nothing else', () => {
  // (M, K, N, transposed a): K past one block (256), N not a multiple of 8, M < 4, the weight-gradient shape
  const SHAPES: [number, number, number, boolean][] = [
    [7, 13, 21, false], [64, 300, 40, false], [3, 5, 17, false], [1, 9, 12, false], [130, 64, 96, false],
    [40, 270, 24, true], [33, 17, 200, true], [5, 600, 64, true],
  ];
  for (const scratch of [true, false]) {
    it.each(SHAPES)(`M=%i K=%i N=%i transposed=%s, acc and bias, ${scratch ? 'tiled' : 'direct (no scratch)'}`, (M, K, N, tr) => {
      const rng = new Rng(M * 1000 + K + N);
      const a = scope.put(randomF32(rng, M * K));
      const b = scope.put(randomF32(rng, K * N));
      const bias = scope.put(randomF32(rng, N));
      const init = randomF32(rng, M * N);
      const [aRow, aCol] = tr ? [1, M] : [K, 1];
      const cap = (be as unknown as { scratchPtr: number; scratchCap: number });
      const saved = [cap.scratchPtr, cap.scratchCap];
      if (!scratch) be.exports.setScratch(0, 0);
      try {
        for (const [acc, withBias] of [[0, 0], [1, 1], [0, 1]]) {
          const ref = scope.put(init);
          be.matmulForward(ref, a, b, withBias ? bias : 0, M, K, N, aRow, aCol, acc);
          const full = scope.read(ref, M * N);
          for (const [c0, c1] of ranges(N)) {
            const base = acc ? init : filled(M * N);
            const out = scope.put(base);
            k.matmulCols(out, a, b, withBias ? bias : 0, M, K, N, aRow, aCol, acc, c0, c1);
            same(scope.read(out, M * N), shareOf(full, M, N, c0, c1, base), `acc=${acc} bias=${withBias} [${c0}, ${c1})`);
          }
        }
      } finally {
        be.exports.setScratch(saved[0], saved[1]);
      }
    });
  }
});

describe('prepackCols + matmulPrepackedCols: a time loop share of W (or of Wᵀ packed from W)', () => {
  it.each([[64, 64, 20], [512, 512, 64], [37, 37, 5], [300, 300, 2]])('K=%i N=%i, %i rows, packed plain and transposed', (K, N, M) => {
    const rng = new Rng(K + M);
    const W = randomF32(rng, K * N);
    const WT = new Float32Array(N * K);
    for (let r = 0; r < K; r++) for (let c = 0; c < N; c++) WT[c * K + r] = W[r * N + c];
    const w = scope.put(W);
    const wt = scope.put(WT); // b = W given as its transpose: bt = Wᵀ (N, K)
    const a = scope.put(randomF32(rng, M * K));
    const bias = scope.put(randomF32(rng, N));
    const ref = scope.put(new Float32Array(M * N));
    be.matmulForward(ref, a, w, bias, M, K, N, K, 1, 0);
    const full = scope.read(ref, M * N);
    for (const [c0, c1] of ranges(N)) {
      for (const trans of [0, 1]) {
        const base = filled(M * N);
        const out = scope.put(base);
        expect(!!x.prepackCols(trans ? wt : w, K, N, c0, c1, trans)).toBe(c1 > c0); // the scratch holds an (H, H) share
        x.matmulPrepackedCols(out, a, bias, M, K, N, K, 1, 0, c0, c1);
        same(scope.read(out, M * N), shareOf(full, M, N, c0, c1, base), `trans=${trans} [${c0}, ${c1})`);
      }
    }
  });
});

describe('transposeRows, biasBackwardCols, compactRowsCols: their twins on a share, the rest untouched', () => {
  it.each([[12, 7], [64, 40], [33, 65], [5, 3]])('transposeRows R=%i C=%i', (R, C) => {
    const rng = new Rng(R * C);
    const inp = scope.put(randomF32(rng, R * C));
    const ref = scope.put(new Float32Array(R * C));
    be.transpose(ref, inp, R, C);
    const full = scope.read(ref, R * C);
    for (const [r0, r1] of ranges(R)) {
      const out = scope.put(filled(R * C));
      k.transposeRows(out, inp, R, C, r0, r1);
      same(scope.read(out, R * C), shareOf(full, C, R, r0, r1, filled(R * C)), `[${r0}, ${r1})`); // columns r0..r1-1 of (C, R)
    }
  });

  it.each([[50, 20], [7, 9], [300, 64]])('biasBackwardCols N=%i C=%i', (N, C) => {
    const rng = new Rng(N + C);
    const dout = scope.put(randomF32(rng, N * C));
    const init = randomF32(rng, C);
    const ref = scope.put(init);
    be.biasBackward(ref, dout, N, C);
    const full = scope.read(ref, C);
    for (const [c0, c1] of ranges(C)) {
      const db = scope.put(init);
      k.biasBackwardCols(db, dout, N, C, c0, c1);
      same(scope.read(db, C), shareOf(full, 1, C, c0, c1, init), `[${c0}, ${c1})`);
    }
  });

  it('compactRowsCols on disjoint shares, in any order, gives compactRows', () => {
    const T = 9;
    const lengths = [9, 7, 7, 4, 1, 0];
    const B = lengths.length;
    const C = 21;
    const rng = new Rng(3);
    const data = randomF32(rng, T * B * C);
    const len = scope.ints(lengths);
    const ref = scope.put(data);
    be.compactRows(ref, len, T, B, C);
    const full = scope.read(ref, T * B * C);
    for (const cuts of [[0, 8, 21], [0, 8, 16, 21], [0, 21]]) {
      const buf = scope.put(data);
      for (let q = cuts.length - 2; q >= 0; q--) k.compactRowsCols(buf, len, T, B, C, cuts[q], cuts[q + 1]);
      same(scope.read(buf, T * B * C), full, `cuts ${cuts}`);
    }
  });
});

describe('rnnForwardCols / rnnBackwardCols with n = 1: rnnForward / rnnBackward on every share', () => {
  const T = 6;
  const lengths = [6, 6, 4, 2, 1];
  const B = lengths.length;
  it.each([[20, false], [24, true], [5, true], [64, false]])('H=%i, recurrent mask %s, ragged batch', (H, masked) => {
    const rng = new Rng(H);
    const len = scope.ints(lengths);
    const Ws = scope.put(randomF32(rng, 2 * H * H, 0.4));
    const bs = scope.put(randomF32(rng, H));
    const mask = masked ? scope.put(Float32Array.from({ length: B * H }, () => (rng.uniform() < 0.2 ? 0 : 1.25))) : 0;
    const s0 = randomF32(rng, (T + 1) * B * H);
    const dzIn = randomF32(rng, T * B * H);
    const bar = be.alloc(be.exports.barrierBytes!(1));
    try {
      // one thread: s, sm, dz, ds0
      const s = scope.put(s0);
      const sm = masked ? scope.put(new Float32Array(T * B * H)) : 0;
      be.rnnForward(s, Ws, bs, len, T, B, H, 0, mask, sm);
      const WhT = scope.put(new Float32Array(H * H));
      be.transpose(WhT, Ws, H, H);
      const dz = scope.put(dzIn);
      const ds0 = scope.put(new Float32Array(B * H));
      be.rnnBackward(dz, ds0, s, WhT, len, T, B, H, 0, mask);
      const want = { s: scope.read(s, (T + 1) * B * H), sm: sm ? scope.read(sm, T * B * H) : null, dz: scope.read(dz, T * B * H), ds0: scope.read(ds0, B * H) };
      // the whole range on a "thread" of n = 1 (shares need their partners at every step: columns.test.ts)
      const s2 = scope.put(s0);
      const sm2 = masked ? scope.put(new Float32Array(T * B * H)) : 0;
      be.zero(bar, be.exports.barrierBytes!(1));
      expect(k.rnnForwardCols(s2, Ws, bs, len, T, B, H, 0, mask, sm2, 0, H, bar, 0, 1, 0)).toBe(0);
      same(scope.read(s2, (T + 1) * B * H), want.s, 's');
      if (sm2) same(scope.read(sm2, T * B * H), want.sm!, 'sm');
      const dz2 = scope.put(dzIn);
      const ds02 = scope.put(new Float32Array(B * H));
      be.zero(bar, be.exports.barrierBytes!(1));
      expect(k.rnnBackwardCols(dz2, ds02, s2, Ws, scope.put(new Float32Array(H * H)), len, T, B, H, 0, mask, 0, H, bar, 0, 1, 0)).toBe(0);
      same(scope.read(dz2, T * B * H), want.dz, 'dz');
      same(scope.read(ds02, B * H), want.ds0, 'ds0');
    } finally {
      be.free(bar);
    }
  });

  it('a barrier that another thread aborted: every wait and time loop returns -1 at once', () => {
    const bar = be.alloc(be.exports.barrierBytes!(2));
    try {
      be.zero(bar, be.exports.barrierBytes!(2));
      k.barrierAbort(bar);
      k.barrierArrive(bar, 0, 2);
      expect(k.barrierWait(bar, 0, 2)).toBe(-1);
      const H = 8;
      const len = scope.ints([1]);
      const s = scope.put(new Float32Array(2 * H));
      const Ws = scope.put(new Float32Array(2 * H * H));
      expect(k.rnnForwardCols(s, Ws, 0, len, 1, 1, H, 0, 0, 0, 0, H, bar, 0, 2, 0)).toBe(-1);
    } finally {
      be.free(bar);
    }
  });

  it('a partner that never arrives: the wait returns 1 (timed out: look, then call again) after its budget, and passes once the partner arrives', () => {
    const bar = be.alloc(be.exports.barrierBytes!(2));
    try {
      be.zero(bar, be.exports.barrierBytes!(2));
      k.barrierArrive(bar, 0, 2);
      const t0 = performance.now();
      expect(k.barrierWait(bar, 0, 2)).toBe(1);
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThan(40); // 10 slices of 5 ms asleep
      expect(ms).toBeLessThan(2_000);
      k.barrierArrive(bar, 1, 2); // the partner arrives (here, on its behalf)
      expect(k.barrierWait(bar, 0, 2)).toBe(0);
      expect(k.barrierWait(bar, 1, 2)).toBe(0);
    } finally {
      be.free(bar);
    }
  });
});
