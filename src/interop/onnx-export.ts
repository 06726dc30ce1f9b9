// Exports a SimpleRNN as an ONNX model (ModelProto bytes): one ONNX RNN operator per layer, the padding rule carried
// by sequence_lens, the merges and the head as ONNX ops, and the model's config in metadata_props. The graph, its
// shapes and the padding behaviour are documented in docs/onnx.md.
//
//   input    (batch, time, I) float32, or (batch, time) int64 token ids (int32 with tokenType: 'int32')
//   lengths  (batch) int32: real steps per sequence, in [1, time]; steps t >= lengths[b] are padding
//   output   (batch, O), or (batch, time, O) with returnSequences (0 at pad steps; reading order with goBackwards)
//   state    (batch, stateSize): each sequence's final states, layer 0 forward, layer 0 reverse, layer 1 forward, ...
//   initial_state (batch, stateSize) float32, with initialState: true only: each sequence's initial states, in the
//            order of `state`; layer l's dirs·H floats (Slice) become its RNN's initial_h (dirs, batch, H) (Unsqueeze,
//            or Reshape to (batch, dirs, H) + Transpose), so feeding `state` back with time = 1 streams a sequence
//
// Per layer l and direction d (ONNX direction index k = d; goBackwards runs direction 'reverse' with index 0):
//   RNN W[k] (H, In) = (Ws rows H..H+In)^T        R[k] (H, H) = (Ws rows 0..H)^T
//   RNN B[k] (2H)    = [bs, -0 …]  (Wb = bs, Rb = -0: Wb + Rb = bs for every float, -0 too: the import is exact)
//   initial_h        = s0 (dirs, 1, H) expanded over the batch (learnInitialState only; ONNX starts from zeros);
//                      with initialState: true the input's part instead, and s0 (stateSize floats, state order) is
//                      kept in metadata_props['simple-rnn.initial-state'] as a JSON list, for fromOnnx and the caller
// Token models: Gather(E) with an embedding layer; without one, Gather of layer 0's token rows of Ws (V, dirs·H),
// both directions' rows side by side, and layer 0's W selects its own H columns (the identity: exact).
import { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import { bool, oneOf, readOptions } from '../options.js';
import { archOf, paramSuffix } from '../layout.js';
import type { ModelConfig } from '../config.js';
import { DT, type AttributeOut, type NodeOut, type TensorOut, type ValueInfoOut } from './onnx-format.js';
import { writeModel } from './onnx-proto.js';

/** Options of toOnnx. */
export interface OnnxExportOptions {
  /**
   * Element type of the token-id input of a token model: 'int64' (default; what torch.onnx.export writes for an
   * nn.Embedding, fed from a BigInt64Array) or 'int32' (fed from an Int32Array). Dense models ignore it.
   */
  tokenType?: 'int64' | 'int32';
  /**
   * Adds a third input, `initial_state` (batch, stateSize) float32: each sequence's initial states in the order of
   * the `state` output (layer 0 forward, layer 0 reverse, layer 1 forward, ...), which is that of predict's
   * initialStates and returnState, model.initialState() and step(). Each layer's part becomes its RNN's initial_h.
   * Feeding `state` back as `initial_state` with time = 1 runs a sequence one step at a time (one-direction models;
   * a bidirectional or goBackwards model needs the whole sequence in one run). The input is required, and the graph
   * then does not hold the learned s0: pass model.initialState() for each new sequence (it is also in
   * metadata_props['simple-rnn.initial-state'], a JSON list of stateSize numbers, from which fromOnnx restores it).
   * Default false: the graph starts every sequence from s0 (or zeros) and has the inputs input and lengths only.
   */
  initialState?: boolean;
}

const EXPORT_KEYS = ['tokenType', 'initialState'] as const;

/** The ONNX IR version written (onnxruntime-web 1.30 runs it). */
export const ONNX_IR_VERSION = 8;
/** The opset written: onnxruntime-web 1.30 runs it, and it is torch.onnx.export's usual one. */
export const ONNX_OPSET = 14;

/** metadata_props key: the format of our metadata. */
export const META_FORMAT = 'simple-rnn.format';
/** metadata_props key: the model's config (JSON). */
export const META_CONFIG = 'simple-rnn.config';
/** metadata_props key: the model's own metadata (model.metadata, JSON: a vocabulary, say), when it has some. */
export const META_MODEL = 'simple-rnn.metadata';
/** metadata_props key (initialState: true with a learned s0 only): s0, stateSize numbers in state order (JSON). */
export const META_INITIAL_STATE = 'simple-rnn.initial-state';
/** The metadata format this version writes. */
export const META_VERSION = '1';

/** The ONNX RNN activation of each f_s: 'linear' is Affine(alpha = 1, beta = 0), f(x) = x. */
export const ONNX_ACTIVATION = { tanh: 'Tanh', relu: 'Relu', sigmoid: 'Sigmoid', linear: 'Affine' } as const;

/** The model config as metadata_props carries it: what the graph builds, and the training settings it cannot show. */
export function configRecord(c: ModelConfig): Record<string, unknown> {
  return {
    inputSize: c.inputSize, vocabSize: c.vocabSize, embeddingSize: c.embeddingSize, freezeEmbeddings: c.freezeEmbeddings,
    hiddenSize: c.hiddenSize, outputSize: c.outputSize, layers: c.layers, bidirectional: c.bidirectional, merge: c.merge, goBackwards: c.goBackwards,
    activation: c.activation, outputActivation: c.outputActivation, returnSequences: c.returnSequences, learnInitialState: c.learnInitialState,
    dropout: c.dropout, inputDropout: c.inputDropout, recurrentDropout: c.recurrentDropout,
  };
}

/** Nodes and initializers of the graph being written; constants are shared by value. */
class Graph {
  nodes: NodeOut[] = [];
  inits: TensorOut[] = [];
  private consts = new Map<string, string>();
  private count = new Map<string, number>();

  /** A fresh value name. */
  name(base: string): string {
    const n = this.count.get(base) ?? 0;
    this.count.set(base, n + 1);
    return n ? `${base}_${n}` : base;
  }

  init(name: string, dataType: TensorOut['dataType'], dims: number[], values: ArrayLike<number>): string {
    this.inits.push({ name, dataType, dims, values });
    return name;
  }

  /** An int64 constant (scalar when dims is []), shared with every other use of the same value. */
  ints(values: number[], dims: number[] = [values.length]): string {
    const key = `i64:${dims}:${values}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.init(this.name(`const_i64_${dims.length ? values.join('_').replace(/-/g, 'm') : `scalar_${values[0]}`}`), DT.INT64, dims, values);
      this.consts.set(key, name);
    }
    return name;
  }

  /** A float32 scalar constant. */
  scalar(v: number): string {
    const key = `f32:${v}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.init(this.name(`const_f32_${String(v).replace('.', 'p')}`), DT.FLOAT, [], [v]);
      this.consts.set(key, name);
    }
    return name;
  }

  /** Adds a node and returns its first output (named `out`, or a fresh name from the op). */
  node(opType: string, inputs: string[], attributes: AttributeOut[] = [], out?: string | string[]): string {
    const outputs = Array.isArray(out) ? out : [out ?? this.name(`${opType.toLowerCase()}_out`)];
    this.nodes.push({ opType, inputs, outputs, name: this.name(`node_${opType.toLowerCase()}`), attributes });
    return outputs[0];
  }
}

/**
 * The model as ONNX ModelProto bytes (IR version 8, opset 14), which onnxruntime (web and node) runs and fromOnnx
 * reads back. Each layer is an ONNX RNN (direction forward, reverse for goBackwards, or bidirectional; activations
 * Tanh, Relu, Sigmoid, or Affine(1, 0) for 'linear') whose sequence_lens are the `lengths` input, so a padded batch
 * gives each sequence what it gives alone: ONNX's RNN keeps pad steps out of both directions and its Y_h is each
 * direction's state after the sequence's own last real step. Between layers the directions are merged (concat, sum,
 * mul, ave); the head is MatMul + Add + Softmax / Sigmoid / nothing. Inputs `input` (batch, time, I) float32 or
 * (batch, time) int64 token ids, `lengths` (batch) int32; outputs `output` (batch, O), or (batch, time, O) with
 * returnSequences (0 at pad steps; in reading order with goBackwards, as predict returns them), and `state`
 * (batch, stateSize) in the state order of predict's returnState. With options.initialState a third input,
 * `initial_state` (batch, stateSize), gives each sequence's initial states in that order (predict's initialStates),
 * so that a caller streams by feeding `state` back with time = 1; the learned s0 is then the caller's to pass
 * (model.initialState()), and travels in metadata_props. Dropout is training-only and not in the graph;
 * the config (dropout rates included) and model.metadata are in metadata_props, so fromOnnx(toOnnx(m)) gives m back,
 * weights bit for bit.
 * Weights are written as float32 (a float64 js model is rounded; a value beyond float32 is refused).
 */
export function toOnnx(model: SimpleRNN, options?: OnnxExportOptions): Uint8Array {
  const api = 'toOnnx';
  if (!(model instanceof SimpleRNN)) throw typeError(api, 'model', 'a SimpleRNN', model);
  const o = readOptions(api, options ?? undefined, EXPORT_KEYS);
  const tokenType = oneOf(api, 'options.tokenType', o.tokenType, ['int64', 'int32'] as const, 'int64');
  const initialState = bool(api, 'options.initialState', o.initialState, false);
  const c = model.config;
  const p = model.getParams(); // throws when disposed
  for (const k of model.paramNames) {
    const at = p[k].findIndex((v) => !Number.isFinite(Math.fround(v)));
    if (at >= 0) throw rangeError(api, `model ${k}[${at}]`, `= ${p[k][at]} is beyond float32; ONNX weights are float32`);
  }
  const { L, dirs, H, In, headIn, stateSize } = archOf(c);
  const { vocabSize: V, embeddingSize: D, inputSize: I, outputSize: O } = c;
  const g = new Graph();
  const batch = 'batch';
  const time = 'time';
  const inputs: ValueInfoOut[] = [
    V
      ? { name: 'input', elemType: tokenType === 'int64' ? DT.INT64 : DT.INT32, dims: [batch, time], docString: `token ids in [0, ${V})` }
      : { name: 'input', elemType: DT.FLOAT, dims: [batch, time, I], docString: 'dense inputs' },
    { name: 'lengths', elemType: DT.INT32, dims: [batch], docString: 'real steps of each sequence, in [1, time]; later steps are padding' },
  ];
  if (initialState) inputs.push({ name: 'initial_state', elemType: DT.FLOAT, dims: [batch, stateSize], docString: STATE_ORDER_INITIAL });

  // layer 0's input rows, time-major
  let x = 'input';
  if (V) {
    const width = D || dirs * H[0];
    let table: ArrayLike<number> = p.E;
    if (!D) {
      const rows = new Float32Array(V * width); // each direction's token rows side by side
      for (let d = 0; d < dirs; d++) {
        const T = p[`Ws${paramSuffix(0, d)}`].subarray(H[0] * H[0]);
        for (let v = 0; v < V; v++) rows.set(T.subarray(v * H[0], (v + 1) * H[0]), v * width + d * H[0]);
      }
      table = rows;
    }
    const name = g.init(D ? 'embedding.E' : 'embedding.token_rows', DT.FLOAT, [V, width], table);
    x = g.node('Gather', [name, 'input'], [{ name: 'axis', i: 0 }], 'embedded');
  }
  x = g.node('Transpose', [x], [{ name: 'perm', ints: [1, 0, 2] }], 'input_time_major');

  // the batch size as a 1-D shape piece, for initial_h
  let batchDim: string | null = null;
  const batchOf = () => (batchDim ??= g.node('Gather', [g.node('Shape', ['input'], [], 'input_shape'), g.ints([0])], [{ name: 'axis', i: 0 }], 'batch_size'));

  const direction = c.bidirectional ? 'bidirectional' : c.goBackwards ? 'reverse' : 'forward';
  const act = ONNX_ACTIVATION[c.activation];
  const actAttrs: AttributeOut[] = [{ name: 'activations', strings: Array(dirs).fill(act) }];
  if (act === 'Affine') actAttrs.push({ name: 'activation_alpha', floats: Array(dirs).fill(1) }, { name: 'activation_beta', floats: Array(dirs).fill(0) });
  const finals: string[] = [];
  let stateAt = 0; // layer l's first float of a state vector
  for (let l = 0; l < L; l++) {
    const h = H[l];
    const n = l === 0 && V && !D ? dirs * h : In[l]; // without E, layer 0 reads the gathered token rows
    const W = new Float32Array(dirs * h * n);
    const R = new Float32Array(dirs * h * h);
    const B = new Float32Array(dirs * 2 * h).fill(-0);
    const s0 = new Float32Array(dirs * h);
    for (let d = 0; d < dirs; d++) {
      const sfx = paramSuffix(l, d);
      const Ws = p[`Ws${sfx}`];
      for (let u = 0; u < h; u++) {
        for (let k = 0; k < n; k++) W[(d * h + u) * n + k] = l === 0 && V && !D ? (k === d * h + u ? 1 : 0) : Ws[(h + k) * h + u];
        for (let k = 0; k < h; k++) R[(d * h + u) * h + k] = Ws[k * h + u];
      }
      B.set(p[`bs${sfx}`], d * 2 * h);
      s0.set(p[`s0${sfx}`], d * h);
    }
    const name = `rnn_l${l}`;
    const w = g.init(`${name}.W`, DT.FLOAT, [dirs, h, n], W);
    const r = g.init(`${name}.R`, DT.FLOAT, [dirs, h, h], R);
    const b = g.init(`${name}.B`, DT.FLOAT, [dirs, 2 * h], B);
    let h0 = '';
    if (initialState) {
      // this layer's dirs·h floats of each state vector, as (dirs, batch, h)
      const part = L === 1 ? 'initial_state' : g.node('Slice', ['initial_state', g.ints([stateAt]), g.ints([stateAt + dirs * h]), g.ints([1])], [], `${name}.initial_state`);
      h0 = dirs === 1
        ? g.node('Unsqueeze', [part, g.ints([0])], [], `${name}.initial_h`)
        : g.node('Transpose', [g.node('Reshape', [part, g.ints([0, dirs, h])], [], g.name(`${name}_h0_split`))], [{ name: 'perm', ints: [1, 0, 2] }], `${name}.initial_h`);
      stateAt += dirs * h;
    } else if (c.learnInitialState) {
      const base = g.init(`${name}.s0`, DT.FLOAT, [dirs, 1, h], s0);
      const shape = g.node('Concat', [g.ints([dirs]), batchOf(), g.ints([h])], [{ name: 'axis', i: 0 }], g.name(`${name}_h0_shape`));
      h0 = g.node('Expand', [base, shape], [], `${name}.initial_h`);
    }
    const [Y, Yh] = [`${name}.Y`, `${name}.Y_h`];
    g.node('RNN', [x, w, r, b, 'lengths', h0], [{ name: 'hidden_size', i: h }, { name: 'direction', s: direction }, ...actAttrs], [Y, Yh]);
    finals.push(Yh);
    // the layer's per-step output y_l (T, B, width), for the next layer or a returnSequences head
    if (l < L - 1 || c.returnSequences) x = merge(g, c, Y, 1, `${name}.y`);
  }

  // the head
  const top = finals[L - 1];
  let y = c.returnSequences ? g.node('Transpose', [x], [{ name: 'perm', ints: [1, 0, 2] }], 'top_batch_major') : merge(g, c, top, 0, 'top_final');
  const steps: [string, string[], AttributeOut[]][] = [['MatMul', [g.init('head.Wo', DT.FLOAT, [headIn, O], p.Wo)], []], ['Add', [g.init('head.bo', DT.FLOAT, [O], p.bo)], []]];
  if (c.outputActivation === 'softmax') steps.push(['Softmax', [], [{ name: 'axis', i: -1 }]]);
  if (c.outputActivation === 'sigmoid') steps.push(['Sigmoid', [], []]);
  if (c.returnSequences) {
    // 0 at pad steps: t < lengths[b], as a (batch, time, 1) mask
    const T = g.node('Gather', [g.node('Shape', ['input'], [], 'input_shape_t'), g.ints([1], [])], [{ name: 'axis', i: 0 }], 'time_size');
    const range = g.node('Unsqueeze', [g.node('Range', [g.ints([0], []), T, g.ints([1], [])], [], 'steps'), g.ints([0])], [], 'steps_row');
    const len = g.node('Unsqueeze', [g.node('Cast', ['lengths'], [{ name: 'to', i: DT.INT64 }], 'lengths_i64'), g.ints([1])], [], 'lengths_column');
    const mask = g.node('Unsqueeze', [g.node('Less', [range, len], [], 'real_steps'), g.ints([2])], [], 'real_steps_mask');
    steps.push(['Where', [mask, '', g.scalar(0)], []]);
    if (c.goBackwards) steps.push(['ReverseSequence', ['lengths_i64'], [{ name: 'batch_axis', i: 0 }, { name: 'time_axis', i: 1 }]]);
  }
  steps.forEach(([op, extra, attrs], k) => {
    const ins = op === 'Where' ? [extra[0], y, extra[2]] : [y, ...extra];
    y = g.node(op, ins, attrs, k === steps.length - 1 ? 'output' : undefined);
  });

  // the final states, (batch, stateSize) in our order
  const perLayer = finals.map((Yh, l) => {
    const t = g.node('Transpose', [Yh], [{ name: 'perm', ints: [1, 0, 2] }]);
    return g.node('Reshape', [t, g.ints([0, -1])], [], L === 1 ? 'state' : `rnn_l${l}.state`);
  });
  if (L > 1) g.node('Concat', perLayer, [{ name: 'axis', i: 1 }], 'state');

  const outDims = c.returnSequences ? [batch, time, O] : [batch, O];
  const record = configRecord(c);
  // the model's metadata (a vocabulary, say) travels with it: fromOnnx sets it again
  let carried: string | undefined;
  if (model.metadata !== undefined) {
    try {
      carried = JSON.stringify(model.metadata);
    } catch {
      carried = undefined;
    }
    if (carried === undefined) throw typeError(api, 'model.metadata', 'a JSON value (it travels in metadata_props)', model.metadata);
  }
  return writeModel({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'simple-rnn',
    producerVersion: META_VERSION,
    docString: docString(c, tokenType, stateSize, initialState) + `\nconfig: ${JSON.stringify(record)}`,
    graphName: 'simple_rnn',
    nodes: g.nodes,
    initializers: g.inits,
    inputs,
    outputs: [
      { name: 'output', elemType: DT.FLOAT, dims: outDims, docString: c.returnSequences ? 'one output per step; 0 at pad steps' : 'one output per sequence' },
      { name: 'state', elemType: DT.FLOAT, dims: [batch, stateSize], docString: 'final states: layer 0 forward, layer 0 reverse, layer 1 forward, ...' },
    ],
    metadata: [
      { key: META_FORMAT, value: META_VERSION },
      { key: META_CONFIG, value: JSON.stringify(record) },
      ...(carried !== undefined ? [{ key: META_MODEL, value: carried }] : []),
      ...(initialState && c.learnInitialState ? [{ key: META_INITIAL_STATE, value: floatList(model.initialState()) }] : []),
    ],
  });
}

/**
 * A layer's two directions joined, from the RNN's Y (T, dirs, B, H) (axis 1) or Y_h (dirs, B, H) (axis 0): one
 * direction squeezed; concat as [forward reverse] features (transpose, then reshape); sum, mul and ave as ONNX's Add,
 * Mul, and Add then Mul by 0.5 (our kernels compute (a + b) * 0.5 too).
 */
function merge(g: Graph, c: ModelConfig, v: string, axis: number, out: string): string {
  if (!c.bidirectional) return g.node('Squeeze', [v, g.ints([axis])], [], out);
  if (c.merge === 'concat') {
    const t = g.node('Transpose', [v], [{ name: 'perm', ints: axis ? [0, 2, 1, 3] : [1, 0, 2] }]);
    return g.node('Reshape', [t, g.ints(axis ? [0, 0, -1] : [0, -1])], [], out);
  }
  const a = g.node('Gather', [v, g.ints([0], [])], [{ name: 'axis', i: axis }]);
  const b = g.node('Gather', [v, g.ints([1], [])], [{ name: 'axis', i: axis }]);
  if (c.merge === 'mul') return g.node('Mul', [a, b], [], out);
  const sum = g.node('Add', [a, b], [], c.merge === 'sum' ? out : undefined);
  return c.merge === 'sum' ? sum : g.node('Mul', [sum, g.scalar(0.5)], [], out);
}

/** What the initial_state input holds, for its doc_string and the model's. */
const STATE_ORDER_INITIAL = 'initial states: layer 0 forward, layer 0 reverse, layer 1 forward, ... (the order of state)';

/**
 * float32 values as a JSON list, each the shortest decimal that reads back (rounded to float32) as the same float,
 * -0 as -0: fromOnnx gets the bits back, and a person or Python's json reads plain numbers.
 */
function floatList(v: ArrayLike<number>): string {
  const one = (x: number): string => {
    const f = Math.fround(x);
    if (Object.is(f, -0)) return '-0';
    for (let p = 1; p <= 9; p++) {
      const s = String(Number(f.toPrecision(p)));
      if (Math.fround(Number(s)) === f) return s;
    }
    return String(f);
  };
  return `[${Array.from(v, one).join(',')}]`;
}

/** The model in words, for the ModelProto's doc_string. */
function docString(c: ModelConfig, tokenType: string, stateSize: number, initialState: boolean): string {
  const { L, H } = archOf(c);
  const inputs = c.vocabSize
    ? `token ids in [0, ${c.vocabSize})${c.embeddingSize ? `, an embedding of ${c.embeddingSize}` : ''}`
    : `dense inputs of ${c.inputSize}`;
  const stack = `${L} layer${L > 1 ? 's' : ''} of ${H.join(', ')} ${c.activation} units${c.bidirectional ? `, bidirectional (${c.merge})` : ''}${c.goBackwards ? ', reading backwards' : ''}`;
  const out = `${c.outputSize} ${c.outputActivation} outputs ${c.returnSequences ? 'per step' : 'per sequence'}`;
  const inShape = c.vocabSize ? `(batch, time) ${tokenType}` : `(batch, time, ${c.inputSize}) float32`;
  const outShape = c.returnSequences ? `(batch, time, ${c.outputSize})` : `(batch, ${c.outputSize})`;
  return `simple-rnn SimpleRNN: ${inputs}; ${stack}; ${out}.\n`
    + `inputs: input ${inShape}, lengths (batch) int32 (real steps per sequence, in [1, time]; later steps are padding)`
    + `${initialState ? `, initial_state (batch, ${stateSize}) float32 (${STATE_ORDER_INITIAL}; required: pass the model's s0, metadata_props['${META_INITIAL_STATE}'] when it has one, zeros otherwise)` : ''}.\n`
    + `outputs: output ${outShape}${c.returnSequences ? ' (0 at pad steps)' : ''}, state (batch, ${stateSize}) (final states: layer 0 forward, layer 0 reverse, layer 1 forward, ...).`;
}
