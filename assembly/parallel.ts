// The column split of training threads (src/parallel/, src/pass.ts runPass with parts > 1): every thread of a pass
// runs the same steps over the whole batch and computes its own columns of each product, so that each thread keeps
// its share of a weight in its own core's cache. This file holds the barrier the threads meet at, and rnn.ts's two
// time loops for one thread's columns of the state, with a barrier per step (a step reads every column of the state
// before it). Only the threads build has it (assembly/threads.ts, an entry of that build alone: it needs atomics).
//
// Shares: thread `me` of n owns columns c0..c1-1 of H (src/pass.ts share(): multiples of 8, so that each share is
// whole 8-column strips of the GEMM). Every element a thread writes is computed as in the one-thread loop (the same
// GEMM order per element, the same elementwise ops), so the split gives the one-thread bits.
//
// Barrier block (barrierBytes(n), 64-byte lines, in the shared memory; zeroed by the model's thread before a pass):
//   word 0        arrivals: +1 per thread per barrier; barrier g (g = 1, 2, ...) is passed when it reaches g·n
//   word 1        abort: nonzero once a thread gives up on the pass (it threw, or found a partner gone)
//   word 2        sleepers: threads inside memory.atomic.wait on word 0 (the last to arrive notifies only then)
//   line 1+me     thread me's count of barriers arrived at in this pass (read by no other thread)
// A wait spins on word 0, then sleeps in slices of SLICE_NS; after BUDGET_NS of sleep it returns BAR_TIMEOUT, so that
// its caller (JS) can look whether the partners still run and call again. No clock is read: only slices that timed
// out count towards the budget. The spin adapts per thread (a global of the thread's own instance): it doubles, up to
// SPIN_MAX rounds, after a wait that the spin ended, and halves, down to SPIN_MIN, after one that had to sleep. On
// free cores the partner comes within the spin (a sleep and a wake-up cost far more than a step's imbalance); on a
// machine whose cores are taken by other work, the partner is often not running at all, and a thread that spins would
// hold the core the partner needs: there the spin shrinks within a few barriers.
import { matmulCols, matmulPrepackedCols, prepackCols, transposeRows } from './matmul';
import { activationForward, activationBackward } from './activations';
import { realRows } from './rnn';

/** barrierWait / the time loops: passed (done), timed out (call again: resume), a thread aborted the pass. */
export const BAR_PASSED: i32 = 0;
export const BAR_TIMEOUT: i32 = 1;
export const BAR_ABORTED: i32 = -1;

const SPIN_MAX: i32 = 1 << 18; // about 0.3 ms of atomic loads
const SPIN_MIN: i32 = 1 << 8;
let spin: i32 = SPIN_MAX;
const SLICE_NS: i64 = 5_000_000;
const BUDGET_NS: i64 = 50_000_000; // the pool's SLICE_MS (src/parallel/pool.ts)

/** Bytes of the barrier block of n threads. */
export function barrierBytes(n: i32): i32 {
  return (1 + n) << 6;
}

// @ts-ignore: decorator
@inline
function genPtr(bar: usize, me: i32): usize {
  return bar + (<usize>(1 + me) << 6);
}

/** Thread me arrives at its next barrier (the last of the n to arrive wakes the sleepers). */
export function barrierArrive(bar: usize, me: i32, n: i32): void {
  const gp = genPtr(bar, me);
  const g = load<i32>(gp) + 1;
  store<i32>(gp, g);
  const v = atomic.add<i32>(bar, 1) + 1;
  if (v == g * n && atomic.load<i32>(bar, 8) > 0) atomic.notify(bar, n);
}

/**
 * Waits until every thread has arrived at thread me's last barrier: BAR_PASSED; BAR_ABORTED when a thread aborted
 * the pass; BAR_TIMEOUT after BUDGET_NS asleep (call again to wait on).
 */
export function barrierWait(bar: usize, me: i32, n: i32): i32 {
  const target = load<i32>(genPtr(bar, me)) * n;
  for (let k = 0; k < spin; k++) {
    if (atomic.load<i32>(bar) - target >= 0) {
      if (spin < SPIN_MAX) spin <<= 1;
      return BAR_PASSED;
    }
    if (atomic.load<i32>(bar, 4) != 0) return BAR_ABORTED;
  }
  if (spin > SPIN_MIN) spin >>= 1;
  let slept: i64 = 0;
  for (;;) {
    const v = atomic.load<i32>(bar);
    if (v - target >= 0) return BAR_PASSED;
    if (atomic.load<i32>(bar, 4) != 0) return BAR_ABORTED;
    if (slept >= BUDGET_NS) return BAR_TIMEOUT;
    atomic.add<i32>(bar + 8, 1);
    const r = memory.atomic.wait32(bar, v, SLICE_NS);
    atomic.sub<i32>(bar + 8, 1);
    if (r == AtomicWaitResult.TIMED_OUT) slept += SLICE_NS;
  }
  return BAR_PASSED; // not reached
}

/** Gives up on the pass: every wait of every thread returns BAR_ABORTED (sleepers within one slice). */
export function barrierAbort(bar: usize): void {
  atomic.store<i32>(bar, 1, 4);
  atomic.notify(bar, 1 << 30);
}

// out[b, c] = a[b, c] * m[b, c] for rows b < rows, columns c0..c1-1 of rows of H floats (out may be a)
function mulCols(outPtr: usize, aPtr: usize, mPtr: usize, rows: i32, H: i32, c0: i32, c1: i32): void {
  const rowBytes = <usize>H << 2;
  for (let b = 0; b < rows; b++) {
    const o = <usize>b * rowBytes + (<usize>c0 << 2);
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const p = o + (<usize>(c - c0) << 2);
      v128.store(outPtr + p, f32x4.mul(v128.load(aPtr + p), v128.load(mPtr + p)));
    }
    for (; c < c1; c++) {
      const p = o + (<usize>(c - c0) << 2);
      store<f32>(outPtr + p, load<f32>(aPtr + p) * load<f32>(mPtr + p));
    }
  }
}

// rnnForwardCols: columns c0..c1-1 of rnnForward (rnn.ts), one thread's share; the n threads of the pass call it at
// once with shares that cover 0..H-1.
//   s, Wh, bs, len, act, mask, sm   as in rnnForward; this thread writes only columns c0..c1-1 of s[1..T] and sm
//   bar, me, n                      the barrier block, this thread's index, the threads of the pass
//   resume                          0 to start; r > 0 to go on after a return of r
// Returns 0 when done (s complete: every thread has written its columns), r > 0 when a wait timed out (call again with
// resume = r after looking that the partners still run), -1 when a thread aborted the pass.
// Barriers: one on entry (s^0 and the input parts of s[1..T], written before the call, are complete), with a mask one
// more after sm[0], then one after each step: step t reads all of s^{t-1} (or sm[t-1]).
export function rnnForwardCols(
  sPtr: usize, WhPtr: usize, bsPtr: usize, lenPtr: usize, T: i32, B: i32, H: i32, act: i32, maskPtr: usize, smPtr: usize,
  c0: i32, c1: i32, bar: usize, me: i32, n: i32, resume: i32,
): i32 {
  const stepBytes = (<usize>B * H) << 2;
  const rowBytes = <usize>H << 2;
  const off = <usize>c0 << 2;
  const W = c1 - c0;
  const packed = prepackCols(WhPtr, H, H, c0, c1, 0); // this thread's columns of W_h, packed for all T steps
  const pre: i32 = maskPtr ? 1 : 0;
  let q = resume - 1; // the barrier waited for (0-based in this call)
  if (resume == 0) {
    barrierArrive(bar, me, n);
    q = 0;
  }
  for (;;) {
    const r = barrierWait(bar, me, n);
    if (r != BAR_PASSED) return r == BAR_ABORTED ? -1 : q + 1;
    if (q == 0 && pre) {
      mulCols(smPtr, sPtr, maskPtr, B, H, c0, c1); // sm[0] = s^0 * mask
    } else {
      const t = q - pre + 1;
      if (t > T) return 0;
      const prev = sPtr + <usize>(t - 1) * stepBytes;
      const cur = prev + stepBytes;
      const Bt = realRows(lenPtr, B, t);
      const rowsIn = maskPtr ? smPtr + <usize>(t - 1) * stepBytes : prev;
      // z^t = (i^t W_i + b_s) + s^{t-1} W_h on the real rows, this thread's columns; then s^t = f_s(z^t) there
      if (packed) matmulPrepackedCols(cur, rowsIn, bsPtr, Bt, H, H, H, 1, 1, c0, c1);
      else matmulCols(cur, rowsIn, WhPtr, bsPtr, Bt, H, H, H, 1, 1, c0, c1);
      for (let b = 0; b < Bt; b++) activationForward(cur + <usize>b * rowBytes + off, W, act);
      // padded rows: s^t = s^{t-1}
      for (let b = Bt; b < B; b++) memory.copy(cur + <usize>b * rowBytes + off, prev + <usize>b * rowBytes + off, <usize>W << 2);
      if (maskPtr && t < T) mulCols(smPtr + <usize>t * stepBytes, cur, maskPtr, B, H, c0, c1); // sm[t] = s^t * mask
    }
    barrierArrive(bar, me, n);
    q++;
  }
  return 0; // not reached: the loop returns
}

// rnnBackwardCols: columns c0..c1-1 of rnnBackward (rnn.ts), one thread's share; called at once by the n threads.
//   dz, ds0, s, len, act, mask   as in rnnBackward; this thread writes only columns c0..c1-1 of dz and ds0
//   Ws     (H+I, H)  param  W_s: this thread packs columns c0..c1-1 of W_hᵀ straight from rows c0..c1-1 of W_h
//   WhT    (H, H)    work   used only when the scratch cannot hold the packed share: this thread writes its columns
//   bar, me, n, resume, return   as in rnnForwardCols
// Per step, t = T..1, with dsNext in ds0 (rnnBackward's loop, split):
//   own columns:  ds = dz[t-1] + dsNext; pad rows: dsNext = ds, dz = 0; real rows: dz[t-1] = ds f_s'
//   barrier: dz^t complete
//   own columns:  dsNext = dz^t W_hᵀ (every column of dz^t times this thread's columns of W_hᵀ), times the mask
// dsNext's columns are read only by their own thread, so one barrier per step is enough. Barriers: one on entry (dz
// from the layer above and s complete), T after the steps' dz, one at the end (dz and ds0 complete).
export function rnnBackwardCols(
  dzPtr: usize, ds0Ptr: usize, sPtr: usize, WsPtr: usize, WhTPtr: usize, lenPtr: usize,
  T: i32, B: i32, H: i32, act: i32, maskPtr: usize, c0: i32, c1: i32, bar: usize, me: i32, n: i32, resume: i32,
): i32 {
  const stepBytes = (<usize>B * H) << 2;
  const rowBytes = <usize>H << 2;
  const off = <usize>c0 << 2;
  const W = c1 - c0;
  const wBytes = <usize>W << 2;
  const packed = prepackCols(WsPtr, H, H, c0, c1, 1); // b = W_hᵀ from W_h (its transpose), columns c0..c1-1
  if (!packed) transposeRows(WhTPtr, WsPtr, H, H, c0, c1); // W_hᵀ[:, c0..c1-1] = rows c0..c1-1 of W_h, transposed
  let q = resume - 1;
  if (resume == 0) {
    for (let b = 0; b < B; b++) memory.fill(ds0Ptr + <usize>b * rowBytes + off, 0, wBytes);
    barrierArrive(bar, me, n);
    q = 0;
  }
  for (;;) {
    const r = barrierWait(bar, me, n);
    if (r != BAR_PASSED) return r == BAR_ABORTED ? -1 : q + 1;
    if (q == T + 1) return 0;
    if (q >= 1) {
      // after step t's barrier: dsNext = dz^t W_hᵀ on the real rows (with a mask: times the mask)
      const t = T - q + 1;
      const dzt = dzPtr + <usize>(t - 1) * stepBytes;
      const Bt = realRows(lenPtr, B, t);
      if (packed) matmulPrepackedCols(ds0Ptr, dzt, 0, Bt, H, H, H, 1, 0, c0, c1);
      else matmulCols(ds0Ptr, dzt, WhTPtr, 0, Bt, H, H, H, 1, 0, c0, c1);
      if (maskPtr) mulCols(ds0Ptr, ds0Ptr, maskPtr, Bt, H, c0, c1);
    }
    const t = T - q;
    if (t >= 1) {
      const dzt = dzPtr + <usize>(t - 1) * stepBytes;
      const st = sPtr + <usize>t * stepBytes;
      const Bt = realRows(lenPtr, B, t);
      for (let b = 0; b < B; b++) {
        const o = <usize>b * rowBytes + off;
        // ds = dz[t-1] + dsNext, in place in dz[t-1]
        let c = 0;
        for (; c + 4 <= W; c += 4) {
          const p = o + (<usize>c << 2);
          v128.store(dzt + p, f32x4.add(v128.load(dzt + p), v128.load(ds0Ptr + p)));
        }
        for (; c < W; c++) {
          const p = o + (<usize>c << 2);
          store<f32>(dzt + p, load<f32>(dzt + p) + load<f32>(ds0Ptr + p));
        }
        if (b >= Bt) {
          // pad rows: pass ds through unchanged, then zero their dz
          memory.copy(ds0Ptr + o, dzt + o, wBytes);
          memory.fill(dzt + o, 0, wBytes);
        } else activationBackward(dzt + o, dzt + o, st + o, W, act); // dz^t = ds^t f_s'(z^t)
      }
    }
    barrierArrive(bar, me, n);
    q++;
  }
  return 0; // not reached: the loop returns
}
