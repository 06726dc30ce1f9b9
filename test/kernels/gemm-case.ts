// One GEMM case as the kernel tests sweep it (test/kernels/matmul.test.ts, perf-matmul.test.ts): out = a·b or aᵀ·b,
// with or without bias, overwriting or accumulating; its seeded data and the call on any path of the harness.
import type { Rng } from '../../src/random.js';
import { randomF32, type Call, type Inputs, type Outputs } from './harness.js';

export interface GemmCase {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  acc: number;
  bias: boolean;
}

/** a (M, K) read as given or transposed, b (K, N), bias (N), and out (M, N) with values for acc = 1 to add to. */
export function gemmInputs({ M, K, N }: GemmCase, rng: Rng): Inputs {
  const a = randomF32(rng, M * K);
  const b = randomF32(rng, K * N);
  const bias = randomF32(rng, N);
  const out = randomF32(rng, M * N);
  return { a, b, bias, out };
}

/** matmulForward on the case's operands (aᵀ: a is read with row stride 1 and column stride M). */
export function gemmCall({ k, p }: Call, { M, K, N, transA, acc, bias }: GemmCase): Outputs {
  const [aRow, aCol] = transA ? [1, M] : [K, 1];
  k.matmulForward(p.out, p.a, p.b, bias ? p.bias : 0, M, K, N, aRow, aCol, acc);
  return { out: [p.out, M * N] };
}
