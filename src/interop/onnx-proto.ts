// Reads and writes the onnx.proto messages of onnx-format.ts as protobuf bytes (the wire format is protobuf.ts's), and
// decodes tensor values once their sizes are checked. Reading keeps weights as views of the file's bytes and decodes
// nothing; each list and value is bounded as it is read.
import { rangeError } from '../errors.js';
import { ProtoReader, ProtoWriter, WIRE, type FieldHeader } from './protobuf.js';
import {
  AT, ATTR, DIM, DT, DT_BYTES, ENTRY, EXTERNAL, GRAPH, MAX_DIMS, MAX_LIST, MAX_SMALL, MODEL, NODE, OPSET, SHAPE, TENSOR, TYPE, TYPE_ELEM, TYPE_MAP, TYPE_TENSOR, VALUE_INFO, dtName,
  type AttributeOut, type ModelOut, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxType, type OnnxValueInfo,
  type TensorOut, type ValueInfoOut,
} from './onnx-format.js';

// ---- reading ----

/** Adds an item to a list, refusing more than `max`. */
function push<T>(r: ProtoReader, list: T[], item: T, max: number, name: string): void {
  if (list.length >= max) throw r.fail(`has more than ${max} ${name}`);
  list.push(item);
}

/** A string field, its wire type checked. */
function str(r: ProtoReader, h: FieldHeader, name: string): string {
  r.expect(h, WIRE.len, name);
  return r.string();
}

/** A varint field, its wire type checked. */
function int(r: ProtoReader, h: FieldHeader, name: string): number {
  r.expect(h, WIRE.varint, name);
  return r.int64();
}

/** Reads a TensorProto. */
function readTensor(r: ProtoReader, where: string): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: 0, dims: [], raw: null, floatRuns: [], doubleRuns: [], int32s: [], int64s: [], external: false, field: where };
  for (let h = r.next(); h; h = r.next()) {
    switch (h.field) {
      case TENSOR.dims: r.int64s(h, t.dims, MAX_DIMS, 'dims'); break;
      case TENSOR.data_type: t.dataType = int(r, h, 'data_type'); break;
      case TENSOR.name: t.name = str(r, h, 'name'); break;
      case TENSOR.raw_data: r.expect(h, WIRE.len, 'raw_data'); t.raw = r.bytesField(); break;
      case TENSOR.float_data: t.floatRuns.push(r.floatRun(h, 'float_data')); break;
      case TENSOR.double_data: t.doubleRuns.push(r.doubleRun(h, 'double_data')); break;
      case TENSOR.int32_data: r.int64s(h, t.int32s, MAX_SMALL, 'int32_data'); break;
      case TENSOR.int64_data: r.int64s(h, t.int64s, MAX_SMALL, 'int64_data'); break;
      case TENSOR.data_location: t.external = int(r, h, 'data_location') === EXTERNAL; break;
      case TENSOR.external_data: r.skip(h); t.external = true; break;
      default: r.skip(h);
    }
  }
  if (t.name) t.field = `${where} '${t.name}'`;
  return t;
}

/** Reads a TypeProto (nested types are described, each level a message: MAX_NESTING bounds them). */
function readType(r: ProtoReader): OnnxType {
  let out: OnnxType | null = null;
  for (let h = r.next(); h; h = r.next()) {
    if (h.field === TYPE.tensor_type) {
      r.expect(h, WIRE.len, 'tensor_type');
      const m = r.message('tensor_type');
      let elemType = 0;
      let shape: (number | string | null)[] | null = null;
      for (let g = m.next(); g; g = m.next()) {
        if (g.field === TYPE_TENSOR.elem_type) elemType = int(m, g, 'elem_type');
        else if (g.field === TYPE_TENSOR.shape) {
          m.expect(g, WIRE.len, 'shape');
          const s = m.message('shape');
          shape = [];
          for (let d = s.next(); d; d = s.next()) {
            if (d.field !== SHAPE.dim) {
              s.skip(d);
              continue;
            }
            s.expect(d, WIRE.len, 'dim');
            const dm = s.message(`dim[${shape.length}]`);
            let dim: number | string | null = null;
            for (let e = dm.next(); e; e = dm.next()) {
              if (e.field === DIM.dim_value) dim = int(dm, e, 'dim_value');
              else if (e.field === DIM.dim_param) dim = str(dm, e, 'dim_param');
              else dm.skip(e);
            }
            push(s, shape, dim, MAX_DIMS, 'dimensions');
          }
        } else m.skip(g);
      }
      out = { kind: 'tensor', elemType, shape };
    } else if (h.field === TYPE.sequence_type || h.field === TYPE.optional_type || h.field === TYPE.map_type || h.field === TYPE.sparse_tensor_type) {
      const name = h.field === TYPE.sequence_type ? 'sequence' : h.field === TYPE.optional_type ? 'optional' : h.field === TYPE.map_type ? 'map' : 'sparse_tensor';
      r.expect(h, WIRE.len, `${name}_type`);
      const m = r.message(`${name}_type`);
      let inner = '';
      for (let g = m.next(); g; g = m.next()) {
        const nested = (name === 'map' && g.field === TYPE_MAP.value_type) || (name !== 'map' && name !== 'sparse_tensor' && g.field === TYPE_ELEM.elem_type);
        if (nested) {
          m.expect(g, WIRE.len, 'elem_type');
          const t = readType(m.message('elem_type'));
          inner = t.kind === 'tensor' ? `tensor(${dtName(t.elemType)})` : t.description;
        } else m.skip(g);
      }
      out = { kind: 'other', description: `${name}(${inner})` };
    } else r.skip(h);
  }
  return out ?? { kind: 'other', description: 'no type' };
}

function readValueInfo(r: ProtoReader, where: string): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', type: null, field: where };
  for (let h = r.next(); h; h = r.next()) {
    if (h.field === VALUE_INFO.name) v.name = str(r, h, 'name');
    else if (h.field === VALUE_INFO.type) {
      r.expect(h, WIRE.len, 'type');
      v.type = readType(r.message('type'));
    } else r.skip(h);
  }
  v.field = `${where} '${v.name}'`;
  return v;
}

function readAttribute(r: ProtoReader, where: string): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0, f: null, i: null, s: null, t: null, floats: [], ints: [], strings: [], other: false, field: where };
  for (let h = r.next(); h; h = r.next()) {
    switch (h.field) {
      case ATTR.name: a.name = str(r, h, 'name'); break;
      case ATTR.type: a.type = int(r, h, 'type'); break;
      case ATTR.f: r.expect(h, WIRE.i32, 'f'); a.f = r.float(); break;
      case ATTR.i: a.i = int(r, h, 'i'); break;
      case ATTR.s: r.expect(h, WIRE.len, 's'); a.s = r.bytesField(); break;
      case ATTR.t: r.expect(h, WIRE.len, 't'); a.t = readTensor(r.message('t'), `${where}.t`); break;
      case ATTR.floats: {
        const run = r.floatRun(h, 'floats');
        const dv = new DataView(run.buffer, run.byteOffset, run.length);
        for (let k = 0; k < run.length; k += 4) push(r, a.floats, dv.getFloat32(k, true), MAX_SMALL, 'floats');
        break;
      }
      case ATTR.ints: r.int64s(h, a.ints, MAX_SMALL, 'ints'); break;
      case ATTR.strings: r.expect(h, WIRE.len, 'strings'); push(r, a.strings, r.bytesField(), MAX_SMALL, 'strings'); break;
      case ATTR.g: case ATTR.graphs: case ATTR.sparse_tensor: case ATTR.sparse_tensors: case ATTR.tp: case ATTR.type_protos: case ATTR.tensors:
        r.skip(h); // not followed: no op this interop supports takes one
        a.other = true;
        break;
      default: r.skip(h);
    }
  }
  a.field = `${where} '${a.name}'`;
  return a;
}

function readNode(r: ProtoReader, where: string): OnnxNode {
  const n: OnnxNode = { inputs: [], outputs: [], name: '', opType: '', domain: '', attributes: [], field: where };
  for (let h = r.next(); h; h = r.next()) {
    switch (h.field) {
      case NODE.input: push(r, n.inputs, str(r, h, 'input'), MAX_SMALL, 'inputs'); break;
      case NODE.output: push(r, n.outputs, str(r, h, 'output'), MAX_SMALL, 'outputs'); break;
      case NODE.name: n.name = str(r, h, 'name'); break;
      case NODE.op_type: n.opType = str(r, h, 'op_type'); break;
      case NODE.domain: n.domain = str(r, h, 'domain'); break;
      case NODE.attribute:
        r.expect(h, WIRE.len, 'attribute');
        push(r, n.attributes, readAttribute(r.message(`attribute[${n.attributes.length}]`), `${where}.attribute[${n.attributes.length}]`), MAX_SMALL, 'attributes');
        break;
      default: r.skip(h);
    }
  }
  n.field = `${where} (${n.opType || 'no op_type'})`;
  for (const a of n.attributes) {
    a.field = `${n.field} attribute '${a.name}'`;
    if (a.t) a.t.field = a.field;
  }
  return n;
}

function readGraph(r: ProtoReader): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], sparse: false };
  for (let h = r.next(); h; h = r.next()) {
    switch (h.field) {
      case GRAPH.node: r.expect(h, WIRE.len, 'node'); push(r, g.nodes, readNode(r.message(`node[${g.nodes.length}]`), `graph.node[${g.nodes.length}]`), MAX_LIST, 'nodes'); break;
      case GRAPH.initializer: r.expect(h, WIRE.len, 'initializer'); push(r, g.initializers, readTensor(r.message(`initializer[${g.initializers.length}]`), `graph.initializer[${g.initializers.length}]`), MAX_LIST, 'initializers'); break;
      case GRAPH.input: r.expect(h, WIRE.len, 'input'); push(r, g.inputs, readValueInfo(r.message(`input[${g.inputs.length}]`), `graph.input[${g.inputs.length}]`), MAX_LIST, 'inputs'); break;
      case GRAPH.output: r.expect(h, WIRE.len, 'output'); push(r, g.outputs, readValueInfo(r.message(`output[${g.outputs.length}]`), `graph.output[${g.outputs.length}]`), MAX_LIST, 'outputs'); break;
      case GRAPH.name: g.name = str(r, h, 'name'); break;
      case GRAPH.sparse_initializer: r.skip(h); g.sparse = true; break;
      default: r.skip(h);
    }
  }
  return g;
}

/** Reads a ModelProto from its bytes (views into them are kept: do not change the bytes while importing). */
export function readModel(api: string, bytes: Uint8Array): OnnxModel {
  const r = new ProtoReader(bytes, api, '');
  const m: OnnxModel = { irVersion: 0, opsets: [], producerName: '', producerVersion: '', docString: '', graph: null, metadata: [], functions: false };
  for (let h = r.next(); h; h = r.next()) {
    switch (h.field) {
      case MODEL.ir_version: m.irVersion = int(r, h, 'ir_version'); break;
      case MODEL.producer_name: m.producerName = str(r, h, 'producer_name'); break;
      case MODEL.producer_version: m.producerVersion = str(r, h, 'producer_version'); break;
      case MODEL.doc_string: m.docString = str(r, h, 'doc_string'); break;
      case MODEL.graph: r.expect(h, WIRE.len, 'graph'); m.graph = readGraph(r.message('graph')); break;
      case MODEL.opset_import: {
        r.expect(h, WIRE.len, 'opset_import');
        const o = r.message(`opset_import[${m.opsets.length}]`);
        const op = { domain: '', version: 0 };
        for (let g = o.next(); g; g = o.next()) {
          if (g.field === OPSET.domain) op.domain = str(o, g, 'domain');
          else if (g.field === OPSET.version) op.version = int(o, g, 'version');
          else o.skip(g);
        }
        push(r, m.opsets, op, MAX_SMALL, 'opset imports');
        break;
      }
      case MODEL.metadata_props: {
        r.expect(h, WIRE.len, 'metadata_props');
        const e = r.message(`metadata_props[${m.metadata.length}]`);
        const kv = { key: '', value: '' };
        for (let g = e.next(); g; g = e.next()) {
          if (g.field === ENTRY.key) kv.key = str(e, g, 'key');
          else if (g.field === ENTRY.value) kv.value = str(e, g, 'value');
          else e.skip(g);
        }
        push(r, m.metadata, kv, MAX_SMALL, 'metadata entries');
        break;
      }
      case MODEL.functions: case MODEL.training_info: r.skip(h); m.functions = true; break;
      default: r.skip(h);
    }
  }
  return m;
}

// ---- decoding tensor values (after the sizes are checked) ----

/** Elements of a tensor's dims (each dim checked non-negative; the product may be huge: the caller compares it). */
export function elementCount(api: string, t: OnnxTensor): number {
  let n = 1;
  for (const [k, d] of t.dims.entries()) {
    if (d < 0) throw rangeError(api, t.field, `has dims [${t.dims.join(', ')}]; dims[${k}] = ${d} is negative`);
    n *= d;
  }
  return n;
}

/**
 * Checks that a tensor holds exactly dims' elements of its type in one place (raw_data, or float_data / double_data
 * / int32_data / int64_data), before anything is decoded.
 */
export function checkData(api: string, t: OnnxTensor): number {
  if (t.external) throw rangeError(api, t.field, 'keeps its values in an external file (data_location EXTERNAL); save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))');
  const n = elementCount(api, t);
  const size = DT_BYTES[t.dataType];
  if (size === undefined) throw rangeError(api, t.field, `has data type ${dtName(t.dataType)}; expected float32, float64, int32, int64 or bool`);
  const held: [string, number][] = [];
  if (t.raw) held.push(['raw_data', t.raw.length / size]);
  const floats = t.floatRuns.reduce((a, b) => a + b.length, 0) / 4;
  const doubles = t.doubleRuns.reduce((a, b) => a + b.length, 0) / 8;
  if (floats) held.push(['float_data', floats]);
  if (doubles) held.push(['double_data', doubles]);
  if (t.int32s.length) held.push(['int32_data', t.int32s.length]);
  if (t.int64s.length) held.push(['int64_data', t.int64s.length]);
  if (held.length > 1) throw rangeError(api, t.field, `holds its values in both ${held[0][0]} and ${held[1][0]}; expected one`);
  if (n === 0 && held.length === 0) return 0;
  if (held.length === 0) throw rangeError(api, t.field, `has dims [${t.dims.join(', ')}] (${n} elements) but holds no values`);
  const [where, count] = held[0];
  if (where === 'raw_data' && t.raw!.length !== n * size) {
    throw rangeError(api, t.field, `has raw_data of ${t.raw!.length} bytes; expected dims [${t.dims.join(', ')}] × ${dtName(t.dataType)} = ${n} × ${size} = ${n * size} bytes`);
  }
  const fits = { float_data: [DT.FLOAT], double_data: [DT.DOUBLE], int32_data: [DT.INT32, DT.BOOL, DT.INT8, DT.UINT8, DT.FLOAT16], int64_data: [DT.INT64], raw_data: [t.dataType] }[where]!;
  if (!(fits as number[]).includes(t.dataType)) throw rangeError(api, t.field, `has data type ${dtName(t.dataType)} but holds its values in ${where}`);
  if (count !== n) throw rangeError(api, t.field, `holds ${count} values in ${where}; expected dims [${t.dims.join(', ')}] = ${n} elements`);
  return n;
}

/** The joined bytes of float runs (one copy). */
function joinRuns(runs: Uint8Array[]): Uint8Array {
  if (runs.length === 1) return runs[0];
  const out = new Uint8Array(runs.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const r of runs) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

/** A float32 tensor's values (checkData first), every value checked finite. */
export function decodeFloats(api: string, t: OnnxTensor): Float32Array {
  if (t.dataType !== DT.FLOAT) throw rangeError(api, t.field, `has data type ${dtName(t.dataType)}; expected float32`);
  const n = checkData(api, t);
  const src = t.raw ?? joinRuns(t.floatRuns);
  const out = new Float32Array(n);
  const dv = new DataView(src.buffer, src.byteOffset, src.length);
  for (let k = 0; k < n; k++) {
    const v = dv.getFloat32(4 * k, true);
    if (!Number.isFinite(v)) throw rangeError(api, `${t.field}[${k}]`, `= ${v}; expected a finite float32`);
    out[k] = v;
  }
  return out;
}

/** An integer (or bool) tensor's values as numbers (at most MAX_SMALL; checkData first); int64s must be safe integers. */
export function decodeInts(api: string, t: OnnxTensor): number[] {
  const n = checkData(api, t);
  if (![DT.INT64, DT.INT32, DT.BOOL, DT.INT8, DT.UINT8].includes(t.dataType as 7)) throw rangeError(api, t.field, `has data type ${dtName(t.dataType)}; expected an integer type`);
  if (n > MAX_SMALL) throw rangeError(api, t.field, `has ${n} elements; an integer tensor of shapes or indices may have at most ${MAX_SMALL}`);
  if (!t.raw) return t.dataType === DT.INT64 ? [...t.int64s] : [...t.int32s];
  const dv = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    if (t.dataType === DT.INT64) {
      const v = Number(dv.getBigInt64(8 * k, true));
      if (!Number.isSafeInteger(v)) throw rangeError(api, `${t.field}[${k}]`, `= ${dv.getBigInt64(8 * k, true)} is beyond the safe integers`);
      out.push(v);
    } else if (t.dataType === DT.INT32) out.push(dv.getInt32(4 * k, true));
    else if (t.dataType === DT.INT8) out.push(dv.getInt8(k));
    else out.push(dv.getUint8(k));
  }
  return out;
}

/** A float32 or float64 tensor of at most MAX_SMALL elements as numbers (constants such as 0.5 or a fill value). */
export function decodeSmallFloats(api: string, t: OnnxTensor): number[] {
  const n = checkData(api, t);
  if (n > MAX_SMALL) throw rangeError(api, t.field, `has ${n} elements; expected a small constant`);
  if (t.dataType === DT.FLOAT) return Array.from(decodeFloats(api, t));
  if (t.dataType !== DT.DOUBLE) throw rangeError(api, t.field, `has data type ${dtName(t.dataType)}; expected float32`);
  const src = t.raw ?? joinRuns(t.doubleRuns);
  const dv = new DataView(src.buffer, src.byteOffset, src.length);
  return Array.from({ length: n }, (_, k) => dv.getFloat64(8 * k, true));
}

// ---- writing ----

function tensorBytes(t: TensorOut): Uint8Array {
  const n = t.values.length;
  const size = t.dataType === DT.INT64 ? 8 : 4;
  const b = new Uint8Array(n * size);
  const dv = new DataView(b.buffer);
  for (let k = 0; k < n; k++) {
    if (t.dataType === DT.FLOAT) dv.setFloat32(4 * k, t.values[k], true);
    else if (t.dataType === DT.INT32) dv.setInt32(4 * k, t.values[k], true);
    else dv.setBigInt64(8 * k, BigInt(t.values[k]), true);
  }
  return b;
}

function writeTensor(t: TensorOut): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length) w.packedInts(TENSOR.dims, t.dims);
  w.int(TENSOR.data_type, t.dataType);
  w.string(TENSOR.name, t.name);
  if (t.dataType === DT.FLOAT && t.floatData === 'packed') w.packedFloats(TENSOR.float_data, t.values);
  else if (t.dataType === DT.FLOAT && t.floatData === 'unpacked') for (let k = 0; k < t.values.length; k++) w.float(TENSOR.float_data, t.values[k]);
  else w.bytes(TENSOR.raw_data, tensorBytes(t));
  return w;
}

function writeAttribute(a: AttributeOut): ProtoWriter {
  const w = new ProtoWriter().string(ATTR.name, a.name);
  if ('f' in a) w.float(ATTR.f, a.f).int(ATTR.type, AT.FLOAT);
  else if ('i' in a) w.int(ATTR.i, a.i).int(ATTR.type, AT.INT);
  else if ('s' in a) w.string(ATTR.s, a.s).int(ATTR.type, AT.STRING);
  else if ('floats' in a) w.packedFloats(ATTR.floats, a.floats).int(ATTR.type, AT.FLOATS);
  else if ('ints' in a) w.packedInts(ATTR.ints, a.ints).int(ATTR.type, AT.INTS);
  else if ('t' in a) w.message(ATTR.t, writeTensor(a.t)).int(ATTR.type, AT.TENSOR);
  else {
    for (const s of a.strings) w.string(ATTR.strings, s);
    w.int(ATTR.type, AT.STRINGS);
  }
  return w;
}

function writeValueInfo(v: ValueInfoOut): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(SHAPE.dim, typeof d === 'number' ? new ProtoWriter().int(DIM.dim_value, d) : new ProtoWriter().string(DIM.dim_param, d));
  const tensor = new ProtoWriter().int(TYPE_TENSOR.elem_type, v.elemType).message(TYPE_TENSOR.shape, shape);
  const w = new ProtoWriter().string(VALUE_INFO.name, v.name).message(VALUE_INFO.type, new ProtoWriter().message(TYPE.tensor_type, tensor));
  if (v.docString) w.string(VALUE_INFO.doc_string, v.docString);
  return w;
}

/** The bytes of a ModelProto. */
export function writeModel(m: ModelOut): Uint8Array {
  const g = new ProtoWriter();
  for (const n of m.nodes) {
    const w = new ProtoWriter();
    for (const i of n.inputs) w.string(NODE.input, i);
    for (const o of n.outputs) w.string(NODE.output, o);
    w.string(NODE.name, n.name).string(NODE.op_type, n.opType);
    for (const a of n.attributes ?? []) w.message(NODE.attribute, writeAttribute(a));
    g.message(GRAPH.node, w);
  }
  g.string(GRAPH.name, m.graphName);
  for (const t of m.initializers) g.message(GRAPH.initializer, writeTensor(t));
  for (const v of m.inputs) g.message(GRAPH.input, writeValueInfo(v));
  for (const v of m.outputs) g.message(GRAPH.output, writeValueInfo(v));
  const w = new ProtoWriter()
    .int(MODEL.ir_version, m.irVersion)
    .string(MODEL.producer_name, m.producerName)
    .string(MODEL.producer_version, m.producerVersion)
    .string(MODEL.doc_string, m.docString)
    .message(MODEL.graph, g)
    .message(MODEL.opset_import, new ProtoWriter().string(OPSET.domain, '').int(OPSET.version, m.opset));
  for (const e of m.metadata) w.message(MODEL.metadata_props, new ProtoWriter().string(ENTRY.key, e.key).string(ENTRY.value, e.value));
  return w.finish();
}
