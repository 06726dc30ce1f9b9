// The adder's carry, found in its state: sums encoded as the addition task encodes them, the carry after each digit,
// and the Pearson correlation of every state unit with that carry over a batch of random sums. No DOM.
//
// Encoding (src/demos/addition.ts encodeAddition; test/browser checks the two agree), one step per digit pair, least
// significant first, n digits -> n+1 steps:
//   x^t   = onehot(a_t) | onehot(b_t)          (20 inputs; a_t = b_t = 0 at step n+1)
//   c_t   = 1 if a_t + b_t + c_{t-1} >= 10     (the carry into digit t+1; c_0 = 0)
// The state s^t has read digit pair t, so it must hold c_t: r_h = corr(s^t[h], c_t) over the sums' digit steps
// t = 1..n (step n+1 reads 0 + 0 and leaves no carry, so it is left out).

/** Digits of the two numbers, least significant first. */
export interface Sum {
  a: number[];
  b: number[];
}

/** What the correlation needs of a model: SimpleRNN's trace (its top level: layer 0's states). */
export interface Traceable {
  trace(sequence: Float32Array): { states: ArrayLike<number>[] };
}

/** n random digits per number, from a seeded generator (simple-rnn's Rng). */
export function randomSum(rng: { int(n: number): number }, n: number): Sum {
  const a: number[] = [];
  const b: number[] = [];
  for (let t = 0; t < n; t++) {
    a.push(rng.int(10));
    b.push(rng.int(10));
  }
  return { a, b };
}

/** Inputs ((n+1) x 20, flat), the n+1 sum digits, and the carry c_t after each step. */
export function encodeSum({ a, b }: Sum): { x: Float32Array; y: number[]; carry: number[] } {
  const n = a.length;
  const x = new Float32Array((n + 1) * 20);
  const y: number[] = [];
  const carry: number[] = [];
  let c = 0;
  for (let t = 0; t <= n; t++) {
    const da = t < n ? a[t] : 0;
    const db = t < n ? b[t] : 0;
    x[t * 20 + da] = 1;
    x[t * 20 + 10 + db] = 1;
    const s = da + db + c;
    y.push(s % 10);
    c = s >= 10 ? 1 : 0;
    carry.push(c);
  }
  return { x, y, carry };
}

/** Each unit's correlation with the carry, and the unit of the largest |r|. */
export interface CarryCorrelation {
  /** r_h per unit (NaN for a unit that never moves). */
  r: number[];
  /** The unit of the largest |r|. */
  unit: number;
  /** Digit steps the correlation is over (sums x digits). */
  samples: number;
}

/** r_h = corr(s^t[h], c_t) over `count` random sums of `digits` digits (steps t = 1..digits of each). */
export function carryCorrelation(model: Traceable, rng: { int(n: number): number }, count: number, digits: number): CarryCorrelation {
  let H = 0;
  let sx = new Float64Array(0);
  let sxx = sx;
  let sxy = sx;
  let sy = 0;
  let N = 0;
  for (let e = 0; e < count; e++) {
    const { x, carry } = encodeSum(randomSum(rng, digits));
    const { states } = model.trace(x);
    if (e === 0) {
      H = states[0].length;
      [sx, sxx, sxy] = [new Float64Array(H), new Float64Array(H), new Float64Array(H)];
    }
    for (let t = 1; t <= digits; t++) {
      const s = states[t];
      const c = carry[t - 1];
      N++;
      sy += c;
      for (let h = 0; h < H; h++) {
        sx[h] += s[h];
        sxx[h] += s[h] * s[h];
        sxy[h] += s[h] * c;
      }
    }
  }
  const my = sy / N;
  const vy = my - my * my; // c is 0 or 1: E[c²] = E[c]
  const r = Array.from({ length: H }, (_, h) => {
    const mx = sx[h] / N;
    const vx = sxx[h] / N - mx * mx;
    return vx > 1e-12 && vy > 0 ? (sxy[h] / N - mx * my) / Math.sqrt(vx * vy) : NaN;
  });
  let unit = 0;
  for (let h = 0; h < H; h++) if (Number.isFinite(r[h]) && !(Math.abs(r[unit]) >= Math.abs(r[h]))) unit = h;
  return { r, unit, samples: N };
}
