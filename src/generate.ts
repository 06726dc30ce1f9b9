// Streaming inference (one step at a time) and sampling for token models.
// A Stepper owns a small workspace of its own (B = 1, T = 1). It runs the batch forward's kernels, except that the
// products of one row use gemv (assembly/step.ts), which computes matmulForward's bits for M = 1 with the rows of W
// streamed: a step gives the bits predict gives on the same prefix. It keeps its views and refreshes them only when memory.grow
// has detached them: a step allocates nothing but its result.
import { ACT, OUT, type Backend, type FloatArray, type Ptr } from './backend.js';
import { rangeError, typeError } from './errors.js';
import type { ModelConfig } from './model.js';
import { Rng } from './random.js';

export interface StepPointers {
  Ws: Ptr;
  bs: Ptr;
  Wo: Ptr;
  bo: Ptr;
  E: Ptr;
}

const align16 = (n: number) => (n + 15) & ~15;

export class Stepper {
  private readonly block: Ptr;
  private readonly x: Ptr;
  private readonly xe: Ptr;
  private readonly s: Ptr; // (2, H): s^{t-1} | s^t
  private readonly y: Ptr; // (O) logits, then outputs
  private readonly work: Ptr; // (O) sampling scratch
  private sv!: FloatArray;
  private yv!: FloatArray;
  private xf: FloatArray | null = null;
  private xi: Int32Array | null = null;
  private readonly H: number;
  private readonly O: number;

  constructor(private readonly be: Backend, private readonly c: Readonly<ModelConfig>, private readonly P: StepPointers) {
    const fb = be.floatBytes;
    this.H = c.hiddenSize;
    this.O = c.outputSize;
    const parts = [c.vocabSize ? 16 : c.inputSize * fb, c.embeddingSize * fb, 2 * this.H * fb, this.O * fb, this.O * fb];
    this.block = be.alloc(parts.reduce((a, n) => a + align16(n), 0));
    let at = this.block;
    const next = (n: number) => {
      const p = at;
      at += align16(n);
      return p;
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
    this.sv = this.be.floats(this.s, 2 * this.H);
    this.yv = this.be.floats(this.y, this.O);
    if (this.c.vocabSize) this.xi = this.be.ints(this.x, 1);
    else this.xf = this.be.floats(this.x, this.c.inputSize);
  }

  /** s^{t-1} := state. */
  setState(state: ArrayLike<number>): void {
    this.refresh();
    this.sv.set(state);
  }

  /** s^t = f(s^{t-1} Wh + i^t Wi + bs), y = s^t Wo + bo (logits); then s^{t-1} := s^t for the next step. */
  advance(input: number | ArrayLike<number>): void {
    const { be, c, P, H, O } = this;
    this.refresh();
    const fb = be.floatBytes;
    const s1 = this.s + H * fb;
    const Wi = P.Ws + H * H * fb;
    if (c.vocabSize) {
      this.xi![0] = input as number;
      if (c.embeddingSize) {
        be.embeddingForward(this.xe, this.x, P.E, 1, c.embeddingSize);
        be.gemv(s1, this.xe, Wi, 0, c.embeddingSize, H, 0);
      } else be.embeddingForward(s1, this.x, Wi, 1, H);
    } else {
      this.xf!.set(input as ArrayLike<number>);
      be.gemv(s1, this.x, Wi, 0, c.inputSize, H, 0);
    }
    // rnnForward's step for one sequence: z = (i^t Wi) + bs + s^{t-1} Wh, s^t = f(z); then y = s^t Wo + bo
    be.gemv(s1, this.s, P.Ws, P.bs, H, H, 1);
    be.activationForward(s1, H, ACT[c.activation]);
    be.gemv(this.y, s1, P.Wo, P.bo, H, O, 0);
    this.sv.copyWithin(0, H, 2 * H);
  }

  /** A copy of the state after the last advance (the only allocation: the caller's result). */
  stateCopy(): FloatArray {
    this.refresh();
    return this.sv.slice(0, this.H);
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

/** Validates a state vector for step(). */
export function checkState(api: string, state: unknown, H: number): ArrayLike<number> {
  if (!(state instanceof Float32Array) && !(state instanceof Float64Array) && !Array.isArray(state)) {
    throw typeError(api, 'state', `a Float32Array of hiddenSize=${H} numbers (from initialState() or a previous step)`, state);
  }
  const s = state as ArrayLike<number>;
  if (s.length !== H) throw rangeError(api, 'state', `has length ${s.length}; expected hiddenSize=${H}`);
  for (let h = 0; h < H; h++) {
    if (typeof s[h] !== 'number' || !Number.isFinite(s[h])) throw rangeError(api, `state[${h}]`, `= ${String(s[h])} is not a finite number`);
  }
  return s;
}

/** Validates one input step: a token id, or a vector of inputSize numbers. */
export function checkInput(api: string, input: unknown, c: Readonly<ModelConfig>, field = 'input'): number | ArrayLike<number> {
  if (c.vocabSize) {
    if (typeof input !== 'number') throw typeError(api, field, `a token id (an integer in [0, vocabSize=${c.vocabSize}))`, input);
    if (!Number.isInteger(input) || input < 0 || input >= c.vocabSize) {
      throw rangeError(api, field, `= ${input} is not a token id; expected an integer in [0, vocabSize=${c.vocabSize})`);
    }
    return input;
  }
  if (!Array.isArray(input) && !(input instanceof Float32Array) && !(input instanceof Float64Array)) {
    throw typeError(api, field, `an input vector of inputSize=${c.inputSize} numbers`, input);
  }
  const v = input as ArrayLike<number>;
  if (v.length !== c.inputSize) throw rangeError(api, field, `has length ${v.length}; expected inputSize=${c.inputSize}`);
  for (let k = 0; k < v.length; k++) {
    if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) throw rangeError(api, `${field}[${k}]`, `= ${String(v[k])} is not a finite number`);
  }
  return v;
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

export function generate(c: Readonly<ModelConfig>, stepper: Stepper, s0: FloatArray, modelRng: Rng, o: GenerateOptions): number[] {
  const api = 'generate';
  if (!c.vocabSize || c.outputActivation !== 'softmax' || c.outputSize !== c.vocabSize) {
    throw rangeError(api, 'model', `must predict the next token: vocabSize with outputActivation: 'softmax' and outputSize = vocabSize; got vocabSize=${c.vocabSize}, outputActivation='${c.outputActivation}', outputSize=${c.outputSize}`);
  }
  if (o === null || typeof o !== 'object') throw typeError(api, 'options', 'an options object { prompt, length, temperature, topK, seed }', o);
  for (const k of Object.keys(o)) {
    if (!['prompt', 'length', 'temperature', 'topK', 'seed'].includes(k)) {
      throw rangeError(api, `options.${k}`, 'is not an option; expected one of prompt, length, temperature, topK, seed');
    }
  }
  const prompt = o.prompt;
  if (!Array.isArray(prompt) && !(ArrayBuffer.isView(prompt) && !(prompt instanceof DataView) && !(prompt instanceof Float32Array) && !(prompt instanceof Float64Array))) {
    throw typeError(api, 'options.prompt', 'an array of token ids', prompt);
  }
  if (prompt.length === 0) throw rangeError(api, 'options.prompt', 'is empty; expected at least one token id');
  for (let t = 0; t < prompt.length; t++) checkInput(api, prompt[t], c, `options.prompt[${t}]`);
  const length = o.length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw rangeError(api, 'options.length', `= ${String(length)} is out of range; expected an integer >= 0`);
  }
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw rangeError(api, 'options.temperature', `= ${String(temperature)} is out of range; expected a finite number >= 0`);
  }
  const topK = o.topK ?? 0;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 0) {
    throw rangeError(api, 'options.topK', `= ${String(topK)} is out of range; expected an integer >= 0`);
  }
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isInteger(o.seed))) throw typeError(api, 'options.seed', 'an integer', o.seed);
  const rng = o.seed === undefined ? modelRng : new Rng(o.seed);
  const out: number[] = new Array(length);
  stepper.setState(s0);
  for (let t = 0; t < prompt.length; t++) stepper.advance(prompt[t]);
  for (let k = 0; k < length; k++) {
    const greedy = temperature === 0 || topK === 1;
    const tok = stepper.sample(temperature, topK, greedy ? 0 : rng.uniform());
    out[k] = tok;
    if (k + 1 < length) stepper.advance(tok);
  }
  return out;
}
