// The machine's wasm SIMD ceiling, for bench/: compiled on its own by bench/peak.mjs, never part of the library build
// (asconfig.json compiles assembly/ only). It is AssemblyScript: tsconfig.json takes in every .ts under bench/, so tsc
// is told to skip it (@ts-nocheck); asc type-checks it when bench/peak.mjs compiles it.
// @ts-nocheck
// Two loops; the bench reports the faster one as the peak:
// - peakChains: 12 independent chains c = c * y + x (f32x4 mul then add), operands in registers, no memory traffic.
//   Twelve chains cover mul + add latency times the two multiply and two add pipes.
// - peakTile: the 4x8 GEMM micro-kernel of assembly/matmul.ts on a 64-byte A ring and one 8-float B row in L1:
//   four load32_splat and two v128 loads per 16 f32x4 operations, as in the real kernel.
// Neither uses FMA (relaxed SIMD), as the library does not: this is the ceiling of bit-reproducible f32x4 code.

export function peakChains(iters: i32, seed: f32): f32 {
  const x = f32x4.splat(seed);
  const y = f32x4.splat(<f32>0.999);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
  let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
  let c8 = f32x4.splat(8), c9 = f32x4.splat(9), c10 = f32x4.splat(10), c11 = f32x4.splat(11);
  for (let k = 0; k < iters; k++) {
    c0 = f32x4.add(f32x4.mul(c0, y), x);
    c1 = f32x4.add(f32x4.mul(c1, y), x);
    c2 = f32x4.add(f32x4.mul(c2, y), x);
    c3 = f32x4.add(f32x4.mul(c3, y), x);
    c4 = f32x4.add(f32x4.mul(c4, y), x);
    c5 = f32x4.add(f32x4.mul(c5, y), x);
    c6 = f32x4.add(f32x4.mul(c6, y), x);
    c7 = f32x4.add(f32x4.mul(c7, y), x);
    c8 = f32x4.add(f32x4.mul(c8, y), x);
    c9 = f32x4.add(f32x4.mul(c9, y), x);
    c10 = f32x4.add(f32x4.mul(c10, y), x);
    c11 = f32x4.add(f32x4.mul(c11, y), x);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}

// 96 flops per iteration (12 x 4 lanes x mul + add)
export const CHAIN_FLOPS: i32 = 96;

export function peakTile(iters: i32, p: usize): f32 {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const b0 = v128.load(p, 256);
  const b1 = v128.load(p, 272);
  for (let k = 0; k < iters; k++) {
    const q = p + ((<usize>k & 15) << 4);
    let x = v128.load32_splat(q);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(q, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(q, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(q, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(s, 0);
}

// 64 flops per iteration (8 x 4 lanes x mul + add)
export const TILE_FLOPS: i32 = 64;
