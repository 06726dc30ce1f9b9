// GEMM kernels. Every pointer is a byte offset into linear memory; sizes count floats.
//
// matmulForward: out = [out] + [bias] + a b, one kernel for the three products BPTT needs:
//   out   (M, N)   out   row-major, contiguous
//   a     (M, K)   in    element (m, k) at a[m*aRow + k*aCol]: aRow=K, aCol=1 reads a plain (M, K) matrix,
//                        aRow=1, aCol=M reads the transpose of a (K, M) one (the weight gradients dW_h += Sᵀ dz
//                        and dW_i += inpᵀ dz)
//   b     (K, N)   in    row-major, contiguous
//   bias  (N)      in    0 for none
//   acc   0 | 1          1: add to what out holds (out is read first, then bias, then the products)
//
// Every element is computed in the same order on every path: init, then + a[m,k]*b[k,n] for k = 0..K-1, with a
// separate multiply and add (no FMA). So the SIMD paths equal matmulForwardScalar bit for bit, and a row of out does
// not depend on which other rows are in the batch (padding invariance holds to the bit). The relaxed build is the
// exception: its SIMD loops fuse the multiply-add (madd below), so they equal the scalar twin only within rounding.
//
// SIMD goes over N: splat a[m,k], v128.load b[k, n..n+3]. Register block: 4 rows x 8 columns, eight f32x4
// accumulators (11 of the 16 xmm registers; 4x16 or 6x8 spill). Two drivers:
// - tiled (when the TypeScript side has handed over a scratch block with setScratch): K in blocks of KC, a packed
//   into 4-row panels when it is transposed or strided, b packed into 8-column strips when it is large, edge tiles
//   through a 4x8 copy. Packing is what makes the transposed product (weight gradients) and power-of-two strides
//   (H = 128, 256, 512: every row of a strip lands in the same few cache sets) run at the in-cache speed.
// - direct (no scratch): the register-blocked loops over a and b in place; also the fallback of every path.
// The time loops of rnn.ts pack their weight once per call (prepackB) and run each step with matmulPrepacked.

const MC_DIRECT: i32 = 64;

// c + x*b for the SIMD loops. The release and threads builds: a separate multiply and add (two roundings), so SIMD
// equals matmulForwardScalar bit for bit. The relaxed build (asconfig target "relaxed", --enable relaxed-simd, which
// sets ASC_FEATURE_RELAXED_SIMD): f32x4.relaxed_madd, a fused multiply-add where the CPU has one (one rounding) and
// mul+add elsewhere, so its results depend on the CPU: it is opt-in (create option simd: 'relaxed'), never the
// default. The branch is resolved at compile time; each build holds one of the two.
// @ts-ignore: decorator
@inline
function madd(c: v128, x: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, c);
  return f32x4.add(c, f32x4.mul(x, b));
}

// @ts-ignore: decorator
@inline
function initValue(outPtr: usize, biasPtr: usize, acc: i32, idx: usize, n: i32): f32 {
  let v: f32 = 0;
  if (acc) v = load<f32>(outPtr + (idx << 2));
  if (biasPtr) v = acc ? v + load<f32>(biasPtr + (<usize>n << 2)) : load<f32>(biasPtr + (<usize>n << 2));
  return v;
}

// @ts-ignore: decorator
@inline
function initVec(outPtr: usize, biasPtr: usize, acc: i32, idx: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  if (acc) v = v128.load(outPtr + (idx << 2));
  if (biasPtr) {
    const bv = v128.load(biasPtr + (<usize>n << 2));
    v = acc ? f32x4.add(v, bv) : bv;
  }
  return v;
}

export function matmulForwardScalar(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const o = <usize>m * N + n;
      let v = initValue(outPtr, biasPtr, acc, o, n);
      for (let k = 0; k < K; k++) {
        const x = load<f32>(aPtr + ((<usize>m * aRow + <usize>k * aCol) << 2));
        const w = load<f32>(bPtr + ((<usize>k * N + n) << 2));
        v = v + x * w;
      }
      store<f32>(outPtr + (o << 2), v);
    }
  }
}

// ---- direct path ----
// One row of out, columns n0..n1-1 (N: the row length of out and b): 8 at a time, then 4, then scalar.
// @ts-ignore: decorator
@inline
function rowStrip(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  m: i32, n0: i32, n1: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  const aStep = <usize>aCol << 2;
  const bStep = <usize>N << 2;
  const a0 = aPtr + ((<usize>m * aRow) << 2);
  let n = n0;
  for (; n + 8 <= n1; n += 8) {
    const o = <usize>m * N + n;
    let c0 = initVec(outPtr, biasPtr, acc, o, n);
    let c1 = initVec(outPtr, biasPtr, acc, o + 4, n + 4);
    let pa = a0;
    let pb = bPtr + (<usize>n << 2);
    for (let k = 0; k < K; k++) {
      const x = f32x4.splat(load<f32>(pa));
      c0 = madd(c0, x, v128.load(pb));
      c1 = madd(c1, x, v128.load(pb, 16));
      pa += aStep;
      pb += bStep;
    }
    v128.store(outPtr + (o << 2), c0);
    v128.store(outPtr + (o << 2), c1, 16);
  }
  for (; n + 4 <= n1; n += 4) {
    const o = <usize>m * N + n;
    let c0 = initVec(outPtr, biasPtr, acc, o, n);
    let pa = a0;
    let pb = bPtr + (<usize>n << 2);
    for (let k = 0; k < K; k++) {
      c0 = madd(c0, f32x4.splat(load<f32>(pa)), v128.load(pb));
      pa += aStep;
      pb += bStep;
    }
    v128.store(outPtr + (o << 2), c0);
  }
  for (; n < n1; n++) {
    const o = <usize>m * N + n;
    let v = initValue(outPtr, biasPtr, acc, o, n);
    let pa = a0;
    let pb = bPtr + (<usize>n << 2);
    for (let k = 0; k < K; k++) {
      v = v + load<f32>(pa) * load<f32>(pb);
      pa += aStep;
      pb += bStep;
    }
    store<f32>(outPtr + (o << 2), v);
  }
}

// Columns c0..c1-1 of out (matmulForward: 0..N-1).
function matmulDirect(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32, c0: i32, c1: i32,
): void {
  const aStep = <usize>aCol << 2;
  const aRowBytes = <usize>aRow << 2;
  const bStep = <usize>N << 2;
  const N8 = c0 + ((c1 - c0) & ~7);
  for (let m0 = 0; m0 < M; m0 += MC_DIRECT) {
    const m1 = min(m0 + MC_DIRECT, M);
    const m4 = m0 + ((m1 - m0) & ~3);
    for (let n = c0; n < N8; n += 8) {
      for (let m = m0; m < m4; m += 4) {
        const o = <usize>m * N + n;
        const oN = <usize>N;
        let c00 = initVec(outPtr, biasPtr, acc, o, n);
        let c01 = initVec(outPtr, biasPtr, acc, o + 4, n + 4);
        let c10 = initVec(outPtr, biasPtr, acc, o + oN, n);
        let c11 = initVec(outPtr, biasPtr, acc, o + oN + 4, n + 4);
        let c20 = initVec(outPtr, biasPtr, acc, o + 2 * oN, n);
        let c21 = initVec(outPtr, biasPtr, acc, o + 2 * oN + 4, n + 4);
        let c30 = initVec(outPtr, biasPtr, acc, o + 3 * oN, n);
        let c31 = initVec(outPtr, biasPtr, acc, o + 3 * oN + 4, n + 4);
        let pa = aPtr + (<usize>m * aRowBytes);
        let pb = bPtr + (<usize>n << 2);
        for (let k = 0; k < K; k++) {
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          const x0 = f32x4.splat(load<f32>(pa));
          const x1 = f32x4.splat(load<f32>(pa + aRowBytes));
          const x2 = f32x4.splat(load<f32>(pa + 2 * aRowBytes));
          const x3 = f32x4.splat(load<f32>(pa + 3 * aRowBytes));
          c00 = madd(c00, x0, b0);
          c01 = madd(c01, x0, b1);
          c10 = madd(c10, x1, b0);
          c11 = madd(c11, x1, b1);
          c20 = madd(c20, x2, b0);
          c21 = madd(c21, x2, b1);
          c30 = madd(c30, x3, b0);
          c31 = madd(c31, x3, b1);
          pa += aStep;
          pb += bStep;
        }
        const po = outPtr + (o << 2);
        const rowBytes = <usize>N << 2;
        v128.store(po, c00);
        v128.store(po, c01, 16);
        v128.store(po + rowBytes, c10);
        v128.store(po + rowBytes, c11, 16);
        v128.store(po + 2 * rowBytes, c20);
        v128.store(po + 2 * rowBytes, c21, 16);
        v128.store(po + 3 * rowBytes, c30);
        v128.store(po + 3 * rowBytes, c31, 16);
      }
    }
    // columns past the last full 8-strip, for the 4-row blocks
    if (N8 < c1) {
      for (let m = m0; m < m4; m++) rowStrip(outPtr, aPtr, bPtr, biasPtr, m, N8, c1, K, N, aRow, aCol, acc);
    }
    // rows past the last full 4-block
    for (let m = m4; m < m1; m++) rowStrip(outPtr, aPtr, bPtr, biasPtr, m, c0, c1, K, N, aRow, aCol, acc);
  }
}


// ---- tiled path: K-blocked, operands packed into scratch (the BLIS loop order) ----
// Scratch is a block the TypeScript side allocates and hands over with setScratch (kernels never allocate); it needs
// scratchBytes(0, 0) bytes for matmulForward, scratchBytes(H, H) for the time loops to prepack an (H, H) weight.
// Layout: tile (4x8 floats) | tile bias (8) | Ap (MC x KC) | Bp (KC x NC, or a whole prepacked (K, N) for the rnn)
//   Ap  4-row panels, each kc x 4: Ap[p][k][r] = a[m0+4p+r, k0+k]   (rows past M are 0)
//   Bp  8-column strips, each kc x 8: Bp[s][k][c] = b[k0+k, n0+8s+c]  (columns past N are 0)
// Splitting K into blocks of KC keeps the order of the sum: a block stores its partial sums to out as f32, the
// next block loads them back (exact), so the packed path still equals matmulForwardScalar bit for bit.
const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256; // a B strip, KC x 8 floats = 8 KB, stays in L1
const MC: i32 = 128; // packed A, MC x KC floats = 128 KB, stays in L2
const NC: i32 = 512; // packed B, KC x NC floats = 512 KB, L2
const TILE_BYTES: usize = (MR * NR + NR) << 2;
const AP_BYTES: usize = (<usize>MC * KC) << 2;
const BP_BYTES: usize = (<usize>KC * NC) << 2;

let scratchPtr: usize = 0;
let scratchCap: usize = 0;

/** Scratch bytes the kernels use: the packed GEMM (fixed), or enough to prepack a (K, N) weight for the time loop. */
export function scratchBytes(K: i32, N: i32): usize {
  const whole = (<usize>K * <usize>((N + NR - 1) & ~(NR - 1))) << 2;
  return TILE_BYTES + AP_BYTES + max(BP_BYTES, whole);
}

/** Hands the kernels a scratch block of `bytes` bytes at ptr (16-byte aligned); 0 turns the packed paths off. */
export function setScratch(ptr: usize, bytes: usize): void {
  scratchPtr = ptr;
  scratchCap = bytes;
}

// @ts-ignore: decorator
@inline
function init4(cp: usize, bp: usize, acc: i32): v128 {
  let v = f32x4.splat(0);
  if (acc) v = v128.load(cp);
  if (bp) {
    const bv = v128.load(bp);
    v = acc ? f32x4.add(v, bv) : bv;
  }
  return v;
}

// c[0..3][0..7] (row stride ldc bytes) = init + Σ_k a[r][k] b[k][c], k ascending, mul then add.
//   a  row r of the panel at pa + o_r (o_0 = 0), next k at + aStep: packed (4, 8, 12; 16) or in place (rows of a)
//   b  8 columns at pb, pb + 16, next k at + bStep: a packed strip (32) or b in place (N * 4)
// first: init = [c] + [bias] as in matmulForwardScalar; otherwise init = c (the partial sums of earlier K blocks).
function microTile(
  c: usize, ldc: usize, pa: usize, o1: usize, o2: usize, o3: usize, aStep: usize, pb: usize, bStep: usize,
  kc: i32, first: bool, bp: usize, acc: i32,
): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (first) {
    const bp1 = bp ? bp + 16 : 0;
    c00 = init4(c, bp, acc);
    c01 = init4(c + 16, bp1, acc);
    c10 = init4(c + ldc, bp, acc);
    c11 = init4(c + ldc + 16, bp1, acc);
    c20 = init4(c + 2 * ldc, bp, acc);
    c21 = init4(c + 2 * ldc + 16, bp1, acc);
    c30 = init4(c + 3 * ldc, bp, acc);
    c31 = init4(c + 3 * ldc + 16, bp1, acc);
  } else {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc);
    c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc);
    c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc);
    c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(c00, x, b0);
    c01 = madd(c01, x, b1);
    x = v128.load32_splat(pa + o1);
    c10 = madd(c10, x, b0);
    c11 = madd(c11, x, b1);
    x = v128.load32_splat(pa + o2);
    c20 = madd(c20, x, b0);
    c21 = madd(c21, x, b1);
    x = v128.load32_splat(pa + o3);
    c30 = madd(c30, x, b0);
    c31 = madd(c31, x, b1);
    pa += aStep;
    pb += bStep;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

// A tile cut by the edge of out (mh < 4 rows or nw < 8 columns): run microTile on a 4x8 copy, write back the part
// inside out. Lanes outside compute on zero padding or on a repeated row and are dropped; the lanes inside see the
// same operations as in a full tile.
function edgeTile(
  c: usize, N: i32, pa: usize, o1: usize, o2: usize, o3: usize, aStep: usize, pb: usize, bStep: usize,
  kc: i32, first: bool, bp: usize, acc: i32, mh: i32, nw: i32,
): void {
  const tile = scratchPtr;
  const tileBias = tile + ((<usize>MR * NR) << 2);
  const rowBytes = <usize>N << 2;
  const readOut = !first || acc != 0;
  for (let r = 0; r < MR; r++) {
    for (let q = 0; q < NR; q++) {
      const v: f32 = readOut && r < mh && q < nw ? load<f32>(c + <usize>r * rowBytes + (<usize>q << 2)) : 0;
      store<f32>(tile + ((<usize>(r * NR + q)) << 2), v);
    }
  }
  if (bp) for (let q = 0; q < NR; q++) store<f32>(tileBias + (<usize>q << 2), q < nw ? load<f32>(bp + (<usize>q << 2)) : 0);
  microTile(tile, NR << 2, pa, o1, o2, o3, aStep, pb, bStep, kc, first, bp ? tileBias : 0, acc);
  for (let r = 0; r < mh; r++) {
    for (let q = 0; q < nw; q++) {
      store<f32>(c + <usize>r * rowBytes + (<usize>q << 2), load<f32>(tile + ((<usize>(r * NR + q)) << 2)));
    }
  }
}

// Packs b[k0..k0+kc, n0..n0+nc] into 8-column strips at dst.
function packB(dst: usize, bPtr: usize, N: i32, k0: i32, kc: i32, n0: i32, nc: i32): void {
  const nFull = nc & ~(NR - 1);
  const stripBytes = (<usize>kc * NR) << 2;
  for (let k = 0; k < kc; k++) {
    const src = bPtr + ((<usize>(k0 + k) * N + n0) << 2);
    let d = dst + ((<usize>k * NR) << 2);
    for (let j = 0; j < nFull; j += NR) {
      const s = src + (<usize>j << 2);
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
      d += stripBytes;
    }
    if (nFull < nc) {
      const left = nc - nFull;
      const s = src + (<usize>nFull << 2);
      for (let q = 0; q < NR; q++) store<f32>(d + (<usize>q << 2), q < left ? load<f32>(s + (<usize>q << 2)) : 0);
    }
  }
}

// Packs rows m0..m0+mc, columns k0..k0+kc of a (element (m, k) at a[m*aRow + k*aCol]) into 4-row panels at dst.
function packA(dst: usize, aPtr: usize, aRow: i32, aCol: i32, m0: i32, mc: i32, k0: i32, kc: i32): void {
  const panelBytes = (<usize>kc * MR) << 2;
  const mFull = mc & ~(MR - 1);
  if (aRow == 1) {
    // transposed a: the 4 rows of a panel are adjacent in memory at every k
    for (let k = 0; k < kc; k++) {
      const src = aPtr + ((<usize>(k0 + k) * aCol + m0) << 2);
      let d = dst + (<usize>k << 4);
      for (let i = 0; i < mFull; i += MR) {
        v128.store(d, v128.load(src + (<usize>i << 2)));
        d += panelBytes;
      }
      if (mFull < mc) {
        const left = mc - mFull;
        const s = src + (<usize>mFull << 2);
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < left ? load<f32>(s + (<usize>r << 2)) : 0);
      }
    }
    return;
  }
  const rowStep = <usize>aRow << 2;
  const colStep = <usize>aCol << 2;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    let d = dst + (<usize>i * kc << 2);
    let s = aPtr + ((<usize>(m0 + i) * aRow + <usize>k0 * aCol) << 2);
    if (rows == MR) {
      for (let k = 0; k < kc; k++) {
        store<f32>(d, load<f32>(s));
        store<f32>(d, load<f32>(s + rowStep), 4);
        store<f32>(d, load<f32>(s + 2 * rowStep), 8);
        store<f32>(d, load<f32>(s + 3 * rowStep), 12);
        d += 16;
        s += colStep;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(s + <usize>r * rowStep) : 0);
        d += 16;
        s += colStep;
      }
    }
  }
}

// The tiles of one K block: rows m0..m0+mc, columns n0..n0+nc.
//   a: packed panels at ap0 (aPacked), or rows of a in place from ap0 = &a[m0, k0] with row stride aRowBytes
//   b: packed strips at bp0 (bPacked), or b in place from bp0 = &b[k0, n0] with the last partial strip packed at
//      tailPtr
function blockTiles(
  outPtr: usize, biasPtr: usize, ap0: usize, aPacked: bool, aRowBytes: usize, bp0: usize, bPacked: bool, tailPtr: usize,
  M: i32, N: i32, m0: i32, mc: i32, n0: i32, nc: i32, kc: i32, first: bool, acc: i32,
): void {
  const rowBytes = <usize>N << 2;
  const aStep: usize = aPacked ? 16 : 4;
  const panelBytes: usize = aPacked ? (<usize>kc << 4) : aRowBytes << 2;
  const rs: usize = aPacked ? 4 : aRowBytes;
  const mFull = mc & ~(MR - 1);
  for (let j = 0; j < nc; j += NR) {
    const n = n0 + j;
    const nw = min(NR, nc - j);
    let pb: usize, bStep: usize;
    if (bPacked) {
      pb = bp0 + (<usize>j * kc << 2);
      bStep = 32;
    } else if (nw == NR) {
      pb = bp0 + (<usize>j << 2);
      bStep = rowBytes;
    } else {
      pb = tailPtr;
      bStep = 32;
    }
    const bp = biasPtr ? biasPtr + (<usize>n << 2) : 0;
    let pa = ap0;
    for (let i = 0; i < mFull; i += MR) {
      const c = outPtr + <usize>(m0 + i) * rowBytes + (<usize>n << 2);
      if (nw == NR) microTile(c, rowBytes, pa, rs, 2 * rs, 3 * rs, aStep, pb, bStep, kc, first, bp, acc);
      else edgeTile(c, N, pa, rs, 2 * rs, 3 * rs, aStep, pb, bStep, kc, first, bp, acc, MR, nw);
      pa += panelBytes;
    }
  }
  // rows past the last full 4-row panel (M < 4: streaming, batch 1; or a ragged end) go one at a time through the
  // 1-row kernels, which waste no lanes on rows that do not exist
  for (let i = mFull; i < mc; i++) {
    const m = m0 + i;
    const pa = aPacked ? ap0 + <usize>(mFull >> 2) * panelBytes + (<usize>(i - mFull) << 2) : ap0 + <usize>i * aRowBytes;
    const crow = outPtr + <usize>m * rowBytes;
    const ncFull = nc & ~(NR - 1);
    const gs: usize = bPacked ? <usize>kc << 5 : 32; // bytes from one 8-column group of b to the next
    const bStep: usize = bPacked ? 32 : rowBytes;
    let j = 0;
    for (; j + 4 * NR <= ncFull; j += 4 * NR) {
      const n = n0 + j;
      const pb = bPacked ? bp0 + (<usize>j * kc << 2) : bp0 + (<usize>j << 2);
      rowTile32(crow + (<usize>n << 2), pa, aStep, pb, gs, bStep, kc, first, biasPtr ? biasPtr + (<usize>n << 2) : 0, acc);
    }
    for (; j < ncFull; j += NR) {
      const n = n0 + j;
      const pb = bPacked ? bp0 + (<usize>j * kc << 2) : bp0 + (<usize>j << 2);
      rowTile8(crow + (<usize>n << 2), pa, aStep, pb, bStep, kc, first, biasPtr ? biasPtr + (<usize>n << 2) : 0, acc);
    }
    if (ncFull < nc) {
      // the last, partial strip: through the tile buffer, on the zero-padded packed strip
      const n = n0 + ncFull;
      const nw = nc - ncFull;
      const pb = bPacked ? bp0 + (<usize>ncFull * kc << 2) : tailPtr;
      const tile = scratchPtr;
      const tileBias = tile + ((<usize>MR * NR) << 2);
      const c = crow + (<usize>n << 2);
      const readOut = !first || acc != 0;
      for (let q = 0; q < NR; q++) store<f32>(tile + (<usize>q << 2), readOut && q < nw ? load<f32>(c + (<usize>q << 2)) : 0);
      if (biasPtr) for (let q = 0; q < NR; q++) store<f32>(tileBias + (<usize>q << 2), q < nw ? load<f32>(biasPtr + (<usize>(n + q) << 2)) : 0);
      rowTile8(tile, pa, aStep, pb, 32, kc, first, biasPtr ? tileBias : 0, acc);
      for (let q = 0; q < nw; q++) store<f32>(c + (<usize>q << 2), load<f32>(tile + (<usize>q << 2)));
    }
  }
}

// One row of out, 32 columns (four 8-column groups of b, gs bytes apart): eight accumulators, one splat of a per k.
// Same operations per element as microTile (init, then + a*b, k ascending), so the same bits.
function rowTile32(
  c: usize, pa: usize, aStep: usize, pb: usize, gs: usize, bStep: usize, kc: i32, first: bool, bp: usize, acc: i32,
): void {
  let c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128, c7: v128;
  if (first) {
    c0 = init4(c, bp, acc);
    c1 = init4(c + 16, bp ? bp + 16 : 0, acc);
    c2 = init4(c + 32, bp ? bp + 32 : 0, acc);
    c3 = init4(c + 48, bp ? bp + 48 : 0, acc);
    c4 = init4(c + 64, bp ? bp + 64 : 0, acc);
    c5 = init4(c + 80, bp ? bp + 80 : 0, acc);
    c6 = init4(c + 96, bp ? bp + 96 : 0, acc);
    c7 = init4(c + 112, bp ? bp + 112 : 0, acc);
  } else {
    c0 = v128.load(c);
    c1 = v128.load(c, 16);
    c2 = v128.load(c, 32);
    c3 = v128.load(c, 48);
    c4 = v128.load(c, 64);
    c5 = v128.load(c, 80);
    c6 = v128.load(c, 96);
    c7 = v128.load(c, 112);
  }
  let p1 = pb + gs;
  let p2 = pb + 2 * gs;
  let p3 = pb + 3 * gs;
  for (let k = 0; k < kc; k++) {
    const x = v128.load32_splat(pa);
    c0 = madd(c0, x, v128.load(pb));
    c1 = madd(c1, x, v128.load(pb, 16));
    c2 = madd(c2, x, v128.load(p1));
    c3 = madd(c3, x, v128.load(p1, 16));
    c4 = madd(c4, x, v128.load(p2));
    c5 = madd(c5, x, v128.load(p2, 16));
    c6 = madd(c6, x, v128.load(p3));
    c7 = madd(c7, x, v128.load(p3, 16));
    pa += aStep;
    pb += bStep;
    p1 += bStep;
    p2 += bStep;
    p3 += bStep;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
  v128.store(c, c2, 32);
  v128.store(c, c3, 48);
  v128.store(c, c4, 64);
  v128.store(c, c5, 80);
  v128.store(c, c6, 96);
  v128.store(c, c7, 112);
}

// One row of out, 8 columns: two accumulators (the leftovers of rowTile32).
function rowTile8(c: usize, pa: usize, aStep: usize, pb: usize, bStep: usize, kc: i32, first: bool, bp: usize, acc: i32): void {
  let c0: v128, c1: v128;
  if (first) {
    c0 = init4(c, bp, acc);
    c1 = init4(c + 16, bp ? bp + 16 : 0, acc);
  } else {
    c0 = v128.load(c);
    c1 = v128.load(c, 16);
  }
  for (let k = 0; k < kc; k++) {
    const x = v128.load32_splat(pa);
    c0 = madd(c0, x, v128.load(pb));
    c1 = madd(c1, x, v128.load(pb, 16));
    pa += aStep;
    pb += bStep;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

// The tiled product, columns c0..c1-1 of out (matmulForward: 0..N-1; out and b have rows of N). a is packed when it
// is not plain row-major (transposed or strided); b is packed when its columns are large (their 8-column strips, K
// rows at a power-of-two stride, would not stay in cache) and M has enough rows to pay for the copy, else only its
// last partial strip is. bPre: columns c0..c1-1 of b were packed whole by prepackB / prepackCols (a time loop's weight).
function matmulTiled(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32, bPre: bool, c0: i32, c1: i32,
): void {
  const Ap = scratchPtr + TILE_BYTES;
  const Bp = Ap + AP_BYTES;
  const W = c1 - c0;
  const aPacked = aCol != 1;
  const bPacked = bPre || ((<usize>K * W << 2) > PACKB_BYTES && M >= PACKB_MIN_ROWS);
  const W8 = (W + NR - 1) & ~(NR - 1);
  const nBlock = bPre ? W : NC;
  for (let n0 = c0; n0 < c1; n0 += nBlock) {
    const nc = min(nBlock, c1 - n0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      let bp0: usize;
      let tailPtr: usize = 0;
      if (bPre) bp0 = Bp + ((<usize>k0 * W8) << 2);
      else if (bPacked) {
        packB(Bp, bPtr, N, k0, kc, n0, nc);
        bp0 = Bp;
      } else {
        bp0 = bPtr + ((<usize>k0 * N + n0) << 2);
        const full = nc & ~(NR - 1);
        if (full < nc) {
          tailPtr = Bp;
          packB(tailPtr, bPtr, N, k0, kc, n0 + full, nc - full);
        }
      }
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mc = min(MC, M - m0);
        let ap0: usize;
        if (aPacked) {
          packA(Ap, aPtr, aRow, aCol, m0, mc, k0, kc);
          ap0 = Ap;
        } else ap0 = aPtr + ((<usize>m0 * aRow + k0) << 2);
        blockTiles(outPtr, biasPtr, ap0, aPacked, <usize>aRow << 2, bp0, bPacked, tailPtr, M, N, m0, mc, n0, nc, kc, k0 == 0, acc);
      }
    }
  }
}

const PACKB_BYTES: usize = 256 << 10;
const PACKB_MIN_ROWS: i32 = 96; // packing b costs K x N copies: worth it when each b strip then serves several row panels

/**
 * Packs all of b (K, N) into scratch for matmulPrepacked (the time loop's weight, packed once per call of
 * rnnForward / rnnBackward). Returns false (and packs nothing) when the scratch is too small.
 */
export function prepackB(bPtr: usize, K: i32, N: i32): bool {
  return prepackCols(bPtr, K, N, 0, N, 0);
}

/**
 * Packs columns c0..c1-1 of b (K, N) into scratch for matmulPrepackedCols (one thread's share of a time loop's
 * weight, src/parallel/). trans 1: b is given as its transpose, bt (N, K) row-major, b[k, n] = bt[n*K + k] (the
 * backward's W_hᵀ packed straight from W_h, no transposed copy). Returns false (and packs nothing) when the scratch
 * is too small for the K x (c1-c0) share.
 */
export function prepackCols(bPtr: usize, K: i32, N: i32, c0: i32, c1: i32, trans: i32): bool {
  const W = c1 - c0;
  if (scratchPtr == 0 || scratchBytes(K, W) > scratchCap || K <= 0 || W <= 0) return false;
  const Bp = scratchPtr + TILE_BYTES + AP_BYTES;
  const W8 = (W + NR - 1) & ~(NR - 1);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const dst = Bp + ((<usize>k0 * W8) << 2);
    if (trans) packBT(dst, bPtr, K, k0, kc, c0, W);
    else packB(dst, bPtr, N, k0, kc, c0, W);
  }
  return true;
}

// packB's layout from the transpose: strips of b[k0..k0+kc, n0..n0+nc] where b[k, n] = bt[n*K + k]. Each of a
// strip's 8 columns is a row of bt, read in order; columns past nc are 0.
function packBT(dst: usize, btPtr: usize, K: i32, k0: i32, kc: i32, n0: i32, nc: i32): void {
  const stripBytes = (<usize>kc * NR) << 2;
  for (let j = 0; j < nc; j += NR) {
    const d = dst + <usize>(j / NR) * stripBytes;
    for (let q = 0; q < NR; q++) {
      if (j + q < nc) {
        const src = btPtr + ((<usize>(n0 + j + q) * K + k0) << 2);
        for (let k = 0; k < kc; k++) store<f32>(d + ((<usize>(k * NR + q)) << 2), load<f32>(src + (<usize>k << 2)));
      } else {
        for (let k = 0; k < kc; k++) store<f32>(d + ((<usize>(k * NR + q)) << 2), 0);
      }
    }
  }
}

/** matmulForward with b taken from the last successful prepackB(b, K, N). */
export function matmulPrepacked(
  outPtr: usize, aPtr: usize, biasPtr: usize, M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  if (M > 0) matmulTiled(outPtr, aPtr, 0, biasPtr, M, K, N, aRow, aCol, acc, true, 0, N);
}

/**
 * Columns c0..c1-1 of matmulPrepacked's product (out has rows of N floats), with b's columns c0..c1-1 taken from the
 * last successful prepackCols(b, K, N, c0, c1, ·). The same bits as those columns of matmulForward.
 */
export function matmulPrepackedCols(
  outPtr: usize, aPtr: usize, biasPtr: usize, M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32, c0: i32, c1: i32,
): void {
  if (M > 0 && c1 > c0) matmulTiled(outPtr, aPtr, 0, biasPtr, M, K, N, aRow, aCol, acc, true, c0, c1);
}

export function matmulForward(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32,
): void {
  matmulCols(outPtr, aPtr, bPtr, biasPtr, M, K, N, aRow, aCol, acc, 0, N);
}

/**
 * Columns c0..c1-1 of matmulForward's out = [out] + [bias] + a b (out and b have rows of N floats; the other columns
 * are not touched): one thread's share of a product split by columns (src/parallel/). Each element is computed as
 * in matmulForward, so the columns have the same bits as there.
 */
export function matmulCols(
  outPtr: usize, aPtr: usize, bPtr: usize, biasPtr: usize,
  M: i32, K: i32, N: i32, aRow: i32, aCol: i32, acc: i32, c0: i32, c1: i32,
): void {
  const W = c1 - c0;
  if (M <= 0 || W <= 0) return;
  // Every shape with K > 0 takes the tiled path when the scratch is there. The transposed products of a small layer
  // (the weight gradients dWh, dWo at H = 128: M=128, K=1024, N=65..128) once ran in place here; packed they are
  // 13-28% faster in interleaved runs (Zen 3, 2026-12-01), and the LM training step 1.1-1.3x.
  const tiled = scratchCap >= TILE_BYTES + AP_BYTES + BP_BYTES && K > 0;
  if (tiled) matmulTiled(outPtr, aPtr, bPtr, biasPtr, M, K, N, aRow, aCol, acc, false, c0, c1);
  else matmulDirect(outPtr, aPtr, bPtr, biasPtr, M, K, N, aRow, aCol, acc, c0, c1);
}


// transpose: out = inpᵀ
//   out  (C, R)  out
//   inp  (R, C)  in
// 4x4 blocks through registers (v128 loads, two rounds of shuffles, v128 stores), walked in 32x32 tiles so that the
// 32 rows read and the 32 rows written stay in L1; the edges (R or C not a multiple of 4) are copied one by one.
export function transpose(outPtr: usize, inpPtr: usize, R: i32, C: i32): void {
  transposeRows(outPtr, inpPtr, R, C, 0, R);
}

// transposeRows: rows r0..r1-1 of inp transposed into columns r0..r1-1 of out (transpose's share of one thread:
// the other columns of out are not touched). r0 a multiple of 4 keeps every full block on the register path.
export function transposeRows(outPtr: usize, inpPtr: usize, R: i32, C: i32, r0: i32, r1: i32): void {
  const R4 = r0 + ((r1 - r0) & ~3);
  const C4 = C & ~3;
  const inRow = <usize>C << 2;
  const outRow = <usize>R << 2;
  for (let rt = r0; rt < R4; rt += 32) {
    const rEnd = min(rt + 32, R4);
    for (let c0 = 0; c0 < C4; c0 += 32) {
      const c1 = min(c0 + 32, C4);
      for (let r = rt; r < rEnd; r += 4) {
        for (let c = c0; c < c1; c += 4) {
          const src = inpPtr + <usize>r * inRow + (<usize>c << 2);
          const a0 = v128.load(src);
          const a1 = v128.load(src + inRow);
          const a2 = v128.load(src + 2 * inRow);
          const a3 = v128.load(src + 3 * inRow);
          const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5); // a00 a10 a01 a11
          const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7); // a02 a12 a03 a13
          const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5); // a20 a30 a21 a31
          const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7); // a22 a32 a23 a33
          const dst = outPtr + <usize>c * outRow + (<usize>r << 2);
          v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(dst + outRow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(dst + 2 * outRow, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(dst + 3 * outRow, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
      }
    }
  }
  // the edges: columns C4..C-1 of the block rows, and rows R4..r1-1
  for (let r = r0; r < r1; r++) {
    const c0 = r < R4 ? C4 : 0;
    for (let c = c0; c < C; c++) {
      store<f32>(outPtr + ((<usize>c * R + r) << 2), load<f32>(inpPtr + ((<usize>r * C + c) << 2)));
    }
  }
}

// transposeScalar: the element-by-element twin of transpose (the reference in tests)
export function transposeScalar(outPtr: usize, inpPtr: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      store<f32>(outPtr + ((<usize>c * R + r) << 2), load<f32>(inpPtr + ((<usize>r * C + c) << 2)));
    }
  }
}
