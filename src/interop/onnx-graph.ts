// Reads an ONNX graph into an import plan by evaluating it symbolically, node by node (the values and the layout ops
// are in onnx-values.ts): activations carry which axis is which and what their features hold (the inputs, an
// embedding, a layer-direction's states, their merge, the head). The model's own ops are here: the embedding Gather,
// the RNNs, the merges of two directions, the head (MatMul / Gemm, the bias, Softmax / Sigmoid), and the padding ops
// (Where over a mask of the real steps, ReverseSequence). Whatever ops lay a graph out (torch.onnx.export's
// Shape/Gather/ConstantOfShape/Slice initial states and Transpose/Reshape merges, our Squeeze/Gather/Where), a graph
// is accepted exactly when it computes one of our models, and any other is refused naming the node. A (batch,
// stateSize) float32 input is the initial states (toOnnx's initialState: true): it may only be cut into each RNN's
// initial_h, layer by layer in our state order, every layer reading its own part. No weight is decoded here
// (onnx-import.ts checks the sizes, then decodes).
import type { Activation, MergeMode, OutputActivation } from '../config.js';
import { rangeError } from '../errors.js';
import { DT, dtName, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-format.js';
import {
  NodeCtx, castOp, concatOp, constantOfShapeOp, constantOp, describe, describeSegs, expandOp, product, reshapeOp, shapeOp, showDims, showRoles, sliceOp,
  squeezeOp, transposeOp, type Act, type Dim, type Lin, type Seg, type Val,
} from './onnx-values.js';

/** One recurrent layer as the graph gives it. */
export interface PlanLayer {
  node: OnnxNode;
  H: number;
  /** Width of its input rows. */
  In: number;
  W: OnnxTensor;
  R: OnnxTensor;
  B: OnnxTensor | null;
  /** initial_h: values of dims (1|dirs, 1, 1|H) broadcast over the batch, or null (zeros, or the initial-states input). */
  init: { base: OnnxTensor | number; baseDims: number[] } | null;
  /** initial_h is this layer's part of the initial-states input. */
  fromState: boolean;
}

/** What an ONNX graph computes, in our model's terms. */
export interface OnnxPlan {
  /** The sequence input: dense (I features) or token ids (V ids, each gathering a row of `table` (V, D)). */
  input: { kind: 'dense'; I: number; field: string } | { kind: 'tokens'; V: number; D: number; table: OnnxTensor };
  direction: 'forward' | 'reverse' | 'bidirectional';
  layers: PlanLayer[];
  merge: MergeMode;
  activation: Activation;
  returnSequences: boolean;
  /** The head (null: the graph ends at the top layer's output, Wo the identity). */
  head: { W: OnnxTensor; transB: boolean; bias: OnnxTensor | null; O: number } | null;
  /** Softmax or Sigmoid at the end; null when the graph ends in logits (or at the layer output). */
  outputActivation: Exclude<OutputActivation, 'linear'> | null;
  /** Width of the top layer's output (the head's input). */
  headIn: number;
  /** The RNNs take sequence_lens from the graph's lengths input (false: every sequence runs the whole time axis). */
  lengths: boolean;
  /** The graph's (batch, stateSize) initial-states input, which feeds every RNN's initial_h; null when it has none. */
  stateInput: { name: string; field: string } | null;
}

/** The ONNX RNN activations read (lower case), as f_s; Affine only with alpha 1 and beta 0. */
const ACTIVATIONS: Record<string, Activation> = { tanh: 'tanh', relu: 'relu', sigmoid: 'sigmoid', affine: 'linear' };

/** The opsets whose semantics of the ops read here this reader follows. */
export const OPSET_RANGE = [11, 23] as const;

const SUPPORTED = 'RNN, Gather, MatMul, Gemm, Add, Mul, Div, Softmax, Sigmoid, Where, Less, Range, ReverseSequence, and the layout and size ops Transpose, Reshape, Squeeze, Unsqueeze, Concat, Slice, Shape, ConstantOfShape, Expand, Cast, Identity, Dropout, Constant';

/**
 * Evaluates `graph` (opset `opset`) symbolically and returns the plan of the model it computes: its first output is
 * the model's output. Errors name the node (`graph.node[3] (RNN)`), the input or the attribute, and say what was
 * expected.
 */
export function planGraph(api: string, graph: OnnxGraph, opset: number): OnnxPlan {
  const env = new Map<string, Val>();
  const fail = (field: string, msg: string) => rangeError(api, field, msg);
  const layers: PlanLayer[] = [];
  let direction: OnnxPlan['direction'] | null = null;
  let activation: Activation = 'tanh';
  let lengthsUsed: boolean | null = null;
  let lastStep: string | null = null;
  let input = null as OnnxPlan['input'] | null;
  let embNode: string | null = null;
  let lensInput: string | null = null;
  let stateInput: { name: string; field: string; width: number } | null = null;
  /** Floats of the state vector the layers so far read from the state input (their Σ dirs·H). */
  let stateRead = 0;
  let stateUsed: boolean | null = null;
  const merges = new Map<number, MergeMode>();

  // ---- the graph's values before any node ----
  for (const t of graph.initializers) {
    if (!t.name) throw fail(t.field, 'has no name');
    if (env.has(t.name)) throw fail(t.field, `repeats the name '${t.name}'`);
    env.set(t.name, { k: 'const', t, dims: [...t.dims] });
  }
  for (const v of graph.inputs) {
    if (env.has(v.name)) continue; // an input with an initializer of its name (IR < 4): the initializer is its value
    env.set(v.name, inputValue(v));
  }
  if (!input) throw fail('graph.input', `has no sequence input; expected (batch, time, I) float32 or (batch, time) int64 / int32 token ids among ${graph.inputs.map((v) => `'${v.name}'`).join(', ') || 'none'}`);

  function inputValue(v: OnnxValueInfo): Val {
    const t = v.type;
    if (!t || t.kind !== 'tensor') throw fail(v.field, `is ${t ? `a ${t.description}` : 'untyped'}; expected a tensor`);
    if (!t.shape) throw fail(v.field, 'has no shape; expected (batch, time, I), (batch, time) or (batch)');
    const rank = t.shape.length;
    const base = { k: 'act' as const, entries: null, segs: [], width: 0, rev: false, dtype: t.elemType };
    if (t.elemType === DT.FLOAT && rank === 3) {
      const I = t.shape[2];
      if (typeof I !== 'number' || I < 1) throw fail(v.field, `has shape [${t.shape.join(', ')}]; expected (batch, time, I) with I a fixed size >= 1`);
      if (input) throw fail(v.field, 'is a second sequence input');
      input = { kind: 'dense', I, field: `${v.field}.shape[2]` };
      return { ...base, kind: 'float', roles: ['B', 'T', 'F'], segs: [{ q: 'x', w: I }], width: I };
    }
    if (t.elemType === DT.FLOAT && rank === 2) {
      const S = t.shape[1];
      if (typeof S !== 'number' || S < 1) throw fail(v.field, `has shape [${t.shape.join(', ')}]; expected the initial states (batch, stateSize) with stateSize a fixed size >= 1`);
      if (stateInput) throw fail(v.field, `is a second initial-states input besides '${stateInput.name}'`);
      stateInput = { name: v.name, field: v.field, width: S };
      return { ...base, kind: 'state', roles: ['B', 'F'], segs: [{ q: 'h0', off: 0, w: S }], width: S };
    }
    if ((t.elemType === DT.INT64 || t.elemType === DT.INT32) && rank === 2) {
      if (input) throw fail(v.field, 'is a second sequence input');
      input = { kind: 'tokens', V: 0, D: 0, table: null as unknown as OnnxTensor }; // the Gather of the ids fills it in
      return { ...base, kind: 'ids', roles: ['B', 'T'] };
    }
    if ((t.elemType === DT.INT64 || t.elemType === DT.INT32) && rank === 1) {
      if (lensInput) throw fail(v.field, `is a second lengths input besides '${lensInput}'`);
      lensInput = v.name;
      return { ...base, kind: 'len', roles: ['B'] };
    }
    throw fail(v.field, `is a ${dtName(t.elemType)} tensor of rank ${rank}; expected the inputs (batch, time, I) float32 or (batch, time) int64 / int32 token ids, (batch) int32 lengths, and (batch, stateSize) float32 initial states`);
  }

  /** The values of the node's outputs (null for an output nothing may read). */
  function evaluate(c: NodeCtx): (Val | null)[] {
    switch (c.node.opType) {
      case 'Identity':
        c.onlyAttrs([]);
        return [c.need(0)];
      case 'Dropout':
        c.onlyAttrs(['seed', 'ratio']);
        if (c.ins[2] && c.scalar(c.constant(2), 2) !== 0) throw c.fail('is training_mode = true; expected an inference graph', c.field(2));
        return [c.need(0), null];
      case 'Constant': return [constantOp(c)];
      case 'Shape': return [shapeOp(c)];
      case 'Transpose': return [transposeOp(c)];
      case 'Squeeze': return [squeezeOp(c, false)];
      case 'Unsqueeze': return [squeezeOp(c, true)];
      case 'Reshape': return [reshapeOp(c)];
      case 'Concat': return [concatOp(c)];
      case 'Slice': return [sliceOp(c)];
      case 'ConstantOfShape': return [constantOfShapeOp(c)];
      case 'Expand': return [expandOp(c)];
      case 'Cast': return [castOp(c)];
      case 'Gather': return [gather(c)];
      case 'Range': return [range(c)];
      case 'Less': {
        c.onlyAttrs([]);
        const roles = c.broadcast(c.act(0, 'steps').roles, c.act(1, 'len').roles);
        return [{ k: 'act', kind: 'mask', roles, entries: null, segs: [], width: 0, rev: false, dtype: DT.BOOL }];
      }
      case 'Where': return [where(c)];
      case 'ReverseSequence': return [reverseSequence(c)];
      case 'RNN': return rnn(c);
      case 'MatMul': case 'Gemm': return [matmul(c)];
      case 'Add': case 'Mul': case 'Div': return [arithmetic(c)];
      case 'Softmax': case 'Sigmoid': return [activationOp(c)];
      case 'LogSoftmax':
        throw c.fail("is not supported: the model outputs softmax probabilities or logits (end the graph at the Linear and import with outputActivation: 'softmax')");
      default:
        throw c.fail(`is not an op this reader supports (${SUPPORTED})`);
    }
  }

  /** Gather: the embedding lookup of the token ids, a state of a stack, or the last time step. */
  function gather(c: NodeCtx): Val {
    c.onlyAttrs(['axis']);
    const data = c.need(0);
    const idx = c.need(1);
    if (data.k === 'const' && idx.k === 'act' && idx.kind === 'ids') {
      if (c.attrInt('axis', 0) !== 0) throw c.fail('must be 0 for an embedding lookup', `${c.node.field} attribute 'axis'`);
      if (data.dims.length !== 2 || data.t.dims.length !== 2) throw c.fail(`has shape [${data.dims.join(', ')}]; expected an embedding table [V, D]`, c.field(0));
      if (data.t.dataType !== DT.FLOAT) throw c.fail(`is ${dtName(data.t.dataType)}; expected float32`, c.field(0));
      if (embNode) throw c.fail(`is a second lookup of the token ids (the first is ${embNode})`);
      if (idx.roles.join() !== 'B,T') throw c.fail(`has axes ${showRoles(idx.roles)}; expected the (batch, time) ids`, c.field(1));
      embNode = c.node.field;
      const [V, D] = data.dims;
      input = { kind: 'tokens', V, D, table: data.t };
      return { k: 'act', kind: 'float', roles: ['B', 'T', 'F'], entries: null, segs: [{ q: 'emb', w: D }], width: D, rev: false, dtype: DT.FLOAT };
    }
    const axis = c.attrInt('axis', 0);
    const d = c.dims(1);
    if (data.k === 'dims') {
      const n = data.v.length;
      const pick = c.ints(1).map((i) => {
        const j = i < 0 ? i + n : i;
        if (!(j >= 0 && j < n)) throw c.fail(`has index ${i}, outside [${-n}, ${n})`, c.field(1));
        return data.v[j];
      });
      return { k: 'dims', v: pick, scalar: d.scalar };
    }
    if (data.k !== 'act' || data.kind !== 'float') throw c.fail(`is ${describe(data)}; expected an embedding table, a shape, or stacked states`, c.field(0));
    const a = data;
    const ax = c.norm(axis, a.roles.length);
    const role = a.roles[ax];
    const roles = a.roles.filter((_, k) => k !== ax);
    if (role === 'S' || role === '1') {
      const entries = a.entries ?? [a.segs];
      const n = entries.length;
      const picked = c.ints(1).map((i) => {
        const j = i < 0 ? i + n : i;
        if (!(j >= 0 && j < n)) throw c.fail(`has index ${i}, outside the ${n} stacked states`, c.field(1));
        return entries[j];
      });
      if (d.scalar) return { ...a, roles, entries: null, segs: picked[0] };
      return { ...a, roles: a.roles.map((r, k) => (k === ax ? 'S' : r)), entries: picked, segs: [] };
    }
    if (role === 'T') {
      // out[:, -1]: the last step, which is the final state only for forward states of full-length sequences
      if (!d.scalar || d.v[0] !== -1) throw c.fail(`is ${showDims(d.v)}; expected -1 (the last step) on the time axis`, c.field(1));
      if (a.entries || !a.segs.every((s) => s.q === 's' && s.d === 0) || a.rev) {
        throw c.fail(`takes the last step of ${describeSegs(a.segs)}; only a forward layer's last step is its final state (a reverse direction's final state is its first step: use h_n)`);
      }
      lastStep = c.node.field;
      return { ...a, roles };
    }
    throw c.fail(`gathers axis ${ax} of ${showRoles(a.roles)}; expected the stack of states or the last time step`);
  }

  /** Range(0, time, 1): the steps of the time axis, for a mask of the real steps. */
  function range(c: NodeCtx): Act {
    c.onlyAttrs([]);
    const [start, limit, delta] = [0, 1, 2].map((k) => c.dims(k));
    if (!start.scalar || start.v[0] !== 0 || !delta.scalar || delta.v[0] !== 1 || !limit.scalar || limit.v[0] !== 'T') {
      throw c.fail(`is Range(${start.v}, ${showDims(limit.v)}, ${delta.v}); expected Range(0, time, 1), the steps of the time axis`);
    }
    return { k: 'act', kind: 'steps', roles: ['T'], entries: null, segs: [], width: 0, rev: false, dtype: DT.INT64 };
  }

  /** Where(t < length, x, c): x at the real steps, whatever fills the pad steps. */
  function where(c: NodeCtx): Act {
    c.onlyAttrs([]);
    const m = c.act(0, 'mask');
    const x = c.act(1);
    c.scalar(c.constant(2), 2); // one value, any: it only fills pad steps
    if (!m.roles.includes('B') || !m.roles.includes('T')) throw c.fail(`has axes ${showRoles(m.roles)}; expected a (batch, time) mask of the real steps`, c.field(0));
    if (c.broadcast(m.roles, x.roles).join() !== x.roles.join()) throw c.fail(`broadcasts the mask ${showRoles(m.roles)} over ${showRoles(x.roles)} to another shape`);
    return x;
  }

  /** ReverseSequence by the lengths: each sequence's real steps in the other order. */
  function reverseSequence(c: NodeCtx): Act {
    c.onlyAttrs(['batch_axis', 'time_axis']);
    const x = c.act(0);
    const len = c.act(1, 'len');
    if (len.dtype !== DT.INT64 || len.roles.join() !== 'B') throw c.fail(`is ${describe(len)}; expected the (batch) lengths as int64`, c.field(1));
    const b = c.norm(c.attrInt('batch_axis', 1), x.roles.length, 'batch_axis');
    const t = c.norm(c.attrInt('time_axis', 0), x.roles.length, 'time_axis');
    if (x.roles[b] !== 'B' || x.roles[t] !== 'T') throw c.fail(`reverses axis ${t} of ${showRoles(x.roles)} along axis ${b}; expected the time axis, per batch row`);
    return { ...x, rev: !x.rev };
  }

  /** MatMul(x, W) or Gemm(x, W[, C]): the head's affine map, W (In, O) ((O, In) with transB). */
  function matmul(c: NodeCtx): Act {
    const gemm = c.node.opType === 'Gemm';
    c.onlyAttrs(gemm ? ['alpha', 'beta', 'transA', 'transB'] : []);
    const a = c.act(0);
    if (a.entries || a.roles[a.roles.length - 1] !== 'F' || !mergedOf(a.segs)) throw c.fail(`is ${describeSegs(a.segs)} with axes ${showRoles(a.roles)}; expected a layer's output, features last`, c.field(0));
    let transB = false;
    if (gemm) {
      if (a.roles.join() !== 'B,F') throw c.fail(`has axes ${showRoles(a.roles)}; expected (batch, features)`, c.field(0));
      for (const name of ['alpha', 'beta']) {
        const x = c.attr(name);
        if (x && x.f !== 1) throw c.fail(`= ${x.f}; expected 1`, x.field);
      }
      if (c.attrInt('transA', 0) !== 0) throw c.fail('must be 0', `${c.node.field} attribute 'transA'`);
      transB = c.attrInt('transB', 0) !== 0;
    }
    const W = c.constant(1);
    const [In, O] = transB ? [W.dims[1], W.dims[0]] : [W.dims[0], W.dims[1]];
    if (W.dims.length !== 2 || W.t.dims.length !== 2 || W.t.dataType !== DT.FLOAT || In !== a.width) {
      throw c.fail(`is a ${dtName(W.t.dataType)} constant of shape [${W.dims.join(', ')}]; expected float32 ${transB ? '[O, In]' : '[In, O]'} with In = ${a.width}`, c.field(1));
    }
    const lin: Lin = { q: 'lin', from: a.segs, W: W.t, transB, bias: null, w: O };
    if (gemm && c.ins[2]) lin.bias = biasOf(c, 2, O, 2);
    return { ...a, segs: [lin], width: O };
  }

  /** The head's bias (lin + constant), or a merge of a bidirectional layer's two directions: sum, mul, ave. */
  function arithmetic(c: NodeCtx): Act {
    c.onlyAttrs([]);
    const [a, b] = [c.need(0), c.need(1)];
    const op = c.node.opType;
    const single = (v: Val): Seg | null => (v.k === 'act' && v.kind === 'float' && !v.entries && v.segs.length === 1 ? v.segs[0] : null);
    if (op === 'Add' && (a.k === 'const') !== (b.k === 'const')) {
      const [x, k] = a.k === 'const' ? [b, 0] : [a, 1];
      const lin = single(x);
      if (x.k !== 'act' || lin?.q !== 'lin' || lin.bias || x.roles[x.roles.length - 1] !== 'F') throw c.fail(`adds a constant to ${describe(x)}; expected the head's MatMul (without a bias yet), features last`);
      return { ...x, segs: [{ ...lin, bias: biasOf(c, k, lin.w, x.roles.length) }] };
    }
    if ((op === 'Mul' || op === 'Div') && (a.k === 'const' || b.k === 'const')) {
      // ave: (forward + reverse) * 0.5, or / 2
      const [x, k] = a.k === 'const' ? [b, 0] : [a, 1];
      const m = single(x);
      const want = op === 'Mul' ? 0.5 : 2;
      const ok = x.k === 'act' && m?.q === 'merge' && m.op === 'sum' && !(op === 'Div' && k === 0) && c.scalar(c.constant(k), k) === want;
      if (!ok) throw c.fail(`is ${op} by a constant; only the average of a bidirectional layer's directions, (forward + reverse) ${op === 'Mul' ? '* 0.5' : '/ 2'}, is supported`);
      return { ...(x as Act), segs: [{ ...(m as Seg & { q: 'merge' }), op: 'ave' }] };
    }
    if (a.k === 'act' && b.k === 'act' && op !== 'Div') {
      const [sa, sb] = [single(a), single(b)];
      const pair = sa?.q === 's' && sb?.q === 's' && sa.l === sb.l && sa.d !== sb.d && layers[sa.l]?.W.dims[0] === 2;
      if (!pair || a.roles.join() !== b.roles.join() || a.rev !== b.rev) {
        throw c.fail(`${op === 'Add' ? 'adds' : 'multiplies'} ${describe(a)} and ${describe(b)}; expected a bidirectional layer's forward and reverse states`);
      }
      return { ...a, segs: [{ q: 'merge', l: sa.l, op: op === 'Add' ? 'sum' : 'mul', w: sa.w }] };
    }
    throw c.fail(`is ${op} of ${describe(a)} and ${describe(b)}; expected a merge of two directions or the head's bias`);
  }

  /** A bias constant: O values (or one, broadcast), its other dims 1, of rank at most that of what it is added to. */
  function biasOf(c: NodeCtx, k: number, O: number, rank: number): OnnxTensor {
    const b = c.constant(k);
    const n = product(b.dims);
    const last = b.dims[b.dims.length - 1] ?? 1;
    if (b.t.dataType !== DT.FLOAT || b.dims.length > rank || !(n === O || n === 1) || (n === O && last !== O)) {
      throw c.fail(`is a ${dtName(b.t.dataType)} constant of shape [${b.dims.join(', ')}]; expected a float32 bias of [${O}] (or one value)`, c.field(k));
    }
    return b.t;
  }

  /** Softmax (over the features, the last axis) or Sigmoid of the head's output. */
  function activationOp(c: NodeCtx): Act {
    const softmax = c.node.opType === 'Softmax';
    c.onlyAttrs(softmax ? ['axis'] : []);
    const a = c.act(0);
    const lin = !a.entries && a.segs.length === 1 && a.segs[0].q === 'lin' ? a.segs[0] : null;
    if (!lin) throw c.fail(`is ${describeSegs(a.segs)}; expected the head's output (MatMul + Add, or Gemm)`, c.field(0));
    if (softmax) {
      // opset 13+ normalizes along one axis; before, over the axes from `axis` on: the same when it is the last
      const axis = c.norm(c.attrInt('axis', opset < 13 ? 1 : -1), a.roles.length);
      if (axis !== a.roles.length - 1 || a.roles[axis] !== 'F') throw c.fail(`is axis ${axis} of ${showRoles(a.roles)}; expected the last axis, the features`, `${c.node.field} attribute 'axis'`);
    }
    return { ...a, segs: [{ q: 'out', act: softmax ? 'softmax' : 'sigmoid', lin, w: lin.w }] };
  }

  /** RNN: the next layer of the chain, its weights' shapes checked. */
  function rnn(c: NodeCtx): Val[] {
    c.onlyAttrs(['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout']);
    const at = (name: string) => `${c.node.field} attribute '${name}'`;
    const X = c.act(0);
    if (X.roles.join() !== 'T,B,F' || X.entries || X.rev) throw c.fail(`has axes ${showRoles(X.roles)}${X.rev ? ' reversed' : ''}; expected (time, batch, features)`, c.field(0));
    // which layer: layer 0 reads the inputs, layer l+1 reads layer l's output
    let l = 0;
    if (!(X.segs.length === 1 && (X.segs[0].q === 'x' || X.segs[0].q === 'emb'))) {
      const m = mergedOf(X.segs);
      if (!m) throw c.fail(`is ${describeSegs(X.segs)}; expected the inputs or a layer's output`, c.field(0));
      l = m.l + 1;
      noteMerge(c.node.field, m.l, m.merge);
    }
    if (l !== layers.length) throw c.fail(`reads ${l ? `layer ${l - 1}'s output` : 'the inputs'}, but the graph has ${layers.length} layer${layers.length === 1 ? '' : 's'} already; expected one chain of layers`, c.field(0));
    const dir = c.attrString('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(dir)) throw c.fail(`= '${dir}'; expected forward, reverse or bidirectional`, at('direction'));
    if (direction && dir !== direction) throw c.fail(`= '${dir}', but layer 0 is '${direction}'; every layer must have the same direction`, at('direction'));
    direction = dir as OnnxPlan['direction'];
    const dirs = dir === 'bidirectional' ? 2 : 1;
    if (c.attr('clip')) throw c.fail('is not supported (the model does not clip its pre-activations)', at('clip'));
    if (c.attrInt('layout', 0) !== 0) throw c.fail('must be 0 (time-major; onnxruntime runs no other)', at('layout'));
    const H = c.attrInt('hidden_size');
    if (H < 1) throw c.fail(`= ${H}; expected >= 1`, at('hidden_size'));
    const weight = (k: number, name: string, want: number[], what: string): OnnxTensor => {
      const w = c.constant(k);
      const field = `${c.node.field} input ${name}`;
      if (w.t.dataType !== DT.FLOAT) throw c.fail(`is ${dtName(w.t.dataType)}; expected float32`, field);
      if (w.dims.length !== want.length || w.dims.some((d, i) => d !== want[i]) || w.t.dims.length !== want.length) {
        throw c.fail(`has shape [${w.dims.join(', ')}]; expected ${what} = [${want.join(', ')}]`, field);
      }
      return w.t;
    };
    const W = weight(1, 'W', [dirs, H, X.width], '[dirs, H, In]');
    const R = weight(2, 'R', [dirs, H, H], '[dirs, H, H]');
    const B = c.ins[3] ? weight(3, 'B', [dirs, 2 * H], '[dirs, 2H]') : null;
    // sequence_lens: the lengths input, in every layer or in none
    const lens = c.ins[4] ? c.act(4, 'len') : null;
    if (lens && (lens.dtype !== DT.INT32 || lens.roles.join() !== 'B')) throw c.fail(`is ${describe(lens)}; expected the (batch) lengths as int32`, `${c.node.field} input sequence_lens`);
    if (lengthsUsed !== null && lengthsUsed !== !!lens) throw c.fail(`is ${lens ? 'given' : 'missing'}, unlike layer 0's; every layer must read the lengths, or none`, `${c.node.field} input sequence_lens`);
    lengthsUsed = !!lens;
    let init: PlanLayer['init'] = null;
    const h0 = c.ins[5];
    const h0Field = `${c.node.field} input initial_h`;
    const hs = h0?.k === 'act' && h0.kind === 'state' ? h0 : null;
    const fromState = hs !== null;
    if (stateUsed !== null && stateUsed !== fromState) throw c.fail(`${fromState ? 'reads' : 'does not read'} the initial-states input, unlike layer 0; every layer must take its initial_h from it, or none`, h0Field);
    stateUsed = fromState;
    if (hs) {
      // this layer's dirs·H floats of each state vector, after those of the layers below: [dirs, batch, H]
      const roles = hs.roles.join();
      const one = !hs.entries && hs.segs.length === 1 && hs.segs[0].q === 'h0' ? hs.segs[0] : null;
      let stack = hs.entries ?? (roles === '1,B,F' ? [hs.segs] : null);
      // with H = 1, a Reshape of (batch, dirs) to (batch, dirs, 1) reads as features then a unit axis: the same floats
      if (H === 1 && roles === 'F,B,1' && one && one.w === dirs) stack = Array.from({ length: dirs }, (_, k) => [{ q: 'h0' as const, off: one.off + k, w: 1 }]);
      const want = Array.from({ length: dirs }, (_, k) => ({ off: stateRead + k * H, w: H }));
      const ok = stack && (roles === 'S,B,F' || roles === '1,B,F' || (H === 1 && roles === 'F,B,1')) && stack.length === dirs
        && stack.every((e, k) => e.length === 1 && e[0].q === 'h0' && e[0].off === want[k].off && e[0].w === H);
      if (!ok) {
        const parts = want.map((x) => `[${x.off}, ${x.off + x.w})`).join(' and ');
        throw c.fail(`is ${describe(hs)}; expected [dirs, batch, H] = [${dirs}, batch, ${H}]: layer ${layers.length}'s floats ${parts} of each initial state${dirs > 1 ? ' (forward, then reverse)' : ''}`, h0Field);
      }
      stateRead += dirs * H;
    } else if (h0) {
      const want: Dim[] = [dirs, 'B', H];
      const field = h0Field;
      if (h0.k !== 'fill' || h0.shape.length !== 3 || h0.shape.some((d, i) => d !== want[i]) || h0.baseDims.length > 3) {
        throw c.fail(`is ${describe(h0)}; expected [dirs, batch, H] = ${showDims(want)}, a constant broadcast over the batch`, field);
      }
      const bd = [1, 1, 1, ...h0.baseDims].slice(-3);
      if (bd[1] !== 1 || (bd[0] !== 1 && bd[0] !== dirs) || (bd[2] !== 1 && bd[2] !== H)) throw c.fail(`is broadcast from [${h0.baseDims.join(', ')}]; expected the same state for every sequence`, field);
      if (typeof h0.base !== 'number' && h0.base.dataType !== DT.FLOAT) throw c.fail(`is ${dtName(h0.base.dataType)}; expected float32`, field);
      init = { base: h0.base, baseDims: bd };
    }
    // the activations, one per direction, all the same
    const acts = c.attr('activations');
    const names = acts ? acts.strings.map((s) => new TextDecoder().decode(s)) : Array<string>(dirs).fill('Tanh');
    const actField = acts?.field ?? at('activations');
    if (names.length !== dirs) throw c.fail(`lists ${names.length} activations; expected ${dirs} (one per direction)`, actField);
    const alpha = c.attr('activation_alpha')?.floats ?? [];
    const beta = c.attr('activation_beta')?.floats ?? [];
    const fs = names.map((n, k) => {
      const f = ACTIVATIONS[n.toLowerCase()];
      if (!f) throw c.fail(`lists '${n}'; expected Tanh, Relu, Sigmoid, or Affine with alpha 1 and beta 0`, actField);
      if (f === 'linear' && (alpha[k] !== 1 || beta[k] !== 0)) throw c.fail(`lists Affine with alpha ${alpha[k]} and beta ${beta[k]}; expected alpha 1 and beta 0 (the identity)`, actField);
      return f;
    });
    if (fs.some((f) => f !== fs[0])) throw c.fail(`lists [${names.join(', ')}]; expected one activation for both directions`, actField);
    if (layers.length && fs[0] !== activation) throw c.fail(`lists '${names[0]}', but layer 0's activation is ${activation}; every layer must have the same`, actField);
    activation = fs[0];
    layers.push({ node: c.node, H, In: X.width, W, R, B, init, fromState });
    const entries = Array.from({ length: dirs }, (_, k) => [{ q: 's' as const, l, d: (dir === 'reverse' ? 1 : k) as 0 | 1, w: H }]);
    const base = { k: 'act' as const, kind: 'float' as const, entries, segs: [], width: H, rev: false, dtype: DT.FLOAT };
    return [{ ...base, roles: ['T', 'S', 'B', 'F'] }, { ...base, roles: ['S', 'B', 'F'] }];
  }

  /** The layer whose output the segments are, and how its directions are joined; null for anything else. */
  function mergedOf(segs: Seg[]): { l: number; merge: MergeMode } | null {
    const [s0, s1] = segs;
    if (!s0) return null;
    if (segs.length === 1 && s0.q === 's' && layers[s0.l]?.W.dims[0] === 1) return { l: s0.l, merge: 'concat' };
    if (segs.length === 1 && s0.q === 'merge') return { l: s0.l, merge: s0.op };
    if (segs.length === 2 && s0.q === 's' && s1.q === 's' && s0.l === s1.l && s0.d === 0 && s1.d === 1 && layers[s0.l]?.W.dims[0] === 2) return { l: s0.l, merge: 'concat' };
    return null;
  }

  function noteMerge(field: string, l: number, m: MergeMode): void {
    const before = [...merges.values()][0];
    if (before !== undefined && before !== m) throw fail(field, `reads layer ${l}'s directions joined by ${m}, but another layer joins them by ${before}; every layer must merge alike`);
    merges.set(l, m);
  }

  // ---- the nodes, in order ----
  graph.nodes.forEach((node) => {
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw fail(node.field, `is in domain '${node.domain}'; expected the default ONNX domain`);
    const ins = node.inputs.map((name, k) => {
      if (name === '') return null;
      const v = env.get(name);
      if (!v) throw fail(`${node.field} input[${k}] '${name}'`, 'is not computed before the node (the nodes must be in topological order)');
      return v;
    });
    const outs = evaluate(new NodeCtx(api, node, ins, opset));
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      if (env.has(name)) throw fail(`${node.field} output[${k}] '${name}'`, 'is computed twice (a graph is single-assignment)');
      const v = outs[k];
      if (v) env.set(name, v);
    });
  });

  // ---- the output ----
  const outInfo = graph.outputs[0];
  if (!outInfo) throw fail('graph.output', 'is empty; expected the model output first');
  const out = env.get(outInfo.name);
  if (!out || out.k !== 'act' || out.kind !== 'float') throw fail(outInfo.field, `is ${out ? describe(out) : 'not computed by any node'}; expected the model output (batch, O) or (batch, time, O)`);
  const L = layers.length;
  if (L === 0) throw fail('graph', 'has no RNN node');
  const returnSequences = out.roles.join() === 'B,T,F';
  if (!returnSequences && out.roles.join() !== 'B,F') throw fail(outInfo.field, `has axes ${showRoles(out.roles)}; expected (batch, O) or (batch, time, O)`);
  if (out.entries || (out.segs.length !== 1 && !mergedOf(out.segs))) throw fail(outInfo.field, `is ${describeSegs(out.segs)}; expected the model output`);
  const seg = out.segs[0];
  const lin = seg.q === 'out' ? seg.lin : seg.q === 'lin' ? seg : null;
  const top = mergedOf(lin ? lin.from : out.segs);
  if (!top || top.l !== L - 1) throw fail(outInfo.field, `is computed from ${describeSegs(lin ? lin.from : out.segs)}; expected the output of the top layer (${L - 1})`);
  noteMerge(outInfo.field, top.l, top.merge);
  const dir = direction as unknown as OnnxPlan['direction'];
  if (returnSequences && out.rev !== (dir === 'reverse')) {
    throw fail(outInfo.field, out.rev ? 'is reversed in time, but the layers read forward' : 'is in the time order of the input, but the layers read in reverse; a model reading backwards returns its outputs in reading order (ReverseSequence)');
  }
  if (lastStep && lengthsUsed) throw fail(lastStep, "takes the last time step, which is padding for a shorter sequence when the RNNs read sequence_lens; use the RNN's Y_h");
  const st = stateInput as { name: string; field: string; width: number } | null;
  if (st && !stateUsed) throw fail(st.field, "is never read by an RNN; expected it to give every layer's initial_h (or no such input)");
  if (st && st.width !== stateRead) throw fail(st.field, `has shape [batch, ${st.width}]; expected (batch, stateSize) with stateSize = Σ dirs·H = ${stateRead}`);
  const first = input as OnnxPlan['input'];
  if (first.kind === 'tokens' && !embNode) throw fail('graph', 'reads token ids but never looks them up (a Gather of an embedding table)');
  return {
    input: first,
    direction: dir,
    layers,
    merge: dir === 'bidirectional' ? top.merge : 'concat',
    activation,
    returnSequences,
    head: lin ? { W: lin.W, transB: lin.transB, bias: lin.bias, O: lin.w } : null,
    outputActivation: seg.q === 'out' ? seg.act : null,
    headIn: layers[L - 1].H * (dir === 'bidirectional' && top.merge === 'concat' ? 2 : 1),
    lengths: !!lengthsUsed,
    stateInput: st ? { name: st.name, field: st.field } : null,
  };
}
