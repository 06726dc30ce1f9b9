// simple-rnn, the command line. Built by tsup into dist/cli.js (Node, ESM, with a #!/usr/bin/env node banner).
// With no arguments it runs the addition demo (that is `npm start`). Every failure ends as one line on stderr and a
// non-zero exit code; SIMPLE_RNN_DEBUG=1 adds the stack trace.
import { helpText, parseCommand, UsageError, type Command, type OptionTable, type Values } from './args.js';
import { additionCommand, runAdditionCommand } from './demo-addition.js';
import { sentimentCommand, runSentimentCommand } from './demo-sentiment.js';
import { trainCommand, runTrain } from './train.js';
import { sampleCommand, runSample } from './sample.js';
import { evalCommand, runEval } from './eval.js';
import { benchCommand, runBench } from './bench.js';

interface Entry<T extends OptionTable> {
  command: Command<T>;
  run: (values: Values<T>, positionals: string[]) => Promise<number>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const entry = <T extends OptionTable>(command: Command<T>, run: Entry<T>['run']): Entry<any> => ({ command, run });

const COMMANDS: Record<string, Entry<OptionTable>> = {
  train: entry(trainCommand, runTrain),
  sample: entry(sampleCommand, runSample),
  eval: entry(evalCommand, runEval),
  bench: entry(benchCommand, runBench),
};

const DEMOS: Record<string, Entry<OptionTable>> = {
  addition: entry(additionCommand, runAdditionCommand),
  sentiment: entry(sentimentCommand, runSentimentCommand),
};

const VERSION = '0.1.0';

const TOP_HELP = `Usage: simple-rnn <command> [options]

Simple (Elman) RNNs on a WebAssembly SIMD core. With no command, runs \`demo addition\`.

Commands:
  train --text FILE      train a character-level language model on a text file
  sample --model FILE    generate text from a trained model
  eval --model FILE --text FILE
                         loss (nats per token) and perplexity of a model on a text file
  demo addition          learn to add digit by digit on <= 8 digits, test on 16..100 digits
  demo sentiment         classify the sentiment of generated sentences from word embeddings
  bench                  the performance comparison (bench/)

Run simple-rnn <command> --help for the options of each command.
`;

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) return dispatch([...rest, '--help']); // simple-rnn help train
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(TOP_HELP);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`simple-rnn ${VERSION}\n`);
    return 0;
  }
  let e: Entry<OptionTable> | undefined;
  let args = rest;
  if (name === undefined || name.startsWith('-')) {
    e = DEMOS.addition; // no command (npm start): the addition demo, options and all
    args = argv;
  } else if (name === 'demo') {
    const which = rest[0];
    if (which === undefined) throw new UsageError(`demo: which one? expected one of ${Object.keys(DEMOS).join(', ')} (see simple-rnn demo --help)`);
    if (which === '--help' || which === '-h') {
      process.stdout.write(`Usage: simple-rnn demo <${Object.keys(DEMOS).join('|')}> [options]\n\n` +
        Object.values(DEMOS).map((d) => `${d.command.usage}\n  ${d.command.summary.split('\n')[0]}`).join('\n') + '\n');
      return 0;
    }
    e = DEMOS[which];
    if (!e) throw new UsageError(`demo: unknown demo "${which}"; expected one of ${Object.keys(DEMOS).join(', ')}`);
    args = rest.slice(1);
  } else {
    e = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!e) throw new UsageError(`unknown command "${name}"; expected one of ${[...Object.keys(COMMANDS), 'demo'].join(', ')} (see simple-rnn --help)`);
  }
  const parsed = parseCommand(e.command, args);
  if (parsed.help) {
    process.stdout.write(helpText(e.command));
    return 0;
  }
  return e.run(parsed.values, parsed.positionals);
}

/** One line for anything thrown: our own UsageErrors as they are, the library's errors with their message. */
function report(err: unknown): number {
  const debug = Boolean(process.env.SIMPLE_RNN_DEBUG);
  if (err instanceof UsageError) {
    process.stderr.write(`simple-rnn: ${err.message}\n`);
    if (debug) process.stderr.write(`${err.stack}\n`);
    return err.code;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`simple-rnn: ${msg.split('\n')[0]}\n`);
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0); // `simple-rnn sample ... | head` closes the pipe early
});

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = report(err);
  },
);
