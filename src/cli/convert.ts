// `simple-rnn convert IN OUT`: a model from one file format into another (.rnn checkpoints, TF.js model.json folders,
// .safetensors for PyTorch, .onnx; .keras / .h5 as sources only), chosen by extension or --from/--to.
import { UsageError, type Command, type Values } from './args.js';
import { checkFiles } from './files.js';
import { FORMATS, formatFor, readModel, summary, writeModel } from './models.js';

const options = {
  from: { kind: 'string', choices: FORMATS, value: 'FORMAT', help: 'format of IN [default: by its extension; a folder is TF.js]' },
  to: { kind: 'string', choices: FORMATS.filter((f) => f !== 'keras'), value: 'FORMAT', help: 'format of OUT [default: by its extension; no extension is a TF.js folder]' },
  activation: { kind: 'string', choices: ['tanh', 'relu'], value: 'NAME', help: "state activation of a .safetensors source (PyTorch's nonlinearity; not in the tensors) [default: its metadata, else tanh]" },
  outputActivation: { kind: 'string', choices: ['softmax', 'sigmoid', 'linear'], value: 'NAME', help: 'head activation of a .safetensors or .onnx source that ends in logits [default: its metadata, else softmax]' },
  returnSequences: { kind: 'boolean', help: 'a .safetensors or .onnx source outputs at every step [default: its metadata, else the final state]' },
  merge: { kind: 'string', choices: ['concat', 'sum', 'mul', 'ave'], value: 'MODE', help: 'how a bidirectional .safetensors source joins its directions [default: its metadata, else concat]' },
  goBackwards: { kind: 'boolean', help: 'a one-direction .safetensors source reads the sequence last step first [default: its metadata]' },
} as const;

export const convertCommand: Command<typeof options> = {
  name: 'convert',
  usage: 'convert IN OUT [options]',
  summary:
    'Converts a model between formats: .rnn (checkpoint), a TF.js folder (model.json + weights.bin), .safetensors\n' +
    '(PyTorch state_dict; a .py with the nn.Module is written beside it), .onnx, and .keras / .h5 (read only).\n' +
    'What a source format does not record (the activations PyTorch keeps in code, say) is given as flags.',
  options,
  positionals: 2,
  epilog:
    'Examples:\n' +
    '  simple-rnn convert shakespeare.rnn shakespeare.onnx\n' +
    '  simple-rnn convert model.keras model.rnn\n' +
    '  simple-rnn convert rnn.safetensors out/tfjs --activation relu --output-activation linear',
};

export async function runConvert(o: Values<typeof options>, positionals: string[]): Promise<number> {
  const [input, output] = positionals;
  if (input === undefined || output === undefined) throw new UsageError('convert: give IN and OUT (see simple-rnn convert --help)');
  const from = formatFor('IN', input, o.from);
  const to = formatFor('OUT', output, o.to);
  if (to === 'keras') throw new UsageError(`OUT ${output}: Keras files can be read but not written; write .rnn, .safetensors, .onnx or a TF.js folder`);
  checkFiles('convert', [{ flag: 'IN', path: input }, ...(to === 'tfjs' ? [] : [{ flag: 'OUT', path: output, write: true }])]);
  const model = await readModel('IN', input, from, { activation: o.activation, outputActivation: o.outputActivation, returnSequences: o.returnSequences, merge: o.merge, goBackwards: o.goBackwards });
  try {
    process.stdout.write(`read ${input} (${from}): ${summary(model)}\n`);
    const written = await writeModel('OUT', model, output, to);
    process.stdout.write(`wrote ${written.join(', ')} (${to})\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
