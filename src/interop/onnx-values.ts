// The values of the symbolic evaluation of an ONNX graph (onnx-graph.ts), one node's view of its inputs and
// attributes, and the ops that only lay values out or compute sizes (Constant, Shape, Transpose, Squeeze, Unsqueeze,
// Reshape, Concat, Slice, ConstantOfShape, Expand, Cast): each follows the op's ONNX semantics on what it can know
// (known numbers, the symbolic batch and time sizes, which axis is which) and refuses what it cannot follow. The
// initial-states input (kind 'state') passes only through the ops that cut it into a layer's initial_h (Slice of its
// features, Reshape into (batch, dirs, H), Transpose, Squeeze / Unsqueeze, Identity, Cast to float32); every other
// op refuses it, since ours read activations only.
import { rangeError } from '../errors.js';
import { DT, dtName, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-format.js';
import { decodeInts, decodeSmallFloats } from './onnx-proto.js';

/** A size: a number, or the graph's batch or time size (unknown until run). */
export type Dim = number | 'B' | 'T';

/** What a feature segment holds. The directions d are ONNX's: 0 forward, 1 reverse. */
export type Seg =
  | { q: 'x'; w: number }
  /** Floats off..off+w of each sequence's initial-state vector (the graph's state input). */
  | { q: 'h0'; off: number; w: number }
  | { q: 'emb'; w: number }
  | { q: 's'; l: number; d: 0 | 1; w: number }
  | { q: 'merge'; l: number; op: 'sum' | 'mul' | 'ave'; w: number }
  | Lin
  | { q: 'out'; act: 'softmax' | 'sigmoid'; lin: Lin; w: number };

/** The head's affine map: from·W (+ bias). */
export interface Lin {
  q: 'lin';
  from: Seg[];
  W: OnnxTensor;
  /** W is (O, In) (Gemm transB = 1), else (In, O). */
  transB: boolean;
  bias: OnnxTensor | null;
  w: number;
}

/** An axis: batch, time, a unit axis, a stack of states (S) or the features (F). */
export type Role = 'B' | 'T' | '1' | 'S' | 'F';

/** A tensor computed from the graph's inputs. */
export interface Act {
  k: 'act';
  /** ids: token ids; len: the lengths input; steps: 0..T-1; mask: t < len; float: activations; state: the initial-states input. */
  kind: 'float' | 'ids' | 'len' | 'steps' | 'mask' | 'state';
  roles: Role[];
  /** The S axis's entries (floats with an S axis): each is the features of one stacked tensor, `width` wide. */
  entries: Seg[][] | null;
  /** The F axis's segments (floats without an S axis). */
  segs: Seg[];
  width: number;
  /** The time axis is reversed within each sequence's length (ReverseSequence). */
  rev: boolean;
  dtype: number;
}

/** A known tensor (an initializer or a Constant), its dims as reshaped (the values are not read until needed). */
export interface Const {
  k: 'const';
  t: OnnxTensor;
  dims: number[];
}

/** An integer vector (or scalar) of sizes: shapes, indices. */
export interface Dims {
  k: 'dims';
  v: Dim[];
  scalar: boolean;
}

/** A known tensor broadcast to a shape of sizes (ConstantOfShape, Expand). */
export interface Fill {
  k: 'fill';
  base: OnnxTensor | number;
  baseDims: number[];
  shape: Dim[];
}

/** A value of the evaluation. */
export type Val = Act | Const | Dims | Fill;

/** An activation's sizes: the batch and time symbols, 1, the stack's count, the features' width. */
export const dimsOfAct = (a: Act): Dim[] => a.roles.map((r) => (r === 'B' || r === 'T' ? r : r === '1' ? 1 : r === 'S' ? a.entries!.length : a.width));
/** Sizes in errors: `[batch, time, 3]`. */
export const showDims = (d: readonly Dim[]): string => `[${d.map((x) => (x === 'B' ? 'batch' : x === 'T' ? 'time' : x)).join(', ')}]`;
/** The product of known sizes. */
export const product = (d: number[]): number => d.reduce((a, b) => a * b, 1);
/** What each kind of activation is, in errors. */
export const KIND_NAMES: Record<Act['kind'], string> = { float: 'activations', ids: 'the token ids', len: 'the lengths', steps: 'the time steps', mask: 'a mask of the real steps', state: 'the initial states' };
/** What each axis is, in errors. */
export const ROLE_NAMES: Record<Role, string> = { B: 'batch', T: 'time', '1': '1', S: 'stack', F: 'features' };
/** Axes in errors: `(time, batch, features)`. */
export const showRoles = (r: Role[]): string => `(${r.map((x) => ROLE_NAMES[x]).join(', ')})`;

/** What segments hold, in words. */
export function describeSegs(segs: Seg[]): string {
  const one = (s: Seg): string => {
    switch (s.q) {
      case 'x': return 'the inputs';
      case 'h0': return `the initial states [${s.off}, ${s.off + s.w})`;
      case 'emb': return 'the embedded tokens';
      case 's': return `layer ${s.l}'s ${s.d ? 'reverse' : 'forward'} states`;
      case 'merge': return `layer ${s.l}'s directions joined by ${s.op}`;
      case 'lin': return `the head's MatMul${s.bias ? ' + bias' : ''}`;
      case 'out': return `the head's ${s.act}`;
    }
  };
  return segs.length ? segs.map(one).join(' ‖ ') : 'nothing';
}

/** A value, in words. */
export function describe(v: Val): string {
  switch (v.k) {
    case 'const': return `a constant of shape [${v.dims.join(', ')}]`;
    case 'dims': return `the sizes ${showDims(v.v)}`;
    case 'fill': return `a constant broadcast to ${showDims(v.shape)}`;
    case 'act': return v.kind === 'float' || v.kind === 'state' ? `${v.entries ? `a stack of (${v.entries.map(describeSegs).join('; ')})` : describeSegs(v.segs)} with axes ${showRoles(v.roles)}` : `${KIND_NAMES[v.kind]} (${dtName(v.dtype)}) with axes ${showRoles(v.roles)}`;
  }
}

/** One node being evaluated: its inputs' values and its attributes, read with errors that name them. */
export class NodeCtx {
  constructor(
    readonly api: string,
    readonly node: OnnxNode,
    readonly ins: readonly (Val | null)[],
    readonly opset: number,
  ) {}

  /** A RangeError about `field` (default: the node). */
  fail(msg: string, field = this.node.field): RangeError {
    return rangeError(this.api, field, msg);
  }

  /** The name of input k in errors: `graph.node[3] (RNN) input[1] 'W'`. */
  field(k: number): string {
    return `${this.node.field} input[${k}] '${this.node.inputs[k] ?? ''}'`;
  }

  attr(name: string): OnnxAttribute | undefined {
    const a = this.node.attributes.filter((x) => x.name === name);
    if (a.length > 1) throw this.fail('is given twice', a[1].field);
    if (a[0]?.other) throw this.fail('holds a graph, a type or tensors; no supported op takes one', a[0].field);
    return a[0];
  }

  attrInt(name: string, dflt?: number): number {
    const a = this.attr(name);
    if (!a) {
      if (dflt === undefined) throw this.fail('is missing', `${this.node.field} attribute '${name}'`);
      return dflt;
    }
    if (a.i === null) throw this.fail('must be an int', a.field);
    return a.i;
  }

  attrInts(name: string): number[] | null {
    return this.attr(name)?.ints ?? null;
  }

  attrString(name: string, dflt: string): string {
    const a = this.attr(name);
    if (!a) return dflt;
    if (!a.s) throw this.fail('must be a string', a.field);
    return new TextDecoder().decode(a.s);
  }

  /** Refuses an attribute the op's semantics here do not cover. */
  onlyAttrs(allowed: string[]): void {
    for (const a of this.node.attributes) {
      if (!allowed.includes(a.name)) throw this.fail(`is not an attribute this reader knows for ${this.node.opType}; expected ${allowed.length ? `one of ${allowed.join(', ')}` : 'none'}`, a.field);
    }
  }

  need(k: number): Val {
    const v = this.ins[k];
    if (!v) throw this.fail('is missing', this.field(k));
    return v;
  }

  act(k: number, kind: Act['kind'] = 'float'): Act {
    const v = this.need(k);
    if (v.k !== 'act' || v.kind !== kind) throw this.fail(`is ${describe(v)}; expected ${KIND_NAMES[kind]}`, this.field(k));
    return v;
  }

  constant(k: number): Const {
    const v = this.need(k);
    if (v.k !== 'const') throw this.fail(`is ${describe(v)}; expected a constant (an initializer or a Constant)`, this.field(k));
    return v;
  }

  /** An integer vector or scalar of sizes (a Dims, or an integer constant). */
  dims(k: number): Dims {
    const v = this.need(k);
    if (v.k === 'dims') return v;
    if (v.k === 'const' && v.dims.length <= 1) {
      const t = v.t;
      if (t.dataType !== DT.INT64 && t.dataType !== DT.INT32) throw this.fail(`is a ${dtName(t.dataType)} constant; expected int64`, this.field(k));
      return { k: 'dims', v: decodeInts(this.api, t), scalar: v.dims.length === 0 };
    }
    throw this.fail(`is ${describe(v)}; expected an integer vector (sizes or indices)`, this.field(k));
  }

  /** Known integers (no symbolic size). */
  ints(k: number): number[] {
    const d = this.dims(k);
    if (d.v.some((x) => typeof x !== 'number')) throw this.fail(`is ${showDims(d.v)}; expected known integers`, this.field(k));
    return d.v as number[];
  }

  /** Squeeze / Unsqueeze axes: an attribute before opset 13, input 1 from 13. */
  axes(): number[] | null {
    if (this.opset < 13) return this.attrInts('axes');
    return this.ins[1] ? this.ints(1) : null;
  }

  /** An axis in [0, rank) (a negative one counts from the end). */
  norm(axis: number, rank: number, what = 'axis'): number {
    const a = axis < 0 ? axis + rank : axis;
    if (!(a >= 0 && a < rank)) throw this.fail(`has ${what} ${axis}, outside a tensor of rank ${rank}`);
    return a;
  }

  /** The one value of a constant (input k). */
  scalar(c: Const, k: number): number {
    if (product(c.dims) !== 1) throw this.fail(`has dims [${c.dims.join(', ')}]; expected one value`, this.field(k));
    return c.t.dataType === DT.FLOAT || c.t.dataType === DT.DOUBLE ? decodeSmallFloats(this.api, c.t)[0] : decodeInts(this.api, c.t)[0];
  }

  /** Roles of a broadcast: '1' takes the other side's role; equal roles stay; anything else is refused. */
  broadcast(a: Role[], b: Role[]): Role[] {
    const r = Math.max(a.length, b.length);
    const out: Role[] = [];
    for (let k = 0; k < r; k++) {
      const x = a[k - (r - a.length)] ?? '1';
      const y = b[k - (r - b.length)] ?? '1';
      if (x === '1') out.push(y);
      else if (y === '1' || x === y) out.push(x);
      else throw this.fail(`broadcasts ${showRoles(a)} with ${showRoles(b)}: axis ${k} is ${ROLE_NAMES[x]} and ${ROLE_NAMES[y]}`);
    }
    return out;
  }
}

// ---- the layout and size ops ----

/** Constant: value (a tensor), value_float(s) or value_int(s). */
export function constantOp(c: NodeCtx): Const {
  const { node } = c;
  if (node.attributes.length !== 1) throw c.fail(`has ${node.attributes.length} attributes; expected one value`);
  const a = node.attributes[0];
  const t = (dims: number[], dataType: number, f?: number[], i?: number[]): OnnxTensor => {
    const floatRuns = f ? [new Uint8Array(Float32Array.from(f).buffer)] : [];
    return { name: node.outputs[0] ?? '', dataType, dims, raw: null, floatRuns, doubleRuns: [], int32s: [], int64s: i ?? [], external: false, field: a.field };
  };
  let tensor: OnnxTensor;
  if (a.name === 'value' && a.t) tensor = a.t;
  else if (a.name === 'value_float' && a.f !== null) tensor = t([], DT.FLOAT, [a.f]);
  else if (a.name === 'value_floats') tensor = t([a.floats.length], DT.FLOAT, a.floats);
  else if (a.name === 'value_int' && a.i !== null) tensor = t([], DT.INT64, undefined, [a.i]);
  else if (a.name === 'value_ints') tensor = t([a.ints.length], DT.INT64, undefined, a.ints);
  else throw c.fail('is not a value this reader takes; expected value (a tensor), value_float(s) or value_int(s)', a.field);
  return { k: 'const', t: tensor, dims: [...tensor.dims] };
}

/** Shape (with opset 15's start and end). */
export function shapeOp(c: NodeCtx): Dims {
  c.onlyAttrs(['start', 'end']);
  const v = c.need(0);
  const d = v.k === 'act' ? dimsOfAct(v) : v.k === 'const' ? v.dims : v.k === 'fill' ? v.shape : [v.v.length];
  const r = d.length;
  const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  return { k: 'dims', v: d.slice(clamp(c.attrInt('start', 0)), clamp(c.attrInt('end', r))), scalar: false };
}

/** Transpose: the axes permuted (default: reversed). */
export function transposeOp(c: NodeCtx): Act {
  c.onlyAttrs(['perm']);
  const a = c.need(0);
  if (a.k !== 'act' || (a.kind !== 'float' && a.kind !== 'state')) throw c.fail(`is ${describe(a)}; expected activations or the initial states`, c.field(0));
  const perm = c.attrInts('perm') ?? a.roles.map((_, k) => a.roles.length - 1 - k);
  if (perm.length !== a.roles.length || new Set(perm).size !== perm.length || perm.some((p) => !(p >= 0 && p < perm.length))) {
    throw c.fail(`= [${perm.join(', ')}] is not a permutation of ${a.roles.length} axes`, `${c.node.field} attribute 'perm'`);
  }
  return { ...a, roles: perm.map((p) => a.roles[p]) };
}

/** Squeeze and Unsqueeze: unit axes removed or added (a stack of one squeezed to its features). */
export function squeezeOp(c: NodeCtx, un: boolean): Val {
  c.onlyAttrs(c.opset < 13 ? ['axes'] : []);
  const v = c.need(0);
  const axes = c.axes();
  const what = un ? 'unsqueezes' : 'squeezes';
  if (v.k === 'dims') {
    if (un && v.scalar && axes?.length === 1 && (axes[0] === 0 || axes[0] === -1)) return { ...v, scalar: false };
    if (!un && !v.scalar && v.v.length === 1 && (!axes || (axes.length === 1 && (axes[0] === 0 || axes[0] === -1)))) return { ...v, scalar: true };
    throw c.fail(`${what} the sizes ${showDims(v.v)} along axes [${(axes ?? []).join(', ')}]`);
  }
  if (v.k !== 'act' && v.k !== 'const') throw c.fail(`is ${describe(v)}; expected a tensor of the graph`, c.field(0));
  const rank = v.k === 'act' ? v.roles.length : v.dims.length;
  if (un) {
    if (!axes) throw c.fail('has no axes');
    const r = rank + axes.length;
    const at = new Set(axes.map((a) => c.norm(a, r)));
    if (v.k === 'const') {
      let j = 0;
      return { ...v, dims: Array.from({ length: r }, (_, k) => (at.has(k) ? 1 : v.dims[j++])) };
    }
    let j = 0;
    return { ...v, roles: Array.from({ length: r }, (_, k) => (at.has(k) ? '1' : v.roles[j++])) };
  }
  if (v.k === 'const') {
    const at = new Set((axes ?? v.dims.flatMap((d, k) => (d === 1 ? [k] : []))).map((a) => c.norm(a, rank)));
    for (const k of at) if (v.dims[k] !== 1) throw c.fail(`squeezes axis ${k} of size ${v.dims[k]}`);
    return { ...v, dims: v.dims.filter((_, k) => !at.has(k)) };
  }
  const at = new Set((axes ?? v.roles.flatMap((r, k) => (r === '1' || (r === 'S' && v.entries!.length === 1) ? [k] : []))).map((a) => c.norm(a, rank)));
  let out: Act = { ...v };
  for (const k of at) {
    const r = v.roles[k];
    if (r === 'S' && v.entries!.length === 1) out = { ...out, entries: null, segs: v.entries![0] };
    else if (r !== '1') throw c.fail(`squeezes axis ${k} (${ROLE_NAMES[r]}) of ${showRoles(v.roles)}; expected an axis of size 1`);
  }
  return { ...out, roles: v.roles.filter((_, k) => !at.has(k)) };
}

/**
 * Reshape: 0 copies the input's size (unless allowzero), -1 is inferred (a number, or the one symbolic size the other
 * sizes lack). An activation keeps its axes, gains or loses unit axes, or has a stack and its features merged into
 * features (the stack outer); the initial states' features may also be split into a stack of equal parts (n, w / n),
 * the stack outer (a layer's directions): anything else that splits or mixes axes is refused.
 */
export function reshapeOp(c: NodeCtx): Val {
  c.onlyAttrs(['allowzero']);
  const v = c.need(0);
  const shape = c.dims(1).v;
  const allowzero = c.attrInt('allowzero', 0) !== 0;
  if (v.k !== 'act' && v.k !== 'const') throw c.fail(`is ${describe(v)}; expected a tensor`, c.field(0));
  const from: Dim[] = v.k === 'act' ? dimsOfAct(v) : v.dims;
  let out: Dim[] = shape.map((d, k) => {
    if (d === 0 && !allowzero) {
      if (k >= from.length) throw c.fail(`copies size ${k} of ${showDims(from)}, which has no such axis`);
      return from[k];
    }
    return d;
  });
  const infer = out.filter((d) => d === -1).length;
  if (infer > 1 || out.some((d) => typeof d === 'number' && d < -1)) throw c.fail(`is ${showDims(shape)}; expected sizes with at most one -1`, c.field(1));
  if (infer) {
    const nums = (d: Dim[]) => product(d.filter((x): x is number => typeof x === 'number' && x !== -1));
    const syms = (d: Dim[]) => d.filter((x): x is 'B' | 'T' => typeof x !== 'number');
    const missing = syms(from).filter((s) => !syms(out).includes(s));
    const q = nums(from) / nums(out);
    let fill: Dim;
    if (missing.length === 0 && Number.isInteger(q)) fill = q;
    else if (missing.length === 1 && q === 1) fill = missing[0];
    else throw c.fail(`reshapes ${showDims(from)} to ${showDims(shape)}; the -1 cannot be inferred as one size`);
    out = out.map((d) => (d === -1 ? fill : d));
  }
  if (v.k === 'const') {
    if (out.some((d) => typeof d !== 'number') || product(out as number[]) !== product(v.dims)) throw c.fail(`reshapes a constant of [${v.dims.join(', ')}] to ${showDims(out)}`);
    return { ...v, dims: out as number[] };
  }
  if (v.kind !== 'float' && v.kind !== 'state') throw c.fail(`is ${describe(v)}; expected activations`, c.field(0));
  const roles: Role[] = [];
  let { segs, entries, width } = v;
  let j = 0;
  const skipUnits = () => {
    while (v.roles[j] === '1') j++;
  };
  const bad = () => c.fail(`reshapes ${showDims(from)} ${showRoles(v.roles)} to ${showDims(out)}, which splits or mixes axes`);
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    skipUnits();
    const r = v.roles[j];
    const h0 = v.kind === 'state' && !v.entries && v.segs.length === 1 && v.segs[0].q === 'h0' ? v.segs[0] : null;
    if (d === 'B' || d === 'T') {
      if (r !== d) throw bad();
      roles.push(r);
      j++;
    } else if (r === 'F' && d === v.width) {
      roles.push('F');
      j++;
    } else if (h0 && r === 'F' && typeof d === 'number' && d > 1 && v.width % d === 0 && out[i + 1] === v.width / d) {
      // (…, n·w) -> (…, n, w): the initial states of a layer's n directions, stacked
      const w = v.width / d;
      roles.push('S', 'F');
      entries = Array.from({ length: d }, (_, k) => [{ q: 'h0' as const, off: h0.off + k * w, w }]);
      segs = [];
      width = w;
      i++;
      j++;
    } else if (r === 'S' && v.roles[j + 1] === 'F' && d === v.entries!.length * v.width) {
      roles.push('F');
      segs = v.entries!.flat();
      entries = null;
      width = d;
      j += 2;
    } else if (r === 'S' && d === v.entries!.length) {
      roles.push('S');
      j++;
    } else if (d === 1) roles.push('1');
    else throw bad();
  }
  skipUnits();
  if (j !== v.roles.length) throw bad();
  return { ...v, roles, segs, entries, width };
}

/** Concat: sizes joined, or activations joined along their features or their stack (a unit axis is a stack of one). */
export function concatOp(c: NodeCtx): Val {
  c.onlyAttrs(['axis']);
  const vs = c.node.inputs.map((_, k) => c.need(k));
  if (vs.every((v) => v.k === 'dims' || v.k === 'const')) {
    const parts = vs.map((_, k) => c.dims(k));
    if (parts.some((p) => p.scalar)) throw c.fail('concatenates scalars; expected 1-D sizes');
    return { k: 'dims', v: parts.flatMap((p) => p.v), scalar: false };
  }
  const as = vs.map((_, k) => c.act(k));
  const a0 = as[0];
  const axis = c.norm(c.attrInt('axis'), a0.roles.length);
  for (const [k, a] of as.entries()) {
    const same = a.roles.length === a0.roles.length && a.roles.every((r, i) => i === axis || r === a0.roles[i]) && a.rev === a0.rev;
    if (!same) throw c.fail(`has axes ${showRoles(a.roles)}; expected those of input[0], ${showRoles(a0.roles)}, but for axis ${axis}`, c.field(k));
  }
  if (as.every((a) => a.roles[axis] === 'F' && !a.entries)) {
    const segs = as.flatMap((a) => a.segs);
    return { ...a0, segs, width: segs.reduce((s, g) => s + g.w, 0) };
  }
  if (as.every((a) => (a.roles[axis] === 'S' || a.roles[axis] === '1') && a.width === a0.width)) {
    return { ...a0, roles: a0.roles.map((r, i) => (i === axis ? 'S' : r)), entries: as.flatMap((a) => a.entries ?? [a.segs]), segs: [] };
  }
  throw c.fail(`concatenates along axis ${axis} (${ROLE_NAMES[a0.roles[axis]]}); expected the features or the stack of states`);
}

/**
 * Slice (steps 1): sizes, a stack of states, a broadcast axis of a constant, or the initial states' features (a
 * layer's part of each state vector); the batch and time axes only whole.
 */
export function sliceOp(c: NodeCtx): Val {
  c.onlyAttrs([]);
  const v = c.need(0);
  const starts = c.ints(1);
  const ends = c.ints(2);
  const d: Dim[] = v.k === 'act' ? dimsOfAct(v) : v.k === 'fill' ? v.shape : v.k === 'dims' ? [v.v.length] : v.dims;
  const axes = c.ins[3] ? c.ints(3) : starts.map((_, k) => k);
  const steps = c.ins[4] ? c.ints(4) : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) throw c.fail('has starts, ends, axes and steps of different lengths');
  let out: Val = v;
  axes.forEach((ax0, k) => {
    const ax = c.norm(ax0, d.length);
    if (steps[k] !== 1) throw c.fail(`has step ${steps[k]}; expected 1`, c.field(4));
    const n = d[ax];
    if (typeof n !== 'number') {
      if (starts[k] === 0 && ends[k] >= 2 ** 31 - 1) return; // the whole batch / time axis
      throw c.fail(`slices the ${n === 'B' ? 'batch' : 'time'} axis; expected it whole`);
    }
    const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
    const [s, e] = [clamp(starts[k]), clamp(ends[k])];
    if (e <= s) throw c.fail(`slices [${starts[k]}, ${ends[k]}) of axis ${ax} (size ${n}), which is empty`);
    if (s === 0 && e === n) return;
    if (out.k === 'dims') out = { ...out, v: out.v.slice(s, e) };
    else if (out.k === 'fill') {
      const b = out.baseDims[ax - (out.shape.length - out.baseDims.length)] ?? 1;
      if (b !== 1) throw c.fail(`slices axis ${ax} of a constant broadcast from [${out.baseDims.join(', ')}]; expected a broadcast axis`);
      out = { ...out, shape: out.shape.map((x, i) => (i === ax ? e - s : x)) };
    } else if (out.k === 'act' && out.roles[ax] === 'S') out = { ...out, entries: out.entries!.slice(s, e) };
    else if (out.k === 'act' && out.kind === 'state' && out.roles[ax] === 'F' && out.segs.length === 1 && out.segs[0].q === 'h0') {
      out = { ...out, segs: [{ q: 'h0', off: out.segs[0].off + s, w: e - s }], width: e - s };
    } else throw c.fail(`slices axis ${ax} of ${describe(out)}; expected the stack of states or the initial states' features`);
  });
  return out;
}

/** ConstantOfShape: its value (default float 0) broadcast to the sizes. */
export function constantOfShapeOp(c: NodeCtx): Fill {
  c.onlyAttrs(['value']);
  const a = c.attr('value');
  const base = a?.t ? c.scalar({ k: 'const', t: a.t, dims: a.t.dims }, 0) : 0;
  return { k: 'fill', base, baseDims: [], shape: c.dims(0).v };
}

/** Expand: a constant (or a fill) broadcast to the sizes, with ONNX's two-way broadcast. */
export function expandOp(c: NodeCtx): Fill {
  c.onlyAttrs([]);
  const v = c.need(0);
  const shape = c.dims(1).v;
  if (v.k !== 'const' && v.k !== 'fill') throw c.fail(`is ${describe(v)}; expected a constant (an initial state broadcast over the batch)`, c.field(0));
  const from = v.k === 'const' ? v.dims : v.shape;
  const r = Math.max(from.length, shape.length);
  const out: Dim[] = [];
  for (let k = 0; k < r; k++) {
    const a = from[k - (r - from.length)] ?? 1;
    const b = shape[k - (r - shape.length)] ?? 1;
    if (a === 1 || a === b) out.push(b);
    else if (b === 1) out.push(a);
    else throw c.fail(`expands ${showDims(from)} to ${showDims(shape)}: the sizes do not broadcast`);
  }
  return v.k === 'const' ? { k: 'fill', base: v.t, baseDims: v.dims, shape: out } : { ...v, shape: out };
}

/** Cast: only the casts that keep the values (float32 to float32, integers to int32 or int64). */
export function castOp(c: NodeCtx): Val {
  c.onlyAttrs(['to', 'saturate']);
  const to = c.attrInt('to');
  const v = c.need(0);
  const int = to === DT.INT32 || to === DT.INT64;
  const ok = v.k === 'act' ? (v.kind === 'float' || v.kind === 'state' ? to === DT.FLOAT : v.kind !== 'mask' && int) : v.k === 'dims' && int;
  if (!ok) throw c.fail(`= ${dtName(to)} for ${describe(v)}; expected a cast that keeps the values (float32 to float32, integers to int32 or int64)`, `${c.node.field} attribute 'to'`);
  return v.k === 'act' ? { ...v, dtype: to } : v;
}
