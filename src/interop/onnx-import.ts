// Imports an ONNX model as a SimpleRNN: the graphs toOnnx writes, and what torch.onnx.export writes for
// [nn.Embedding →] nn.RNN (batch_first) → nn.Linear. The bytes are read (onnx-proto.ts), the graph evaluated into
// a plan (onnx-graph.ts), the sizes checked (build.ts checkSizes) before any weight is decoded, then the model built
// (build.ts build). Mapping, per layer l and our direction d (ONNX direction index d; a 'reverse' graph is our
// goBackwards, index 0):
//   Ws{x} rows 0..H    = R[d]^T (H, H)        Ws{x} rows H..H+In = W[d]^T (In, H)
//   bs{x}              = Wb[d] + Rb[d]         (B[d] = Wb ‖ Rb; summed in float64, rounded once to float32)
//   s0{x}              = initial_h[d] (a constant broadcast over the batch; zeros when absent). A graph whose
//                        initial_h come from its (batch, stateSize) initial-states input holds no s0: toOnnx's
//                        metadata_props['simple-rnn.initial-state'] gives it back (stateSize numbers, state order)
//   E (V, D)           = the Gather's table    Wo (In, O) = MatMul's W, or Gemm's B^T with transB   bo = the bias
import type { SimpleRNN } from '../model.js';
import { MODEL_KEYS, type MergeMode, type OutputActivation } from '../config.js';
import { rangeError, typeError } from '../errors.js';
import { bool, oneOf, readOptions } from '../options.js';
import { paramSuffix } from '../layout.js';
import {
  IMPORT_KEYS, build, checkSizes, foldFirst, importConfig, shouldFold, type ImportConfig, type ImportOptions, type ImportedShape, type RawCell, type SizeSources,
} from './build.js';
import { bytesOf, fieldsOf, isObj } from './read.js';
import type { OnnxModel } from './onnx-format.js';
import { decodeFloats, readModel } from './onnx-proto.js';
import { OPSET_RANGE, planGraph, type OnnxPlan } from './onnx-graph.js';

/** Options of fromOnnx: where the model runs (ImportOptions), and what a graph may not say. */
export interface OnnxImportOptions extends ImportOptions {
  /**
   * f_o when the graph ends in logits (a torch model's nn.Linear): 'softmax', 'sigmoid' or 'linear' (default). A
   * graph that ends in Softmax or Sigmoid says it itself; a different value here is refused.
   */
  outputActivation?: OutputActivation;
  /** What the model returns, if you want it checked: the graph says it (an output with a time axis); a mismatch is refused. */
  returnSequences?: boolean;
}

const KEYS = [...IMPORT_KEYS, 'outputActivation', 'returnSequences'] as const;

/** metadata_props keys written by toOnnx (the same strings as onnx-export.ts's: the two directions do not import each other). */
const META_FORMAT = 'simple-rnn.format';
const META_CONFIG = 'simple-rnn.config';
const META_MODEL = 'simple-rnn.metadata';
const META_INITIAL_STATE = 'simple-rnn.initial-state';
/** Most characters per number of the initial-state metadata (a float32 in JSON takes at most 24). */
const MAX_NUMBER_CHARS = 32;
/** The metadata formats this version reads. */
const META_VERSIONS = ['1'];
/** Most characters of the config metadata read. */
const MAX_META = 1 << 16;
/** The IR versions read: 3 (the first with opset imports) to 11. */
const IR_RANGE = [3, 11] as const;

/** Our config as toOnnx's metadata carries it, each key read once (null: the graph was not written by toOnnx). */
type Meta = ((key: string) => unknown) | null;

function readMeta(api: string, m: OnnxModel): Meta {
  const entry = (key: string) => {
    const e = m.metadata.filter((x) => x.key === key);
    if (e.length > 1) throw rangeError(api, `metadata_props['${key}']`, 'is given twice');
    return e[0]?.value;
  };
  const format = entry(META_FORMAT);
  const text = entry(META_CONFIG);
  if (text === undefined) return null;
  if (format !== undefined && !META_VERSIONS.includes(format)) throw rangeError(api, `metadata_props['${META_FORMAT}']`, `= ${JSON.stringify(format)}; this version reads format ${META_VERSIONS.join(', ')} (written by a newer simple-rnn?)`);
  if (text.length > MAX_META) throw rangeError(api, `metadata_props['${META_CONFIG}']`, `has ${text.length} characters; expected at most ${MAX_META}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw rangeError(api, `metadata_props['${META_CONFIG}']`, 'is not valid JSON');
  }
  if (!isObj(v)) throw typeError(api, `metadata_props['${META_CONFIG}']`, 'a JSON object (the model config)', v);
  for (const k of Object.keys(v)) if (!(MODEL_KEYS as readonly string[]).includes(k)) throw rangeError(api, `metadata_props['${META_CONFIG}'].${k}`, 'is not a key of the model config');
  return fieldsOf(v);
}

/** The model's own metadata that toOnnx carried (model.metadata), parsed, or undefined. */
function carriedMetadata(api: string, m: OnnxModel): unknown {
  const e = m.metadata.filter((x) => x.key === META_MODEL);
  if (e.length > 1) throw rangeError(api, `metadata_props['${META_MODEL}']`, 'is given twice');
  if (!e.length) return undefined;
  try {
    return JSON.parse(e[0].value);
  } catch {
    throw rangeError(api, `metadata_props['${META_MODEL}']`, 'is not valid JSON (the model metadata toOnnx writes)');
  }
}

/** The learned s0 toOnnx carried for a graph with an initial-states input (a JSON list of numbers), unparsed, or undefined. */
function initialStateText(api: string, m: OnnxModel): string | undefined {
  const e = m.metadata.filter((x) => x.key === META_INITIAL_STATE);
  if (e.length > 1) throw rangeError(api, `metadata_props['${META_INITIAL_STATE}']`, 'is given twice');
  return e[0]?.value;
}

/** The initial-state metadata as stateSize float32 values (each number rounded to float32 once). */
function parseInitialState(api: string, text: string, S: number): Float32Array {
  const field = `metadata_props['${META_INITIAL_STATE}']`;
  const max = MAX_NUMBER_CHARS * S + 2;
  if (text.length > max) throw rangeError(api, field, `has ${text.length} characters; expected at most ${max} (stateSize = ${S} numbers)`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw rangeError(api, field, `is not valid JSON; expected a list of stateSize = ${S} numbers`);
  }
  if (!Array.isArray(v)) throw typeError(api, field, `a JSON list of stateSize = ${S} numbers`, v);
  if (v.length !== S) throw rangeError(api, field, `has ${v.length} numbers; expected stateSize = ${S}`);
  const out = new Float32Array(S);
  for (let k = 0; k < S; k++) {
    const x: unknown = v[k];
    if (typeof x !== 'number') throw typeError(api, `${field}[${k}]`, 'a number', x);
    const f = Math.fround(x);
    if (!Number.isFinite(f)) throw rangeError(api, `${field}[${k}]`, `= ${x} is beyond float32; expected a finite float32 value`);
    out[k] = f;
  }
  return out;
}

/** A config value of the metadata that the graph also says: it must agree. */
function agree(api: string, meta: Meta, key: string, graph: unknown): void {
  if (!meta) return;
  const v = meta(key);
  if (v === undefined) return;
  if (JSON.stringify(v) !== JSON.stringify(graph)) {
    throw rangeError(api, `metadata_props['${META_CONFIG}'].${key}`, `= ${JSON.stringify(v)} disagrees with the graph, which gives ${JSON.stringify(graph)}`);
  }
}

/** A config value the graph cannot say (training settings), of the given type, or its default. */
function setting<T>(api: string, meta: Meta, key: string, type: 'number' | 'boolean', dflt: T): T {
  const v = meta?.(key);
  if (v === undefined) return dflt;
  if (typeof v !== type) throw typeError(api, `metadata_props['${META_CONFIG}'].${key}`, `a ${type}`, v);
  return v as T;
}

const transpose = (a: Float32Array, off: number, rows: number, cols: number): Float32Array => {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[off + r * cols + c];
  return out;
};

/**
 * Imports an ONNX model (ModelProto bytes) as a SimpleRNN: the graphs toOnnx writes (their config and
 * model.metadata in metadata_props give back the model exactly, weights bit for bit), and torch.onnx.export's for
 * [nn.Embedding →] nn.RNN (batch_first, tanh or relu, 1-16 layers, bidirectional) → nn.Linear, the Linear reading
 * h_n (torch.cat of the top layer's two directions for a bidirectional model) or the per-step output
 * (returnSequences); opsets 11-23. Graphs written with toOnnx's initialState: true (a (batch, stateSize) input
 * cut into each RNN's initial_h) import as the same model; their learned s0 comes from metadata_props. The
 * graph is evaluated symbolically, so any layout of these ops is read, and any graph computing something else is
 * refused naming the node. Sizes are checked against SimpleRNN.create's limits before a weight is decoded; each
 * value is read once; a failed import leaves nothing allocated. Options: ImportOptions, plus outputActivation for a
 * graph that ends in logits (torch's Linear) and returnSequences to check.
 */
export async function fromOnnx(bytes: Uint8Array | ArrayBuffer, options?: OnnxImportOptions): Promise<SimpleRNN> {
  const api = 'fromOnnx';
  const o = readOptions(api, options ?? undefined, KEYS);
  const imp = importConfig(api, o);
  const outputActivation = o.outputActivation === undefined ? undefined : oneOf(api, 'options.outputActivation', o.outputActivation, ['softmax', 'sigmoid', 'linear'] as const);
  const returnSequences = o.returnSequences === undefined ? undefined : bool(api, 'options.returnSequences', o.returnSequences, false);
  const view = bytesOf(bytes);
  if (!view) throw typeError(api, 'bytes', 'the bytes of an ONNX model (a Uint8Array or an ArrayBuffer)', bytes);
  const data = view.slice(); // one copy: another thread writing a shared buffer cannot change what was checked

  const model = readModel(api, data);
  if (!(model.irVersion >= IR_RANGE[0] && model.irVersion <= IR_RANGE[1])) throw rangeError(api, 'ir_version', `= ${model.irVersion}; expected ${IR_RANGE[0]} to ${IR_RANGE[1]}`);
  const opsets = model.opsets.filter((x) => x.domain === '' || x.domain === 'ai.onnx');
  if (opsets.length !== 1) throw rangeError(api, 'opset_import', `has ${opsets.length} imports of the default domain; expected one`);
  const opset = opsets[0].version;
  if (!(opset >= OPSET_RANGE[0] && opset <= OPSET_RANGE[1])) throw rangeError(api, 'opset_import', `has opset ${opset}; expected ${OPSET_RANGE[0]} to ${OPSET_RANGE[1]}`);
  if (!model.graph) throw rangeError(api, 'graph', 'is missing');
  if (model.graph.sparse) throw rangeError(api, 'graph.sparse_initializer', 'is not supported; expected dense initializers');
  const plan = planGraph(api, model.graph, opset);
  const meta = readMeta(api, model);
  const carried = carriedMetadata(api, model);
  const s0Text = initialStateText(api, model);
  const out = await importPlan(api, plan, meta, s0Text, imp, o, outputActivation, returnSequences);
  if (carried !== undefined) out.metadata = carried;
  return out;
}

async function importPlan(
  api: string, plan: OnnxPlan, meta: Meta, s0Text: string | undefined, imp: ImportConfig, o: Record<string, unknown>,
  outputActivation: OutputActivation | undefined, returnSequences: boolean | undefined,
): Promise<SimpleRNN> {
  const { layers } = plan;
  const L = layers.length;
  const dirs = plan.direction === 'bidirectional' ? 2 : 1;
  const V = plan.input.kind === 'tokens' ? plan.input.V : 0;
  const rows = plan.input.kind === 'tokens' ? plan.input.D : plan.input.I;
  const hidden = layers.map((l) => l.H);

  // f_o: the graph's Softmax / Sigmoid, or for logits the caller's choice
  const fo: OutputActivation = plan.outputActivation ?? outputActivation ?? 'linear';
  if (plan.outputActivation && outputActivation && outputActivation !== plan.outputActivation) {
    throw rangeError(api, 'options.outputActivation', `= '${outputActivation}', but the graph ends in ${plan.outputActivation === 'softmax' ? 'Softmax' : 'Sigmoid'}`);
  }
  if (returnSequences !== undefined && returnSequences !== plan.returnSequences) {
    throw rangeError(api, 'options.returnSequences', `= ${returnSequences}, but the graph's output ${plan.returnSequences ? 'has' : 'has no'} time axis`);
  }

  // what our own metadata says must agree with the graph; it adds the training settings
  const merge: MergeMode = plan.merge;
  const goBackwards = plan.direction === 'reverse';
  agree(api, meta, 'inputSize', V ? 0 : rows);
  agree(api, meta, 'vocabSize', V);
  // hiddenSize as it was given (one number for every layer, or one per layer), so that the config comes back as it was
  const hiddenForm = meta?.('hiddenSize');
  if (hiddenForm !== undefined) agree(api, meta, 'hiddenSize', typeof hiddenForm === 'number' ? hidden.every((h) => h === hiddenForm) ? hiddenForm : hidden : hidden);
  agree(api, meta, 'layers', L);
  agree(api, meta, 'bidirectional', dirs === 2);
  agree(api, meta, 'merge', merge);
  agree(api, meta, 'goBackwards', goBackwards);
  agree(api, meta, 'activation', plan.activation);
  agree(api, meta, 'returnSequences', plan.returnSequences);
  agree(api, meta, 'outputSize', plan.head ? plan.head.O : plan.headIn);
  if (outputActivation === undefined) agree(api, meta, 'outputActivation', fo);
  const embeddingSize = setting<number>(api, meta, 'embeddingSize', 'number', -1);
  if (!V) agree(api, meta, 'embeddingSize', 0);
  else if (embeddingSize > 0) agree(api, meta, 'embeddingSize', rows);
  else if (embeddingSize === 0 && rows !== dirs * hidden[0]) {
    throw rangeError(api, `metadata_props['${META_CONFIG}'].embeddingSize`, `= 0 (token rows of Ws), but the graph's table has ${rows} columns; expected dirs·H = ${dirs * hidden[0]}`);
  }
  const learnMeta = setting<boolean>(api, meta, 'learnInitialState', 'boolean', false);
  if (s0Text !== undefined) {
    const field = `metadata_props['${META_INITIAL_STATE}']`;
    if (!plan.stateInput) throw rangeError(api, field, 'is given, but the graph has no initial-states input (a graph without one holds its s0 in initial_h)');
    if (meta?.('learnInitialState') === false) throw rangeError(api, field, `is given, but metadata_props['${META_CONFIG}'].learnInitialState is false`);
  }
  const freeze = setting<boolean>(api, meta, 'freezeEmbeddings', 'boolean', false);

  // E kept or folded: the caller's choice, else what our metadata says (an embedding layer, or token rows), else 'auto'
  const foldOpt: ImportConfig['foldEmbedding'] = 'foldEmbedding' in o || embeddingSize < 0 ? imp.foldEmbedding : embeddingSize === 0;
  const shape: ImportedShape = {
    vocabSize: V, rows, hidden, outputSize: plan.head ? plan.head.O : plan.headIn,
    activation: plan.activation, outputActivation: fo, returnSequences: plan.returnSequences,
    bidirectional: dirs === 2, merge, goBackwards,
    dropout: setting(api, meta, 'dropout', 'number', 0),
    inputDropout: V && foldOpt === true ? 0 : setting(api, meta, 'inputDropout', 'number', 0),
    recurrentDropout: setting(api, meta, 'recurrentDropout', 'number', 0),
  };
  const head = plan.head;
  const from: SizeSources = {
    vocabSize: plan.input.kind === 'tokens' ? `${plan.input.table.field}.dims[0]` : 'graph.input',
    rows: plan.input.kind === 'tokens' ? `${plan.input.table.field}.dims[1]` : plan.input.field,
    hiddenSize: layers.map((l) => `${l.node.field} attribute 'hidden_size'`),
    outputSize: head ? `${head.W.field}.dims[${head.transB ? 0 : 1}]` : "the top layer's output width",
    layers: `graph (${L} RNN nodes)`,
    settings: 'model',
  };
  // the create options the graph cannot say: a learned s0 (from the metadata, or a non-zero initial_h) and frozen E
  const initialValues = layers.some((l) => l.init && (typeof l.init.base === 'number' ? l.init.base !== 0 : true));
  const withCreate = (fold: boolean, learn: boolean): ImportConfig => ({
    ...imp, foldEmbedding: foldOpt,
    create: { ...imp.create, ...(Array.isArray(hiddenForm) || typeof hiddenForm === 'number' ? { hiddenSize: hiddenForm } : {}), ...(learn ? { learnInitialState: true } : {}), ...(freeze && V && !fold ? { freezeEmbeddings: true } : {}) } as ImportConfig['create'],
  });
  const fold0 = foldFirst(foldOpt, shape);
  checkSizes(api, shape, from, withCreate(fold0, learnMeta || initialValues), fold0);

  // the weights, decoded (each checked against its dims and finite)
  const cells: RawCell[] = [];
  for (const layer of layers) {
    const { H, In } = layer;
    const W = decodeFloats(api, layer.W);
    const R = decodeFloats(api, layer.R);
    const B = layer.B ? decodeFloats(api, layer.B) : null;
    for (let d = 0; d < dirs; d++) {
      let bias: Float64Array | null = null;
      if (B) {
        bias = new Float64Array(H);
        for (let h = 0; h < H; h++) bias[h] = B[d * 2 * H + h] + B[d * 2 * H + H + h];
      }
      cells.push({ kernel: transpose(W, d * H * In, H, In), recurrent: transpose(R, d * H * H, H, H), bias });
    }
  }
  const s0: Record<string, Float32Array> = {};
  layers.forEach((layer, l) => {
    if (!layer.init) return;
    const { base, baseDims: bd } = layer.init;
    const values = typeof base === 'number' ? null : decodeFloats(api, base);
    for (let d = 0; d < dirs; d++) {
      const v = new Float32Array(layer.H);
      for (let h = 0; h < layer.H; h++) v[h] = values ? values[(bd[0] === 1 ? 0 : d) * bd[2] + (bd[2] === 1 ? 0 : h)] : (base as number);
      if (!v.every(Number.isFinite)) throw rangeError(api, `${layer.node.field} input initial_h`, `is ${v.find((x) => !Number.isFinite(x))}; expected finite float32 values`);
      s0[`s0${paramSuffix(l, d)}`] = v;
    }
  });
  if (s0Text !== undefined) {
    // the s0 a graph with an initial-states input does not hold, in state order: layer 0 forward, reverse, layer 1, ...
    const values = parseInitialState(api, s0Text, layers.reduce((n, l) => n + dirs * l.H, 0));
    let at = 0;
    layers.forEach((layer, l) => {
      for (let d = 0; d < dirs; d++, at += layer.H) s0[`s0${paramSuffix(l, d)}`] = values.slice(at, at + layer.H);
    });
  }
  const learn = learnMeta || Object.values(s0).some((v) => v.some((x) => x !== 0));
  const folded = shouldFold(foldOpt, shape, cells.slice(0, dirs).map((c) => c.kernel));
  if (folded !== fold0 || learn !== (learnMeta || initialValues)) checkSizes(api, shape, from, withCreate(folded, learn), folded);
  let denseKernel: Float32Array | null = null;
  let denseBias: Float32Array | null = null;
  if (head) {
    const Wo = decodeFloats(api, head.W);
    denseKernel = head.transB ? transpose(Wo, 0, head.O, plan.headIn) : Wo;
    if (head.bias) {
      const b = decodeFloats(api, head.bias);
      denseBias = b.length === head.O ? b : new Float32Array(head.O).fill(b[0]);
    }
  }
  const embeddings = plan.input.kind === 'tokens' ? decodeFloats(api, plan.input.table) : null;

  const model = await build(api, shape, folded, { cells, embeddings, denseKernel, denseBias }, withCreate(folded, learn), from);
  if (learn) {
    try {
      model.setParams(s0);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}
