// Imports a Keras SimpleRNN model (stacked, bidirectional) from its weight arrays (model.get_weights(): nested lists or
// flat typed arrays) and the layer settings the arrays do not carry. The weight mapping is in src/interop/tfjs-format.ts.
import type { SimpleRNN, Activation, OutputActivation } from '../model.js';
import { MAX_LAYERS, type MergeMode } from '../config.js';
import { paramSuffix } from '../layout.js';
import { rangeError, typeError } from '../errors.js';
import { bool, f32, int, oneOf, readOptions } from '../options.js';
import { IMPORT_KEYS, build, checkSizes, foldFirst, importConfig, shouldFold, type ImportOptions, type ImportedShape, type SizeSources } from './build.js';
import { HOLE, MAX_ITEMS, floatArray, holeError, item, lengthOf } from './read.js';
import { ACTS, MERGES, OUTS } from './tfjs-format.js';

/** A weight array as model.get_weights() gives it: nested lists (ndarray.tolist()) or a flat typed array. */
export type KerasArray = number[] | number[][] | Float32Array | Float64Array;

/** Options of fromKerasWeights: the layer settings that the weight arrays do not carry. */
export interface KerasWeightsOptions extends ImportOptions {
  /** The SimpleRNNs' activation. Default 'tanh' (Keras's default). */
  activation?: Activation;
  /** Dense activation. Default 'linear' (Keras's default); 'softmax' for a classifier. */
  outputActivation?: OutputActivation;
  /** The top SimpleRNN's return_sequences (the lower ones return sequences). Default false. */
  returnSequences?: boolean;
  /** Recurrent layers stacked (SimpleRNN.create's layers). Default 1. */
  layers?: number;
  /** The recurrent layers are Bidirectional(SimpleRNN): each has forward then backward weights. Default false. */
  bidirectional?: boolean;
  /** The Bidirectional merge_mode: 'concat' (Keras's default), 'sum', 'mul' or 'ave'. */
  merge?: MergeMode;
  /** The first SimpleRNN has go_backwards: true. Default false. */
  goBackwards?: boolean;
  /** The rate of the Dropout layers between the recurrent layers (SimpleRNN.create's dropout). Default 0. */
  dropout?: number;
  /** The first SimpleRNN's dropout (SimpleRNN.create's inputDropout). Default 0. */
  inputDropout?: number;
  /** The SimpleRNNs' recurrent_dropout. Default 0. */
  recurrentDropout?: number;
  /** true when get_weights() starts with an Embedding's matrix (V, D). Default false. */
  embedding?: boolean;
  /** The SimpleRNNs' use_bias. Default true. */
  useBias?: boolean;
  /** Dense use_bias. Default true. */
  denseUseBias?: boolean;
}

const KERAS_KEYS = [
  'activation', 'outputActivation', 'returnSequences', 'embedding', 'useBias', 'denseUseBias',
  'layers', 'bidirectional', 'merge', 'goBackwards', 'dropout', 'inputDropout', 'recurrentDropout', ...IMPORT_KEYS,
] as const;

/** A dropout rate, as SimpleRNN.create takes it. */
const RATE = { min: 0, max: 1, maxOpen: true };

/** Most numbers in one weight array (a length that says more is refused before anything is read). */
const MAX_LENGTH = 2 ** 32;

/**
 * One weight array as given, before its values are read: its shape from its lengths alone (nested arrays: the
 * number of rows and the length of the first row; flat arrays: null), and `read`, which reads every value once.
 */
interface Given {
  f: string;
  shape: number[] | null;
  length: number;
  read(): Float64Array;
}

function finite(api: string, field: string, v: unknown): number {
  if (typeof v !== 'number') throw typeError(api, field, 'a number', v);
  if (!Number.isFinite(Math.fround(v))) throw rangeError(api, field, `= ${v} is not finite in float32`);
  return v;
}

/** Reads a weight array's lengths (each once: its length, its first item, the first row's length). */
function given(api: string, f: string, a: unknown): Given {
  const fa = floatArray(a);
  if (fa) {
    const { array, length } = fa;
    return {
      f, shape: null, length,
      read() {
        const out = new Float64Array(length);
        for (let j = 0; j < length; j++) out[j] = finite(api, `${f}[${j}]`, array[j]);
        return out;
      },
    };
  }
  if (!Array.isArray(a)) throw typeError(api, f, 'a nested number array or a Float32Array', a);
  const R = lengthOf(api, f, a, MAX_LENGTH);
  const first = R > 0 ? item(a, 0) : undefined;
  if (first === HOLE) throw holeError(api, `${f}[0]`, 'a number or a row of numbers');
  if (!Array.isArray(first)) {
    return {
      f, shape: [R], length: R,
      read() {
        const out = new Float64Array(R);
        for (let c = 0; c < R; c++) {
          const v = c === 0 ? first : item(a, c);
          if (v === HOLE) throw holeError(api, `${f}[${c}]`, 'a number');
          out[c] = finite(api, `${f}[${c}]`, v);
        }
        return out;
      },
    };
  }
  const C = lengthOf(api, `${f}[0]`, first, MAX_LENGTH);
  return {
    f, shape: [R, C], length: R * C,
    read() {
      const out = new Float64Array(R * C);
      for (let r = 0; r < R; r++) {
        const row = r === 0 ? first : item(a, r);
        if (row === HOLE) throw holeError(api, `${f}[${r}]`, `a row of ${C} numbers`);
        if (!Array.isArray(row)) throw typeError(api, `${f}[${r}]`, `a row of ${C} numbers`, row);
        const n = r === 0 ? C : lengthOf(api, `${f}[${r}]`, row, MAX_LENGTH);
        if (n !== C) throw rangeError(api, `${f}[${r}]`, `has length ${n}; expected ${C} (the length of ${f}[0])`);
        for (let c = 0; c < C; c++) {
          const v = item(row, c);
          if (v === HOLE) throw holeError(api, `${f}[${r}][${c}]`, 'a number');
          out[r * C + c] = finite(api, `${f}[${r}][${c}]`, v);
        }
      }
      return out;
    },
  };
}

/**
 * Builds a model from the weights of a Keras model of stacked SimpleRNN (or Bidirectional(SimpleRNN)) layers and a
 * Dense, in model.get_weights() order: [embeddings (V, D)], then per recurrent layer l (and per direction: a
 * Bidirectional's forward layer, then its backward layer) kernel (In, H), recurrent_kernel (H, H), [bias (H)], then
 * dense kernel (top, O), [dense bias (O)]. The arrays are named as our parameters are (kernel_l1, bias_reverse, ...).
 * Sizes come from the arrays: nested arrays carry their shapes; flat arrays are read through each H (the recurrent
 * kernel is H*H) and the other arrays' lengths. The sizes are checked (build.ts checkSizes) before any value is read;
 * each value is read once.
 */
export async function fromKerasWeights(weights: KerasArray[], options?: KerasWeightsOptions): Promise<SimpleRNN> {
  const api = 'fromKerasWeights';
  const o = readOptions(api, options ?? undefined, KERAS_KEYS);
  const embedding = bool(api, 'options.embedding', o.embedding, false);
  const useBias = bool(api, 'options.useBias', o.useBias, true);
  const denseUseBias = bool(api, 'options.denseUseBias', o.denseUseBias, true);
  const returnSequences = bool(api, 'options.returnSequences', o.returnSequences, false);
  const activation = oneOf(api, 'options.activation', o.activation, ACTS, 'tanh');
  const outputActivation = oneOf(api, 'options.outputActivation', o.outputActivation, OUTS, 'linear');
  const layers = int(api, 'options.layers', o.layers, 1, MAX_LAYERS, 1);
  const bidirectional = bool(api, 'options.bidirectional', o.bidirectional, false);
  const merge = oneOf(api, 'options.merge', o.merge, MERGES, 'concat');
  const goBackwards = bool(api, 'options.goBackwards', o.goBackwards, false);
  const rate = (k: 'dropout' | 'inputDropout' | 'recurrentDropout') => f32(api, `options.${k}`, o[k], RATE, 0);
  const [dropout, inputDropout, recurrentDropout] = [rate('dropout'), rate('inputDropout'), rate('recurrentDropout')];
  const imp = importConfig(api, o);
  const dirs = bidirectional ? 2 : 1;
  const cellNames = (l: number, d: number) => {
    const x = paramSuffix(l, d);
    return [`kernel${x}`, `recurrent_kernel${x}`, ...(useBias ? [`bias${x}`] : [])];
  };
  const names = [
    ...(embedding ? ['embeddings'] : []),
    ...Array.from({ length: layers * dirs }, (_, k) => cellNames(Math.floor(k / dirs), k % dirs)).flat(),
    'dense kernel', ...(denseUseBias ? ['dense bias'] : []),
  ];
  if (!Array.isArray(weights)) throw typeError(api, 'weights', `an array [${names.join(', ')}] (model.get_weights())`, weights);
  const n = lengthOf(api, 'weights', weights, MAX_ITEMS);
  if (n !== names.length) {
    throw rangeError(api, 'weights', `has ${n} arrays; expected ${names.length}: [${names.join(', ')}] (set options.embedding / layers / bidirectional / useBias / denseUseBias to match the model)`);
  }
  const arr: Record<string, Given> = {};
  names.forEach((name, k) => {
    const f = `weights[${k}] (${name})`;
    const a = item(weights, k);
    if (a === HOLE) throw holeError(api, f, 'a nested number array or a Float32Array');
    arr[name] = given(api, f, a);
  });
  // ---- the sizes, from the lengths alone ----
  const want = (name: string, shape: number[]): void => {
    const a = arr[name];
    const len = shape.reduce((x, y) => x * y, 1);
    if (a.shape ? a.shape.length !== shape.length || a.shape.some((d, k) => d !== shape[k]) : a.length !== len) {
      throw rangeError(api, a.f, `has ${a.shape ? `shape [${a.shape}]` : `${a.length} numbers`}; expected [${shape}]`);
    }
  };
  const src = (a: Given, flat: string) => (a.shape ? `${a.f} rows` : `${a.f} (flat: ${flat})`);
  const hidden: number[] = [];
  let I = 0;
  let In = 0;
  for (let l = 0; l < layers; l++) {
    const rec = arr[`recurrent_kernel${paramSuffix(l, 0)}`];
    const H = rec.shape ? rec.shape[0] : Math.round(Math.sqrt(rec.length));
    if (!(H >= 1)) throw rangeError(api, rec.f, 'is empty; expected (H, H) with H >= 1');
    if (l === 0) {
      const kern = arr.kernel;
      I = kern.shape ? kern.shape[0] : kern.length / H;
      if (!Number.isInteger(I) || I < 1) throw rangeError(api, kern.f, `has ${kern.length} numbers; expected (I, H=${H}) with I >= 1`);
      In = I;
    }
    for (let d = 0; d < dirs; d++) {
      const [k, r, b] = cellNames(l, d);
      want(r, [H, H]);
      want(k, [In, H]);
      if (useBias) want(b, [H]);
    }
    hidden.push(H);
    In = bidirectional && merge === 'concat' ? 2 * H : H;
  }
  const headIn = In;
  const dk = arr['dense kernel'];
  const O = dk.shape ? (dk.shape.length === 2 ? dk.shape[1] : 0) : dk.length / headIn;
  if (!Number.isInteger(O) || O < 1) throw rangeError(api, dk.f, `has ${dk.shape ? `shape [${dk.shape}]` : `${dk.length} numbers`}; expected (${layers > 1 || bidirectional ? 'top' : 'H'}=${headIn}, O)`);
  want('dense kernel', [headIn, O]);
  if (denseUseBias) want('dense bias', [O]);
  if (outputActivation === 'softmax' && O < 2) throw rangeError(api, dk.f, `has O = ${O} units; softmax needs >= 2`);
  let V = 0;
  const E = embedding ? arr.embeddings : null;
  if (E) {
    V = E.shape ? E.shape[0] : E.length / I;
    if (!Number.isInteger(V) || V < 1) throw rangeError(api, E.f, `has ${E.length} numbers; expected (V, D=${I})`);
    want('embeddings', [V, I]);
  }
  const shape: ImportedShape = {
    vocabSize: V, rows: I, hidden, outputSize: O, activation, outputActivation, returnSequences,
    bidirectional, merge, goBackwards, dropout, inputDropout, recurrentDropout,
  };
  const from: SizeSources = {
    vocabSize: E ? src(E, 'V = length / D') : '',
    rows: src(arr.kernel, 'I = length / H'),
    hiddenSize: hidden.map((_, l) => src(arr[`recurrent_kernel${paramSuffix(l, 0)}`], 'H = √length')),
    outputSize: dk.shape ? `${dk.f} columns` : `${dk.f} (flat: O = length / ${headIn})`,
    layers: 'options.layers',
    settings: 'options',
  };
  const fold = foldFirst(imp.foldEmbedding, shape);
  checkSizes(api, shape, from, imp, fold);
  // ---- the values, each read once ----
  const cells = Array.from({ length: layers * dirs }, (_, k) => {
    const [kn, r, b] = cellNames(Math.floor(k / dirs), k % dirs);
    return { kernel: arr[kn].read(), recurrent: arr[r].read(), bias: useBias ? arr[b].read() : null };
  });
  const denseKernel = dk.read();
  const denseBias = denseUseBias ? arr['dense bias'].read() : null;
  const folded = shouldFold(imp.foldEmbedding, shape, cells.slice(0, dirs).map((c) => c.kernel));
  if (folded !== fold) checkSizes(api, shape, from, imp, folded); // K decided otherwise: that model is checked before E is read
  const embeddings = E ? E.read() : null;
  return build(api, shape, folded, { cells, embeddings, denseKernel, denseBias }, imp, from);
}
