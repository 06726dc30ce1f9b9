// Shared by the ONNX tests: a parsed model turned back into the writer's input, so that a test can change one thing
// (a node, an input, an attribute) and write the model again; and the Python onnx package's checker, where present.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Whether /usr/bin/python3 has the onnx package (a warning says why its checker tests are skipped when not). */
export function hasPythonOnnx(): boolean {
  try {
    if (!existsSync('/usr/bin/python3')) throw new Error('no /usr/bin/python3');
    execFileSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('[onnx checker test skipped] /usr/bin/python3 with the onnx package is not available');
    return false;
  }
}

/** Runs onnx.checker.check_model(full_check=True) on each model's bytes; returns what the script printed ('ok'). */
export function onnxCheck(models: Uint8Array[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'simple-rnn-onnx-check-'));
  try {
    const files = models.map((bytes, k) => {
      const path = join(dir, `m${k}.onnx`);
      writeFileSync(path, bytes);
      return path;
    });
    const code = `import onnx,sys\nfor p in sys.argv[1:]:\n  onnx.checker.check_model(onnx.load(p), full_check=True)\nprint('ok')`;
    return execFileSync('/usr/bin/python3', ['-c', code, ...files], { encoding: 'utf8' }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
