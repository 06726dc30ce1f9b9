// Seeded randomness: xorshift32 (Marsaglia), never Math.random. The state is one uint32, saved in checkpoints.

/** Seeded xorshift32 generator (never Math.random); the same seed gives the same sequence. Its state is one uint32. */
export class Rng {
  private x: number;

  constructor(seed: number) {
    // splitmix-style scramble so that nearby seeds start far apart; never 0 (xorshift's fixed point)
    let z = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    this.x = z === 0 ? 0x6d2b79f5 : z;
  }

  get state(): number {
    return this.x;
  }

  set state(s: number) {
    this.x = s >>> 0 || 0x6d2b79f5;
  }

  /** The next uint32. */
  nextU32(): number {
    let x = this.x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }

  /** Uniform in [0, 1), 24 random bits (exact in f32). */
  uniform(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, one value per call). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array): void {
    for (let k = a.length - 1; k > 0; k--) {
      const j = this.int(k + 1);
      const tmp = a[k];
      a[k] = a[j];
      a[j] = tmp;
    }
  }
}

/** Glorot (Xavier) uniform: U(-l, l), l = sqrt(6 / (fanIn + fanOut)), the Keras default for kernels. */
export function glorotUniform(rng: Rng, out: Float32Array | Float64Array, fanIn: number, fanOut: number): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let k = 0; k < out.length; k++) out[k] = (2 * rng.uniform() - 1) * limit;
}

const ORTHO_FULL = 512; // largest n orthogonalised whole
const ORTHO_BLOCK = 256; // block size above that

/** Modified Gram-Schmidt on n gaussian rows of length n, in f64: a random orthogonal matrix. O(n^3). */
function gramSchmidt(rng: Rng, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) q[k] = rng.normal();
  for (let r = 0; r < n; r++) {
    const row = r * n;
    for (let p = 0; p < r; p++) {
      let dot = 0;
      for (let c = 0; c < n; c++) dot += q[row + c] * q[p * n + c];
      for (let c = 0; c < n; c++) q[row + c] -= dot * q[p * n + c];
    }
    let norm = 0;
    for (let c = 0; c < n; c++) norm += q[row + c] * q[row + c];
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < n; c++) q[row + c] /= norm;
  }
  return q;
}

/**
 * A random orthogonal n x n matrix, Keras' recurrent default. Up to 512 it is Gram-Schmidt on a gaussian matrix.
 * Above, a full orthogonalisation would cost O(n^3) (minutes at n = 8000), so it is P_r · blockdiag(Q_1..Q_k) · P_c:
 * independent random orthogonal blocks of at most 256 under random row and column permutations, still exactly
 * orthogonal (a product of orthogonal matrices), in O(n · 256^2).
 */
export function orthogonal(rng: Rng, out: Float32Array | Float64Array, n: number): void {
  if (n <= ORTHO_FULL) {
    out.set(gramSchmidt(rng, n));
    return;
  }
  const rows = Int32Array.from({ length: n }, (_, k) => k);
  const cols = Int32Array.from({ length: n }, (_, k) => k);
  rng.shuffle(rows);
  rng.shuffle(cols);
  out.fill(0, 0, n * n);
  for (let b0 = 0; b0 < n; b0 += ORTHO_BLOCK) {
    const m = Math.min(ORTHO_BLOCK, n - b0);
    const q = gramSchmidt(rng, m);
    for (let r = 0; r < m; r++) {
      const dst = rows[b0 + r] * n;
      for (let c = 0; c < m; c++) out[dst + cols[b0 + c]] = q[r * m + c];
    }
  }
}
