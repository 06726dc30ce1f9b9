// Builds a SimpleRNN from imported weight arrays, for both importers (TF.js layers and Keras weights): the import
// options, the one check of an import's sizes against SimpleRNN.create's limits (made before any weight is decoded
// or allocated), the folding of an embedding into Ws, and SimpleRNN.create's errors re-attributed to the importer.
import { SimpleRNN, type SimpleRNNOptions } from '../model.js';
import { resolveModel, type StackSettings } from '../config.js';
import { MAX_BYTES, paramLayout, paramSuffix } from '../layout.js';
import { rangeError, typeError } from '../errors.js';

/** Options of the imports: where the imported model runs (as in SimpleRNN.create). */
export interface ImportOptions {
  /**
   * An Embedding (V, D) followed by the first recurrent layer's kernel K (D, H) (one per direction): false keeps E as
   * the model's embedding layer (embeddingSize D; exact, and E stays trainable); true folds E·K into the token rows of
   * Ws (V, H), a model without E whose rows are the f64 product rounded once to f32 (TF.js rounds E[id]·K in f32: a
   * few ulp apart), and drops the first layer's `dropout` (inputDropout needs E). 'auto' (default) folds only when
   * E·K is exact and is what toTfjsLayers writes for a model without E: D = H and K the identity (or, bidirectional,
   * D = 2H and the kernels [I; 0] and [0; I]; any K whose columns each hold one 1 and zeros copies columns of E), and
   * the layer has no `dropout`; it keeps E otherwise.
   */
  foldEmbedding?: boolean | 'auto';
  /** 'wasm' (default) or 'js'. */
  backend?: 'wasm' | 'js';
  /** Storage of the js backend: 'float32' (default) or 'float64'. */
  precision?: 'float32' | 'float64';
  /** Seed of the model's RNG (training after import). Default 1. */
  seed?: number;
  /** Learning rate of trainBatch. Default 0.01. */
  learningRate?: number;
}

/** The import options handed to SimpleRNN.create as they came: create validates them (and names them options.<key>). */
const CREATE_KEYS = ['backend', 'precision', 'seed', 'learningRate'] as const;

/** Every key of ImportOptions, for readOptions. */
export const IMPORT_KEYS = ['foldEmbedding', ...CREATE_KEYS] as const;

/** ImportOptions resolved: the importer's own option checked, create's passed on for create to check. */
export interface ImportConfig {
  foldEmbedding: boolean | 'auto';
  create: Pick<SimpleRNNOptions, (typeof CREATE_KEYS)[number]>;
}

/** Resolves the import keys of an options snapshot (from readOptions). */
export function importConfig(api: string, o: Partial<Record<(typeof IMPORT_KEYS)[number], unknown>>): ImportConfig {
  const f = o.foldEmbedding ?? 'auto';
  if (typeof f !== 'boolean' && f !== 'auto') throw typeError(api, 'options.foldEmbedding', "a boolean or 'auto'", f);
  const create: Record<string, unknown> = {};
  for (const k of CREATE_KEYS) if (k in o) create[k] = o[k];
  return { foldEmbedding: f, create: create as ImportConfig['create'] };
}

// ---- the sizes ----

/**
 * The imported model as given, its sizes read from the topology, the manifest or the arrays' lengths before any
 * weight value: vocabSize 0 for dense inputs; rows = layer 0's kernel rows (I, or the Embedding's dim D); hidden =
 * H of each recurrent layer; the settings as SimpleRNN.create takes them.
 */
export interface ImportedShape extends StackSettings {
  vocabSize: number;
  rows: number;
  hidden: number[];
  outputSize: number;
}

/** Where each size of an ImportedShape came from (a field of model.json, a weight array), for the errors. */
export interface SizeSources {
  vocabSize: string;
  rows: string;
  /** Per layer. */
  hiddenSize: string[];
  outputSize: string;
  /** Where the number of layers came from. */
  layers: string;
  /**
   * 'options': the settings (layers, bidirectional, merge, goBackwards and the dropout rates) are the caller's own
   * options (fromKerasWeights), so create's errors about them keep their names; 'model': they came from the model.
   */
  settings: 'options' | 'model';
}

/** The settings of an ImportedShape that SimpleRNN.create checks: the caller's own with fromKerasWeights. */
const SETTING_KEYS = ['layers', 'bidirectional', 'merge', 'goBackwards', 'dropout', 'inputDropout', 'recurrentDropout'] as const;

/** A tensor read but not kept (E and K, folded into Ws) may hold what one section of the largest model block holds. */
const MAX_TENSOR = MAX_BYTES / 16;

/** Directions per layer. */
const dirsOf = (s: ImportedShape): number => (s.bidirectional ? 2 : 1);

/** SimpleRNN.create's model options for the model an import builds: E·K folded into Ws (no E), or E kept. */
function createOptions(s: ImportedShape, fold: boolean): SimpleRNNOptions {
  const H = s.hidden;
  return {
    ...(s.vocabSize ? { vocabSize: s.vocabSize } : { inputSize: s.rows }),
    ...(s.vocabSize && !fold ? { embeddingSize: s.rows } : {}),
    hiddenSize: H.every((h) => h === H[0]) ? H[0] : [...H],
    outputSize: s.outputSize,
    activation: s.activation,
    outputActivation: s.outputActivation,
    returnSequences: s.returnSequences,
    layers: H.length,
    bidirectional: s.bidirectional,
    merge: s.merge,
    goBackwards: s.goBackwards,
    dropout: s.dropout,
    inputDropout: s.inputDropout,
    recurrentDropout: s.recurrentDropout,
  };
}

/** A size of create's options and the field of SizeSources it came from. */
const SOURCE: Record<string, 'rows' | 'vocabSize' | 'hiddenSize' | 'outputSize' | 'layers'> = {
  inputSize: 'rows', embeddingSize: 'rows', vocabSize: 'vocabSize', hiddenSize: 'hiddenSize', outputSize: 'outputSize', layers: 'layers',
};

/** An error of create's validation: a size names the field it came from; the caller's own options keep their names. */
function sizeError(api: string, e: unknown, from: SizeSources): unknown {
  const m = e instanceof Error ? /^SimpleRNN\.create: options\.([a-zA-Z]+)(?:\[(\d+)\])? (.*)$/s.exec(e.message) : null;
  if (!m || !(m[1] in SOURCE)) return asImportError(api, e, from);
  const src = SOURCE[m[1]];
  const field = src === 'hiddenSize' ? from.hiddenSize[m[2] ? Number(m[2]) : 0] : from[src];
  const msg = `SimpleRNN.${api}: ${field} ${m[3]} (SimpleRNN.create's ${m[1]})`;
  return e instanceof TypeError ? new TypeError(msg) : new RangeError(msg);
}

/**
 * The one check of an import's sizes, made before anything is decoded, folded or allocated: each size against
 * SimpleRNN.create's limits (create's own validation), the model block (params | grads | 2 optimizer states, in the
 * backend's float width) against MAX_BYTES, and, when E·K is folded, E (V, D) and each K (D, H) against one section.
 */
export function checkSizes(api: string, s: ImportedShape, from: SizeSources, imp: ImportConfig, fold: boolean): void {
  let cfg;
  try {
    cfg = resolveModel('create', { ...createOptions(s, fold), ...imp.create });
  } catch (e) {
    throw sizeError(api, e, from);
  }
  const { vocabSize: V, rows: D, hidden, outputSize: O } = s;
  const L = paramLayout(cfg, cfg.backend === 'js' && cfg.precision === 'float64' ? 8 : 4);
  const given = [
    ...(V ? [`vocabSize ${V} from ${from.vocabSize}`] : []),
    `${V ? (fold ? 'embedding dim' : 'embeddingSize') : 'inputSize'} ${D} from ${from.rows}`,
    ...hidden.map((H, l) => `hiddenSize${hidden.length > 1 ? `[${l}]` : ''} ${H} from ${from.hiddenSize[l]}`),
    `outputSize ${O} from ${from.outputSize}`,
    ...(s.bidirectional ? ['bidirectional'] : []),
    ...(V && fold ? ['E·K folded into Ws'] : []),
  ];
  if (L.bytes > MAX_BYTES) {
    throw rangeError(api, `the imported model (${given.join(', ')})`, `describes ${L.count} parameters (${L.bytes} bytes with gradients and optimizer state); the limit is ${MAX_BYTES} bytes`);
  }
  if (!(V && fold)) return;
  const H = hidden[0];
  for (const [what, n] of [[`the embeddings E (V, D) = (${V}, ${D})`, V * D], [`the kernel K (D, H) = (${D}, ${H})`, D * H]] as const) {
    if (n > MAX_TENSOR) throw rangeError(api, `${what} of the imported model (${given.join(', ')})`, `has ${n} floats; a tensor folded into Ws may have at most ${MAX_TENSOR}`);
  }
}

// ---- the embedding ----

/** E (V, D) · K (D, H) → (V, H), accumulated in f64 (the caller's f32 setParams rounds each element once). */
export function foldEmbedding(E: ArrayLike<number>, K: ArrayLike<number>, V: number, D: number, H: number): Float64Array {
  const out = new Float64Array(V * H);
  for (let v = 0; v < V; v++) {
    for (let d = 0; d < D; d++) {
      const e = E[v * D + d];
      if (e === 0) continue;
      for (let h = 0; h < H; h++) out[v * H + h] += e * K[d * H + h];
    }
  }
  return out;
}

/** K (D, H) selects: every entry 0 or 1, one 1 per column, so E·K copies columns of E (exact in any float width). */
function isSelection(K: ArrayLike<number>, D: number, H: number): boolean {
  for (let c = 0; c < H; c++) {
    let ones = 0;
    for (let r = 0; r < D; r++) {
      const k = K[r * H + c];
      if (k === 1) ones++;
      else if (k !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

/** 'auto' may fold when K has the shape toTfjsLayers writes for a model without E (D = dirs·H) and no inputDropout. */
const mayFold = (s: ImportedShape): boolean => s.inputDropout === 0 && s.rows === dirsOf(s) * s.hidden[0];

/**
 * Whether E·K is folded, as far as it is known before K's values are read: as the option says; for 'auto', when it
 * may be (mayFold). That folded model is the smaller one (each direction's Ws holds V token rows; unfolded, E holds
 * V·D = V·dirs·H and the kernels D·H more), so checking its sizes bounds every weight read before K decides
 * (shouldFold); when K decides otherwise, the unfolded model is checked before E is read.
 */
export function foldFirst(fold: ImportConfig['foldEmbedding'], s: ImportedShape): boolean {
  return s.vocabSize > 0 && (fold === 'auto' ? mayFold(s) : fold);
}

/**
 * Whether to fold E·K once layer 0's kernels K (D, H), one per direction, are read: as the option says, or for
 * 'auto' when it may (mayFold) and every K selects (the identity; [I; 0] and [0; I] for two directions).
 */
export function shouldFold(fold: ImportConfig['foldEmbedding'], s: ImportedShape, K: readonly ArrayLike<number>[]): boolean {
  return s.vocabSize > 0 && (fold === 'auto' ? mayFold(s) && K.every((k) => isSelection(k, s.rows, s.hidden[0])) : fold);
}

// ---- the model ----

/** One layer-direction's weights as read (row-major). */
export interface RawCell {
  /** The kernel K (In, H): layer 0's rows are D or I. */
  kernel: ArrayLike<number>;
  recurrent: ArrayLike<number>; // (H, H)
  bias: ArrayLike<number> | null; // (H)
}

/** The weights as read (row-major), their shapes those of the ImportedShape. */
export interface RawWeights {
  /** Per layer l and direction d, at l·dirs + d. */
  cells: RawCell[];
  /** The embedding layer E (V, D), or null. */
  embeddings: ArrayLike<number> | null;
  denseKernel: ArrayLike<number> | null; // (headIn, O); null = identity
  denseBias: ArrayLike<number> | null; // (O)
}

/**
 * Re-attributes an error of SimpleRNN.create to the importer: the caller's own options keep their names; a size or
 * setting that came from the imported model says so.
 */
function asImportError(api: string, e: unknown, from: SizeSources): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  const m = /^SimpleRNN\.(create|setParams): ((options|params)\.?([a-zA-Z]*).*)$/s.exec(e.message);
  if (!m) return e;
  const mine = m[1] === 'create' && ((CREATE_KEYS as readonly string[]).includes(m[4]) || (from.settings === 'options' && (SETTING_KEYS as readonly string[]).includes(m[4])));
  const msg = mine ? m[2] : `the imported model does not fit SimpleRNN.${m[1]}: ${m[2]}`;
  return e instanceof TypeError ? new TypeError(`SimpleRNN.${api}: ${msg}`) : new RangeError(`SimpleRNN.${api}: ${msg}`);
}

/**
 * Creates the model the shape describes (E·K folded into Ws, or E kept), with the caller's create options, and sets
 * its parameters from w: per layer l and direction d, Ws^{l,d} = [recurrent; kernel] (layer 0's kernel as E·K when
 * folded). The sizes were checked by checkSizes with the same `fold`.
 */
export async function build(api: string, s: ImportedShape, fold: boolean, w: RawWeights, imp: ImportConfig, from: SizeSources): Promise<SimpleRNN> {
  const { vocabSize: V, rows: D, hidden, outputSize: O } = s;
  const folded = V > 0 && fold;
  let model: SimpleRNN;
  try {
    model = await SimpleRNN.create({ ...createOptions(s, folded), ...imp.create });
  } catch (e) {
    throw asImportError(api, e, from);
  }
  try {
    const dirs = dirsOf(s);
    const params: Record<string, Float64Array> = {};
    let headIn = 0;
    hidden.forEach((H, l) => {
      for (let d = 0; d < dirs; d++) {
        const c = w.cells[l * dirs + d];
        const inputRows = l === 0 && folded ? foldEmbedding(w.embeddings!, c.kernel, V, D, H) : c.kernel;
        const Ws = new Float64Array(H * H + inputRows.length);
        Ws.set(c.recurrent, 0);
        Ws.set(inputRows, H * H);
        const x = paramSuffix(l, d);
        params[`Ws${x}`] = Ws;
        params[`bs${x}`] = c.bias ? Float64Array.from(c.bias) : new Float64Array(H);
      }
      headIn = dirs === 2 && s.merge === 'concat' ? 2 * H : H;
    });
    const Wo = new Float64Array(headIn * O);
    if (w.denseKernel) Wo.set(w.denseKernel);
    else for (let h = 0; h < headIn; h++) Wo[h * O + h] = 1;
    params.Wo = Wo;
    params.bo = w.denseBias ? Float64Array.from(w.denseBias) : new Float64Array(O);
    if (w.embeddings && !folded) params.E = Float64Array.from(w.embeddings);
    model.setParams(params);
  } catch (e) {
    model.dispose();
    throw asImportError(api, e, from);
  }
  return model;
}
