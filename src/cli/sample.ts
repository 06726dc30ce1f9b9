// `simple-rnn sample --model FILE`: text from a model trained by simple-rnn train.
import { UsageError, type Command, type Values } from './args.js';
import { FORMATS } from './models.js';
import { defaultPrompt, loadCheckpoint } from './lm.js';
import { continueSentence } from '../text/lm.js';

const options = {
  model: { kind: 'string', value: 'FILE', help: 'checkpoint written by simple-rnn train, or that model converted (.onnx, .safetensors, a TF.js folder)' },
  from: { kind: 'string', choices: FORMATS, value: 'FORMAT', help: 'format of --model [default: by its extension; other names are checkpoints]' },
  length: { kind: 'int', default: 500, min: 1, max: 10_000_000, help: 'tokens to generate' },
  temperature: { kind: 'float', default: 0.8, min: 0, help: 'softmax temperature; 0: always the most likely token' },
  topK: { kind: 'int', default: 0, min: 0, help: 'sample among the k most likely tokens only; 0: all' },
  prompt: { kind: 'string', value: 'TEXT', help: 'text to continue [default: a line break, as if at the start of a line]' },
  seed: { kind: 'int', default: 1, help: 'seed of the sampling' },
} as const;

export const sampleCommand: Command<typeof options> = {
  name: 'sample',
  usage: 'sample --model FILE [options]',
  summary: 'Generates text from a model trained by simple-rnn train: the prompt, then what the model writes after it.',
  options,
  epilog: 'Example:\n  simple-rnn sample --model shakespeare.rnn --prompt "ROMEO:" --length 300 --temperature 0.7',
};

export async function runSample(o: Values<typeof options>): Promise<number> {
  if (!o.model) throw new UsageError('sample: --model FILE is required (see simple-rnn sample --help)');
  const { model, tokenizer } = await loadCheckpoint('--model', o.model, { from: o.from });
  try {
    if (tokenizer.level === 'word') {
      // word by word from the start of a sentence (after EOS) and the prompt; never <pad> or <unk>; sentences on lines
      if (o.prompt === '') throw new UsageError('sample: --prompt is empty; give some text, or leave --prompt out');
      const unknown = o.prompt ? tokenizer.countUnknown(tokenizer.encode(o.prompt)) : 0;
      if (unknown > 0) process.stderr.write(`note: ${unknown} word(s) of the prompt are not in the model's vocabulary\n`);
      const r = continueSentence(model, tokenizer.vocab, o.prompt ?? '', { maxTokens: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed, stopAtEos: false });
      process.stdout.write(r.text + '\n');
      return 0;
    }
    let prompt: Int32Array;
    if (o.prompt === undefined) prompt = defaultPrompt(tokenizer);
    else {
      if (o.prompt === '') throw new UsageError('sample: --prompt is empty; give some text, or leave --prompt out');
      prompt = tokenizer.encode(o.prompt);
      if (prompt.length === 0) throw new UsageError(`sample: --prompt "${o.prompt}" has no ${tokenizer.unit}s the model knows`);
      const unknown = tokenizer.countUnknown(prompt);
      if (unknown > 0) process.stderr.write(`note: ${unknown} ${tokenizer.unit}(s) of the prompt are not in the model's vocabulary\n`);
    }
    const ids = model.generate({ prompt, length: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed });
    process.stdout.write(tokenizer.decode(prompt) + tokenizer.decode(ids) + '\n');
    return 0;
  } finally {
    model.dispose();
  }
}
