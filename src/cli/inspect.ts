// `simple-rnn inspect`: one sequence through a model, as the training kernels see it (model.trace): the state at every
// step, the output distribution, and how the gradient of the loss fades or grows on its way back through time. Writes
// the picture (src/cli/inspect-svg.ts) and prints a short summary. Reads next-token models and classifiers over a
// vocabulary (--text) and the adder of `demo addition` (--a, --b; --demo addition trains a fresh one here).
import { basename } from 'node:path';
import { SimpleRNN } from '../model.js';
import type { Trace } from '../trace.js';
import { Rng } from '../random.js';
import { argmax, digitsToString, encodeAddition, randomExample } from '../demos/addition.js';
import { EOS_ID, PAD_ID, UNK_ID } from '../text/vocabulary.js';
import { UsageError, type Command, type Values } from './args.js';
import { checkFiles, writeAtomic } from './files.js';
import { FORMATS, formatFor, readModel } from './models.js';
import { clip, inspectSvg, sup, type PictureInput } from './inspect-svg.js';
import { loadCheckpoint } from './lm.js';
import { isTrainMetadata } from './metadata.js';
import { loadTokenizer, type Tokenizer } from './tokenizer.js';

/** Longest sequence a picture takes (steps, pads included): a column is at least 6 px wide. */
export const MAX_STEPS = 1000;
/** At most this many output classes are drawn all at once, in class order (the adder's 10 digits); more: the top k. */
const ALL_CLASSES = 12;

const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
const ADDER = { hiddenSize: 64, trainSteps: 2500, activation: 'tanh', seed: 1, batchSize: 32, maxDigits: 8 };

const options = {
  model: { kind: 'string', value: 'FILE', help: 'checkpoint: of simple-rnn train, of the Trainer (text or addition task), or any model saved with { vocabulary }; or such a model converted (.onnx, .safetensors, a TF.js folder)' },
  from: { kind: 'string', choices: FORMATS, value: 'FORMAT', help: 'format of --model [default: by its extension; other names are checkpoints]' },
  text: { kind: 'string', value: 'TEXT', help: 'the text to look at (next-token models and classifiers)' },
  a: { kind: 'string', value: 'DIGITS', help: 'the adder: the first number' },
  b: { kind: 'string', value: 'DIGITS', help: 'the adder: the second number' },
  target: { kind: 'int', min: 0, max: 1_000_000, help: 'classifiers: the class the loss is taken against [default: the predicted class]' },
  padTo: { kind: 'int', min: 1, max: MAX_STEPS, value: 'N', help: 'run the sequence padded to N steps: the pad steps show the state carried unchanged' },
  topK: { kind: 'int', default: 5, min: 1, max: 20, help: 'outputs over many classes: the most probable ones shown per step' },
  layer: { kind: 'int', min: 0, max: 15, value: 'L', help: 'deep models: the layer whose state is drawn (0 reads the inputs) [default: 0]' },
  reverse: { kind: 'boolean', help: "bidirectional models: draw the layer's reverse direction (its steps shown in the sequence's own order)" },
  out: { kind: 'string', value: 'FILE.svg', help: 'write the picture there' },
  demo: { kind: 'string', choices: ['addition'], value: 'NAME', help: 'instead of --model: a fresh adder, trained here (the options below)' },
  trainSteps: { kind: 'int', min: 0, max: 1_000_000, help: `--demo addition: training steps, 0 for an untrained adder [default: ${ADDER.trainSteps}]` },
  hiddenSize: { kind: 'int', min: 1, max: 4096, help: `--demo addition: H [default: ${ADDER.hiddenSize}]` },
  activation: { kind: 'string', choices: ACTIVATIONS, value: 'NAME', help: `--demo addition: f_s, the state's activation [default: ${ADDER.activation}]` },
  seed: { kind: 'int', min: -(2 ** 31), max: 2 ** 32, help: `--demo addition: seed of the initialisation and the training sums [default: ${ADDER.seed}]` },
  backend: { kind: 'string', default: 'wasm', choices: ['wasm', 'js'], help: 'wasm (SIMD) or js (the pure-JS reference)' },
} as const;

export type InspectValues = Values<typeof options>;

export const inspectCommand: Command<typeof options> = {
  name: 'inspect',
  usage: 'inspect (--model FILE --text TEXT | --demo addition --a DIGITS --b DIGITS) [options]',
  summary:
    'Runs one sequence through a model as training does (one forward and one backward pass, no update) and shows\n' +
    'the inside: the state s^t of every unit at every step, the output distribution per step, and the norm of the\n' +
    'gradient reaching the state, ‖∂L/∂s^t‖, on a log axis, where vanishing and exploding gradients show. The target\n' +
    'is the text shifted by one for a next-token model, the predicted class (or --target) for a classifier, the\n' +
    'right sum for the adder. Prints the loss and the gradient at the first and last step; --out writes the picture.',
  options,
  epilog:
    'Examples:\n' +
    '  simple-rnn inspect --model shakespeare.rnn --text "To be, or not to be" --out tobe.svg\n' +
    '  simple-rnn inspect --model shakespeare.rnn --text "To be" --pad-to 12 --out pads.svg\n' +
    '  simple-rnn inspect --demo addition --a 123456 --b 987654 --out adder.svg\n' +
    '  simple-rnn inspect --demo addition --train-steps 0 --a 123456 --b 987654 --out untrained.svg',
};

type Kind = 'next-token' | 'classifier' | 'adder';

interface Loaded {
  model: SimpleRNN;
  kind: Kind;
  /** Next-token models and classifiers. */
  tokenizer?: Tokenizer;
  /** How the title names the model. */
  name: string;
  /** Class names of a classifier's checkpoint (metadata.classes), when it stores them. */
  classes?: string[];
}

/** What one run of inspect found: the picture's input, the SVG and the summary lines. */
export interface Inspection {
  picture: PictureInput;
  svg: string;
  summary: string;
}

const fail = (msg: string, code = 2) => new UsageError(`inspect: ${msg}`, code);

/** Token labels of a vocabulary: ids to what a reader sees (specials by name, characters as they are). */
function tokenNames(tok: Tokenizer): string[] {
  const char = tok.level === 'char';
  return Array.from({ length: tok.vocabSize }, (_, id) =>
    id === PAD_ID ? '<pad>' : id === UNK_ID ? (char ? '\ufffd' : '<unk>') : id === EOS_ID ? (char ? '\n' : '<eos>') : tok.vocab.tokenOf(id),
  );
}

/** The vocabulary of a checkpoint not written by train, in the forms vocabularyFromMetadata (src/text/lm.ts) reads. */
function vocabularyOf(meta: unknown): unknown {
  if (meta === null || typeof meta !== 'object') return undefined;
  const m = meta as { format?: unknown; vocabulary?: unknown };
  if (m.format === 'simple-rnn/vocabulary') return m; // the vocabulary JSON as the whole metadata
  return m.vocabulary; // the Trainer's text task ({ task: 'text', vocabulary }), and { vocabulary }
}

async function loadModel(path: string, backend: 'wasm' | 'js', from?: string): Promise<Loaded> {
  const format = formatFor('--model', path, from, 'rnn');
  const model = await readModel('--model', path, format, {}, { backend });
  if (isTrainMetadata(model.metadata)) {
    // train's checkpoint: loaded as sample and eval load it, its metadata checked field by field
    model.dispose();
    const r = await loadCheckpoint('--model', path, { backend, from: format });
    return { model: r.model, kind: 'next-token', tokenizer: r.tokenizer, name: basename(path) };
  }
  try {
    const c = model.config;
    const meta = model.metadata as { task?: unknown; classes?: unknown } | undefined;
    const name = basename(path);
    if (c.outputActivation !== 'softmax') {
      throw fail(`${path} has ${c.outputActivation} outputs; inspect reads softmax models (next-token models, classifiers, the adder)`, 1);
    }
    if (meta?.task === 'addition' || (!c.vocabSize && c.inputSize === 20 && c.outputSize === 10 && c.returnSequences)) {
      if (c.vocabSize || c.inputSize !== 20 || c.outputSize !== 10 || !c.returnSequences) {
        throw fail(`${path} says it is the adder, but the model is not (inputSize ${c.inputSize}, outputSize ${c.outputSize}); expected 20 inputs and a digit at every step`, 1);
      }
      return { model, kind: 'adder', name };
    }
    if (!c.vocabSize) {
      throw fail(`${path} is a dense model (inputSize ${c.inputSize}) but not the adder; inspect gives text only to token models`, 1);
    }
    const json = vocabularyOf(model.metadata);
    if (json === undefined) throw fail(`${path} holds no vocabulary, so its token ids cannot be read (save the model with { vocabulary: vocab.toJSON() })`, 1);
    const tokenizer = loadTokenizer(json, path);
    if (tokenizer.vocabSize !== c.vocabSize) {
      throw fail(`${path} has a vocabulary of ${tokenizer.vocabSize} tokens but the model reads vocabSize ${c.vocabSize}`, 1);
    }
    if (c.returnSequences && c.outputSize === c.vocabSize) return { model, kind: 'next-token', tokenizer, name };
    if (!c.returnSequences) {
      const classes = Array.isArray(meta?.classes) && meta.classes.length === c.outputSize && meta.classes.every((s) => typeof s === 'string')
        ? (meta.classes as string[]) : undefined;
      return { model, kind: 'classifier', tokenizer, name, ...(classes ? { classes } : {}) };
    }
    throw fail(`${path} outputs ${c.outputSize} classes at every step over a vocabulary of ${c.vocabSize}; inspect reads next-token models, classifiers (one output) and the adder`, 1);
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** A fresh adder as `demo addition` trains it (Adam, cosine schedule, clip-norm 1, batches of one length), shorter. */
async function freshAdder(o: InspectValues): Promise<Loaded> {
  const steps = o.trainSteps ?? ADDER.trainSteps;
  const H = o.hiddenSize ?? ADDER.hiddenSize;
  const activation = (o.activation ?? ADDER.activation) as (typeof ACTIVATIONS)[number];
  const seed = o.seed ?? ADDER.seed;
  const model = await SimpleRNN.create({
    inputSize: 20, hiddenSize: H, outputSize: 10, outputActivation: 'softmax', returnSequences: true, activation,
    backend: o.backend as 'wasm' | 'js', seed, optimizer: 'adam', learningRate: 0.01, clipNorm: 1,
    schedule: { type: 'cosine', decaySteps: Math.max(1, steps - 100), warmupSteps: Math.min(100, steps) },
  });
  const t0 = performance.now();
  if (steps > 0) process.stderr.write(`Training a fresh adder for ${steps} steps (H=${H} ${activation}, seed ${seed})...\n`); // progress: stderr
  const rng = new Rng(seed * 7919 + 17); // the data's stream, as demo addition seeds it
  const last: number[] = [];
  for (let s = 0; s < steps; s++) {
    const n = 1 + rng.int(ADDER.maxDigits);
    const batch = Array.from({ length: ADDER.batchSize }, () => encodeAddition(randomExample(rng, n)));
    const loss = model.trainBatch(batch.map((e) => e.x), batch.map((e) => e.y), { onNonFinite: 'skip' });
    if (s >= steps - 50) last.push(loss);
  }
  const name = steps === 0 ? 'an untrained adder' : `an adder trained ${steps} steps`;
  if (steps > 0) {
    const mean = last.reduce((a, v) => a + v, 0) / last.length;
    process.stdout.write(
      `Trained a fresh adder: ${steps} steps of ${ADDER.batchSize} sums of 1-${ADDER.maxDigits} digits, H=${H} ${activation}, ` +
        `seed ${seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s; loss of the last steps ${mean.toFixed(4)} nats/digit.\n`,
    );
  }
  return { model, kind: 'adder', name };
}

/** A decimal number's digits, least significant first. */
function digitsOf(flag: string, s: string | undefined): number[] {
  if (s === undefined) throw fail('the adder needs both numbers: --a DIGITS --b DIGITS (see simple-rnn inspect --help)');
  if (!/^\d+$/.test(s)) throw fail(`${flag} must be a number written in decimal digits, such as 123; got "${s}"`);
  if (s.length >= MAX_STEPS) throw fail(`${flag} has ${s.length} digits; at most ${MAX_STEPS - 1} fit in a picture`);
  return Array.from(s, Number).reverse();
}

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? String(v) : v === 0 ? '0' : v.toExponential(2));

/** Builds everything inspect shows, without writing it (the command and the tests both call this). */
export async function inspect(o: InspectValues): Promise<Inspection> {
  if (o.demo && o.model) throw fail('--demo addition makes its own model; give --model FILE or --demo addition, not both');
  if (!o.demo && !o.model) throw fail('--model FILE (or --demo addition) is required (see simple-rnn inspect --help)');
  if (o.model) {
    const demoOnly = (['trainSteps', 'hiddenSize', 'activation', 'seed'] as const).filter((k) => o[k] !== undefined);
    if (demoOnly.length > 0) throw fail(`--${demoOnly[0].replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is an option of --demo addition (a model from --model is used as it is)`);
  }
  // what can be checked before a model is loaded or trained
  if (o.a !== undefined) digitsOf('--a', o.a);
  if (o.b !== undefined) digitsOf('--b', o.b);
  if (o.demo) {
    if (o.text !== undefined) throw fail('--demo addition is the adder: it reads two numbers (--a and --b), not --text');
    if (o.target !== undefined) throw fail('--target is for classifiers; the target of the adder is the right sum');
    const steps = Math.max(digitsOf('--a', o.a).length, digitsOf('--b', o.b).length) + 1;
    if (o.padTo !== undefined && o.padTo < steps) throw fail(`--pad-to ${o.padTo} is shorter than the sequence (${steps} steps); expected at least ${steps}`);
  }
  checkFiles('inspect', [{ flag: '--model', path: o.model, read: true }, { flag: '--out', path: o.out, write: true }]);
  const backend = o.backend as 'wasm' | 'js';
  const loaded = o.model ? await loadModel(o.model, backend, o.from) : await freshAdder(o);
  const { model } = loaded;
  try {
    return examine(o, loaded);
  } finally {
    model.dispose();
  }
}

function examine(o: InspectValues, loaded: Loaded): Inspection {
  const { model, kind } = loaded;
  const c = model.config;
  const where = o.model ?? '--demo addition';
  if (kind === 'adder' && o.text !== undefined) throw fail(`${where} is the adder: it reads two numbers (--a and --b), not --text`);
  if (kind !== 'adder' && (o.a !== undefined || o.b !== undefined)) throw fail(`--a and --b are for the adder; ${where} is a ${kind} model: give --text`);
  if (kind !== 'classifier' && o.target !== undefined) throw fail(`--target is for classifiers; the target of ${kind === 'adder' ? 'the adder is the right sum' : 'a next-token model is the next token'}`);
  const padOk = (steps: number) => {
    if (steps > MAX_STEPS) throw fail(`the sequence has ${steps} steps; at most ${MAX_STEPS} fit in a picture (shorten it)`);
    if (o.padTo !== undefined && o.padTo < steps) throw fail(`--pad-to ${o.padTo} is shorter than the sequence (${steps} steps); expected at least ${steps}`);
  };
  const traceOptions = (target: unknown) => ({ target: target as never, ...(o.padTo !== undefined ? { padTo: o.padTo } : {}) });
  let trace: Trace;
  let tokens: string[];
  let classes: string[];
  let targets: number[];
  let outputRows: 'all' | number;
  let outputTitle: string;
  let outputNote: string;
  let shown: string; // the input, as the title quotes it
  let what: string; // the model and the target, in words
  let unit = 'step';
  const lines: string[] = [];

  if (kind === 'adder') {
    const a = digitsOf('--a', o.a);
    const b = digitsOf('--b', o.b);
    const n = Math.max(a.length, b.length);
    while (a.length < n) a.push(0);
    while (b.length < n) b.push(0);
    const { x, y } = encodeAddition({ a, b });
    padOk(n + 1);
    trace = model.trace(x, traceOptions(y));
    tokens = Array.from({ length: n + 1 }, (_, t) => `${a[t] ?? 0}+${b[t] ?? 0}`);
    classes = Array.from({ length: 10 }, (_, d) => String(d));
    targets = y;
    outputRows = 'all';
    outputTitle = 'the output: p(digit) at every step';
    outputNote = 'the right digit outlined';
    const number = (d: number[]) => digitsToString(d).replace(/^0+(?=\d)/, ''); // the final carry step's 0 too
    const predicted = number(trace.outputs.map(argmax));
    const right = number(y);
    shown = `${o.a} + ${o.b}`;
    what = `one digit pair per step, least significant first (${n + 1} steps); target: the right sum, ${right}`;
    unit = 'digit';
    lines.push(`predicted ${shown} = ${predicted} (${predicted === right ? 'right' : `wrong: the sum is ${right}`})`);
  } else {
    const tok = loaded.tokenizer!;
    const text = o.text;
    if (text === undefined || text === '') throw fail(`${where} reads text: give --text "..." (see simple-rnn inspect --help)`);
    // a classifier reads the words alone (the sentiment demo trains without end-of-sentence ids)
    const ids = kind === 'classifier' ? tok.encode(text).filter((id) => id !== EOS_ID) : tok.encode(text);
    const names = tokenNames(tok);
    const unknown = tok.countUnknown(ids);
    shown = text;
    unit = tok.unit;
    if (kind === 'next-token') {
      if (ids.length < 2) throw fail(`--text has ${ids.length} ${tok.unit}; at least 2 are needed (a token and the next)`);
      const inputs = ids.subarray(0, ids.length - 1);
      const next = ids.subarray(1);
      padOk(inputs.length);
      trace = model.trace(inputs, traceOptions(next));
      tokens = Array.from(inputs, (id) => names[id]);
      classes = names;
      targets = Array.from(next);
      outputRows = c.outputSize <= ALL_CLASSES ? 'all' : Math.min(o.topK, c.outputSize);
      outputTitle = outputRows === 'all' ? `the output: p(next ${tok.unit}) at every step` : `the output: the ${outputRows} most probable next ${tok.unit}s at every step`;
      outputNote = outputRows === 'all' ? `the actual next ${tok.unit} outlined` : `the actual next ${tok.unit} outlined when among them, and in the last row with its probability`;
      what = `next-${tok.unit} model over ${tok.vocabSize} tokens; ${ids.length} ${tok.unit}s, ${inputs.length} steps; target: each next ${tok.unit}`;
    } else {
      padOk(ids.length);
      const first = model.trace(ids, o.padTo !== undefined ? { padTo: o.padTo } : {});
      const predicted = argmax(first.outputs[0]);
      const target = o.target ?? predicted;
      if (target >= c.outputSize) throw fail(`--target must be a class in [0, ${c.outputSize}); got ${target}`);
      trace = model.trace(ids, traceOptions(target));
      tokens = Array.from(ids, (id) => names[id]);
      classes = loaded.classes ?? Array.from({ length: c.outputSize }, (_, k) => String(k));
      targets = [target];
      outputRows = c.outputSize <= ALL_CLASSES ? 'all' : Math.min(o.topK, c.outputSize);
      outputTitle = `the output after the last ${tok.unit}: p(class)`;
      outputNote = o.target === undefined ? 'the target, the predicted class, outlined' : 'the target class outlined';
      const p = first.outputs[0][predicted];
      what = `classifier over ${c.outputSize} classes; ${ids.length} ${tok.unit}s; target: class ${classes[target]}${o.target === undefined ? ' (the predicted class)' : ''}`;
      lines.push(`predicted class ${classes[predicted]} (p ${p.toFixed(3)})`);
    }
    if (unknown > 0) lines.push(`${unknown} of the ${tok.unit}s are not in the model's vocabulary (shown as ${tok.level === 'char' ? '\ufffd' : '<unk>'})`);
  }

  trace = layerView(trace, o.layer ?? 0, o.reverse ?? false);
  const g = trace.stateGradNorms!;
  const first = g[0];
  const lastT = trace.length;
  const last = g[lastT - 1];
  const ratio = first / last;
  const padded = trace.steps > trace.length ? `, padded to ${trace.steps} steps (${trace.steps - trace.length} pads)` : '';
  const H = trace.states[0].length;
  const which = trace.layers.length > 1 ? `, layer ${o.layer ?? 0}${o.reverse ? ' reverse' : ''}` : '';
  const title = `${loaded.name} (H=${H}${which}, ${c.activation}): "${clip(shown, 60)}"`;
  const subtitle = `${what}${padded} · loss ${trace.loss!.toFixed(4)} nats/${unit} · ‖∂L/∂s¹‖ / ‖∂L/∂s${sup(lastT)}‖ = ${fmt(ratio)}`;
  const picture: PictureInput = { trace, title, subtitle, activation: c.activation, tokens, classes, targets, outputRows, outputTitle, outputNote };
  const svg = inspectSvg(picture);
  const summary = [
    `${loaded.name}: H=${H} ${c.activation}, ${what}${padded}`,
    ...(kind === 'adder' ? [] : [JSON.stringify(clip(shown, 72))]), // the adder's sum is in its own line
    ...lines,
    `loss ${trace.loss!.toFixed(4)} nats/${unit}`,
    `‖∂L/∂s${sup('t')}‖ at t=1: ${fmt(first)}, at t=${lastT} (the last ${trace.length < trace.steps ? 'real ' : ''}step): ${fmt(last)}; ` +
      `first/last ${fmt(ratio)}`,
    `‖∂L/∂s⁰‖ ${fmt(trace.initialStateGradNorm)}, ‖dW_s‖ ${fmt(trace.weightGradNorm)}`,
  ].join('\n') + '\n';
  return { picture, svg, summary };
}

/**
 * The trace with one layer-direction's states and gradients at its top level, in the sequence's own step order (a
 * reverse direction, or a goBackwards model, reads the real steps last to first: its reading steps are put back in
 * place; pads stay at the end).
 */
export function layerView(trace: Trace, layer: number, reverse: boolean): Trace {
  const L = trace.layers.find((x) => x.layer === layer && x.direction === (reverse ? 'reverse' : 'forward'));
  if (!L) {
    const have = trace.layers.map((x) => `${x.layer}${x.direction === 'reverse' ? ' reverse' : ''}`).join(', ');
    throw fail(`the model has no layer ${layer}${reverse ? ' reverse direction' : ''}; it has: ${have}`);
  }
  // k-th reading step read the sequence's step L.reads[k] (1-based; 0 on pads): invert that to show step t at t
  const at = Array.from({ length: trace.steps }, (_, t) => t); // reading index shown at column t
  L.reads.forEach((step, k) => {
    if (step > 0) at[step - 1] = k;
  });
  const pick = <T>(a: T[] | undefined): T[] | undefined => (a ? at.map((k) => a[k]) : undefined);
  return {
    ...trace,
    states: [L.states[0], ...at.map((k) => L.states[k + 1])],
    preActivations: pick(L.preActivations)!,
    stateGradNorms: pick(L.stateGradNorms),
    preActivationGradNorms: pick(L.preActivationGradNorms),
    weightGradTerms: pick(L.weightGradTerms),
    initialStateGradNorm: L.initialStateGradNorm,
    weightGradNorm: L.weightGradNorm,
  };
}

export async function runInspect(o: InspectValues): Promise<number> {
  const r = await inspect(o);
  process.stdout.write(r.summary);
  if (o.out) {
    writeAtomic('--out', o.out, r.svg);
    const t = r.picture.trace;
    process.stdout.write(`Wrote the picture to ${o.out} (${t.states[0].length} units x ${t.steps} steps)\n`);
  }
  return 0;
}
