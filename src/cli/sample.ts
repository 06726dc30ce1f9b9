// `simple-rnn sample --model FILE`: text from a trained model.
import { UsageError, type Command, type Values } from './args.js';

const options = {
  model: { kind: 'string', value: 'FILE', help: 'checkpoint written by simple-rnn train' },
  length: { kind: 'int', default: 500, min: 1, max: 10_000_000, help: 'tokens to generate' },
  temperature: { kind: 'float', default: 0.8, min: 0, help: 'softmax temperature (0: always the most likely token)' },
  topK: { kind: 'int', default: 0, min: 0, help: 'sample among the k most likely tokens only (0: all)' },
  prompt: { kind: 'string', default: '', help: 'text to continue' },
  seed: { kind: 'int', default: 1, help: 'seed of the sampling' },
} as const;

export const sampleCommand: Command<typeof options> = {
  name: 'sample',
  usage: 'sample --model FILE [options]',
  summary: 'Generates text from a model trained by simple-rnn train.',
  options,
};

export async function runSample(o: Values<typeof options>): Promise<number> {
  if (!o.model) throw new UsageError('sample: --model FILE is required (see simple-rnn sample --help)');
  throw new UsageError('sample: checkpoints are not in this build yet', 1);
}
