// `simple-rnn sample --model FILE`: text from a model trained by simple-rnn train.
import { UsageError, type Command, type Values } from './args.js';
import { defaultPrompt, loadCheckpoint } from './lm.js';

const options = {
  model: { kind: 'string', value: 'FILE', help: 'checkpoint written by simple-rnn train' },
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
  const { model, tokenizer } = await loadCheckpoint(o.model);
  try {
    let prompt: Int32Array;
    if (o.prompt === undefined) prompt = defaultPrompt(tokenizer);
    else {
      if (o.prompt === '') throw new UsageError('sample: --prompt is empty; give some text, or leave --prompt out');
      prompt = tokenizer.encodePrompt(o.prompt);
      if (prompt.length === 0) throw new UsageError(`sample: --prompt "${o.prompt}" has no ${tokenizer.unit}s the model knows`);
      const unknown = tokenizer.countUnknown(prompt);
      if (unknown > 0) process.stderr.write(`note: ${unknown} ${tokenizer.unit}(s) of the prompt are not in the model's vocabulary\n`);
    }
    const ids = model.generate({ prompt, length: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed });
    // decoded together, so words get their spacing across the prompt's end; a word model's leading EOS is not shown
    const text = tokenizer.decode(Int32Array.from([...prompt, ...ids]));
    process.stdout.write((tokenizer.level === 'word' ? text.replace(/^\n/, '') : text) + '\n');
    return 0;
  } finally {
    model.dispose();
  }
}
