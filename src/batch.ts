// Ragged batches in, packed time-major buffers out. The library pads by itself:
// sequences are sorted by length, longest first (a stable sort), so that the real rows of step t are a prefix and a
// padded step costs a copy. Row r of a time-major buffer is r = t*B + p for the sequence at sorted position p.
// Validation reads everything before anything is written, so a rejected call changes nothing.
import { rangeError, typeError } from './errors.js';
import type { FloatArray } from './backend.js';

/** One dense sequence: steps x inputSize numbers, or one flat typed array of steps*inputSize. */
export type DenseSequence = ArrayLike<number>[] | Float32Array | Float64Array;
/** One token sequence: token ids in [0, vocabSize). */
export type TokenSequence = number[] | Int32Array | Uint16Array | Uint8Array | Uint32Array;
export type Inputs = DenseSequence[] | TokenSequence[];
/** Per sequence: a class index (softmax) or a vector (sigmoid, linear); with returnSequences one per real step. */
export type Target = number | ArrayLike<number>;
export type Targets = Target[] | Target[][];

export interface InputSpec {
  inputSize: number;
  vocabSize: number; // 0 for dense inputs
}

export interface TargetSpec {
  outputSize: number;
  softmax: boolean;
  sigmoid: boolean;
  returnSequences: boolean;
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

function isNumArray(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

// Values are stored as float32: a finite number beyond its range (|v| > 3.4028234663852886e38) would become Infinity.
function checkFinite(api: string, field: string, v: unknown): number {
  if (typeof v !== 'number') throw typeError(api, field, 'a number', v);
  if (!Number.isFinite(Math.fround(v))) throw rangeError(api, field, `= ${v} is not finite in float32; expected a finite number with |v| <= 3.4028234663852886e38`);
  return v;
}

/** Validates a ragged batch of inputs and computes its packing. Throws before anything is written. */
export function validateInputs(api: string, inputs: unknown, spec: InputSpec, field = 'inputs'): Packed {
  if (!Array.isArray(inputs)) throw typeError(api, field, 'an array of sequences', inputs);
  const B = inputs.length;
  if (B === 0) throw rangeError(api, field, 'is empty; expected at least one sequence');
  // each sequence takes > 32 bytes of activations, so more than 2^26 can never fit the 2 GiB workspace limit (and a
  // sparse array may claim a length of 2^32-1): refuse before allocating per-sequence arrays
  if (B > 2 ** 26) throw rangeError(api, field, `has ${B} sequences; expected at most ${2 ** 26} (use smaller batches)`);
  const lengths = new Int32Array(B);
  const V = spec.vocabSize;
  const I = spec.inputSize;
  for (let b = 0; b < B; b++) {
    const seq = inputs[b] as unknown;
    const f = `${field}[${b}]`;
    if (V > 0) {
      if (!isNumArray(seq) || seq instanceof Float32Array || seq instanceof Float64Array) {
        throw typeError(api, f, `a sequence of token ids (number[] or Int32Array)`, seq);
      }
      for (let t = 0; t < seq.length; t++) {
        const id = seq[t];
        if (typeof id !== 'number') throw typeError(api, `${f}[${t}]`, 'a token id (an integer)', id);
        if (!Number.isInteger(id) || id < 0 || id >= V) {
          throw rangeError(api, `${f}[${t}]`, `= ${id} is not a token id; expected an integer in [0, vocabSize=${V})`);
        }
      }
      lengths[b] = seq.length;
    } else if (seq instanceof Float32Array || seq instanceof Float64Array) {
      if (seq.length % I !== 0) {
        throw rangeError(api, f, `has ${seq.length} numbers; a flat sequence needs steps*inputSize (a multiple of ${I})`);
      }
      for (let k = 0; k < seq.length; k++) {
        if (!Number.isFinite(Math.fround(seq[k]))) {
          throw rangeError(api, `${f}[${Math.floor(k / I)}][${k % I}]`, `= ${seq[k]} is not finite in float32; expected a finite number with |v| <= 3.4028234663852886e38`);
        }
      }
      lengths[b] = seq.length / I;
    } else if (Array.isArray(seq)) {
      for (let t = 0; t < seq.length; t++) {
        const step = seq[t] as unknown;
        if (!isNumArray(step)) throw typeError(api, `${f}[${t}]`, `an input vector of length inputSize=${I}`, step);
        if (step.length !== I) throw rangeError(api, `${f}[${t}]`, `has length ${step.length}; expected inputSize=${I}`);
        for (let k = 0; k < I; k++) checkFinite(api, `${f}[${t}][${k}]`, step[k]);
      }
      lengths[b] = seq.length;
    } else {
      throw typeError(api, f, `a sequence (an array of steps x ${I} numbers, or a Float32Array of steps*${I})`, seq);
    }
    if (lengths[b] === 0) throw rangeError(api, f, 'is empty; expected a sequence of at least one step');
  }
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

/** Writes validated inputs time-major: dense (T, B, I) floats with zeros on pads, or tokens (T, B) with -1 on pads. */
export function writeInputs(inputs: Inputs, p: Packed, spec: InputSpec, dst: FloatArray | Int32Array): void {
  const { B, T, order } = p;
  const I = spec.inputSize;
  if (spec.vocabSize > 0) {
    dst.fill(-1, 0, T * B);
    for (let q = 0; q < B; q++) {
      const seq = inputs[order[q]] as ArrayLike<number>;
      for (let t = 0; t < seq.length; t++) dst[t * B + q] = seq[t];
    }
    return;
  }
  dst.fill(0, 0, T * B * I);
  for (let q = 0; q < B; q++) {
    const seq = inputs[order[q]] as DenseSequence;
    const flat = seq instanceof Float32Array || seq instanceof Float64Array;
    for (let t = 0; t < p.lenSorted[q]; t++) {
      const row = (t * B + q) * I;
      if (flat) for (let k = 0; k < I; k++) dst[row + k] = (seq as FloatArray)[t * I + k];
      else {
        const step = (seq as ArrayLike<number>[])[t];
        for (let k = 0; k < I; k++) dst[row + k] = step[k];
      }
    }
  }
}

function checkTarget(api: string, f: string, v: unknown, spec: TargetSpec): void {
  const O = spec.outputSize;
  if (spec.softmax) {
    if (typeof v !== 'number') throw typeError(api, f, `a class index (an integer in [0, outputSize=${O}))`, v);
    if (!Number.isInteger(v) || v < 0 || v >= O) {
      throw rangeError(api, f, `= ${v} is not a class index; expected an integer in [0, outputSize=${O})`);
    }
    return;
  }
  if (typeof v === 'number' && O === 1) {
    checkFinite(api, f, v);
    if (spec.sigmoid && (v < 0 || v > 1)) throw rangeError(api, f, `= ${v} is outside [0, 1] (a sigmoid target)`);
    return;
  }
  if (!isNumArray(v)) throw typeError(api, f, `a target vector of length outputSize=${O}`, v);
  if (v.length !== O) throw rangeError(api, f, `has length ${v.length}; expected outputSize=${O}`);
  for (let o = 0; o < O; o++) {
    const x = checkFinite(api, `${f}[${o}]`, v[o]);
    if (spec.sigmoid && (x < 0 || x > 1)) throw rangeError(api, `${f}[${o}]`, `= ${x} is outside [0, 1] (a sigmoid target)`);
  }
}

/** Validates targets against a packed batch (one per sequence, or one per real step with returnSequences). */
export function validateTargets(api: string, targets: unknown, p: Packed, spec: TargetSpec, field = 'targets'): void {
  if (!Array.isArray(targets)) throw typeError(api, field, `an array of ${p.B} targets`, targets);
  if (targets.length !== p.B) throw rangeError(api, field, `has ${targets.length} entries; expected one per sequence (${p.B})`);
  for (let b = 0; b < p.B; b++) {
    const f = `${field}[${b}]`;
    if (!spec.returnSequences) {
      checkTarget(api, f, targets[b], spec);
      continue;
    }
    const seq = targets[b] as unknown;
    const n = p.lengths[b];
    if (!isNumArray(seq) && !Array.isArray(seq)) throw typeError(api, f, `an array of ${n} targets (one per step)`, seq);
    if (seq.length !== n) throw rangeError(api, f, `has ${seq.length} targets; expected one per step of inputs[${b}] (${n})`);
    for (let t = 0; t < n; t++) checkTarget(api, `${f}[${t}]`, (seq as ArrayLike<unknown>)[t], spec);
  }
}

/**
 * Writes validated targets as rows (B rows, or T*B time-major rows with returnSequences) and the row weights:
 * 1/count on real rows (the loss is a mean over sequences, or over real steps), 0 on padding.
 */
export function writeTargets(
  targets: Targets, p: Packed, spec: TargetSpec, tgtF: FloatArray, tgtI: Int32Array, w: FloatArray,
): void {
  const { B, order } = p;
  const O = spec.outputSize;
  const rows = spec.returnSequences ? p.T * B : B;
  const inv = 1 / (spec.returnSequences ? p.steps : B);
  w.fill(0, 0, rows);
  if (spec.softmax) tgtI.fill(-1, 0, rows);
  else tgtF.fill(0, 0, rows * O);
  const put = (r: number, v: Target) => {
    w[r] = inv;
    if (spec.softmax) tgtI[r] = v as number;
    else if (typeof v === 'number') tgtF[r * O] = v;
    else for (let o = 0; o < O; o++) tgtF[r * O + o] = v[o];
  };
  for (let q = 0; q < B; q++) {
    const tb = targets[order[q]];
    if (!spec.returnSequences) put(q, tb as Target);
    else for (let t = 0; t < p.lenSorted[q]; t++) put(t * B + q, (tb as Target[])[t]);
  }
}
