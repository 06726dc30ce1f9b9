// `simple-rnn eval --model FILE --text FILE`: loss per token and perplexity of a trained model on a text.
import { UsageError, type Command, type Values } from './args.js';
import { FORMATS } from './models.js';
import { readText } from './files.js';
import { loadCheckpoint, windowedLoss } from './lm.js';

const options = {
  model: { kind: 'string', value: 'FILE', help: 'checkpoint written by simple-rnn train, or that model converted (.onnx, .safetensors, a TF.js folder)' },
  from: { kind: 'string', choices: FORMATS, value: 'FORMAT', help: 'format of --model [default: by its extension; other names are checkpoints]' },
  text: { kind: 'string', value: 'FILE', help: 'text to score (UTF-8)' },
  window: { kind: 'int', min: 1, max: 1_000_000, help: 'tokens scored from each fresh state [default: what training used, seq-length x chunks]' },
  carry: { kind: 'boolean', help: "carry the state from window to window through the whole text, as the library's fitStream validation (model.evaluateStream) does, instead of fresh windows" },
} as const;

export const evalCommand: Command<typeof options> = {
  name: 'eval',
  usage: 'eval --model FILE --text FILE [options]',
  summary:
    'Reports the loss (nats per token) and perplexity of a trained model on a text. The text is scored in windows\n' +
    'that each start from the initial state, as validation during training is; with --carry, as one stream whose\n' +
    'state is carried from window to window (what fitStream reports as valLoss).',
  options,
  epilog: 'Example:\n  simple-rnn eval --model shakespeare.rnn --text held-out.txt',
};

export async function runEval(o: Values<typeof options>): Promise<number> {
  if (!o.model || !o.text) throw new UsageError('eval: --model FILE and --text FILE are required (see simple-rnn eval --help)');
  const text = readText('text', '--text', o.text);
  const { model, tokenizer, meta } = await loadCheckpoint('--model', o.model, { from: o.from });
  try {
    const ids = tokenizer.encode(text);
    if (ids.length < 2) throw new UsageError(`eval: ${o.text} has ${ids.length} ${tokenizer.unit}; at least 2 are needed (a token and the next)`, 1);
    const window = o.window ?? meta.run.seqLength * meta.run.chunks;
    const loss = o.carry ? model.evaluateStream(ids, { seqLength: window }).loss : windowedLoss(model, ids, window);
    const unknown = tokenizer.countUnknown(ids);
    const u = tokenizer.unit;
    process.stdout.write(
      `${o.text}: ${ids.length} ${u}s${unknown ? ` (${unknown} not in the model's vocabulary, scored as unknown)` : ''}, ${o.carry ? `one stream with carried state, chunks of ${window}` : `windows of ${window}`}\n` +
        `loss ${loss.toFixed(4)} nats/${u} (${(loss / Math.LN2).toFixed(4)} bits/${u}), perplexity ${Math.exp(loss).toFixed(3)}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
