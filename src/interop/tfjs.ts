// TensorFlow.js layers models and Keras weights, in and out. Platform-neutral: no file system, no tfjs import (the
// formats are plain JSON and little-endian float32 bytes); src/interop/node.ts reads and writes the files.
//
// Weight mapping (row-major everywhere; H = units, I = input size, O = dense units, V = vocabulary, D = embedding dim):
//   ours            TF.js / Keras
//   Ws[0..H)        simpleRNN recurrent_kernel (H, H)      (rows multiply s^{t-1})
//   Ws[H..H+I)      simpleRNN kernel (I, H)                (rows multiply i^t)
//   E (V, D)        embedding embeddings (V, D)            (token models: SimpleRNN.create's embeddingSize D; Ws[H..H+D) = K)
//   Ws[H..H+V)      E · K (V, H), with foldEmbedding       (no E: id selects row H+id; folded in f64, rounded once to f32)
//   bs (H)          simpleRNN bias, or 0 when use_bias is false
//   Wo (H, O)       dense kernel (also inside timeDistributed); identity when the model ends at the simpleRNN
//   bo (O)          dense bias, or 0
//   s0              0 (TF.js starts every sequence from a zero state)
// Masking: TF.js skips a masked step and carries the state and the previous output: exactly our padding rule, so a
// padded TF.js batch maps to our ragged batch by deleting the masked steps (tfjsInputsToSequences). Token ids are
// kept as they are: with mask_zero, id 0 is TF.js's pad; our model keeps a row for it (E[0]·K) that a stripped
// sequence never selects.
import { SimpleRNN, type Activation, type OutputActivation } from '../model.js';
import { rangeError, typeError, describe } from '../errors.js';

// ---- the formats (structural types: the library does not depend on @tensorflow/tfjs) ----

/** One entry of weightSpecs / a weightsManifest group (tf.io.WeightsManifestEntry). */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** The parsed model.json of a layers model (tf.io.ModelJSON). */
export interface TfjsModelJson {
  modelTopology: unknown;
  weightsManifest?: { paths: string[]; weights: TfjsWeightSpec[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** The in-memory artifacts of tf.io (tf.io.ModelArtifacts): what tf.io.fromMemory loads and withSaveHandler gets. */
export interface TfjsArtifacts {
  modelTopology: unknown;
  weightSpecs?: TfjsWeightSpec[];
  weightData?: WeightBytes;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export type WeightBytes = ArrayBuffer | ArrayBuffer[] | ArrayBufferView;

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

/** How a TF.js model marks padding: a masking layer's mask_value, or an embedding's mask_zero. */
export type TfjsMasking = { maskValue: number } | { maskZero: true } | null;

const ACTS: readonly Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
const OUTS: readonly OutputActivation[] = ['softmax', 'sigmoid', 'linear'];

// ---- import: topology → plan ----

type Cfg = Record<string, unknown>;

interface Plan {
  /** 0 for dense inputs. */
  vocabSize: number;
  /** Dense input size (kernel rows); with an embedding, its output dim D. */
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  activation: Activation;
  outputActivation: OutputActivation;
  returnSequences: boolean;
  useBias: boolean;
  /** 'dense' when a dense layer follows; null when the model ends at the simpleRNN (Wo = identity). */
  dense: { useBias: boolean } | null;
  masking: TfjsMasking;
  /** Weight name prefixes (layer names). */
  names: { embedding?: string; rnn: string; dense?: string };
}

const API_IMPORT = 'fromTfjsLayers';

/** A config value as it appears in model.json: strings quoted, numbers and booleans as they are. */
function show(v: unknown): string {
  return typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' ? JSON.stringify(v) : describe(v);
}

function isObj(v: unknown): v is Cfg {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A config field in Keras's snake_case, or TF.js's camelCase as a fallback. */
function field(cfg: Cfg, snake: string): unknown {
  if (snake in cfg) return cfg[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return cfg[camel];
}

/** The ordered list of layers of a Sequential model, or of a Functional model that is a single chain. */
function layerList(topology: unknown): { layers: Cfg[]; path: string } {
  let topo = topology;
  if (typeof topo === 'string') topo = parseJson(API_IMPORT, 'modelTopology', topo);
  if (isObj(topo) && isObj(topo.model_config)) topo = topo.model_config; // Keras's {model_config, keras_version}
  if (!isObj(topo)) throw typeError(API_IMPORT, 'modelTopology', 'an object { class_name, config } (model.json modelTopology)', topo);
  const cls = topo.class_name;
  const config = topo.config;
  const layers: unknown = isObj(config) ? config.layers : Array.isArray(config) ? config : undefined;
  if (cls !== 'Sequential' && cls !== 'Model' && cls !== 'Functional') {
    throw rangeError(API_IMPORT, 'modelTopology.class_name', `= ${show(cls)} is not supported; expected 'Sequential' (or a single-chain 'Model' / 'Functional')`);
  }
  if (!Array.isArray(layers)) throw typeError(API_IMPORT, 'modelTopology.config.layers', 'an array of layers', layers);
  layers.forEach((l, k) => {
    if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) {
      throw typeError(API_IMPORT, `modelTopology.config.layers[${k}]`, 'a layer { class_name, config }', l);
    }
  });
  if (cls !== 'Sequential') {
    // A functional model is accepted when each layer reads the previous layer (the layers it may hold take one input).
    const list = layers as Cfg[];
    for (let k = 1; k < list.length; k++) {
      if (list[k].class_name === 'InputLayer') continue;
      const prev = list[k - 1];
      const prevName = (prev.config as Cfg).name ?? prev.name;
      const names: string[] = JSON.stringify(list[k].inbound_nodes ?? []).match(/"([^"]+)"/g) ?? [];
      if (!names.includes(JSON.stringify(prevName))) {
        throw rangeError(API_IMPORT, `modelTopology.config.layers[${k}].inbound_nodes`, `do not take the previous layer ${show(prevName)}; only a single chain of layers is supported`);
      }
    }
  }
  return { layers: layers as Cfg[], path: 'modelTopology.config.layers' };
}

/** Reads a model topology into a plan; every unsupported layer or setting is an error naming it. */
function planFromTopology(topology: unknown): Plan {
  const { layers, path } = layerList(topology);
  const plan: Partial<Plan> & { masking: TfjsMasking; names: Partial<Plan['names']> } = { masking: null, names: {} as Plan['names'] };
  let stage = 0; // 0: before the rnn (input, masking, embedding)  1: after the rnn  2: after the dense  3: done
  let embedD = 0;
  for (let k = 0; k < layers.length; k++) {
    const layer = layers[k];
    const cls = layer.class_name as string;
    const cfg = layer.config as Cfg;
    const name = String(cfg.name ?? layer.name ?? `${cls}_${k}`);
    const at = `${path}[${k}] (${cls} '${name}')`;
    const bad = (f: string, v: unknown, expected: string): RangeError =>
      rangeError(API_IMPORT, `${at}.config.${f}`, `= ${show(v)} is not supported; expected ${expected}`);
    const want = (f: string, expected: unknown): void => {
      const v = field(cfg, f);
      if (v !== undefined && v !== null && v !== expected) throw bad(f, v, show(expected));
    };
    switch (cls) {
      case 'InputLayer':
        if (stage !== 0) throw rangeError(API_IMPORT, at, 'is not supported here; an InputLayer must come first');
        break;
      case 'Masking': {
        if (stage !== 0 || plan.masking) throw rangeError(API_IMPORT, at, 'is not supported here; expected [Masking | Embedding] → SimpleRNN → [Dense] → [Activation]');
        const mv = field(cfg, 'mask_value') ?? 0;
        if (typeof mv !== 'number' || !Number.isFinite(mv)) throw bad('mask_value', mv, 'a finite number');
        plan.masking = { maskValue: mv };
        break;
      }
      case 'Embedding': {
        if (stage !== 0 || embedD || plan.masking) throw rangeError(API_IMPORT, at, 'is not supported here; expected [Masking | Embedding] → SimpleRNN → [Dense] → [Activation]');
        const V = field(cfg, 'input_dim');
        const D = field(cfg, 'output_dim');
        if (!Number.isInteger(V) || (V as number) < 1) throw bad('input_dim', V, 'an integer >= 1');
        if (!Number.isInteger(D) || (D as number) < 1) throw bad('output_dim', D, 'an integer >= 1');
        const mz = field(cfg, 'mask_zero') ?? false;
        if (typeof mz !== 'boolean') throw bad('mask_zero', mz, 'a boolean');
        if (mz) plan.masking = { maskZero: true };
        plan.vocabSize = V as number;
        embedD = D as number;
        plan.names.embedding = name;
        break;
      }
      case 'SimpleRNN': {
        if (stage !== 0) throw rangeError(API_IMPORT, at, 'is not supported here; only one SimpleRNN layer is supported');
        const units = field(cfg, 'units');
        if (!Number.isInteger(units) || (units as number) < 1) throw bad('units', units, 'an integer >= 1');
        const act = field(cfg, 'activation') ?? 'tanh';
        if (!ACTS.includes(act as Activation)) throw bad('activation', act, ACTS.map((a) => `'${a}'`).join(', '));
        const useBias = field(cfg, 'use_bias') ?? true;
        if (typeof useBias !== 'boolean') throw bad('use_bias', useBias, 'a boolean');
        const rs = field(cfg, 'return_sequences') ?? false;
        if (typeof rs !== 'boolean') throw bad('return_sequences', rs, 'a boolean');
        want('return_state', false);
        want('go_backwards', false);
        want('stateful', false);
        // dropout / recurrent_dropout act only in training; regularizers and constraints too; unroll is a speed knob.
        plan.hiddenSize = units as number;
        plan.activation = act as Activation;
        plan.useBias = useBias;
        plan.returnSequences = rs;
        plan.names.rnn = name;
        stage = 1;
        break;
      }
      case 'TimeDistributed':
      case 'Dense': {
        if (stage !== 1) throw rangeError(API_IMPORT, at, 'is not supported here; expected one Dense (or TimeDistributed(Dense)) after the SimpleRNN');
        let dcfg = cfg;
        let dat = at;
        if (cls === 'TimeDistributed') {
          const inner = cfg.layer;
          if (!isObj(inner) || inner.class_name !== 'Dense' || !isObj(inner.config)) {
            throw rangeError(API_IMPORT, `${at}.config.layer`, `= ${describe(isObj(inner) ? inner.class_name : inner)} is not supported; expected a Dense layer`);
          }
          if (!plan.returnSequences) throw rangeError(API_IMPORT, at, 'needs the SimpleRNN to have return_sequences: true');
          dcfg = inner.config;
          dat = `${at}.config.layer (Dense)`;
        }
        const units = field(dcfg, 'units');
        const act = field(dcfg, 'activation') ?? 'linear';
        const useBias = field(dcfg, 'use_bias') ?? true;
        if (!Number.isInteger(units) || (units as number) < 1) throw rangeError(API_IMPORT, `${dat}.config.units`, `= ${show(units)} is not supported; expected an integer >= 1`);
        if (!OUTS.includes(act as OutputActivation)) {
          throw rangeError(API_IMPORT, `${dat}.config.activation`, `= ${show(act)} is not supported; expected ${OUTS.map((a) => `'${a}'`).join(', ')}`);
        }
        if (act === 'softmax' && (units as number) < 2) {
          throw rangeError(API_IMPORT, `${dat}.config.units`, `= ${units} is not supported with softmax; expected >= 2 (a softmax over 1 unit is constant 1)`);
        }
        if (typeof useBias !== 'boolean') throw rangeError(API_IMPORT, `${dat}.config.use_bias`, `= ${show(useBias)} is not supported; expected a boolean`);
        plan.outputSize = units as number;
        plan.outputActivation = act as OutputActivation;
        plan.dense = { useBias };
        plan.names.dense = name;
        stage = 2;
        break;
      }
      case 'Activation': {
        if (stage !== 2 || plan.outputActivation !== 'linear') {
          throw rangeError(API_IMPORT, at, 'is not supported here; an Activation may only follow a Dense layer with a linear activation');
        }
        const act = field(cfg, 'activation');
        if (!OUTS.includes(act as OutputActivation)) throw bad('activation', act, OUTS.map((a) => `'${a}'`).join(', '));
        if (act === 'softmax' && (plan.outputSize as number) < 2) throw bad('activation', act, 'not softmax over a Dense of 1 unit');
        plan.outputActivation = act as OutputActivation;
        stage = 3;
        break;
      }
      case 'Dropout':
        if (stage === 0) throw rangeError(API_IMPORT, at, 'is not supported here; a Dropout is accepted (as the identity of inference) only after the SimpleRNN');
        break; // the identity at inference
      default:
        throw rangeError(API_IMPORT, at, `is not supported; expected [InputLayer] → [Masking | Embedding] → SimpleRNN → [Dense | TimeDistributed(Dense)] → [Activation]`);
    }
  }
  if (stage === 0) throw rangeError(API_IMPORT, path, 'have no SimpleRNN layer; expected [Masking | Embedding] → SimpleRNN → [Dense]');
  if (!plan.dense) {
    plan.outputSize = plan.hiddenSize;
    plan.outputActivation = 'linear';
  }
  plan.inputSize = embedD; // 0 until the kernel's shape gives it (dense inputs)
  plan.vocabSize ??= 0;
  plan.dense ??= null;
  return plan as Plan;
}

// ---- import: bytes → named float arrays ----

function toBytes(data: unknown, fieldName: string): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    const parts = data.map((d, k) => {
      if (!(d instanceof ArrayBuffer) && !ArrayBuffer.isView(d)) throw typeError(API_IMPORT, `${fieldName}[${k}]`, 'an ArrayBuffer', d);
      return toBytes(d, `${fieldName}[${k}]`);
    });
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  throw typeError(API_IMPORT, fieldName, 'an ArrayBuffer, an array of ArrayBuffers (one per weights file, in manifest order) or a Uint8Array', data);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes every weight of the specs (float32, or quantized uint8 / uint16 / float16) into a map by name. */
function decodeWeights(specs: TfjsWeightSpec[], bytes: Uint8Array): Map<string, { shape: number[]; data: Float64Array }> {
  const out = new Map<string, { shape: number[]; data: Float64Array }>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  specs.forEach((spec, k) => {
    const f = `weightSpecs[${k}] '${spec?.name}'`;
    if (!isObj(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape)) {
      throw typeError(API_IMPORT, `weightSpecs[${k}]`, 'a weight spec { name, shape, dtype }', spec);
    }
    const n = spec.shape.reduce((a: number, d: number) => a * d, 1);
    if (!Number.isInteger(n) || n < 0) throw rangeError(API_IMPORT, `${f}.shape`, `= [${spec.shape}] is not a shape`);
    const q = spec.quantization;
    const kind = q ? q.dtype : spec.dtype;
    const width = kind === 'float32' || kind === 'int32' ? 4 : kind === 'uint16' || kind === 'float16' ? 2 : kind === 'uint8' ? 1 : 0;
    if (!width || (!q && spec.dtype !== 'float32')) {
      throw rangeError(API_IMPORT, `${f}.dtype`, `= ${show(kind)} is not supported; expected 'float32' (or a uint8 / uint16 / float16 quantization)`);
    }
    if (at + n * width > bytes.length) {
      throw rangeError(API_IMPORT, 'weightData', `has ${bytes.length} bytes; ${f} needs bytes ${at}..${at + n * width} (truncated or the wrong file?)`);
    }
    const data = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const o = at + j * width;
      if (kind === 'float32') data[j] = dv.getFloat32(o, true);
      else if (kind === 'float16') data[j] = halfToFloat(dv.getUint16(o, true));
      else {
        const raw = kind === 'uint8' ? dv.getUint8(o) : dv.getUint16(o, true);
        data[j] = raw * (q!.scale ?? 1) + (q!.min ?? 0);
      }
    }
    at += n * width;
    out.set(spec.name, { shape: spec.shape, data });
  });
  if (at !== bytes.length) {
    throw rangeError(API_IMPORT, 'weightData', `has ${bytes.length} bytes; the weight specs describe ${at} (the wrong weights file?)`);
  }
  return out;
}

/** The last path segment of a weight name, without Keras's ':0'. */
const baseName = (n: string) => n.replace(/:\d+$/, '').split('/').pop() as string;

function takeWeight(
  weights: Map<string, { shape: number[]; data: Float64Array }>, layer: string, base: string, shape: number[],
): Float64Array {
  let hit: string | undefined;
  for (const n of weights.keys()) if (n.split('/')[0] === layer && baseName(n) === base) hit = n;
  if (hit === undefined) {
    throw rangeError(API_IMPORT, 'weightSpecs', `have no weight '${layer}/…/${base}'; found ${[...weights.keys()].map((n) => `'${n}'`).join(', ') || 'none'}`);
  }
  const w = weights.get(hit)!;
  if (w.shape.length !== shape.length || w.shape.some((d, k) => d !== shape[k])) {
    throw rangeError(API_IMPORT, `weight '${hit}'`, `has shape [${w.shape}]; expected [${shape}]`);
  }
  for (let j = 0; j < w.data.length; j++) {
    if (!Number.isFinite(Math.fround(w.data[j]))) throw rangeError(API_IMPORT, `weight '${hit}'[${j}]`, `= ${w.data[j]} is not finite in float32`);
  }
  return w.data;
}

// ---- shared: plan + arrays → model ----

interface RawWeights {
  /** Dense models and embedding layers: kernel (I or D, H). Folded token models: the rows E·K (V, H). */
  inputRows: ArrayLike<number>;
  /** The embedding layer E (V, D), or null. */
  embeddings: ArrayLike<number> | null;
  recurrent: ArrayLike<number>; // (H, H)
  bias: ArrayLike<number> | null; // (H)
  denseKernel: ArrayLike<number> | null; // (H, O); null = identity
  denseBias: ArrayLike<number> | null; // (O)
}

/** E (V, D) · K (D, H) → (V, H), accumulated in f64 (the caller's f32 setParams rounds each element once). */
function foldEmbedding(E: ArrayLike<number>, K: ArrayLike<number>, V: number, D: number, H: number): Float64Array {
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

const IMPORT_OPTIONS = ['backend', 'precision', 'seed', 'learningRate'];

/**
 * Re-attributes an error of SimpleRNN.create to the importer: the caller's own options keep their names; a size or
 * setting that came from the imported model says so.
 */
function asImportError(api: string, e: unknown): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  const m = /^SimpleRNN\.(create|setParams): ((options|params)\.?([a-zA-Z]*).*)$/s.exec(e.message);
  if (!m) return e;
  const msg = m[1] === 'create' && IMPORT_OPTIONS.includes(m[4]) ? m[2] : `the imported model does not fit SimpleRNN.${m[1]}: ${m[2]}`;
  return e instanceof TypeError ? new TypeError(`SimpleRNN.${api}: ${msg}`) : new RangeError(`SimpleRNN.${api}: ${msg}`);
}

/** JSON.parse whose SyntaxError becomes a TypeError naming the field. */
function parseJson(api: string, field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw typeError(api, field, `valid JSON (${(e as Error).message})`, text);
  }
}

async function build(
  api: string, cfg: { vocabSize: number; inputSize: number; embeddingSize: number; hiddenSize: number; outputSize: number; activation: Activation; outputActivation: OutputActivation; returnSequences: boolean },
  w: RawWeights, options: ImportOptions | undefined,
): Promise<SimpleRNN> {
  const o: ImportOptions = options ?? {};
  if (typeof o !== 'object' || o === null) throw typeError(api, 'options', 'an options object { backend, precision, seed, learningRate }', options);
  const { vocabSize: V, inputSize: I, embeddingSize: D, hiddenSize: H, outputSize: O } = cfg;
  const rows = D || V || I;
  let model: SimpleRNN;
  try {
    model = await SimpleRNN.create({
      ...(V ? { vocabSize: V } : { inputSize: I }),
      ...(D ? { embeddingSize: D } : {}),
      hiddenSize: H,
      outputSize: O,
      activation: cfg.activation,
      outputActivation: cfg.outputActivation,
      returnSequences: cfg.returnSequences,
      backend: o.backend,
      precision: o.precision,
      seed: o.seed,
      learningRate: o.learningRate,
    });
  } catch (e) {
    throw asImportError(api, e);
  }
  try {
    const Ws = new Float64Array((H + rows) * H);
    Ws.set(w.recurrent as ArrayLike<number>, 0);
    Ws.set(w.inputRows as ArrayLike<number>, H * H);
    const Wo = new Float64Array(H * O);
    if (w.denseKernel) Wo.set(w.denseKernel as ArrayLike<number>);
    else for (let h = 0; h < H; h++) Wo[h * O + h] = 1;
    model.setParams({
      Ws,
      bs: w.bias ? Float64Array.from(w.bias) : new Float64Array(H),
      Wo,
      bo: w.denseBias ? Float64Array.from(w.denseBias) : new Float64Array(O),
      ...(w.embeddings ? { E: Float64Array.from(w.embeddings) } : {}),
    });
  } catch (e) {
    model.dispose();
    throw asImportError(api, e);
  }
  return model;
}

// ---- import: public ----

function isIdentity(K: ArrayLike<number>, D: number, H: number): boolean {
  if (D !== H) return false;
  for (let r = 0; r < D; r++) for (let c = 0; c < H; c++) if (K[r * H + c] !== (r === c ? 1 : 0)) return false;
  return true;
}

function foldOption(api: string, options: ImportOptions | undefined, K: ArrayLike<number>, D: number, H: number): boolean {
  const f = options?.foldEmbedding ?? 'auto';
  if (typeof f !== 'boolean' && f !== 'auto') throw typeError(api, 'options.foldEmbedding', "a boolean or 'auto'", f);
  return f === 'auto' ? isIdentity(K, D, H) : f;
}

function artifactsOf(modelJson: unknown, weightData: unknown): { topology: unknown; specs: TfjsWeightSpec[]; bytes: Uint8Array } {
  let mj = modelJson;
  if (typeof mj === 'string') mj = parseJson(API_IMPORT, 'modelJson', mj);
  if (!isObj(mj) || !('modelTopology' in mj)) {
    throw typeError(API_IMPORT, 'modelJson', 'a parsed model.json { modelTopology, weightsManifest } or tf.io.ModelArtifacts { modelTopology, weightSpecs, weightData }', mj);
  }
  let specs: unknown = mj.weightSpecs;
  if (specs === undefined && Array.isArray(mj.weightsManifest)) {
    specs = (mj.weightsManifest as Cfg[]).flatMap((g, k) => {
      if (!isObj(g) || !Array.isArray(g.weights)) throw typeError(API_IMPORT, `modelJson.weightsManifest[${k}].weights`, 'an array of weight specs', g?.weights);
      return g.weights as TfjsWeightSpec[];
    });
  }
  if (!Array.isArray(specs)) throw typeError(API_IMPORT, 'modelJson.weightSpecs', 'an array of weight specs (or a weightsManifest)', specs);
  const data = weightData ?? mj.weightData;
  if (data === undefined) throw typeError(API_IMPORT, 'weightData', 'the weight bytes (the weights files concatenated in manifest order)', data);
  return { topology: mj.modelTopology, specs: specs as TfjsWeightSpec[], bytes: toBytes(data, 'weightData') };
}

/**
 * Imports a TensorFlow.js layers model: [Masking | Embedding] → SimpleRNN → [Dense | TimeDistributed(Dense)]
 * → [Activation]. Give the parsed model.json and the bytes of its weights files (concatenated in manifest order, or
 * one ArrayBuffer per file), or tf.io.ModelArtifacts alone (what withSaveHandler receives). Predictions equal
 * TF.js's on the sequences tfjsInputsToSequences makes of its padded inputs.
 */
export async function fromTfjsLayers(
  modelJson: TfjsModelJson | TfjsArtifacts | string, weightData?: WeightBytes, options?: ImportOptions,
): Promise<SimpleRNN> {
  const { topology, specs, bytes } = artifactsOf(modelJson, weightData);
  const plan = planFromTopology(topology);
  const weights = decodeWeights(specs, bytes);
  const H = plan.hiddenSize;
  const { names } = plan;
  const rnnKernelRows = (): number => {
    for (const [n, w] of weights) if (n.split('/')[0] === names.rnn && baseName(n) === 'kernel') return w.shape[0];
    return -1;
  };
  const I = plan.vocabSize ? plan.inputSize : rnnKernelRows();
  if (!(I >= 1)) throw rangeError(API_IMPORT, 'weightSpecs', `have no kernel of the SimpleRNN '${names.rnn}'`);
  const kernel = takeWeight(weights, names.rnn, 'kernel', [I, H]);
  const recurrent = takeWeight(weights, names.rnn, 'recurrent_kernel', [H, H]);
  const bias = plan.useBias ? takeWeight(weights, names.rnn, 'bias', [H]) : null;
  const fold = foldOption(API_IMPORT, options, kernel, I, H);
  let inputRows: ArrayLike<number> = kernel;
  let embeddings: Float64Array | null = null;
  if (plan.vocabSize) {
    embeddings = takeWeight(weights, names.embedding!, 'embeddings', [plan.vocabSize, I]);
    if (fold) {
      inputRows = foldEmbedding(embeddings, kernel, plan.vocabSize, I, H);
      embeddings = null;
    }
  }
  const O = plan.outputSize;
  const denseKernel = plan.dense ? takeWeight(weights, names.dense!, 'kernel', [H, O]) : null;
  const denseBias = plan.dense?.useBias ? takeWeight(weights, names.dense!, 'bias', [O]) : null;
  return build(
    API_IMPORT, { ...plan, inputSize: plan.vocabSize ? 0 : I, embeddingSize: embeddings ? I : 0 },
    { inputRows, embeddings, recurrent, bias, denseKernel, denseBias }, options,
  );
}

/**
 * Imports a live tf.LayersModel (anything with TF.js's `save(handler)`): it saves itself into memory through a
 * handler, and the artifacts go to fromTfjsLayers. No tfjs import is needed here.
 */
export async function fromTfjsModel(model: { save(handler: unknown): Promise<unknown> }, options?: ImportOptions): Promise<SimpleRNN> {
  if (model === null || typeof model !== 'object' || typeof (model as { save?: unknown }).save !== 'function') {
    throw typeError('fromTfjsModel', 'model', 'a tf.LayersModel (an object with save(handler))', model);
  }
  let artifacts: TfjsArtifacts | undefined;
  await model.save({
    save: async (a: TfjsArtifacts) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!artifacts) throw typeError('fromTfjsModel', 'model', 'a model whose save(handler) hands over its artifacts', model);
  try {
    return await fromTfjsLayers(artifacts, undefined, options);
  } catch (e) {
    if ((e instanceof TypeError || e instanceof RangeError) && e.message.startsWith(`SimpleRNN.${API_IMPORT}: `)) {
      e.message = e.message.replace(`SimpleRNN.${API_IMPORT}: `, 'SimpleRNN.fromTfjsModel: ');
    }
    throw e;
  }
}

/** The masking of a TF.js model (a Masking layer's mask_value, an Embedding's mask_zero, or null). */
export function tfjsMasking(modelJson: TfjsModelJson | TfjsArtifacts | string): TfjsMasking {
  const mj = typeof modelJson === 'string' ? parseJson('tfjsMasking', 'modelJson', modelJson) : modelJson;
  if (!isObj(mj)) throw typeError('tfjsMasking', 'modelJson', 'a parsed model.json or tf.io.ModelArtifacts', mj);
  return planFromTopology(mj.modelTopology).masking;
}

/**
 * Turns a padded TF.js input batch into our ragged sequences by deleting the steps TF.js masks: for a Masking layer,
 * the steps whose features all equal mask_value; for an Embedding with mask_zero, the ids 0. TF.js carries the
 * state over a masked step, so the stripped sequence ends in the same state (and its outputs are TF.js's outputs at
 * the unmasked steps). Without masking the sequences are returned unchanged. A sequence with no unmasked step has
 * no counterpart (TF.js gives the output of the zero state; predict takes no empty sequence): it is a RangeError.
 */
export function tfjsInputsToSequences(
  masking: TfjsMasking | TfjsModelJson | TfjsArtifacts, padded: ArrayLike<number>[] | ArrayLike<ArrayLike<number>>[],
): number[][] | number[][][] {
  const api = 'tfjsInputsToSequences';
  const m: TfjsMasking = masking !== null && isObj(masking) && 'modelTopology' in masking ? tfjsMasking(masking as TfjsArtifacts) : (masking as TfjsMasking);
  if (!Array.isArray(padded)) throw typeError(api, 'padded', 'an array of sequences', padded);
  return padded.map((seq, b) => {
    if (!Array.isArray(seq) && !ArrayBuffer.isView(seq)) throw typeError(api, `padded[${b}]`, 'a sequence', seq);
    const steps = Array.from(seq as ArrayLike<unknown>);
    let kept = steps;
    if (m && 'maskZero' in m) kept = steps.filter((id) => id !== 0);
    else if (m && 'maskValue' in m) {
      kept = steps.filter((x, t) => {
        if (!Array.isArray(x) && !ArrayBuffer.isView(x)) throw typeError(api, `padded[${b}][${t}]`, 'an input vector', x);
        return !Array.from(x as ArrayLike<number>).every((v) => v === m.maskValue);
      });
    }
    if (kept.length === 0) throw rangeError(api, `padded[${b}]`, 'has no unmasked step; an all-masked sequence has no counterpart (TF.js outputs f(dense(0)) for it)');
    return kept.map((x) => (typeof x === 'number' ? x : Array.from(x as ArrayLike<number>)));
  }) as number[][] | number[][][];
}

// ---- Keras weights ----

/** A weight array as model.get_weights() gives it: nested lists (ndarray.tolist()) or a flat typed array. */
export type KerasArray = number[] | number[][] | Float32Array | Float64Array;

/** Options of fromKerasWeights: the layer settings that the weight arrays do not carry. */
export interface KerasWeightsOptions extends ImportOptions {
  /** SimpleRNN activation. Default 'tanh' (Keras's default). */
  activation?: Activation;
  /** Dense activation. Default 'linear' (Keras's default); 'softmax' for a classifier. */
  outputActivation?: OutputActivation;
  /** SimpleRNN return_sequences. Default false. */
  returnSequences?: boolean;
  /** true when get_weights() starts with an Embedding's matrix (V, D). Default false. */
  embedding?: boolean;
  /** SimpleRNN use_bias. Default true. */
  useBias?: boolean;
  /** Dense use_bias. Default true. */
  denseUseBias?: boolean;
}

function shapeAndData(api: string, f: string, a: unknown): { shape: number[] | null; data: number[] } {
  if (a instanceof Float32Array || a instanceof Float64Array) return { shape: null, data: Array.from(a) };
  if (!Array.isArray(a)) throw typeError(api, f, 'a nested number array or a Float32Array', a);
  if (a.length > 0 && Array.isArray(a[0])) {
    const C = (a[0] as unknown[]).length;
    const data: number[] = [];
    a.forEach((row, r) => {
      if (!Array.isArray(row)) throw typeError(api, `${f}[${r}]`, `a row of ${C} numbers`, row);
      if (row.length !== C) throw rangeError(api, `${f}[${r}]`, `has length ${row.length}; expected ${C} (the length of ${f}[0])`);
      row.forEach((v, c) => {
        if (typeof v !== 'number') throw typeError(api, `${f}[${r}][${c}]`, 'a number', v);
        data.push(v);
      });
    });
    return { shape: [a.length, C], data };
  }
  a.forEach((v, c) => {
    if (typeof v !== 'number') throw typeError(api, `${f}[${c}]`, 'a number', v);
  });
  return { shape: [a.length], data: a as number[] };
}

/**
 * Builds a model from a Keras SimpleRNN's weights in model.get_weights() order:
 * [embeddings (V, D)], kernel (I, H), recurrent_kernel (H, H), [bias (H)], dense kernel (H, O), [dense bias (O)].
 * Sizes come from the arrays: nested arrays carry their shapes; flat arrays are read through H (the recurrent
 * kernel is H*H) and the other arrays' lengths.
 */
export async function fromKerasWeights(weights: KerasArray[], options?: KerasWeightsOptions): Promise<SimpleRNN> {
  const api = 'fromKerasWeights';
  const o: KerasWeightsOptions = options ?? {};
  if (typeof o !== 'object' || o === null) throw typeError(api, 'options', 'an options object', options);
  const embedding = o.embedding ?? false;
  const useBias = o.useBias ?? true;
  const denseUseBias = o.denseUseBias ?? true;
  const activation = o.activation ?? 'tanh';
  for (const f of ['embedding', 'useBias', 'denseUseBias', 'returnSequences'] as const) {
    if (o[f] !== undefined && typeof o[f] !== 'boolean') throw typeError(api, `options.${f}`, 'a boolean', o[f]);
  }
  const outputActivation = o.outputActivation ?? 'linear';
  if (!ACTS.includes(activation)) throw typeError(api, 'options.activation', ACTS.map((a) => `'${a}'`).join(', '), activation);
  if (!OUTS.includes(outputActivation)) throw typeError(api, 'options.outputActivation', OUTS.map((a) => `'${a}'`).join(', '), outputActivation);
  const names = [...(embedding ? ['embeddings'] : []), 'kernel', 'recurrent_kernel', ...(useBias ? ['bias'] : []), 'dense kernel', ...(denseUseBias ? ['dense bias'] : [])];
  if (!Array.isArray(weights)) throw typeError(api, 'weights', `an array [${names.join(', ')}] (model.get_weights())`, weights);
  if (weights.length !== names.length) {
    throw rangeError(api, 'weights', `has ${weights.length} arrays; expected ${names.length}: [${names.join(', ')}] (set options.embedding / useBias / denseUseBias to match the model)`);
  }
  const arr: Record<string, { shape: number[] | null; data: number[]; f: string }> = {};
  names.forEach((n, k) => {
    const f = `weights[${k}] (${n})`;
    const sd = shapeAndData(api, f, weights[k]);
    sd.data.forEach((v, j) => {
      if (!Number.isFinite(Math.fround(v))) throw rangeError(api, `${f}[${j}]`, `= ${v} is not finite in float32`);
    });
    arr[n] = { ...sd, f };
  });
  const want = (n: string, shape: number[]): void => {
    const a = arr[n];
    const len = shape.reduce((x, y) => x * y, 1);
    if (a.shape ? a.shape.length !== shape.length || a.shape.some((d, k) => d !== shape[k]) : a.data.length !== len) {
      throw rangeError(api, a.f, `has ${a.shape ? `shape [${a.shape}]` : `${a.data.length} numbers`}; expected [${shape}]`);
    }
  };
  const rec = arr.recurrent_kernel;
  const H = rec.shape ? rec.shape[0] : Math.round(Math.sqrt(rec.data.length));
  if (!(H >= 1)) throw rangeError(api, rec.f, 'is empty; expected (H, H) with H >= 1');
  want('recurrent_kernel', [H, H]);
  const kern = arr.kernel;
  const I = kern.shape ? kern.shape[0] : kern.data.length / H;
  if (!Number.isInteger(I) || I < 1) throw rangeError(api, kern.f, `has ${kern.data.length} numbers; expected (I, H=${H}) with I >= 1`);
  want('kernel', [I, H]);
  if (useBias) want('bias', [H]);
  const dk = arr['dense kernel'];
  const O = dk.shape ? (dk.shape.length === 2 ? dk.shape[1] : 0) : dk.data.length / H;
  if (!Number.isInteger(O) || O < 1) throw rangeError(api, dk.f, `has ${dk.shape ? `shape [${dk.shape}]` : `${dk.data.length} numbers`}; expected (H=${H}, O)`);
  want('dense kernel', [H, O]);
  if (denseUseBias) want('dense bias', [O]);
  if (outputActivation === 'softmax' && O < 2) throw rangeError(api, dk.f, `has O = ${O} units; softmax needs >= 2`);
  let V = 0;
  let inputRows: ArrayLike<number> = kern.data;
  let embeddings: ArrayLike<number> | null = null;
  const fold = foldOption(api, o, kern.data, I, H);
  if (embedding) {
    const E = arr.embeddings;
    V = E.shape ? E.shape[0] : E.data.length / I;
    if (!Number.isInteger(V) || V < 1) throw rangeError(api, E.f, `has ${E.data.length} numbers; expected (V, D=${I})`);
    want('embeddings', [V, I]);
    if (fold) inputRows = foldEmbedding(E.data, kern.data, V, I, H);
    else embeddings = E.data;
  }
  return build(
    api,
    { vocabSize: V, inputSize: V ? 0 : I, embeddingSize: embeddings ? I : 0, hiddenSize: H, outputSize: O, activation, outputActivation, returnSequences: o.returnSequences ?? false },
    { inputRows, embeddings, recurrent: rec.data, bias: useBias ? arr.bias.data : null, denseKernel: dk.data, denseBias: denseUseBias ? arr['dense bias'].data : null },
    o,
  );
}

// ---- export ----

/** Options of toTfjsLayers. */
export interface TfjsExportOptions {
  /**
   * Dense-input models: prepend a Masking layer with this mask_value, so that TF.js skips padded steps whose features
   * all equal it (make sure no real step does). Default: no masking layer.
   */
  maskValue?: number;
  /**
   * Token models: the Embedding gets mask_zero: true, so TF.js treats id 0 as padding. Use it when the model was
   * trained with id 0 reserved (never in a sequence). Ids are not shifted. Default false.
   */
  maskZero?: boolean;
}

/**
 * The model as TensorFlow.js layers artifacts (tf.io.ModelArtifacts): tf.loadLayersModel(tf.io.fromMemory(a)) loads
 * it. Dense inputs: SimpleRNN → Dense. Token ids with an embedding layer (embeddingSize D): Embedding E (V, D) →
 * SimpleRNN with kernel Ws[H..H+D) → Dense. Token ids without one: Embedding (V, H) holding Ws's token rows →
 * SimpleRNN whose kernel is the identity (exact: x·I adds only zeros) → Dense. Floats are stored as float32 (a
 * float64 js model is rounded).
 */
export function toTfjsLayers(model: SimpleRNN, options?: TfjsExportOptions): Required<Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs' | 'format' | 'generatedBy' | 'convertedBy'>> & { weightData: ArrayBuffer } {
  const api = 'toTfjsLayers';
  if (!(model instanceof SimpleRNN)) throw typeError(api, 'model', 'a SimpleRNN', model);
  const o: TfjsExportOptions = options ?? {};
  if (typeof o !== 'object' || o === null) throw typeError(api, 'options', 'an options object { maskValue, maskZero }', options);
  const c = model.config;
  const p = model.getParams(); // throws when disposed
  const { hiddenSize: H, outputSize: O, vocabSize: V, inputSize: I, embeddingSize: D } = c;
  if (o.maskValue !== undefined) {
    if (V) throw rangeError(api, 'options.maskValue', 'applies to dense-input models; token models use options.maskZero');
    if (typeof o.maskValue !== 'number' || !Number.isFinite(o.maskValue)) throw typeError(api, 'options.maskValue', 'a finite number', o.maskValue);
  }
  if (o.maskZero !== undefined) {
    if (typeof o.maskZero !== 'boolean') throw typeError(api, 'options.maskZero', 'a boolean', o.maskZero);
    if (o.maskZero && !V) throw rangeError(api, 'options.maskZero', 'applies to token models; dense-input models use options.maskValue');
  }
  for (let h = 0; h < H; h++) {
    if (p.s0[h] !== 0) throw rangeError(api, `model s0[${h}]`, `= ${p.s0[h]}; TF.js's SimpleRNN starts from a zero state, so a learned s0 cannot be exported`);
  }
  const layers: Cfg[] = [];
  const weights: [string, number[], ArrayLike<number>][] = [];
  const inputRows = p.Ws.subarray(H * H);
  const recurrent = p.Ws.subarray(0, H * H);
  if (V) {
    layers.push({ class_name: 'Embedding', config: { name: 'embedding', trainable: true, input_dim: V, output_dim: D || H, mask_zero: o.maskZero ?? false, input_length: null, batch_input_shape: [null, null], dtype: 'float32', embeddings_initializer: { class_name: 'Zeros', config: {} }, embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null } });
    weights.push(D ? ['embedding/embeddings', [V, D], p.E] : ['embedding/embeddings', [V, H], inputRows]);
  } else if (o.maskValue !== undefined) {
    layers.push({ class_name: 'Masking', config: { name: 'masking', trainable: true, mask_value: o.maskValue, batch_input_shape: [null, null, I], dtype: 'float32' } });
  }
  const rnn: Cfg = {
    name: 'simple_rnn', trainable: true, units: H, activation: c.activation, use_bias: true,
    kernel_initializer: { class_name: 'Zeros', config: {} }, recurrent_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} },
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
    dropout: 0, recurrent_dropout: 0, return_sequences: c.returnSequences, return_state: false, go_backwards: false, stateful: false, unroll: false,
  };
  if (!V && o.maskValue === undefined) Object.assign(rnn, { batch_input_shape: [null, null, I], dtype: 'float32' });
  layers.push({ class_name: 'SimpleRNN', config: rnn });
  if (D) weights.push(['simple_rnn/kernel', [D, H], inputRows]);
  else if (V) {
    const eye = new Float32Array(H * H);
    for (let h = 0; h < H; h++) eye[h * H + h] = 1;
    weights.push(['simple_rnn/kernel', [H, H], eye]);
  } else weights.push(['simple_rnn/kernel', [I, H], inputRows]);
  weights.push(['simple_rnn/recurrent_kernel', [H, H], recurrent], ['simple_rnn/bias', [H], p.bs]);
  layers.push({ class_name: 'Dense', config: { name: 'dense', trainable: true, units: O, activation: c.outputActivation, use_bias: true, kernel_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } });
  weights.push(['dense/kernel', [H, O], p.Wo], ['dense/bias', [O], p.bo]);

  const total = weights.reduce((a, [, , d]) => a + d.length, 0);
  const data = new Float32Array(total); // little-endian on every platform that runs wasm
  let at = 0;
  for (const [, , d] of weights) {
    data.set(d, at);
    at += d.length;
  }
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'simple_rnn_model', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightSpecs: weights.map(([name, shape]) => ({ name, shape, dtype: 'float32' })),
    weightData: data.buffer,
    format: 'layers-model',
    generatedBy: 'simple-rnn',
    convertedBy: null,
  };
}

/**
 * The model as the two files of a TF.js layers model: model.json (text) and its weights file (bytes), as
 * tf.loadLayersModel('…/model.json') fetches them. Writing them is the caller's (src/interop/node.ts in Node).
 */
export function toTfjsFiles(model: SimpleRNN, options?: TfjsExportOptions & { weightsPath?: string }): { modelJson: string; weights: Uint8Array; weightsPath: string } {
  const weightsPath = options?.weightsPath ?? 'weights.bin';
  const a = toTfjsLayers(model, options);
  const json: TfjsModelJson = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs }],
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(a.weightData), weightsPath };
}
