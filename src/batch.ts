// Ragged batches in, packed time-major buffers out. The caller's arrays are read exactly once: readInputs and
// readTargets check every value as they copy it into the library's own arrays (a getter, a Proxy or a shared array
// that another thread writes cannot change a value between its check and its use), and everything after works on
// those copies. The library pads by itself: sequences are sorted by length, longest first (a stable sort), so that
// the real rows of step t are a prefix and a padded step costs a copy. Row r of a time-major buffer is r = t*B + p
// for the sequence at sorted position p.
import { rangeError, typeError } from './errors.js';
import type { FloatArray } from './backend.js';
import { TA } from './builtins.js';

/** One dense sequence: steps x inputSize numbers, or one flat typed array of steps*inputSize. */
export type DenseSequence = ArrayLike<number>[] | Float32Array | Float64Array;
/** One token sequence: token ids in [0, vocabSize). */
export type TokenSequence = number[] | Int32Array | Uint16Array | Uint8Array | Uint32Array;
/** A batch of sequences: dense or token ids, of any lengths >= 1 (the library pads). */
export type Inputs = DenseSequence[] | TokenSequence[];
/** Per sequence: a class index (softmax) or a vector (sigmoid, linear); with returnSequences one per real step. */
export type Target = number | ArrayLike<number>;
/** One target per sequence, or with returnSequences one array of targets per sequence (one per real step). */
export type Targets = Target[] | Target[][];

export interface InputSpec {
  inputSize: number;
  vocabSize: number; // 0 for dense inputs
  /** Bytes per float of the copies (8 keeps f64 values for the float64 reference). */
  floatBytes: number;
}

export interface TargetSpec {
  outputSize: number;
  softmax: boolean;
  sigmoid: boolean;
  returnSequences: boolean;
  floatBytes: number;
}

/** Validated copies of a batch's inputs, in the caller's order. */
export interface Sequences {
  /** Token ids (len) as Int32Array, or dense values (len*I, row-major by step). */
  data: (Int32Array | FloatArray)[];
  lengths: Int32Array;
}

/** Validated copies of a batch's targets, in the caller's order: class ids (Int32Array) or floats, per sequence. */
export interface TargetData {
  /** softmax: 1 or len class ids; otherwise O or len*O floats. */
  data: (Int32Array | FloatArray)[];
}

export interface Packed {
  B: number;
  T: number;
  /** Length of each sequence, in the caller's order. */
  lengths: Int32Array;
  /** order[p] = the caller's index of the sequence at sorted position p. */
  order: Int32Array;
  /** Lengths in sorted order (descending): the kernels' `len`. */
  lenSorted: Int32Array;
  /** Real steps in the batch (sum of lengths). */
  steps: number;
}

/** Most sequences in one call: each takes > 32 bytes of activations, so more can never fit the workspace limit. */
export const MAX_SEQUENCES = 2 ** 26;
/** Most values (steps x width) of one sequence or one sequence's targets: 1 GiB of float32. */
export const MAX_VALUES = 2 ** 28;

const F32_MAX = 'a finite number with |v| <= 3.4028234663852886e38';

function isNumArray(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** A real Float32Array / Float64Array (a Proxy around one passes instanceof but not ArrayBuffer.isView: refused). */
export function isFloatArray(v: unknown): v is FloatArray {
  return ArrayBuffer.isView(v) && (v instanceof Float32Array || v instanceof Float64Array);
}

/** An array's length, read once: a count (an integer >= 0), or a TypeError naming the field. */
export function countOf(api: string, field: string, v: ArrayLike<unknown>): number {
  const n = v.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw typeError(api, `${field}.length`, 'an integer >= 0', n);
  return n;
}

const floats = (fb: number, n: number): FloatArray => (fb === 8 ? new Float64Array(n) : new Float32Array(n));

// Values are stored as float32: a finite number beyond its range (|v| > 3.4028234663852886e38) would become Infinity.
function finite(api: string, field: () => string, v: unknown): number {
  if (typeof v !== 'number') throw typeError(api, field(), 'a number', v);
  if (!Number.isFinite(Math.fround(v))) throw rangeError(api, field(), `= ${v} is not finite in float32; expected ${F32_MAX}`);
  return v;
}

/** The length of an array-like, read once, checked against a cap before anything is sized by it. */
function lengthOf(api: string, field: string, v: ArrayLike<unknown>, width: number): number {
  const n = countOf(api, field, v);
  if (n * Math.max(1, width) > MAX_VALUES) {
    throw rangeError(api, field, `has ${n} steps of ${width} values; expected at most ${MAX_VALUES} values per sequence`);
  }
  return n;
}

/** Reads a sequence of token ids once into an Int32Array, checking each id as it is copied. */
export function readTokens(api: string, field: string, seq: unknown, V: number): Int32Array {
  if (!isNumArray(seq) || seq instanceof Float32Array || seq instanceof Float64Array) {
    throw typeError(api, field, 'a sequence of token ids (number[] or Int32Array)', seq);
  }
  const n = lengthOf(api, field, seq, 1);
  const out = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const id = seq[t];
    if (typeof id !== 'number') throw typeError(api, `${field}[${t}]`, 'a token id (an integer)', id);
    if (!Number.isInteger(id) || id < 0 || id >= V) {
      throw rangeError(api, `${field}[${t}]`, `= ${id} is not a token id; expected an integer in [0, vocabSize=${V})`);
    }
    out[t] = id;
  }
  return out;
}

/** Reads one vector of exactly n finite float32 numbers once, into out at `at`. */
export function readVector(api: string, field: string, v: unknown, n: number, out: FloatArray, at: number, what: string): void {
  if (!isNumArray(v)) throw typeError(api, field, `${what} of length ${n}`, v);
  const len = countOf(api, field, v);
  if (len !== n) throw rangeError(api, field, `has length ${len}; expected ${n}`);
  for (let k = 0; k < n; k++) out[at + k] = finite(api, () => `${field}[${k}]`, v[k]);
}

/**
 * A dense sequence's number of values (steps x I), its length read once and checked: the first half of reading it
 * (readInputs sizes one block for the whole batch from these, then copies each sequence with readDenseInto).
 */
function denseCount(api: string, field: string, b: number, seq: unknown, I: number): number {
  if (isFloatArray(seq)) {
    // the length from the built-in getter: a subclass cannot report another one
    const n = TA.length.call(seq) as number;
    if (n > MAX_VALUES) throw rangeError(api, `${field}[${b}]`, `has ${n} values; expected at most ${MAX_VALUES} values per sequence`);
    if (n % I !== 0) throw rangeError(api, `${field}[${b}]`, `has ${n} numbers; a flat sequence needs steps*inputSize (a multiple of ${I})`);
    return n;
  }
  const f = `${field}[${b}]`;
  if (!Array.isArray(seq)) {
    throw typeError(api, f, `a sequence (an array of steps x ${I} numbers, or a Float32Array of steps*${I}; a Proxy around a typed array is not one: copy it first)`, seq);
  }
  return lengthOf(api, f, seq, I) * I;
}

/**
 * Whether every value of a float32 array is finite: x·0 is ±0 for a finite x and NaN for ±Infinity and NaN. Four
 * sums, so that the loop is not one chain of dependent adds (3x faster than a check per value).
 */
function allFinite(a: Float32Array): boolean {
  const n = a.length;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    z0 += a[k] * 0;
    z1 += a[k + 1] * 0;
    z2 += a[k + 2] * 0;
    z3 += a[k + 3] * 0;
  }
  for (; k < n; k++) z0 += a[k] * 0;
  return z0 + z1 + z2 + z3 === 0;
}

/** Copies a dense sequence of n values (denseCount) into out (length n) and checks the copy: finite in float32. */
function readDenseInto(api: string, field: string, b: number, seq: FloatArray | ArrayLike<unknown>[], n: number, I: number, out: FloatArray): void {
  if (isFloatArray(seq)) {
    const changed = () => rangeError(api, `${field}[${b}]`, `changed while it was read (its buffer no longer holds the ${n} numbers it had)`);
    let exact: FloatArray;
    if (seq instanceof Float32Array && out instanceof Float32Array) {
      // one copy by the engine's own set, which reads the source's internal slots (a subclass cannot lie about where
      // its data is), after the built-in length getter says it still holds the n values counted
      if (TA.length.call(seq) !== n) throw changed();
      out.set(seq);
      exact = out;
    } else {
      // float64 sequences or storage: a copy through a view made with the built-in getters
      let view: Float32Array | Float64Array;
      try {
        const C = seq instanceof Float64Array ? Float64Array : Float32Array;
        view = new C(TA.buffer.call(seq) as ArrayBuffer, TA.offset.call(seq) as number, n);
      } catch {
        throw changed();
      }
      // float64 values into float32 storage go through an exact float64 copy, so that a value past float32 is named
      // as it came (the float32 copy would hold ±Infinity in its place); the copy is all that is read afterwards
      exact = view instanceof Float64Array && out instanceof Float32Array ? new Float64Array(n) : out;
      exact.set(view);
      if (exact !== out) out.set(exact);
    }
    // then the copy is checked, much faster than a checked loop over the input. Float32 storage: a value past
    // float32's range is ±Infinity there, so all of them are fine when the copy is all finite; otherwise (and for
    // float64 storage) the exact values are checked one by one, naming the first bad one
    if (out instanceof Float32Array && allFinite(out)) return;
    for (let k = 0; k < n; k++) {
      const v = exact[k];
      if (!Number.isFinite(Math.fround(v))) {
        throw rangeError(api, `${field}[${b}][${Math.floor(k / I)}][${k % I}]`, `= ${v} is not finite in float32; expected ${F32_MAX}`);
      }
    }
    return;
  }
  const steps = n / I;
  const f = `${field}[${b}]`;
  for (let t = 0; t < steps; t++) {
    const step = seq[t] as unknown;
    if (!isNumArray(step)) throw typeError(api, `${f}[${t}]`, `an input vector of length inputSize=${I}`, step);
    const len = countOf(api, `${f}[${t}]`, step);
    if (len !== I) throw rangeError(api, `${f}[${t}]`, `has length ${len}; expected inputSize=${I}`);
    for (let k = 0; k < I; k++) out[t * I + k] = finite(api, () => `${f}[${t}][${k}]`, step[k]);
  }
}

/**
 * Reads and validates a ragged batch of inputs once. Throws before anything is written anywhere. Dense values go
 * into one block of `block(total)` floats (default: a new array).
 */
export function readInputs(
  api: string, inputs: unknown, spec: InputSpec, field = 'inputs', block: (n: number) => FloatArray = (n) => floats(spec.floatBytes, n),
): Sequences {
  if (!Array.isArray(inputs)) throw typeError(api, field, 'an array of sequences', inputs);
  const B = countOf(api, field, inputs);
  if (B === 0) throw rangeError(api, field, 'is empty; expected at least one sequence');
  // a sparse array may claim a length of 2^32-1: refuse before allocating per-sequence arrays
  if (B > MAX_SEQUENCES) throw rangeError(api, field, `has ${B} sequences; expected at most ${MAX_SEQUENCES} (use smaller batches)`);
  const lengths = new Int32Array(B);
  const data: (Int32Array | FloatArray)[] = new Array(B);
  const V = spec.vocabSize;
  const I = spec.inputSize;
  if (V > 0) {
    for (let b = 0; b < B; b++) {
      const f = `${field}[${b}]`;
      const d = readTokens(api, f, inputs[b] as unknown, V);
      if (d.length === 0) throw rangeError(api, f, 'is empty; expected a sequence of at least one step');
      data[b] = d;
      lengths[b] = d.length;
    }
    return { data, lengths };
  }
  // dense: every sequence and its length first (each read once), then one block for all of their values, so that a
  // batch of many short sequences costs one allocation instead of one each
  const seqs: unknown[] = new Array(B);
  const counts = new Float64Array(B);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const seq = inputs[b] as unknown;
    const n = denseCount(api, field, b, seq, I);
    if (n === 0) throw rangeError(api, `${field}[${b}]`, 'is empty; expected a sequence of at least one step');
    seqs[b] = seq;
    counts[b] = n;
    total += n;
  }
  // (a whole data set past MAX_VALUES, as fit may read, gets one array per sequence instead)
  const all = total <= MAX_VALUES ? block(total) : null;
  for (let b = 0, at = 0; b < B; b++) {
    const n = counts[b];
    const out = all ? all.subarray(at, at + n) : floats(spec.floatBytes, n);
    readDenseInto(api, field, b, seqs[b] as FloatArray | ArrayLike<unknown>[], n, I, out);
    data[b] = out;
    lengths[b] = n / I;
    at += n;
  }
  return { data, lengths };
}

/** Reads and validates targets once against the inputs' lengths (one per sequence, or one per real step). */
export function readTargets(api: string, targets: unknown, lengths: Int32Array, spec: TargetSpec, field = 'targets'): TargetData {
  const B = lengths.length;
  if (!Array.isArray(targets)) throw typeError(api, field, `an array of ${B} targets`, targets);
  const n = countOf(api, field, targets);
  if (n !== B) throw rangeError(api, field, `has ${n} entries; expected one per sequence (${B})`);
  const O = spec.outputSize;
  const data: (Int32Array | FloatArray)[] = new Array(B);
  // one target per sequence: one block for all of them (one array per sequence past MAX_VALUES)
  const w = spec.softmax ? 1 : O;
  const block = spec.returnSequences || B * w > MAX_VALUES ? null : spec.softmax ? new Int32Array(B) : floats(spec.floatBytes, B * O);
  for (let b = 0; b < B; b++) {
    const tb = targets[b] as unknown;
    if (!spec.returnSequences) {
      const out = block ? block.subarray(b * w, (b + 1) * w) : spec.softmax ? new Int32Array(1) : floats(spec.floatBytes, O);
      readTarget(api, field, b, -1, tb, spec, out, 0);
      data[b] = out;
      continue;
    }
    const f = `${field}[${b}]`;
    const len = lengths[b];
    if (!isNumArray(tb)) throw typeError(api, f, `an array of ${len} targets (one per step)`, tb);
    const m = countOf(api, f, tb);
    if (m !== len) throw rangeError(api, f, `has ${m} targets; expected one per step of inputs[${b}] (${len})`);
    if (!spec.softmax && len * O > MAX_VALUES) throw rangeError(api, f, `has ${len} targets of ${O} values; expected at most ${MAX_VALUES} values`);
    const out = spec.softmax ? new Int32Array(len) : floats(spec.floatBytes, len * O);
    for (let t = 0; t < len; t++) readTarget(api, field, b, t, (tb as ArrayLike<unknown>)[t], spec, out, t);
    data[b] = out;
  }
  return { data };
}

/**
 * One target, read once, into row `r` of out (a class id, or O floats): targets[b], or with t >= 0 targets[b][t].
 * Its field name is only built for an error (this runs once per sequence or step of every call).
 */
function readTarget(api: string, field: string, b: number, t: number, v: unknown, spec: TargetSpec, out: Int32Array | FloatArray, r: number): void {
  const O = spec.outputSize;
  const name = () => (t < 0 ? `${field}[${b}]` : `${field}[${b}][${t}]`);
  if (spec.softmax) {
    if (typeof v !== 'number') throw typeError(api, name(), `a class index (an integer in [0, outputSize=${O}))`, v);
    if (!Number.isInteger(v) || v < 0 || v >= O) {
      throw rangeError(api, name(), `= ${v} is not a class index; expected an integer in [0, outputSize=${O})`);
    }
    out[r] = v;
    return;
  }
  if (typeof v === 'number' && O === 1) out[r] = finite(api, name, v);
  else readVector(api, name(), v, O, out as FloatArray, r * O, 'a target vector');
  if (!spec.sigmoid) return;
  for (let o = 0; o < O; o++) {
    const x = out[r * O + o];
    if (x < 0 || x > 1) throw rangeError(api, O === 1 && typeof v === 'number' ? name() : `${name()}[${o}]`, `= ${x} is outside [0, 1] (a sigmoid target)`);
  }
}

/** The packing of a batch of the given lengths: sorted by length (longest first, stable). */
export function packOf(lengths: Int32Array): Packed {
  const B = lengths.length;
  const order = new Int32Array(B);
  for (let b = 0; b < B; b++) order[b] = b;
  order.sort((a, c) => lengths[c] - lengths[a] || a - c);
  const lenSorted = new Int32Array(B);
  let steps = 0;
  for (let p = 0; p < B; p++) {
    lenSorted[p] = lengths[order[p]];
    steps += lenSorted[p];
  }
  return { B, T: lenSorted[0], lengths, order, lenSorted, steps };
}

/** The sequences (and targets) at the given indices, without copying their values. */
export function selectBatch(seqs: Sequences, tg: TargetData | null, idx: ArrayLike<number>): { seqs: Sequences; tg: TargetData | null } {
  const n = idx.length;
  const data: (Int32Array | FloatArray)[] = new Array(n);
  const lengths = new Int32Array(n);
  const tdata: (Int32Array | FloatArray)[] | null = tg ? new Array(n) : null;
  for (let k = 0; k < n; k++) {
    data[k] = seqs.data[idx[k]];
    lengths[k] = seqs.lengths[idx[k]];
    if (tdata) tdata[k] = tg!.data[idx[k]];
  }
  return { seqs: { data, lengths }, tg: tdata ? { data: tdata } : null };
}

/**
 * Writes the packed (sub-)batch's sequences whole, one after another in sorted order, into `stage` (floats, or token
 * ids), and where sorted sequence q starts into off[q]: what the backend's gatherSteps reads to lay the batch out
 * time-major (dense (T, B, I) with zeros on pads, or tokens (T, B) with -1 on pads).
 */
export function stageInputs(seqs: Sequences, p: Packed, stage: FloatArray | Int32Array, off: Int32Array): void {
  for (let q = 0, at = 0; q < p.B; q++) {
    const seq = seqs.data[p.order[q]];
    off[q] = at;
    stage.set(seq, at);
    at += seq.length;
  }
}

/**
 * Writes targets as rows (B rows, or T*B time-major rows with returnSequences) and the row weights: `inv` on real
 * rows (default 1/count: the loss is a mean over sequences, or over real steps), 0 on padding.
 */
export function writeTargets(
  tg: TargetData, p: Packed, spec: TargetSpec, tgtF: FloatArray, tgtI: Int32Array, w: FloatArray, inv?: number,
): void {
  const { B, order } = p;
  const O = spec.outputSize;
  const rows = spec.returnSequences ? p.T * B : B;
  const weight = inv ?? 1 / (spec.returnSequences ? p.steps : B);
  w.fill(0, 0, rows);
  if (spec.softmax) tgtI.fill(-1, 0, rows);
  else tgtF.fill(0, 0, rows * O);
  for (let q = 0; q < B; q++) {
    const d = tg.data[order[q]];
    const n = spec.returnSequences ? p.lenSorted[q] : 1;
    for (let t = 0; t < n; t++) {
      const r = spec.returnSequences ? t * B + q : q;
      w[r] = weight;
      if (spec.softmax) tgtI[r] = d[t];
      else tgtF.set((d as FloatArray).subarray(t * O, (t + 1) * O), r * O);
    }
  }
}
