// Streaming inference (one step at a time) and sampling for token models.
// A Stepper owns a small workspace of its own (B = 1, T = 1). It runs the batch forward's kernels, except that the
// products of one row use gemv (assembly/step.ts), which computes matmulForward's bits for M = 1 with the rows of W
// streamed: a step gives the bits predict gives on the same prefix. It keeps its views and refreshes them only when memory.grow
// has detached them: a step allocates nothing but its result.
import { ACT, OUT, type Backend, type FloatArray, type Ptr } from './backend.js';
import { rangeError, typeError } from './errors.js';
import type { ModelConfig } from './config.js';
import { int, num, readOptions } from './options.js';
import { countOf, isFloatArray } from './batch.js';
import { Rng } from './random.js';

export interface StepPointers {
  /** Per layer: W_s and b_s (one direction). */
  Ws: Ptr[];
  bs: Ptr[];
  Wo: Ptr;
  bo: Ptr;
  E: Ptr;
}

const align16 = (n: number) => (n + 15) & ~15;

export class Stepper {
  private readonly block: Ptr;
  private readonly x: Ptr;
  private readonly xe: Ptr;
  private readonly s: Ptr; // (2, S): s^{t-1} of every layer | s^t of every layer
  private readonly y: Ptr; // (O) logits, then outputs
  private readonly work: Ptr; // (O) sampling scratch
  private sv!: FloatArray;
  private yv!: FloatArray;
  private xf: FloatArray | null = null;
  private xi: Int32Array | null = null;
  private readonly H: number[];
  private readonly off: number[];
  private readonly S: number;
  private readonly O: number;

  /** H: each layer's size (one direction: streaming cannot read a sequence backwards). */
  constructor(private readonly be: Backend, private readonly c: Readonly<ModelConfig>, H: number[], private readonly P: StepPointers) {
    const fb = be.floatBytes;
    this.H = H;
    this.off = [];
    let at = 0;
    for (const h of H) {
      this.off.push(at);
      at += h;
    }
    this.S = at;
    this.O = c.outputSize;
    const parts = [c.vocabSize ? 16 : c.inputSize * fb, c.embeddingSize * fb, 2 * this.S * fb, this.O * fb, this.O * fb];
    this.block = be.alloc(parts.reduce((a, n) => a + align16(n), 0));
    let p = this.block;
    const next = (n: number) => {
      const q = p;
      p += align16(n);
      return q;
    };
    this.x = next(parts[0]);
    this.xe = next(parts[1]);
    this.s = next(parts[2]);
    this.y = next(parts[3]);
    this.work = next(parts[4]);
    this.refresh();
  }

  /** Re-fetches the views when memory.grow detached them (a detached view has length 0). */
  private refresh(): void {
    if (this.sv && this.sv.length !== 0) return;
    this.sv = this.be.floats(this.s, 2 * this.S);
    this.yv = this.be.floats(this.y, this.O);
    if (this.c.vocabSize) this.xi = this.be.ints(this.x, 1);
    else this.xf = this.be.floats(this.x, this.c.inputSize);
  }

  /** s^{t-1} := state (every layer's, concatenated). */
  setState(state: ArrayLike<number>): void {
    this.refresh();
    this.sv.set(state);
  }

  /**
   * One step of every layer: s_l^t = f(x_l^t W_i + b_s + s_l^{t-1} W_h) with x_0 = the input and x_l = s_{l-1}^t,
   * then y = s_top^t Wo + bo (logits); then s^{t-1} := s^t for the next step.
   */
  advance(input: number | ArrayLike<number>): void {
    const { be, c, P, O } = this;
    this.refresh();
    const fb = be.floatBytes;
    const cur = (l: number) => this.s + (this.S + this.off[l]) * fb;
    const prev = (l: number) => this.s + this.off[l] * fb;
    for (let l = 0; l < this.H.length; l++) {
      const H = this.H[l];
      const s1 = cur(l);
      const Wi = P.Ws[l] + H * H * fb;
      if (l > 0) be.gemv(s1, cur(l - 1), Wi, 0, this.H[l - 1], H, 0);
      else if (c.vocabSize) {
        this.xi![0] = input as number;
        if (c.embeddingSize) {
          be.embeddingForward(this.xe, this.x, P.E, 1, c.embeddingSize);
          be.gemv(s1, this.xe, Wi, 0, c.embeddingSize, H, 0);
        } else be.embeddingForward(s1, this.x, Wi, 1, H);
      } else {
        this.xf!.set(input as ArrayLike<number>);
        be.gemv(s1, this.x, Wi, 0, c.inputSize, H, 0);
      }
      // rnnForward's step for one sequence: z = (x^t Wi) + bs + s^{t-1} Wh, s^t = f(z)
      be.gemv(s1, prev(l), P.Ws[l], P.bs[l], H, H, 1);
      be.activationForward(s1, H, ACT[c.activation]);
    }
    const top = this.H.length - 1;
    be.gemv(this.y, cur(top), P.Wo, P.bo, this.H[top], O, 0);
    this.sv.copyWithin(0, this.S, 2 * this.S);
  }

  /** A copy of the state after the last advance (the only allocation: the caller's result). */
  stateCopy(): FloatArray {
    this.refresh();
    return this.sv.slice(0, this.S);
  }

  /** f_o applied to the last logits (in place), copied out. */
  outputsCopy(): FloatArray {
    this.be.outputForward(this.y, 1, this.O, OUT[this.c.outputActivation]);
    this.refresh();
    return this.yv.slice();
  }

  /** A class drawn from the last logits (sampleLogits kernel). */
  sample(temperature: number, topK: number, u: number): number {
    return this.be.sampleLogits(this.work, this.y, this.O, temperature, topK, u);
  }

  free(): void {
    this.be.free(this.block);
  }
}

/** Reads a state vector for step() once, checking every value as it is copied. */
export function readState(api: string, state: unknown, H: number, size = 'hiddenSize'): Float64Array {
  if (!isFloatArray(state) && !Array.isArray(state)) {
    throw typeError(api, 'state', `a Float32Array of ${size}=${H} numbers (from initialState() or a previous step)`, state);
  }
  const s = state as ArrayLike<unknown>;
  const n = countOf(api, 'state', s);
  if (n !== H) throw rangeError(api, 'state', `has length ${n}; expected ${size}=${H}`);
  const out = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    const v = s[h];
    if (typeof v !== 'number') throw typeError(api, `state[${h}]`, 'a number', v);
    if (!Number.isFinite(Math.fround(v))) throw rangeError(api, `state[${h}]`, `= ${v} is not a finite number (in float32)`);
    out[h] = v;
  }
  return out;
}

/** Reads one input step once: a token id, or a vector of inputSize finite float32 numbers (copied). */
export function readInput(api: string, input: unknown, c: Readonly<ModelConfig>, field = 'input'): number | Float64Array {
  if (c.vocabSize) {
    if (typeof input !== 'number') throw typeError(api, field, `a token id (an integer in [0, vocabSize=${c.vocabSize}))`, input);
    if (!Number.isInteger(input) || input < 0 || input >= c.vocabSize) {
      throw rangeError(api, field, `= ${input} is not a token id; expected an integer in [0, vocabSize=${c.vocabSize})`);
    }
    return input;
  }
  if (!Array.isArray(input) && !isFloatArray(input)) {
    throw typeError(api, field, `an input vector of inputSize=${c.inputSize} numbers`, input);
  }
  const v = input as ArrayLike<unknown>;
  const n = countOf(api, field, v);
  if (n !== c.inputSize) throw rangeError(api, field, `has length ${n}; expected inputSize=${c.inputSize}`);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = v[k];
    if (typeof x !== 'number') throw typeError(api, `${field}[${k}]`, 'a number', x);
    if (!Number.isFinite(Math.fround(x))) throw rangeError(api, `${field}[${k}]`, `= ${x} is not a finite number (in float32)`);
    out[k] = x;
  }
  return out;
}

/** Options of SimpleRNN.generate (token models whose output is the next token: softmax over outputSize = vocabSize). */
export interface GenerateOptions {
  /** Token ids fed first (at least one); generation continues from the state after the last. */
  prompt: ArrayLike<number>;
  /** Tokens to generate (the prompt is not included in the result). */
  length: number;
  /**
   * Softmax temperature: p ∝ exp(logit / temperature). 0 takes the argmax (greedy, no randomness). Default 1.
   */
  temperature?: number;
  /** Sample among the topK most likely tokens only (ties with the K-th are kept); 0 = all. Default 0. */
  topK?: number;
  /** Seed of this call's own Rng; without it the model's Rng is used (and advances). */
  seed?: number;
}

/** Most tokens one generate call returns (its result is one array). */
export const MAX_GENERATE = 2 ** 26;

/**
 * Reads and checks generate's options once (the prompt is copied), and returns the run: it feeds the prompt from
 * s0 and samples `length` tokens. The run touches memory; reading the options does not.
 */
export function generate(c: Readonly<ModelConfig>, options: GenerateOptions): (stepper: Stepper, s0: FloatArray, modelRng: Rng) => number[] {
  const api = 'generate';
  if (!c.vocabSize || c.outputActivation !== 'softmax' || c.outputSize !== c.vocabSize) {
    throw rangeError(api, 'model', `must predict the next token: vocabSize with outputActivation: 'softmax' and outputSize = vocabSize; got vocabSize=${c.vocabSize}, outputActivation='${c.outputActivation}', outputSize=${c.outputSize}`);
  }
  if (options === undefined) throw typeError(api, 'options', 'an options object { prompt, length, temperature, topK, seed }', options);
  const o = readOptions(api, options, ['prompt', 'length', 'temperature', 'topK', 'seed']);
  const p = o.prompt;
  if (!Array.isArray(p) && !(ArrayBuffer.isView(p) && !(p instanceof DataView) && !(p instanceof Float32Array) && !(p instanceof Float64Array))) {
    throw typeError(api, 'options.prompt', 'an array of token ids', p);
  }
  const src = p as ArrayLike<unknown>;
  const n = countOf(api, 'options.prompt', src);
  if (n === 0) throw rangeError(api, 'options.prompt', 'is empty; expected at least one token id');
  if (!(n <= MAX_GENERATE)) throw rangeError(api, 'options.prompt', `has ${n} tokens; expected at most ${MAX_GENERATE}`);
  const prompt = new Int32Array(n);
  for (let t = 0; t < n; t++) prompt[t] = readInput(api, src[t], c, `options.prompt[${t}]`) as number;
  const length = int(api, 'options.length', o.length, 0, MAX_GENERATE);
  const temperature = num(api, 'options.temperature', o.temperature, { min: 0, max: Infinity }, 1);
  const topK = int(api, 'options.topK', o.topK, 0, Infinity, 0);
  const seed = o.seed === undefined ? undefined : int(api, 'options.seed', o.seed, -(2 ** 53), 2 ** 53);
  return (stepper, s0, modelRng) => {
    const rng = seed === undefined ? modelRng : new Rng(seed);
    const out: number[] = new Array(length);
    stepper.setState(s0);
    for (let t = 0; t < n; t++) stepper.advance(prompt[t]);
    for (let k = 0; k < length; k++) {
      const greedy = temperature === 0 || topK === 1;
      const tok = stepper.sample(temperature, topK, greedy ? 0 : rng.uniform());
      out[k] = tok;
      if (k + 1 < length) stepper.advance(tok);
    }
    return out;
  };
}
