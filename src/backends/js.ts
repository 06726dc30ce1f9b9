// The pure-JS reference backend: the same kernels as assembly/*.ts, as plain loops over typed arrays.
// It runs on f32 storage as the baseline of the benchmarks and on f64 storage for gradient checks.
// Each kernel takes (array, offset) pairs where the wasm kernel takes a pointer; offsets count elements.
// Math is exact where wasm approximates (Math.tanh, Math.exp), so the comparison tests bound the wasm error.
import { ACT, OUT, type Backend, type FloatArray, type Ptr } from '../backend.js';

type F = FloatArray;

export function matmulForward(
  out: F, o0: number, a: F, a0: number, b: F, b0: number, bias: F | null, bias0: number,
  M: number, K: number, N: number, aRow: number, aCol: number, acc: number,
): void {
  for (let m = 0; m < M; m++) {
    const orow = o0 + m * N;
    for (let n = 0; n < N; n++) {
      let v = acc ? out[orow + n] : 0;
      if (bias) v += bias[bias0 + n];
      out[orow + n] = v;
    }
    // k outer, n inner: the row of b streams contiguously (the JS baseline is plain, not careless)
    for (let k = 0; k < K; k++) {
      const x = a[a0 + m * aRow + k * aCol];
      const brow = b0 + k * N;
      for (let n = 0; n < N; n++) out[orow + n] += x * b[brow + n];
    }
  }
}

export function transpose(out: F, o0: number, inp: F, i0: number, R: number, C: number): void {
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[o0 + c * R + r] = inp[i0 + r * C + c];
}

export function activationForward(x: F, x0: number, n: number, act: number): void {
  if (act === ACT.tanh) for (let k = x0; k < x0 + n; k++) x[k] = Math.tanh(x[k]);
  else if (act === ACT.relu) for (let k = x0; k < x0 + n; k++) x[k] = x[k] > 0 ? x[k] : 0;
  else if (act === ACT.sigmoid) for (let k = x0; k < x0 + n; k++) x[k] = 1 / (1 + Math.exp(-x[k]));
}

export function activationBackward(dz: F, dz0: number, ds: F, ds0: number, s: F, s0: number, n: number, act: number): void {
  for (let k = 0; k < n; k++) {
    const d = ds[ds0 + k];
    const y = s[s0 + k];
    let g = d;
    if (act === ACT.tanh) g = d * (1 - y * y);
    else if (act === ACT.relu) g = y > 0 ? d : 0;
    else if (act === ACT.sigmoid) g = d * (y * (1 - y));
    dz[dz0 + k] = g;
  }
}

function realRows(len: Int32Array, len0: number, B: number, t: number): number {
  let n = 0;
  while (n < B && len[len0 + n] >= t) n++;
  return n;
}

// rnnForward / rnnBackward: the reading copy of assembly/rnn.ts, whose header has the seed's equations,
// s^t = f_s([s^{t-1} i^t] W_s + b_s), and the buffers. The same BPTT as the wasm time loops, as plain loops.
// Forward, t = 1..T; on entry s[t] holds i^t W_i (src/pass.ts), Wh is W_h = rows 0..H-1 of Ws:
//   real rows:   z^t = (i^t W_i + b_s) + s^{t-1} W_h,  s^t = f_s(z^t)
//   padded rows: s^t = s^{t-1}
export function rnnForward(
  s: F, s0: number, Wh: F, Wh0: number, bs: F, bs0: number, len: Int32Array, len0: number,
  T: number, B: number, H: number, act: number, mask: F | null = null, m0 = 0, sm: F | null = null, sm0 = 0,
): void {
  const step = B * H;
  for (let t = 1; t <= T; t++) {
    const prev = s0 + (t - 1) * step;
    const cur = prev + step;
    const Bt = realRows(len, len0, B, t);
    // recurrentDropout: z^t reads s^{t-1} * mask, kept in sm for dW_h
    let rows: F = s;
    let at = prev;
    if (mask && sm) {
      at = sm0 + (t - 1) * step;
      for (let k = 0; k < step; k++) sm[at + k] = s[prev + k] * mask[m0 + k];
      rows = sm;
    }
    matmulForward(s, cur, rows, at, Wh, Wh0, bs, bs0, Bt, H, H, H, 1, 1); // z^t = s[t] + b_s + s^{t-1} W_h
    activationForward(s, cur, Bt * H, act);
    for (let k = Bt * H; k < step; k++) s[cur + k] = s[prev + k];
  }
}

// Backward, t = T..1; on entry dz[t-1] = ∂L/∂s^t from the outputs, ds0 carries dsNext (the part of ∂L/∂s^t that
// comes through step t+1), WhT = W_hᵀ:
//   all rows:    ds = dz[t-1] + dsNext                    forward: s^t feeds o^t and z^{t+1}
//   real rows:   dz^t = ds f_s'(z^t), dsNext = dz^t W_hᵀ  forward: s^t = f_s(z^t), z^t = s^{t-1} W_h + ...
//   padded rows: dz^t = 0, dsNext = ds                    forward: s^t = s^{t-1}
// On return dz[t-1] = ∂L/∂z^t and ds0 = ∂L/∂s^0. dW_s = Σ_t [s^{t-1} i^t]ᵀ dz^t is one GEMM in src/pass.ts.
export function rnnBackward(
  dz: F, dz0: number, ds0: F, d00: number, s: F, s0: number, WhT: F, WhT0: number, len: Int32Array, len0: number,
  T: number, B: number, H: number, act: number, mask: F | null = null, m0 = 0,
): void {
  const step = B * H;
  ds0.fill(0, d00, d00 + step);
  for (let t = T; t >= 1; t--) {
    const dzt = dz0 + (t - 1) * step;
    const st = s0 + t * step;
    const Bt = realRows(len, len0, B, t);
    for (let k = 0; k < step; k++) dz[dzt + k] += ds0[d00 + k]; // ds = dz[t-1] + dsNext
    for (let k = Bt * H; k < step; k++) {
      ds0[d00 + k] = dz[dzt + k];
      dz[dzt + k] = 0;
    }
    activationBackward(dz, dzt, dz, dzt, s, st, Bt * H, act); // dz^t = ds f_s'(z^t)
    matmulForward(ds0, d00, dz, dzt, WhT, WhT0, null, 0, Bt, H, H, H, 1, 0); // dsNext = dz^t W_hᵀ
    if (mask) for (let k = 0; k < Bt * H; k++) ds0[d00 + k] *= mask[m0 + k]; // z^t read s^{t-1} * mask
  }
}

// reverseSteps, gatherSteps, mergeForward, mergeBackward, maskRows: assembly/layers.ts has each formula.
/** out[t, b] = the C values at inp[src(b, t, n)] for t < n = len[b]; pad rows filled (0, or -1 for token ids). */
function copyRows(
  out: F | Int32Array, o0: number, inp: F | Int32Array, len: Int32Array, len0: number, T: number, B: number, C: number, pad: number,
  src: (b: number, t: number, n: number) => number,
): void {
  for (let b = 0; b < B; b++) {
    const n = len[len0 + b];
    for (let t = 0; t < T; t++) {
      const dst = o0 + (t * B + b) * C;
      if (t < n) {
        const at = src(b, t, n);
        for (let c = 0; c < C; c++) out[dst + c] = inp[at + c];
      } else out.fill(pad === 255 ? -1 : 0, dst, dst + C);
    }
  }
}

// out[t, b] = inp[len[b]-1-t, b] for t < len[b], pad rows filled
export function reverseSteps(
  out: F | Int32Array, o0: number, inp: F | Int32Array, i0: number, len: Int32Array, len0: number, T: number, B: number, C: number, pad: number,
): void {
  copyRows(out, o0, inp, len, len0, T, B, C, pad, (b, t, n) => i0 + ((n - 1 - t) * B + b) * C);
}

// out[t, b] = inp[off[b] + t*C ..] (reverse: step len[b]-1-t) for t < len[b], pad rows filled
export function gatherSteps(
  out: F | Int32Array, o0: number, inp: F | Int32Array, i0: number, off: Int32Array, f0: number, len: Int32Array, len0: number,
  T: number, B: number, C: number, pad: number, reverse: number,
): void {
  copyRows(out, o0, inp, len, len0, T, B, C, pad, (b, t, n) => i0 + off[f0 + b] + (reverse ? n - 1 - t : t) * C);
}

// concat: y = [a b]; sum: a + b; mul: a * b; ave: (a + b) * 0.5
export function mergeForward(y: F, y0: number, a: F, a0: number, b: F, b0: number, N: number, H: number, mode: number): void {
  if (mode === 0) {
    for (let r = 0; r < N; r++) {
      for (let h = 0; h < H; h++) {
        y[y0 + 2 * r * H + h] = a[a0 + r * H + h];
        y[y0 + (2 * r + 1) * H + h] = b[b0 + r * H + h];
      }
    }
    return;
  }
  for (let k = 0; k < N * H; k++) {
    const x = a[a0 + k];
    const z = b[b0 + k];
    y[y0 + k] = mode === 2 ? x * z : mode === 3 ? (x + z) * 0.5 : x + z;
  }
}

export function mergeBackward(da: F, da0: number, db: F, db0: number, dy: F, dy0: number, a: F, a0: number, b: F, b0: number, N: number, H: number, mode: number): void {
  if (mode === 0) {
    for (let r = 0; r < N; r++) {
      for (let h = 0; h < H; h++) {
        da[da0 + r * H + h] = dy[dy0 + 2 * r * H + h];
        db[db0 + r * H + h] = dy[dy0 + (2 * r + 1) * H + h];
      }
    }
    return;
  }
  for (let k = 0; k < N * H; k++) {
    const g = dy[dy0 + k];
    if (mode === 2) {
      da[da0 + k] = g * b[b0 + k];
      db[db0 + k] = g * a[a0 + k];
    } else {
      const v = mode === 3 ? g * 0.5 : g;
      da[da0 + k] = v;
      db[db0 + k] = v;
    }
  }
}

// x[r, c] *= m[r % P, c]
export function maskRows(x: F, x0: number, m: F, m0: number, N: number, C: number, P: number): void {
  for (let r = 0; r < N; r++) for (let c = 0; c < C; c++) x[x0 + r * C + c] *= m[m0 + (r % P) * C + c];
}

// embeddingForward: out[r] = W[tok[r]], i^t W for a one-hot i^t (a gather); zeros where tok[r] < 0 (padding)
export function embeddingForward(out: F, o0: number, tok: Int32Array, t0: number, W: F, W0: number, N: number, H: number): void {
  for (let r = 0; r < N; r++) {
    const id = tok[t0 + r];
    for (let h = 0; h < H; h++) out[o0 + r * H + h] = id < 0 ? 0 : W[W0 + id * H + h];
  }
}

export function embeddingBackward(dW: F, dW0: number, tok: Int32Array, t0: number, dout: F, d0: number, N: number, H: number): void {
  for (let r = 0; r < N; r++) {
    const id = tok[t0 + r];
    if (id < 0) continue;
    for (let h = 0; h < H; h++) dW[dW0 + id * H + h] += dout[d0 + r * H + h];
  }
}

export function biasBackward(db: F, db0: number, dout: F, d0: number, N: number, C: number): void {
  for (let r = 0; r < N; r++) for (let c = 0; c < C; c++) db[db0 + c] += dout[d0 + r * C + c];
}

export function broadcastRows(out: F, o0: number, v: F, v0: number, N: number, C: number): void {
  for (let r = 0; r < N; r++) for (let c = 0; c < C; c++) out[o0 + r * C + c] = v[v0 + c];
}

export function compactRows(buf: F, b0: number, len: Int32Array, len0: number, T: number, B: number, C: number): void {
  let dst = b0;
  for (let t = 1; t <= T; t++) {
    const src = b0 + (t - 1) * B * C;
    const n = realRows(len, len0, B, t) * C;
    if (dst !== src) buf.copyWithin(dst, src, src + n);
    dst += n;
  }
}

export function outputForward(y: F, y0: number, N: number, O: number, kind: number): void {
  for (let r = 0; r < N; r++) {
    const p = y0 + r * O;
    if (kind === OUT.softmax) {
      let mx = -Infinity;
      for (let o = 0; o < O; o++) mx = Math.max(mx, y[p + o]);
      let sum = 0;
      for (let o = 0; o < O; o++) sum += Math.exp(y[p + o] - mx);
      for (let o = 0; o < O; o++) y[p + o] = Math.exp(y[p + o] - mx) / sum;
    } else if (kind === OUT.sigmoid) {
      for (let o = 0; o < O; o++) y[p + o] = 1 / (1 + Math.exp(-y[p + o]));
    }
  }
}

export function lossForwardBackward(
  loss: F, l0: number, dy: F, dy0: number, y: F, y0: number, tgtF: F, tgtI: Int32Array, tg0: number,
  w: F, w0: number, N: number, O: number, kind: number,
): void {
  for (let r = 0; r < N; r++) {
    const wr = w[w0 + r];
    const yr = y0 + r * O;
    const dr = dy0 + r * O;
    if (wr === 0) {
      loss[l0 + r] = 0;
      dy.fill(0, dr, dr + O);
      continue;
    }
    let L = 0;
    if (kind === OUT.softmax) {
      const c = tgtI[tg0 + r];
      let mx = -Infinity;
      for (let o = 0; o < O; o++) mx = Math.max(mx, y[yr + o]);
      let sum = 0;
      for (let o = 0; o < O; o++) sum += Math.exp(y[yr + o] - mx);
      L = mx + Math.log(sum) - y[yr + c];
      for (let o = 0; o < O; o++) dy[dr + o] = (wr * Math.exp(y[yr + o] - mx)) / sum - (o === c ? wr : 0);
    } else {
      const t0 = tg0 + r * O;
      for (let o = 0; o < O; o++) {
        const z = y[yr + o];
        const t = tgtF[t0 + o];
        let g: number;
        if (kind === OUT.sigmoid) {
          L += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
          g = 1 / (1 + Math.exp(-z)) - t;
        } else {
          L += (z - t) * (z - t);
          g = 2 * (z - t);
        }
        dy[dr + o] = (wr * g) / O;
      }
      L /= O;
    }
    loss[l0 + r] = L;
  }
}

export function sgdUpdate(p: F, p0: number, g: F, g0: number, n: number, lr: number): void {
  for (let k = 0; k < n; k++) p[p0 + k] -= lr * g[g0 + k];
}

export function sumSquares(x: F, x0: number, n: number): number {
  let acc = 0;
  for (let k = x0; k < x0 + n; k++) acc += x[k] * x[k];
  return acc;
}

// ---- optimizer updates and clipping (assembly/optim.ts has the formulas) ----

export function addScaled(y: F, y0: number, x: F, x0: number, n: number, a: number): void {
  for (let k = 0; k < n; k++) y[y0 + k] += a * x[x0 + k];
}

export function scale(x: F, x0: number, n: number, c: number): void {
  for (let k = x0; k < x0 + n; k++) x[k] *= c;
}

export function clipByValue(x: F, x0: number, n: number, c: number): void {
  for (let k = x0; k < x0 + n; k++) x[k] = x[k] < -c ? -c : c < x[k] ? c : x[k];
}

export function momentumUpdate(
  p: F, p0: number, v: F, v0: number, g: F, g0: number, n: number, lr: number, mu: number, wd: number, nesterov: number,
): void {
  for (let k = 0; k < n; k++) {
    const pk = p[p0 + k];
    const gd = g[g0 + k] + wd * pk;
    const vk = mu * v[v0 + k] + gd;
    v[v0 + k] = vk;
    p[p0 + k] = pk - lr * (nesterov ? gd + mu * vk : vk);
  }
}

export function adamUpdate(
  p: F, p0: number, m: F, m0: number, v: F, v0: number, g: F, g0: number, n: number,
  lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number, bc1: number, bc2: number,
): void {
  const wdL2 = decoupled ? 0 : wd;
  const wdW = decoupled ? wd : 0;
  for (let k = 0; k < n; k++) {
    const pk = p[p0 + k];
    const gd = g[g0 + k] + wdL2 * pk;
    const mk = b1 * m[m0 + k] + (1 - b1) * gd;
    const vk = b2 * v[v0 + k] + (1 - b2) * (gd * gd);
    m[m0 + k] = mk;
    v[v0 + k] = vk;
    p[p0 + k] = pk - lr * (mk / bc1 / (Math.sqrt(vk / bc2) + eps) + wdW * pk);
  }
}

export function rmspropUpdate(
  p: F, p0: number, v: F, v0: number, g: F, g0: number, n: number, lr: number, rho: number, eps: number, wd: number,
): void {
  for (let k = 0; k < n; k++) {
    const pk = p[p0 + k];
    const gd = g[g0 + k] + wd * pk;
    const vk = rho * v[v0 + k] + (1 - rho) * (gd * gd);
    v[v0 + k] = vk;
    p[p0 + k] = pk - (lr * gd) / (Math.sqrt(vk) + eps);
  }
}

export function adagradUpdate(p: F, p0: number, v: F, v0: number, g: F, g0: number, n: number, lr: number, eps: number, wd: number): void {
  for (let k = 0; k < n; k++) {
    const pk = p[p0 + k];
    const gd = g[g0 + k] + wd * pk;
    const vk = v[v0 + k] + gd * gd;
    v[v0 + k] = vk;
    p[p0 + k] = pk - (lr * gd) / Math.sqrt(vk + eps);
  }
}

// ---- sampling (assembly/sample.ts has the rule; a sort where the wasm twin uses quickselect) ----

export function sampleLogits(work: F, w0: number, y: F, y0: number, n: number, temperature: number, topK: number, u: number): number {
  let best = 0;
  let mx = y[y0];
  for (let k = 1; k < n; k++) {
    if (y[y0 + k] > mx) {
      mx = y[y0 + k];
      best = k;
    }
  }
  if (temperature <= 0 || topK === 1) return best;
  let thr = -Infinity;
  if (topK > 0 && topK < n) {
    const sorted = Array.from(y.subarray(y0, y0 + n)).sort((a, b) => b - a);
    thr = sorted[topK - 1];
  }
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = y[y0 + k] >= thr ? Math.exp((y[y0 + k] - mx) / temperature) : 0;
    work[w0 + k] = e;
    sum += e;
  }
  const target = u * sum;
  let acc = 0;
  let last = best;
  for (let k = 0; k < n; k++) {
    const e = work[w0 + k];
    if (e > 0) {
      acc += e;
      last = k;
      if (acc > target) return k;
    }
  }
  return last;
}

// ---- the Backend: a block-per-allocation memory, so that the JS kernels address it like linear memory ----

const BLOCK = 2 ** 32; // a pointer is id * BLOCK + byte offset; ids start at 1 so that 0 stays "no pointer"

interface Block {
  buf: ArrayBuffer;
  f: F;
  i: Int32Array;
}

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  readonly floatBytes: 4 | 8;
  private blocks = new Map<number, Block>();
  private nextId = 1;
  private bytesHeld = 0;

  constructor(precision: 'float32' | 'float64' = 'float32') {
    this.floatBytes = precision === 'float64' ? 8 : 4;
  }

  alloc(bytes: number): Ptr {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const buf = new ArrayBuffer(size);
    const f = this.floatBytes === 8 ? new Float64Array(buf) : new Float32Array(buf);
    const id = this.nextId++;
    this.blocks.set(id, { buf, f, i: new Int32Array(buf) });
    this.bytesHeld += size;
    return id * BLOCK;
  }

  free(ptr: Ptr): void {
    const id = Math.floor(ptr / BLOCK);
    const blk = this.blocks.get(id);
    if (blk) {
      this.bytesHeld -= blk.buf.byteLength;
      this.blocks.delete(id);
    }
  }

  memoryBytes(): number {
    return this.bytesHeld;
  }

  private block(ptr: Ptr): Block {
    const blk = this.blocks.get(Math.floor(ptr / BLOCK));
    if (!blk) throw new Error(`SimpleRNN: js backend: pointer ${ptr} is not allocated`);
    return blk;
  }

  /** The float array holding ptr, and ptr's element index in it. */
  private f(ptr: Ptr): [F, number] {
    return [this.block(ptr).f, (ptr % BLOCK) / this.floatBytes];
  }

  private i(ptr: Ptr): [Int32Array, number] {
    return [this.block(ptr).i, (ptr % BLOCK) / 4];
  }

  zero(ptr: Ptr, bytes: number): void {
    const [u, k] = this.f(ptr);
    u.fill(0, k, k + bytes / this.floatBytes);
  }

  floats(ptr: Ptr, n: number): F {
    const [u, k] = this.f(ptr);
    return u.subarray(k, k + n);
  }

  ints(ptr: Ptr, n: number): Int32Array {
    const [u, k] = this.i(ptr);
    return u.subarray(k, k + n);
  }

  matmulForward(out: Ptr, a: Ptr, b: Ptr, bias: Ptr, M: number, K: number, N: number, aRow: number, aCol: number, acc: number): void {
    const [bb, b0] = bias ? this.f(bias) : [null, 0];
    matmulForward(...this.f(out), ...this.f(a), ...this.f(b), bb, b0, M, K, N, aRow, aCol, acc);
  }
  transpose(out: Ptr, inp: Ptr, R: number, C: number): void {
    transpose(...this.f(out), ...this.f(inp), R, C);
  }
  activationForward(x: Ptr, n: number, act: number): void {
    activationForward(...this.f(x), n, act);
  }
  activationBackward(dz: Ptr, ds: Ptr, s: Ptr, n: number, act: number): void {
    activationBackward(...this.f(dz), ...this.f(ds), ...this.f(s), n, act);
  }
  rnnForward(s: Ptr, Wh: Ptr, bs: Ptr, len: Ptr, T: number, B: number, H: number, act: number, mask: Ptr, sm: Ptr): void {
    const [m, m0] = mask ? this.f(mask) : [null, 0];
    const [q, q0] = mask ? this.f(sm) : [null, 0];
    rnnForward(...this.f(s), ...this.f(Wh), ...this.f(bs), ...this.i(len), T, B, H, act, m, m0, q, q0);
  }
  rnnBackward(dz: Ptr, ds0: Ptr, s: Ptr, WhT: Ptr, len: Ptr, T: number, B: number, H: number, act: number, mask: Ptr): void {
    const [m, m0] = mask ? this.f(mask) : [null, 0];
    rnnBackward(...this.f(dz), ...this.f(ds0), ...this.f(s), ...this.f(WhT), ...this.i(len), T, B, H, act, m, m0);
  }
  reverseSteps(out: Ptr, inp: Ptr, len: Ptr, T: number, B: number, C: number, pad: number): void {
    const view = (p: Ptr): [F | Int32Array, number] => (pad === 255 ? this.i(p) : this.f(p));
    const [o, o0] = view(out);
    const [x, x0] = view(inp);
    reverseSteps(o, o0, x, x0, ...this.i(len), T, B, C, pad);
  }
  gatherSteps(out: Ptr, inp: Ptr, off: Ptr, len: Ptr, T: number, B: number, C: number, pad: number, reverse: number): void {
    const view = (p: Ptr): [F | Int32Array, number] => (pad === 255 ? this.i(p) : this.f(p));
    gatherSteps(...view(out), ...view(inp), ...this.i(off), ...this.i(len), T, B, C, pad, reverse);
  }
  mergeForward(y: Ptr, a: Ptr, b: Ptr, N: number, H: number, mode: number): void {
    mergeForward(...this.f(y), ...this.f(a), ...this.f(b), N, H, mode);
  }
  mergeBackward(da: Ptr, db: Ptr, dy: Ptr, a: Ptr, b: Ptr, N: number, H: number, mode: number): void {
    mergeBackward(...this.f(da), ...this.f(db), ...this.f(dy), ...this.f(a), ...this.f(b), N, H, mode);
  }
  maskRows(x: Ptr, m: Ptr, N: number, C: number, P: number): void {
    maskRows(...this.f(x), ...this.f(m), N, C, P);
  }
  embeddingForward(out: Ptr, tok: Ptr, W: Ptr, N: number, H: number): void {
    embeddingForward(...this.f(out), ...this.i(tok), ...this.f(W), N, H);
  }
  embeddingBackward(dW: Ptr, tok: Ptr, dout: Ptr, N: number, H: number): void {
    embeddingBackward(...this.f(dW), ...this.i(tok), ...this.f(dout), N, H);
  }
  biasBackward(db: Ptr, dout: Ptr, N: number, C: number): void {
    biasBackward(...this.f(db), ...this.f(dout), N, C);
  }
  broadcastRows(out: Ptr, v: Ptr, N: number, C: number): void {
    broadcastRows(...this.f(out), ...this.f(v), N, C);
  }
  compactRows(buf: Ptr, len: Ptr, T: number, B: number, C: number): void {
    compactRows(...this.f(buf), ...this.i(len), T, B, C);
  }
  outputForward(y: Ptr, N: number, O: number, kind: number): void {
    outputForward(...this.f(y), N, O, kind);
  }
  lossForwardBackward(loss: Ptr, dy: Ptr, y: Ptr, tgt: Ptr, w: Ptr, N: number, O: number, kind: number): void {
    const [tf, t0f] = this.f(tgt);
    const [ti, t0i] = this.i(tgt);
    // softmax targets are int32 class ids, the others floats: pass both views and the kind picks
    lossForwardBackward(...this.f(loss), ...this.f(dy), ...this.f(y), tf, ti, kind === OUT.softmax ? t0i : t0f, ...this.f(w), N, O, kind);
  }
  sgdUpdate(p: Ptr, g: Ptr, n: number, lr: number): void {
    sgdUpdate(...this.f(p), ...this.f(g), n, lr);
  }
  sumSquares(x: Ptr, n: number): number {
    return sumSquares(...this.f(x), n);
  }
  addScaled(y: Ptr, x: Ptr, n: number, a: number): void {
    addScaled(...this.f(y), ...this.f(x), n, a);
  }
  scale(x: Ptr, n: number, c: number): void {
    scale(...this.f(x), n, c);
  }
  clipByValue(x: Ptr, n: number, c: number): void {
    clipByValue(...this.f(x), n, c);
  }
  momentumUpdate(p: Ptr, v: Ptr, g: Ptr, n: number, lr: number, mu: number, wd: number, nesterov: number): void {
    momentumUpdate(...this.f(p), ...this.f(v), ...this.f(g), n, lr, mu, wd, nesterov);
  }
  adamUpdate(
    p: Ptr, m: Ptr, v: Ptr, g: Ptr, n: number,
    lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number, bc1: number, bc2: number,
  ): void {
    adamUpdate(...this.f(p), ...this.f(m), ...this.f(v), ...this.f(g), n, lr, b1, b2, eps, wd, decoupled, bc1, bc2);
  }
  rmspropUpdate(p: Ptr, v: Ptr, g: Ptr, n: number, lr: number, rho: number, eps: number, wd: number): void {
    rmspropUpdate(...this.f(p), ...this.f(v), ...this.f(g), n, lr, rho, eps, wd);
  }
  adagradUpdate(p: Ptr, v: Ptr, g: Ptr, n: number, lr: number, eps: number, wd: number): void {
    adagradUpdate(...this.f(p), ...this.f(v), ...this.f(g), n, lr, eps, wd);
  }
  sampleLogits(work: Ptr, y: Ptr, n: number, temperature: number, topK: number, u: number): number {
    return sampleLogits(...this.f(work), ...this.f(y), n, temperature, topK, u);
  }
  gemv(out: Ptr, x: Ptr, W: Ptr, bias: Ptr, K: number, N: number, acc: number): void {
    this.matmulForward(out, x, W, bias, 1, K, N, K, 1, acc); // the same loops as a batch of one: the same bits
  }
}
