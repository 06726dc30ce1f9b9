// Shared by the ONNX tests: a parsed model turned back into the writer's input, so that a test can change one thing
// (a node, an input, an attribute) and write the model again.
import { AT, DT, type AttributeOut, type ModelOut, type OnnxAttribute, type OnnxModel, type OnnxTensor, type TensorOut } from '../../src/interop/onnx-format.js';
import { decodeFloats, decodeInts } from '../../src/interop/onnx-proto.js';

/** A parsed model as the writer's input, so a test can change one thing and write it again. */
export function editable(m: OnnxModel): ModelOut {
  const g = m.graph!;
  const tensor = (t: OnnxTensor): TensorOut => ({
    name: t.name, dataType: t.dataType as TensorOut['dataType'], dims: [...t.dims], values: t.dataType === DT.FLOAT ? decodeFloats('test', t) : decodeInts('test', t),
  });
  const attr = (a: OnnxAttribute): AttributeOut => {
    switch (a.type) {
      case AT.FLOAT: return { name: a.name, f: a.f! };
      case AT.INT: return { name: a.name, i: a.i! };
      case AT.STRING: return { name: a.name, s: new TextDecoder().decode(a.s!) };
      case AT.FLOATS: return { name: a.name, floats: a.floats };
      case AT.INTS: return { name: a.name, ints: a.ints };
      case AT.STRINGS: return { name: a.name, strings: a.strings.map((s) => new TextDecoder().decode(s)) };
      case AT.TENSOR: return { name: a.name, t: tensor(a.t!) };
      default: throw new Error(`attribute type ${a.type}`);
    }
  };
  const info = (v: (typeof g.inputs)[number]) => {
    if (v.type?.kind !== 'tensor') throw new Error('not a tensor');
    return { name: v.name, elemType: v.type.elemType, dims: (v.type.shape ?? []).map((d) => d ?? '?') };
  };
  return {
    irVersion: m.irVersion, opset: m.opsets[0].version, producerName: m.producerName, producerVersion: m.producerVersion, docString: m.docString,
    graphName: g.name, nodes: g.nodes.map((n) => ({ opType: n.opType, inputs: [...n.inputs], outputs: [...n.outputs], name: n.name, attributes: n.attributes.map(attr) })),
    initializers: g.initializers.map(tensor), inputs: g.inputs.map(info), outputs: g.outputs.map(info), metadata: m.metadata.map((e) => ({ ...e })),
  };
}
