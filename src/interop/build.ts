// Builds a SimpleRNN from imported weight arrays, for both importers (TF.js layers and Keras weights): the import
// options, the one check of an import's sizes against SimpleRNN.create's limits (made before any weight is decoded
// or allocated), the folding of an embedding into Ws, and SimpleRNN.create's errors re-attributed to the importer.
import { SimpleRNN, type Activation, type OutputActivation, type SimpleRNNOptions } from '../model.js';
import { resolveModel } from '../config.js';
import { MAX_BYTES, paramLayout } from '../layout.js';
import { rangeError, typeError } from '../errors.js';

/** Options of the imports: where the imported model runs (as in SimpleRNN.create). */
export interface ImportOptions {
  /**
   * An Embedding (V, D) followed by the SimpleRNN kernel K (D, H): false keeps E as the model's embedding layer
   * (embeddingSize D; exact, and E stays trainable); true folds E·K into the token rows of Ws (V, H), a model without
   * E whose rows are the f64 product rounded once to f32 (TF.js rounds E[id]·K in f32: a few ulp apart). 'auto'
   * (default) folds only when K is exactly the identity (what toTfjsLayers writes for a model without E: E·I = E
   * exactly), and keeps E otherwise.
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
 * weight value: vocabSize 0 for dense inputs; rows = the SimpleRNN kernel's rows (I, or the Embedding's dim D).
 */
export interface ImportedShape {
  vocabSize: number;
  rows: number;
  hiddenSize: number;
  outputSize: number;
  activation: Activation;
  outputActivation: OutputActivation;
  returnSequences: boolean;
}

/** Where each size of an ImportedShape came from (a field of model.json, a weight array), for the errors. */
export interface SizeSources {
  vocabSize: string;
  rows: string;
  hiddenSize: string;
  outputSize: string;
}

/** A tensor read but not kept (E and K, folded into Ws) may hold what one section of the largest model block holds. */
const MAX_TENSOR = MAX_BYTES / 16;

/** SimpleRNN.create's model options for the model an import builds: E·K folded into Ws (no E), or E kept. */
function createOptions(s: ImportedShape, fold: boolean): SimpleRNNOptions {
  return {
    ...(s.vocabSize ? { vocabSize: s.vocabSize } : { inputSize: s.rows }),
    ...(s.vocabSize && !fold ? { embeddingSize: s.rows } : {}),
    hiddenSize: s.hiddenSize,
    outputSize: s.outputSize,
    activation: s.activation,
    outputActivation: s.outputActivation,
    returnSequences: s.returnSequences,
  };
}

const SOURCE: Record<string, keyof SizeSources> = { inputSize: 'rows', embeddingSize: 'rows', vocabSize: 'vocabSize', hiddenSize: 'hiddenSize', outputSize: 'outputSize' };

/** An error of create's validation: a size names the field it came from; the caller's own options keep their names. */
function sizeError(api: string, e: unknown, from: SizeSources): unknown {
  const m = e instanceof Error ? /^SimpleRNN\.create: options\.([a-zA-Z]+) (.*)$/s.exec(e.message) : null;
  if (!m || !(m[1] in SOURCE)) return asImportError(api, e);
  const msg = `SimpleRNN.${api}: ${from[SOURCE[m[1]]]} ${m[2]} (SimpleRNN.create's ${m[1]})`;
  return e instanceof TypeError ? new TypeError(msg) : new RangeError(msg);
}

/**
 * The one check of an import's sizes, made before anything is decoded, folded or allocated: each size against
 * SimpleRNN.create's limits (create's own validation), the model block (params | grads | 2 optimizer states, in the
 * backend's float width) against MAX_BYTES, and, when E·K is folded, E (V, D) and K (D, H) against one section.
 */
export function checkSizes(api: string, s: ImportedShape, from: SizeSources, imp: ImportConfig, fold: boolean): void {
  let cfg;
  try {
    cfg = resolveModel('create', { ...createOptions(s, fold), ...imp.create });
  } catch (e) {
    throw sizeError(api, e, from);
  }
  const { vocabSize: V, rows: D, hiddenSize: H, outputSize: O } = s;
  const L = paramLayout(cfg, cfg.backend === 'js' && cfg.precision === 'float64' ? 8 : 4);
  const given = [
    ...(V ? [`vocabSize ${V} from ${from.vocabSize}`] : []),
    `${V ? (fold ? 'embedding dim' : 'embeddingSize') : 'inputSize'} ${D} from ${from.rows}`,
    `hiddenSize ${H} from ${from.hiddenSize}`,
    `outputSize ${O} from ${from.outputSize}`,
    ...(V && fold ? ['E·K folded into Ws'] : []),
  ];
  if (L.bytes > MAX_BYTES) {
    throw rangeError(api, `the imported model (${given.join(', ')})`, `describes ${L.count} parameters (${L.bytes} bytes with gradients and optimizer state); the limit is ${MAX_BYTES} bytes`);
  }
  if (!(V && fold)) return;
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

function isIdentity(K: ArrayLike<number>, D: number, H: number): boolean {
  if (D !== H) return false;
  for (let r = 0; r < D; r++) for (let c = 0; c < H; c++) if (K[r * H + c] !== (r === c ? 1 : 0)) return false;
  return true;
}

/**
 * Whether E·K is folded, as far as it is known before K's values are read: as the option says; for 'auto', when
 * it can be (K square, D = H). That folded model is the smaller one (Ws holds E·K's V rows; unfolded, K's H rows
 * and E's V rows), so checking its sizes bounds every weight read before K decides (shouldFold).
 */
export function foldFirst(fold: ImportConfig['foldEmbedding'], s: ImportedShape): boolean {
  return s.vocabSize > 0 && (fold === 'auto' ? s.rows === s.hiddenSize : fold);
}

/** Whether to fold E·K once K (D, H) is read: as the option says, or for 'auto' when K is exactly the identity. */
export function shouldFold(fold: ImportConfig['foldEmbedding'], s: ImportedShape, K: ArrayLike<number>): boolean {
  return s.vocabSize > 0 && (fold === 'auto' ? isIdentity(K, s.rows, s.hiddenSize) : fold);
}

// ---- the model ----

/** The weights as read (row-major), their shapes those of the ImportedShape. */
export interface RawWeights {
  /** The SimpleRNN kernel K (D or I, H). */
  kernel: ArrayLike<number>;
  /** The embedding layer E (V, D), or null. */
  embeddings: ArrayLike<number> | null;
  recurrent: ArrayLike<number>; // (H, H)
  bias: ArrayLike<number> | null; // (H)
  denseKernel: ArrayLike<number> | null; // (H, O); null = identity
  denseBias: ArrayLike<number> | null; // (O)
}

/**
 * Re-attributes an error of SimpleRNN.create to the importer: the caller's own options keep their names; a size or
 * setting that came from the imported model says so.
 */
function asImportError(api: string, e: unknown): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  const m = /^SimpleRNN\.(create|setParams): ((options|params)\.?([a-zA-Z]*).*)$/s.exec(e.message);
  if (!m) return e;
  const mine = m[1] === 'create' && (CREATE_KEYS as readonly string[]).includes(m[4]);
  const msg = mine ? m[2] : `the imported model does not fit SimpleRNN.${m[1]}: ${m[2]}`;
  return e instanceof TypeError ? new TypeError(`SimpleRNN.${api}: ${msg}`) : new RangeError(`SimpleRNN.${api}: ${msg}`);
}

/**
 * Creates the model the shape describes (E·K folded into Ws, or E kept), with the caller's create options, and sets
 * its parameters from w. The sizes were checked by checkSizes with the same `fold`.
 */
export async function build(api: string, s: ImportedShape, fold: boolean, w: RawWeights, imp: ImportConfig): Promise<SimpleRNN> {
  const { vocabSize: V, rows: D, hiddenSize: H, outputSize: O } = s;
  const folded = V > 0 && fold;
  const inputRows = folded ? foldEmbedding(w.embeddings!, w.kernel, V, D, H) : w.kernel;
  const rows = folded ? V : D;
  let model: SimpleRNN;
  try {
    model = await SimpleRNN.create({ ...createOptions(s, folded), ...imp.create });
  } catch (e) {
    throw asImportError(api, e);
  }
  try {
    const Ws = new Float64Array((H + rows) * H);
    Ws.set(w.recurrent, 0);
    Ws.set(inputRows, H * H);
    const Wo = new Float64Array(H * O);
    if (w.denseKernel) Wo.set(w.denseKernel);
    else for (let h = 0; h < H; h++) Wo[h * O + h] = 1;
    model.setParams({
      Ws,
      bs: w.bias ? Float64Array.from(w.bias) : new Float64Array(H),
      Wo,
      bo: w.denseBias ? Float64Array.from(w.denseBias) : new Float64Array(O),
      ...(w.embeddings && !folded ? { E: Float64Array.from(w.embeddings) } : {}),
    });
  } catch (e) {
    model.dispose();
    throw asImportError(api, e);
  }
  return model;
}
