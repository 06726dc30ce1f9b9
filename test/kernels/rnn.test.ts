import { describe, expect, it } from 'vitest';
import { ACT, OUT } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { expectClose } from '../util.js';
import { backends, randomF32, Scope } from './harness.js';

// (lengths sorted descending, H): B=1, T=1, H and padding not multiples of 4
const CASES: [number[], number][] = [
  [[1], 1],
  [[1], 5],
  [[6], 7],
  [[5, 5, 3, 1], 6],
  [[9, 4, 4, 2, 1], 13],
  [[3, 3, 3, 3, 3, 3, 3, 3, 3], 32],
];

describe.each(Object.entries(ACT))('rnnForward / rnnBackward, f_s = %s', (name, act) => {
  for (const [lens, H] of CASES) {
    const B = lens.length;
    const T = lens[0];
    it(`B=${B} T=${T} H=${H} lengths ${lens.join(',')}: wasm vs JS, pad steps carry the state`, async () => {
      const { wasm, js } = await backends();
      const rng = new Rng(B * 100 + H + act);
      const s0 = randomF32(rng, (T + 1) * B * H); // s[0] = s^0, s[t>0] = the input part x^t Wi
      const Wh = randomF32(rng, H * H, 1 / Math.sqrt(H));
      const bs = randomF32(rng, H, 0.1);
      const dzIn = randomF32(rng, T * B * H);
      const run = (be: typeof wasm | typeof js, sForBackward: Float32Array | null) => {
        const sc = new Scope(be);
        const s = sc.put(s0);
        const len = sc.ints(lens);
        be.rnnForward(s, sc.put(Wh), sc.put(bs), len, T, B, H, act);
        const states = sc.read(s, (T + 1) * B * H);
        const WhT = sc.put(new Float32Array(H * H));
        be.transpose(WhT, sc.put(Wh), H, H);
        const dz = sc.put(dzIn);
        const ds0 = sc.put(new Float32Array(B * H));
        // backward from the wasm states on both sides, so the comparison isolates the backward kernel
        be.rnnBackward(dz, ds0, sc.put(sForBackward ?? states), WhT, len, T, B, H, act);
        const out = { states, dz: sc.read(dz, T * B * H), ds0: sc.read(ds0, B * H) };
        sc.free();
        return out;
      };
      const w = run(wasm, null);
      const j = run(js, w.states);
      // f32 dots of length H over T steps, plus the tanh approximation (<= 1e-6 per step), through a contraction
      expectClose(w.states, j.states, { atol: 2e-5, rtol: 1e-4, label: `${name} states` });
      expectClose(w.dz, j.dz, { atol: 2e-5, rtol: 1e-4, label: `${name} dz` });
      expectClose(w.ds0, j.ds0, { atol: 2e-5, rtol: 1e-4, label: `${name} ds0` });
      // the padding rule, exactly: s^t = s^{t-1} for t > len[b], and no gradient through z on pad steps
      for (let b = 0; b < B; b++) {
        for (let t = lens[b] + 1; t <= T; t++) {
          const cur = w.states.subarray((t * B + b) * H, (t * B + b + 1) * H);
          const prev = w.states.subarray(((t - 1) * B + b) * H, ((t - 1) * B + b + 1) * H);
          expect(Array.from(cur)).toEqual(Array.from(prev));
          expect(Array.from(w.dz.subarray(((t - 1) * B + b) * H, ((t - 1) * B + b + 1) * H)).every((v) => v === 0)).toBe(true);
        }
      }
    });
  }
});

describe('embedding, bias and broadcast kernels', () => {
  it('gather, scatter-add, column sums and row broadcast equal the JS reference exactly', async () => {
    const { wasm, js } = await backends();
    const rng = new Rng(11);
    const [V, H, N] = [7, 9, 12];
    const W = randomF32(rng, V * H);
    const tok = Array.from({ length: N }, (_, r) => (r % 5 === 4 ? -1 : rng.int(V)));
    const dout = randomF32(rng, N * H);
    const v = randomF32(rng, H);
    const res = [wasm, js].map((be) => {
      const s = new Scope(be);
      const out = s.put(new Float32Array(N * H).fill(9));
      const t = s.ints(tok);
      be.embeddingForward(out, t, s.put(W), N, H);
      const dW = s.put(new Float32Array(V * H));
      be.embeddingBackward(dW, t, s.put(dout), N, H);
      const db = s.put(new Float32Array(H));
      be.biasBackward(db, s.put(dout), N, H);
      const bc = s.put(new Float32Array(3 * H));
      be.broadcastRows(bc, s.put(v), 3, H);
      // f32 sums in a fixed row order: JS's f64 add then round to f32 is the correctly rounded f32 add
      const r = [out, dW, db, bc].map((p, k) => Array.from(s.read(p, [N * H, V * H, H, 3 * H][k])));
      s.free();
      return r;
    });
    expect(res[0]).toEqual(res[1]);
    expect(res[0][0].slice(4 * H, 5 * H).every((x) => x === 0)).toBe(true); // a pad row gathers zeros
    expect(res[0][0].slice(0, H)).toEqual(Array.from(W.subarray(tok[0] * H, (tok[0] + 1) * H)));
  });
});

describe.each(Object.entries(OUT))('output %s: outputForward and lossForwardBackward', (name, kind) => {
  it('match the JS reference; zero-weight rows give zero loss and gradient', async () => {
    const { wasm, js } = await backends();
    const rng = new Rng(5 + kind);
    const [N, O] = [9, kind === OUT.softmax ? 11 : 6];
    const y = randomF32(rng, N * O, 5);
    const w = Float32Array.from({ length: N }, (_, r) => (r === 3 ? 0 : 1 / (N - 1)));
    const cls = Array.from({ length: N }, (_, r) => (r === 3 ? -1 : rng.int(O)));
    const tv = Float32Array.from({ length: N * O }, () => (kind === OUT.sigmoid ? rng.uniform() : 2 * rng.uniform() - 1));
    const res = [wasm, js].map((be) => {
      const s = new Scope(be);
      const py = s.put(y);
      const loss = s.put(new Float32Array(N));
      const dy = s.put(new Float32Array(N * O));
      const tgt = kind === OUT.softmax ? s.ints(cls) : s.put(tv);
      be.lossForwardBackward(loss, dy, py, tgt, s.put(w), N, O, kind);
      be.outputForward(py, N, O, kind);
      const r = { loss: s.read(loss, N), dy: s.read(dy, N * O), out: s.read(py, N * O) };
      s.free();
      return r;
    });
    // f32 exp/log vs f64 Math.exp/log on logits up to 5 in size
    expectClose(res[0].loss, res[1].loss, { atol: 1e-5, rtol: 1e-5, label: `${name} loss` });
    expectClose(res[0].dy, res[1].dy, { atol: 1e-6, rtol: 1e-5, label: `${name} dy` });
    expectClose(res[0].out, res[1].out, { atol: 1e-6, rtol: 1e-5, label: `${name} output` });
    expect(res[0].loss[3]).toBe(0);
    expect(Array.from(res[0].dy.subarray(3 * O, 4 * O)).every((v) => v === 0)).toBe(true);
    if (kind === OUT.softmax) {
      for (let r = 0; r < N; r++) {
        const row = res[0].out.subarray(r * O, (r + 1) * O);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
  });
});
