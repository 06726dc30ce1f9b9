// simple-rnn, the command line. Built by tsup into dist/cli.js (Node, ESM, with a #!/usr/bin/env node banner).
// With no arguments it runs the addition demo (that is `npm start`). Every failure ends as one line on stderr and a
// non-zero exit code (report.ts); SIMPLE_RNN_DEBUG=1 adds the stack trace.
import { helpText, parseCommand, UsageError, type Command, type OptionTable, type Values } from './args.js';
import { guardProcess, report } from './report.js';

interface Entry<T extends OptionTable> {
  command: Command<T>;
  run: (values: Values<T>, positionals: string[]) => Promise<number>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const entry = <T extends OptionTable>(command: Command<T>, run: Entry<T>['run']): Entry<any> => ({ command, run });

// Each command is loaded when it runs, after guardProcess(): a module that fails as it loads is reported in one line
// like any other failure (and `sample` does not load the demos).
type Load = () => Promise<Entry<OptionTable>>;

const COMMANDS: Record<string, Load> = {
  train: async () => import('./train.js').then((m) => entry(m.trainCommand, m.runTrain)),
  sample: async () => import('./sample.js').then((m) => entry(m.sampleCommand, m.runSample)),
  eval: async () => import('./eval.js').then((m) => entry(m.evalCommand, m.runEval)),
  inspect: async () => import('./inspect.js').then((m) => entry(m.inspectCommand, m.runInspect)),
  convert: async () => import('./convert.js').then((m) => entry(m.convertCommand, m.runConvert)),
  bench: async () => import('./bench.js').then((m) => entry(m.benchCommand, m.runBench)),
};

const DEMOS: Record<string, Load> = {
  addition: async () => import('./demo-addition.js').then((m) => entry(m.additionCommand, m.runAdditionCommand)),
  sentiment: async () => import('./demo-sentiment.js').then((m) => entry(m.sentimentCommand, m.runSentimentCommand)),
};

const VERSION = '0.1.0';

const TOP_HELP = `Usage: simple-rnn <command> [options]

Simple (Elman) RNNs on a WebAssembly SIMD core. With no command, runs \`demo addition\`.

Commands:
  train --text FILE      train a character-level language model on a text file
  sample --model FILE    generate text from a trained model
  eval --model FILE --text FILE
                         loss (nats per token) and perplexity of a model on a text file
  inspect --model FILE --text TEXT
                         one sequence inside a model: states, outputs, gradient through time (an SVG)
  convert IN OUT         a model from one format into another: .rnn, TF.js folder, .safetensors (PyTorch),
                         .onnx; .keras / .h5 as sources
  demo addition          learn to add digit by digit on <= 8 digits, test on 16..100 digits
  demo sentiment         sentiment of 3,000 real review sentences: an RNN beside a bag of words (5-fold CV)
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
    e = await DEMOS.addition(); // no command (npm start): the addition demo, options and all
    args = argv;
  } else if (name === 'demo') {
    const which = rest[0];
    if (which === undefined) throw new UsageError(`demo: which one? expected one of ${Object.keys(DEMOS).join(', ')} (see simple-rnn demo --help)`);
    if (which === '--help' || which === '-h') {
      const demos = await Promise.all(Object.values(DEMOS).map((load) => load()));
      process.stdout.write(`Usage: simple-rnn demo <${Object.keys(DEMOS).join('|')}> [options]\n\n` +
        demos.map((d) => `${d.command.usage}\n  ${d.command.summary.split('\n')[0]}`).join('\n') + '\n');
      return 0;
    }
    e = Object.hasOwn(DEMOS, which) ? await DEMOS[which]() : undefined;
    if (!e) throw new UsageError(`demo: unknown demo "${which}"; expected one of ${Object.keys(DEMOS).join(', ')}`);
    args = rest.slice(1);
  } else {
    e = Object.hasOwn(COMMANDS, name) ? await COMMANDS[name]() : undefined;
    if (!e) throw new UsageError(`unknown command "${name}"; expected one of ${[...Object.keys(COMMANDS), 'demo'].join(', ')} (see simple-rnn --help)`);
  }
  const parsed = parseCommand(e.command, args);
  if (parsed.help) {
    process.stdout.write(helpText(e.command));
    return 0;
  }
  return e.run(parsed.values, parsed.positionals);
}

guardProcess();

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = report(err);
  },
);
