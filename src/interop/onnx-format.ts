// The part of onnx.proto the ONNX interop uses: its field numbers and data types, with the .proto names, and its
// messages as plain objects, as read and as written (onnx-proto.ts turns them into protobuf bytes and back), and the
// limits of reading them.
import { MAX_RANK } from './read.js';

// ---- field numbers (onnx.proto, IR version 8) ----

/** message ModelProto. */
export const MODEL = { ir_version: 1, opset_import: 8, producer_name: 2, producer_version: 3, domain: 4, model_version: 5, doc_string: 6, graph: 7, metadata_props: 14, training_info: 20, functions: 25 } as const;
/** message OperatorSetIdProto. */
export const OPSET = { domain: 1, version: 2 } as const;
/** message StringStringEntryProto. */
export const ENTRY = { key: 1, value: 2 } as const;
/** message GraphProto. */
export const GRAPH = { node: 1, name: 2, initializer: 5, sparse_initializer: 15, doc_string: 10, input: 11, output: 12, value_info: 13 } as const;
/** message NodeProto. */
export const NODE = { input: 1, output: 2, name: 3, op_type: 4, domain: 7, attribute: 5, doc_string: 6 } as const;
/** message AttributeProto. */
export const ATTR = { name: 1, ref_attr_name: 21, doc_string: 13, type: 20, f: 2, i: 3, s: 4, t: 5, g: 6, sparse_tensor: 22, tp: 14, floats: 7, ints: 8, strings: 9, tensors: 10, graphs: 11, sparse_tensors: 23, type_protos: 15 } as const;
/** message TensorProto. */
export const TENSOR = { dims: 1, data_type: 2, segment: 3, float_data: 4, int32_data: 5, string_data: 6, int64_data: 7, name: 8, doc_string: 12, raw_data: 9, external_data: 13, data_location: 14, double_data: 10, uint64_data: 11 } as const;
/** message ValueInfoProto. */
export const VALUE_INFO = { name: 1, type: 2, doc_string: 3 } as const;
/** message TypeProto (its value is a oneof). */
export const TYPE = { tensor_type: 1, sequence_type: 4, map_type: 5, optional_type: 9, sparse_tensor_type: 8, denotation: 6 } as const;
/** message TypeProto.Tensor. */
export const TYPE_TENSOR = { elem_type: 1, shape: 2 } as const;
/** messages TypeProto.Sequence and TypeProto.Optional. */
export const TYPE_ELEM = { elem_type: 1 } as const;
/** message TypeProto.Map. */
export const TYPE_MAP = { key_type: 1, value_type: 2 } as const;
/** message TensorShapeProto. */
export const SHAPE = { dim: 1 } as const;
/** message TensorShapeProto.Dimension (dim_value and dim_param are a oneof). */
export const DIM = { dim_value: 1, dim_param: 2, denotation: 3 } as const;

/** enum TensorProto.DataType: the types this interop reads or writes (the others are named in errors only). */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
const DT_NAMES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};
/** A data type's name, for errors. */
export const dtName = (t: number): string => DT_NAMES[t] ?? `data type ${t}`;
/** Bytes per element in raw_data of the types read as numbers. */
export const DT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8 };

/** enum AttributeProto.AttributeType. */
export const AT = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14 } as const;

/** enum TensorProto.DataLocation: EXTERNAL = the values are in another file. */
export const EXTERNAL = 1;

// ---- limits of the reader (each item costs at least a byte of the file; these bound the objects a file makes) ----

/** Most nodes, initializers, inputs, outputs or metadata entries of a graph or model. */
export const MAX_LIST = 65536;
/** Most inputs, outputs or attributes of a node; most values of an ints/floats attribute or an int tensor read as numbers. */
export const MAX_SMALL = 4096;
/** Most dimensions of a tensor or a tensor type (the limit of every importer). */
export const MAX_DIMS = MAX_RANK;

// ---- the messages as read ----

/** A TensorProto as read: its values stay in the file's bytes until decoded. */
export interface OnnxTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** raw_data, a view of the file (null when absent). */
  raw: Uint8Array | null;
  /** float_data: its packed runs (little-endian float32 bytes, views of the file). */
  floatRuns: Uint8Array[];
  /** double_data: its packed runs. */
  doubleRuns: Uint8Array[];
  /** int32_data and int64_data values (at most MAX_SMALL). */
  int32s: number[];
  int64s: number[];
  /** data_location is EXTERNAL (the values live in another file). */
  external: boolean;
  /** Where it is in the file, for errors: `graph.initializer[3] 'onnx::RNN_37'`. */
  field: string;
}

/** An AttributeProto as read. Graph, sparse and type attributes are only noted (no supported op has them). */
export interface OnnxAttribute {
  name: string;
  type: number;
  f: number | null;
  i: number | null;
  s: Uint8Array | null;
  t: OnnxTensor | null;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  /** It holds a graph, a sparse tensor, a type or tensors (g, graphs, sparse_tensor(s), tp, type_protos, tensors). */
  other: boolean;
  field: string;
}

/** A NodeProto as read. */
export interface OnnxNode {
  inputs: string[];
  outputs: string[];
  name: string;
  opType: string;
  domain: string;
  attributes: OnnxAttribute[];
  field: string;
}

/** A TypeProto as read: a tensor type (elem type and dims: a number, a dim_param name, or null when unknown), or another type described. */
export type OnnxType =
  | { kind: 'tensor'; elemType: number; shape: (number | string | null)[] | null }
  | { kind: 'other'; description: string };

/** A ValueInfoProto as read (graph inputs and outputs). */
export interface OnnxValueInfo {
  name: string;
  type: OnnxType | null;
  field: string;
}

/** A GraphProto as read (value_info, a hint only, is skipped). */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** It has sparse initializers (not supported). */
  sparse: boolean;
}

/** A ModelProto as read. */
export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: OnnxGraph | null;
  metadata: { key: string; value: string }[];
  /** It has training_info or functions (model-local functions are not supported). */
  functions: boolean;
}

// ---- the messages as written ----

/** A tensor to write: float32 values, or int64 / int32 values, row-major. */
export interface TensorOut {
  name: string;
  dataType: typeof DT.FLOAT | typeof DT.INT64 | typeof DT.INT32;
  dims: number[];
  values: ArrayLike<number>;
  /**
   * Float32 values as float_data, 'packed' (what onnx.helper.make_tensor writes) or 'unpacked' (one fixed32 field
   * each, as proto2 writers may), instead of raw_data (the default; what torch.onnx.export and toOnnx write).
   */
  floatData?: 'packed' | 'unpacked';
}

/** An attribute to write: exactly one of the value fields. */
export type AttributeOut =
  | { name: string; f: number }
  | { name: string; i: number }
  | { name: string; s: string }
  | { name: string; floats: number[] }
  | { name: string; ints: number[] }
  | { name: string; strings: string[] }
  | { name: string; t: TensorOut };

/** A node to write. */
export interface NodeOut {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: AttributeOut[];
}

/** A graph input or output to write: a tensor type with named (dynamic) or fixed dims. */
export interface ValueInfoOut {
  name: string;
  elemType: number;
  dims: (number | string)[];
  docString?: string;
}

/** A model to write. */
export interface ModelOut {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graphName: string;
  nodes: NodeOut[];
  initializers: TensorOut[];
  inputs: ValueInfoOut[];
  outputs: ValueInfoOut[];
  metadata: { key: string; value: string }[];
}
