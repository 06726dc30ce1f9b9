// `simple-rnn eval --model FILE --text FILE`: loss per token and perplexity of a trained model on a text.
import { UsageError, type Command, type Values } from './args.js';

const options = {
  model: { kind: 'string', value: 'FILE', help: 'checkpoint written by simple-rnn train' },
  text: { kind: 'string', value: 'FILE', help: 'text to score (UTF-8)' },
} as const;

export const evalCommand: Command<typeof options> = {
  name: 'eval',
  usage: 'eval --model FILE --text FILE',
  summary: 'Reports the loss (nats per token) and perplexity of a trained model on a text.',
  options,
};

export async function runEval(o: Values<typeof options>): Promise<number> {
  if (!o.model || !o.text) throw new UsageError('eval: --model FILE and --text FILE are required (see simple-rnn eval --help)');
  throw new UsageError('eval: checkpoints are not in this build yet', 1);
}
