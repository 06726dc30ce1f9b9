// What deep and bidirectional models add around the seed's cell: reading the real steps last to first, merging the
// two directions of a layer, and dropout masks; and the gather of a batch's inputs into the time-major layout. None
// of them does arithmetic beyond one f32 multiply or add per element, so each has the same bits as its JS twin
// (src/backends/js.ts) and needs no scalar twin.
//
// Buffers are time-major (T, B, C) as in rnn.ts: row t*B + b is step t+1 of sequence b, and the batch is sorted by
// length (len descending), so the real rows of a step are a prefix.
//   len  (B)  i32, sorted descending: steps t > len[b] are padding

// reverseSteps: the real steps of every sequence, last to first (what the reverse direction of a layer reads)
//   forward: out[t, b] = inp[len[b]-1-t, b]  for t < len[b];  padding rows (t >= len[b]) filled with byte `pad`
//   out  (T, B, C)  out   must not overlap inp; C counts 4-byte words (floats or i32 token ids)
//   inp  (T, B, C)  in
//   pad             0 for floats (0.0), 255 for token ids (-1: the row is skipped as padding)
// It is its own inverse on the real rows: reverseSteps(reverseSteps(x)) = x there, which turns a reverse-time
// buffer (states, gradients) back into the sequence's own time.
export function reverseSteps(outPtr: usize, inpPtr: usize, lenPtr: usize, T: i32, B: i32, C: i32, pad: i32): void {
  const rowBytes = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const n = load<i32>(lenPtr + (<usize>b << 2));
    for (let t = 0; t < T; t++) {
      const dst = outPtr + (<usize>t * B + b) * rowBytes;
      if (t < n) memory.copy(dst, inpPtr + (<usize>(n - 1 - t) * B + b) * rowBytes, rowBytes);
      else memory.fill(dst, <u8>pad, rowBytes);
    }
  }
}

// gatherSteps: a batch's sequences, each stored whole (its steps row by row), into the time-major layout
//   out[t, b] = inp[off[b] + t·C ..]  for t < len[b]  (reverse: inp[off[b] + (len[b]-1-t)·C ..]);  padding rows
//   (t >= len[b]) filled with byte `pad`
//   out  (T, B, C)  out   must not overlap inp; C counts 4-byte words (floats or i32 token ids)
//   inp  (Σ len·C)  in    the sequences in any order, each one's steps contiguous
//   off  (B)  i32        word offset in inp of sorted sequence b's first step
//   pad             0 for floats (0.0), 255 for token ids (-1)
// A copy of a few words per row: memory.copy is a call into the engine (tens of ns); rows up to 64 words are copied
// here with v128 moves instead.
export function gatherSteps(outPtr: usize, inpPtr: usize, offPtr: usize, lenPtr: usize, T: i32, B: i32, C: i32, pad: i32, reverse: i32): void {
  const rowBytes = <usize>C << 2;
  const stride = <usize>B * rowBytes;
  const vecBytes = rowBytes & ~(<usize>15);
  for (let b = 0; b < B; b++) {
    const n = load<i32>(lenPtr + (<usize>b << 2));
    const src = inpPtr + (<usize>load<i32>(offPtr + (<usize>b << 2)) << 2);
    let dst = outPtr + <usize>b * rowBytes;
    for (let t = 0; t < T; t++) {
      if (t < n) {
        const from = src + <usize>(reverse ? n - 1 - t : t) * rowBytes;
        if (C > 64) memory.copy(dst, from, rowBytes);
        else {
          let o: usize = 0;
          for (; o < vecBytes; o += 16) v128.store(dst + o, v128.load(from + o));
          for (; o < rowBytes; o += 4) store<i32>(dst + o, load<i32>(from + o));
        }
      } else memory.fill(dst, <u8>pad, rowBytes);
      dst += stride;
    }
  }
}

export const MERGE_CONCAT: i32 = 0;
export const MERGE_SUM: i32 = 1;
export const MERGE_MUL: i32 = 2;
export const MERGE_AVE: i32 = 3;

// mergeForward: a bidirectional layer's output from its two directions, row by row (Keras merge_mode)
//   concat: y[r] = [a[r] b[r]] (2H wide);  sum: a + b;  mul: a * b;  ave: (a + b) * 0.5
//   y  (N, H or 2H)  out
//   a  (N, H)        in    forward direction's states
//   b  (N, H)        in    reverse direction's states, in the sequence's own time
export function mergeForward(yPtr: usize, aPtr: usize, bPtr: usize, N: i32, H: i32, mode: i32): void {
  const rowBytes = <usize>H << 2;
  if (mode === MERGE_CONCAT) {
    for (let r = 0; r < N; r++) {
      memory.copy(yPtr + (<usize>r * 2) * rowBytes, aPtr + <usize>r * rowBytes, rowBytes);
      memory.copy(yPtr + (<usize>r * 2 + 1) * rowBytes, bPtr + <usize>r * rowBytes, rowBytes);
    }
    return;
  }
  const n = N * H;
  const half = f32x4.splat(0.5);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    const x = v128.load(aPtr + o);
    const z = v128.load(bPtr + o);
    let v = mode === MERGE_MUL ? f32x4.mul(x, z) : f32x4.add(x, z);
    if (mode === MERGE_AVE) v = f32x4.mul(v, half);
    v128.store(yPtr + o, v);
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    const x = load<f32>(aPtr + o);
    const z = load<f32>(bPtr + o);
    let v: f32 = mode === MERGE_MUL ? x * z : x + z;
    if (mode === MERGE_AVE) v = v * <f32>0.5;
    store<f32>(yPtr + o, v);
  }
}

// mergeBackward: the two directions' gradients from the merged output's
//   forward: y = [a b]  =>  da = dy[:, :H], db = dy[:, H:]      forward: y = a + b  =>  da = db = dy
//   forward: y = a * b  =>  da = dy * b, db = dy * a           forward: y = (a + b) * 0.5  =>  da = db = dy * 0.5
//   da, db  (N, H)         out
//   dy      (N, H or 2H)   in
//   a, b    (N, H)         in   the forward's inputs (read by 'mul' only)
export function mergeBackward(daPtr: usize, dbPtr: usize, dyPtr: usize, aPtr: usize, bPtr: usize, N: i32, H: i32, mode: i32): void {
  const rowBytes = <usize>H << 2;
  if (mode === MERGE_CONCAT) {
    for (let r = 0; r < N; r++) {
      memory.copy(daPtr + <usize>r * rowBytes, dyPtr + (<usize>r * 2) * rowBytes, rowBytes);
      memory.copy(dbPtr + <usize>r * rowBytes, dyPtr + (<usize>r * 2 + 1) * rowBytes, rowBytes);
    }
    return;
  }
  const n = N * H;
  const half = f32x4.splat(0.5);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    const g = v128.load(dyPtr + o);
    if (mode === MERGE_MUL) {
      v128.store(daPtr + o, f32x4.mul(g, v128.load(bPtr + o)));
      v128.store(dbPtr + o, f32x4.mul(g, v128.load(aPtr + o)));
    } else {
      const v = mode === MERGE_AVE ? f32x4.mul(g, half) : g;
      v128.store(daPtr + o, v);
      v128.store(dbPtr + o, v);
    }
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(dyPtr + o);
    if (mode === MERGE_MUL) {
      store<f32>(daPtr + o, g * load<f32>(bPtr + o));
      store<f32>(dbPtr + o, g * load<f32>(aPtr + o));
    } else {
      const v: f32 = mode === MERGE_AVE ? g * <f32>0.5 : g;
      store<f32>(daPtr + o, v);
      store<f32>(dbPtr + o, v);
    }
  }
}

// maskRows: dropout with a mask of P rows, repeated: x[r, c] *= m[r % P, c], r = 0..N-1
//   forward: x' = x * m  =>  dx = dx' * m (the same call on the gradient)
//   x  (N, C)  in/out
//   m  (P, C)  in    0 or 1/(1-p) (inverted dropout); P = B repeats one mask per sequence at every step (a
//                    time-major buffer's row r is sequence r % B), P = N gives every element its own
export function maskRows(xPtr: usize, mPtr: usize, N: i32, C: i32, P: i32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < N; r++) {
    const x = xPtr + <usize>r * rowBytes;
    const m = mPtr + <usize>(r % P) * rowBytes;
    let k = 0;
    for (; k + 4 <= C; k += 4) {
      const o = <usize>k << 2;
      v128.store(x + o, f32x4.mul(v128.load(x + o), v128.load(m + o)));
    }
    for (; k < C; k++) {
      const o = <usize>k << 2;
      store<f32>(x + o, load<f32>(x + o) * load<f32>(m + o));
    }
  }
}
