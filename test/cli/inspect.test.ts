// `simple-rnn inspect`: the picture of a trace (src/cli/inspect-svg.ts, on made-up traces) and the command end to end
// (src/cli/inspect.ts, run in-process on checkpoints made here: a next-character model with train's metadata, a
// word model, a classifier, the adder). Every SVG goes through the strict XML parser of test/cli/xml.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import type { Trace } from '../../src/trace.js';
import { helpText, parseCommand, UsageError } from '../../src/cli/args.js';
import { inspect, inspectCommand, runInspect } from '../../src/cli/inspect.js';
import { inspectSvg, printable, visible, type PictureInput } from '../../src/cli/inspect-svg.js';
import type { TrainMetadata } from '../../src/cli/metadata.js';
import { buildTokenizer, type Tokenizer } from '../../src/cli/tokenizer.js';
import { allElements, parseXml, type XmlElement } from './xml.js';

const byClass = (root: XmlElement, cls: string) => allElements(root).filter((e) => (e.attrs.class ?? '').split(' ').includes(cls));
/** The state heatmap: one group per step (data-t), one rect per unit. */
const columns = (root: XmlElement) => byClass(root, 'col');
const cells = (root: XmlElement) => columns(root).flatMap((g) => g.children.filter((e) => e.name === 'rect'));

// ---- the picture, on made-up traces ----

/** A trace of H units over `steps` steps, the last `pads` of them pads (the state carried, as the kernels do). */
function fakeTrace(H: number, length: number, pads: number, grads: number[] | null): Trace {
  const steps = length + pads;
  const states = [new Float32Array(H)];
  for (let t = 1; t <= steps; t++) {
    states.push(t <= length ? Float32Array.from({ length: H }, (_, h) => Math.tanh(0.3 * t - 0.5 * h)) : states[length].slice());
  }
  const outputs = Array.from({ length }, (_, k) => Float32Array.from([0.1, 0.6, 0.3].map((p, c) => (c === k % 3 ? p + 0.3 : p) / 1.3)));
  const tr: Trace = {
    steps, length, pad: Array.from({ length: steps }, (_, k) => k >= length), states,
    preActivations: Array.from({ length: steps }, () => new Float64Array(H)), outputs, layers: [],
  };
  if (grads) {
    tr.loss = 1.25;
    tr.stateGradNorms = grads;
    tr.preActivationGradNorms = grads.map((g, k) => (k < length ? g / 2 : 0));
    tr.initialStateGradNorm = grads[0] / 3;
    tr.weightGradTerms = grads.map(() => 1);
    tr.weightGradNorm = 2;
  }
  return tr;
}

const picture = (tr: Trace, over: Partial<PictureInput> = {}): PictureInput => ({
  trace: tr, title: 'tiny (H=3, tanh): "abc"', subtitle: 'a made-up trace', activation: 'tanh',
  tokens: ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, tr.length), classes: ['x', 'y', 'z'],
  targets: tr.outputs.map((_, k) => k % 3), outputRows: 'all', outputTitle: 'p(class)', ...over,
});

describe('inspectSvg', () => {
  const grads = [1e-4, 1e-2, 1, 0, 0]; // t = 1..3 real, 4..5 pads where nothing comes back
  const svg = inspectSvg(picture(fakeTrace(3, 3, 2, grads)));
  const root = parseXml(svg);

  it('is one well-formed SVG document', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.endsWith('</svg>\n')).toBe(true);
  });

  it('has exactly H x steps state cells, pads included, and a token label per real step', () => {
    expect(cells(root)).toHaveLength(3 * 5);
    expect(columns(root).map((g) => g.attrs['data-t'])).toEqual(['1', '2', '3', '4', '5']);
    expect(byClass(root, 'token').map((e) => e.text)).toEqual(['a', 'b', 'c']);
  });

  it('hatches the pad columns, and the carried state shows through: a pad column has the colours of the last real step', () => {
    const pads = byClass(root, 'pad');
    expect(pads).toHaveLength(2);
    expect(pads.every((p) => p.attrs.fill === 'url(#hatch)')).toBe(true);
    const fills = columns(root).map((g) => g.children.map((r) => r.attrs.fill));
    const xs = columns(root).map((g) => /translate\((\d+)/.exec(g.attrs.transform)![1]);
    expect(pads.map((p) => p.attrs.x)).toEqual(xs.slice(3));
    const column = (x: string) => fills[xs.indexOf(x)];
    expect(column(xs[3])).toEqual(column(xs[2]));
    expect(column(xs[4])).toEqual(column(xs[2]));
    expect(column(xs[1])).not.toEqual(column(xs[2]));
  });

  it('draws the gradient on a log axis: one point per step, equal ratios at equal distances, zeros on the floor', () => {
    const pts = byClass(root, 'grad');
    expect(pts.map((p) => Number(p.attrs['data-t']))).toEqual([1, 2, 3, 4, 5]);
    const real = pts.filter((p) => !byClass(p, 'zero').length && !(p.attrs.class ?? '').includes('zero'));
    expect(real).toHaveLength(3);
    const cy = real.map((p) => Number(p.attrs.cy));
    // 1e-4 -> 1e-2 -> 1: two equal factors of 100, so two equal steps up (a linear axis would put 1e-4 and 1e-2 together)
    expect(cy[0]).toBeGreaterThan(cy[1]);
    expect(cy[0] - cy[1]).toBeCloseTo(cy[1] - cy[2], 0);
    const zeros = pts.filter((p) => (p.attrs.class ?? '').includes('zero'));
    expect(zeros.map((p) => p.attrs['data-t'])).toEqual(['4', '5']);
    expect(zeros.every((p) => Number(p.attrs.cy) >= cy[0])).toBe(true);
    const ticks = byClass(root, 'ytick').map((e) => e.text);
    expect(ticks).toEqual(expect.arrayContaining(['1e-4', '0.01', '1']));
    expect(byClass(root, 'grad-line')).toHaveLength(1);
  });

  it('draws every class of a small output and outlines each target', () => {
    expect(byClass(root, 'out')).toHaveLength(3 * 3);
    expect(byClass(root, 'target')).toHaveLength(3);
  });

  it('top-k: k cells per output, the class names inside, and a target row', () => {
    const tr = fakeTrace(3, 3, 0, [1, 1, 1]);
    const r = parseXml(inspectSvg(picture(tr, { outputRows: 2 })));
    expect(byClass(r, 'out')).toHaveLength(2 * 3);
    expect(byClass(r, 'out-target')).toHaveLength(3);
    expect(byClass(r, 'pad')).toHaveLength(0);
  });

  it('a many-to-one output sits in the column of the last real step', () => {
    const tr = fakeTrace(2, 4, 1, [0.5, 0.4, 0.3, 0.2, 0]);
    tr.outputs = [tr.outputs[0]];
    const r = parseXml(inspectSvg(picture(tr, { targets: [1] })));
    const xs = columns(r).map((g) => /translate\((\d+)/.exec(g.attrs.transform)![1]);
    const outs = byClass(r, 'out');
    expect(outs).toHaveLength(3);
    expect(new Set(outs.map((o) => o.attrs.x))).toEqual(new Set([xs[3]]));
  });

  it('escapes markup and keeps control characters out of the XML; without a target it says so', () => {
    const tr = fakeTrace(2, 4, 0, null);
    const r = parseXml(inspectSvg(picture(tr, {
      title: 'a </svg> & "b" <c>\u0007', tokens: ['<', '&', '"', '\n'], classes: ['<x>', "'", '\u0001'], targets: undefined,
    })));
    const texts = allElements(r).filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts[0]).toBe('a &lt;/svg&gt; &amp; &quot;b&quot; &lt;c&gt;\u2407');
    expect(byClass(r, 'token').map((e) => e.text)).toEqual(['&lt;', '&amp;', '&quot;', '\u21b5']);
    expect(allElements(r).some((e) => e.name === 'tspan' && e.text.includes('no target'))).toBe(true);
    expect(byClass(r, 'grad')).toHaveLength(0);
  });

  it('visible() shows blanks and controls, printable() keeps spaces', () => {
    expect(visible(' \n\t\u0000x')).toBe('\u2423\u21b5\u21e5\u2400x');
    expect(printable('to be\nor')).toBe('to be\u240aor');
    expect(printable('\ud800x')).toBe('\ufffdx');
  });

  it('a relu state is drawn on ±max|s| (the largest value is full colour), a tanh state on ±1', () => {
    const tr = fakeTrace(1, 2, 0, [1, 1]);
    tr.states = [Float32Array.of(0), Float32Array.of(0.25), Float32Array.of(0.5)];
    const fills = (act: string) => cells(parseXml(inspectSvg(picture(tr, { activation: act })))).map((c) => c.attrs.fill);
    expect(fills('relu')[1]).toBe('#b2182b');
    expect(fills('tanh')[1]).not.toBe('#b2182b');
  });
});

describe('the pictures of docs/inspect.md', () => {
  it.each([
    ['docs/inspect-lm.svg', 64, 40, 32],
    ['docs/inspect-addition.svg', 64, 34, 31],
  ])('%s is well-formed, with H=%i x %i cells and %i token labels', (file, H, steps, length) => {
    const root = parseXml(readFileSync(join(__dirname, '../..', file), 'utf8'));
    expect(cells(root)).toHaveLength(H * steps);
    expect(byClass(root, 'token')).toHaveLength(length);
    expect(byClass(root, 'pad')).toHaveLength(steps - length);
    expect(byClass(root, 'grad')).toHaveLength(steps);
  });
});

// ---- the command, in-process ----

const dir = mkdtempSync(join(tmpdir(), 'simple-rnn-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out: string[] = [];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

/** train's metadata around a vocabulary, as simple-rnn train writes it. */
function trainMeta(tok: Tokenizer): TrainMetadata {
  return {
    format: 'simple-rnn/cli-train', version: 1, vocabulary: tok.toJSON(),
    cursor: { segment: 0, steps: 0, seconds: 0 },
    run: { text: 'tiny.txt', textCrc: 0, textTokens: 100, level: tok.level, valSplit: 0.1, seqLength: 16, batchSize: 4, chunks: 2, seed: 1, optimizer: 'adam' },
    history: { train: [], val: [] },
  };
}

const TEXT = 'the cat sat on the mat. a dog ran in the park.\n';

async function save(name: string, model: SimpleRNN, metadata: unknown): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, model.save(metadata));
  model.dispose();
  return path;
}

async function charModel(activation: 'tanh' | 'relu' = 'tanh'): Promise<{ path: string; tok: Tokenizer }> {
  const tok = buildTokenizer('char', TEXT);
  const model = await SimpleRNN.create({ vocabSize: tok.vocabSize, hiddenSize: 12, outputSize: tok.vocabSize, returnSequences: true, activation, seed: 3, optimizer: 'adam' });
  const ids = tok.encode(TEXT);
  for (let s = 0; s < 30; s++) model.trainBatch([ids.subarray(0, ids.length - 1)], [ids.subarray(1)] as never);
  return { path: await save(`char-${activation}.rnn`, model, trainMeta(tok)), tok };
}

const run = async (argv: string[]) => {
  const p = parseCommand(inspectCommand, argv);
  return runInspect(p.values);
};
const svgOf = (path: string) => parseXml(readFileSync(path, 'utf8'));

describe('inspect: a next-character model (train\'s checkpoint)', () => {
  it('writes H x steps cells, a label per input character, one gradient point per step; prints the loss and the ratio', async () => {
    const { path, tok } = await charModel();
    const pic = join(dir, 'char.svg');
    const text = 'the cat sat';
    expect(await run(['--model', path, '--text', text, '--out', pic])).toBe(0);
    const steps = text.length - 1; // the target is the text shifted by one
    const root = svgOf(pic);
    expect(cells(root)).toHaveLength(12 * steps);
    expect(byClass(root, 'token').map((e) => e.text)).toEqual(Array.from(text.slice(0, -1), (c) => (c === ' ' ? '\u2423' : c)));
    expect(byClass(root, 'grad')).toHaveLength(steps);
    expect(byClass(root, 'grad').every((p) => Number(p.attrs['data-value']) > 0)).toBe(true);
    expect(byClass(root, 'pad')).toHaveLength(0);
    // V = 17 > 12 classes: the 5 most probable per step, and the actual next character below them
    expect(byClass(root, 'out')).toHaveLength(5 * steps);
    expect(byClass(root, 'out-target')).toHaveLength(steps);
    const title = allElements(root).find((e) => e.name === 'text')!.text;
    expect(title).toContain('H=12, tanh');
    expect(title).toContain('the cat sat');
    // the summary: the loss is what evaluate computes on the same pairs
    const so = out.join('');
    const m = await SimpleRNN.load(readFileSync(path));
    const ids = tok.encode(text);
    const loss = m.evaluate([ids.subarray(0, -1)], [ids.subarray(1)] as never).loss;
    m.dispose();
    expect(so).toContain(`loss ${loss.toFixed(4)} nats/char`);
    expect(so).toMatch(/‖∂L\/∂sᵗ‖ at t=1: \S+, at t=10 \(the last step\): \S+; first\/last \S+/);
    expect(so).toContain(`Wrote the picture to ${pic} (12 units x 10 steps)`);
  });

  it('--pad-to: hatched pad columns whose state is the last real one, the gradient 0 there (nothing comes back)', async () => {
    const { path } = await charModel();
    const r = await inspect(parseCommand(inspectCommand, ['--model', path, '--text', 'the cat', '--pad-to', '10']).values);
    const tr = r.picture.trace;
    expect(tr.steps).toBe(10);
    expect(tr.length).toBe(6);
    for (let t = 7; t <= 10; t++) expect(Array.from(tr.states[t])).toEqual(Array.from(tr.states[6]));
    const root = parseXml(r.svg);
    expect(cells(root)).toHaveLength(12 * 10);
    expect(byClass(root, 'token')).toHaveLength(6);
    expect(byClass(root, 'pad')).toHaveLength(4);
    expect(byClass(root, 'grad')).toHaveLength(10);
    expect(byClass(root, 'zero').map((p) => p.attrs['data-t'])).toEqual(['7', '8', '9', '10']);
    expect(r.summary).toContain('padded to 10 steps (4 pads)');
    expect(r.summary).toContain('at t=6 (the last real step)');
  });

  it('a word model: words and <eos> as labels', async () => {
    const tok = buildTokenizer('word', TEXT.repeat(3), { minCount: 1 });
    const model = await SimpleRNN.create({ vocabSize: tok.vocabSize, embeddingSize: 4, hiddenSize: 6, outputSize: tok.vocabSize, returnSequences: true, seed: 2, optimizer: 'adam' });
    const path = await save('word.rnn', model, trainMeta(tok));
    const r = await inspect(parseCommand(inspectCommand, ['--model', path, '--text', 'the cat ran. the dog sat.']).values);
    const root = parseXml(r.svg);
    const labels = byClass(root, 'token').map((e) => e.text);
    expect(labels).toEqual(['the', 'cat', 'ran', '.', '&lt;eos&gt;', 'the', 'dog', 'sat', '.']);
    expect(cells(root)).toHaveLength(6 * labels.length);
  });
});

describe('inspect: deep and bidirectional models, any layer and direction', () => {
  it('--layer and --reverse draw that layer-direction in the sequence\'s own step order; a missing one is refused', async () => {
    const tok = buildTokenizer('char', TEXT);
    const model = await SimpleRNN.create({ vocabSize: tok.vocabSize, hiddenSize: [7, 5], layers: 2, bidirectional: true, outputSize: tok.vocabSize, returnSequences: true, seed: 4, optimizer: 'adam' });
    const path = await save('bi.rnn', model, trainMeta(tok));
    const r = await inspect(parseCommand(inspectCommand, ['--model', path, '--text', 'the cat', '--layer', '1', '--reverse', '--pad-to', '9']).values);
    const tr = r.picture.trace;
    const L = tr.layers.find((x) => x.layer === 1 && x.direction === 'reverse')!;
    // the reverse direction reads step 6 first: the state shown at step 6 is its first reading step's
    expect(Array.from(tr.states[6])).toEqual(Array.from(L.states[1]));
    expect(Array.from(tr.states[1])).toEqual(Array.from(L.states[6]));
    expect(tr.stateGradNorms![0]).toBe(L.stateGradNorms![5]);
    const root = parseXml(r.svg);
    expect(cells(root)).toHaveLength(5 * 9);
    expect(r.svg).toContain('layer 1 reverse');
    await expect(inspect(parseCommand(inspectCommand, ['--model', path, '--text', 'the cat', '--layer', '2']).values)).rejects.toThrow(/has no layer 2; it has: 0, 0 reverse, 1, 1 reverse/);
    model.dispose();
  });
});

describe('inspect: a classifier and the adder', () => {
  it('a classifier: the output after the last token, the loss against the predicted class or --target', async () => {
    const tok = buildTokenizer('char', TEXT);
    const model = await SimpleRNN.create({ vocabSize: tok.vocabSize, hiddenSize: 5, outputSize: 3, seed: 5 });
    const path = await save('cls.rnn', model, { vocabulary: tok.toJSON(), classes: ['neg', 'neu', 'pos'] });
    const r = await inspect(parseCommand(inspectCommand, ['--model', path, '--text', 'a cat']).values);
    expect(r.picture.targets).toHaveLength(1);
    expect(r.summary).toMatch(/predicted class (neg|neu|pos) \(p 0\.\d{3}\)/);
    expect(r.summary).toContain('(the predicted class)');
    const root = parseXml(r.svg);
    expect(byClass(root, 'out')).toHaveLength(3);
    expect(byClass(root, 'target')).toHaveLength(1);
    expect(byClass(root, 'grad')).toHaveLength(5);
    const given = await inspect(parseCommand(inspectCommand, ['--model', path, '--text', 'a cat', '--target', '2', '--pad-to', '8']).values);
    expect(given.summary).toContain('target: class pos');
    expect(byClass(parseXml(given.svg), 'pad')).toHaveLength(3);
  });

  it('the adder (a Trainer checkpoint): one step per digit pair and the carry step, the predicted sum', async () => {
    const model = await SimpleRNN.create({ inputSize: 20, hiddenSize: 8, outputSize: 10, outputActivation: 'softmax', returnSequences: true, seed: 1 });
    const path = await save('adder.rnn', model, { task: 'addition' });
    const pic = join(dir, 'adder.svg');
    expect(await run(['--model', path, '--a', '123', '--b', '4567', '--out', pic])).toBe(0);
    const root = svgOf(pic);
    expect(byClass(root, 'token').map((e) => e.text)).toEqual(['3+7', '2+6', '1+5', '0+4', '0+0']);
    expect(cells(root)).toHaveLength(8 * 5);
    expect(byClass(root, 'out')).toHaveLength(10 * 5); // every digit at every step
    expect(byClass(root, 'target')).toHaveLength(5);
    expect(byClass(root, 'grad')).toHaveLength(5);
    expect(out.join('')).toMatch(/predicted 123 \+ 4567 = \d{4,5} \((right|wrong: the sum is 4690)\)/);
  });

  it('--demo addition: a fresh adder, untrained or trained here; tanh and relu', async () => {
    const a = await inspect(parseCommand(inspectCommand, ['--demo', 'addition', '--train-steps', '0', '--hidden-size', '8', '--a', '99', '--b', '1']).values);
    expect(a.picture.title).toContain('an untrained adder (H=8, tanh)');
    expect(a.picture.trace.steps).toBe(3);
    const b = await inspect(parseCommand(inspectCommand, ['--demo', 'addition', '--train-steps', '20', '--hidden-size', '8', '--activation', 'relu', '--a', '99', '--b', '1', '--pad-to', '6']).values);
    expect(b.picture.title).toContain('an adder trained 20 steps (H=8, relu)');
    expect(out.join('')).toMatch(/Trained a fresh adder: 20 steps/);
    expect(byClass(parseXml(b.svg), 'pad')).toHaveLength(3);
  });
});

describe('inspect: mistakes are one line naming the option', () => {
  let lm = '';
  let adder = '';
  let plain = '';
  let forged = '';
  beforeEach(async () => {
    if (lm) return;
    const { path, tok } = await charModel();
    lm = path;
    const m = await SimpleRNN.create({ vocabSize: tok.vocabSize, hiddenSize: 4, outputSize: tok.vocabSize, returnSequences: true, optimizer: 'sgd' });
    const meta = trainMeta(tok);
    forged = await save('forged.rnn', m, { ...meta, run: { ...meta.run, hiddenSize: 8 } }); // the model has H=4
    adder = await save('adder2.rnn', await SimpleRNN.create({ inputSize: 20, hiddenSize: 4, outputSize: 10, returnSequences: true }), { task: 'addition' });
    plain = await save('plain.rnn', await SimpleRNN.create({ vocabSize: 9, hiddenSize: 4, outputSize: 9, returnSequences: true }), { note: 'no vocabulary' });
  });
  const cases: [string, () => string[], RegExp][] = [
    ['no model', () => ['--text', 'x'], /--model FILE \(or --demo addition\) is required/],
    ['both', () => ['--model', lm, '--demo', 'addition'], /not both/],
    ['demo options with a model', () => ['--model', lm, '--text', 'abc', '--hidden-size', '9'], /--hidden-size is an option of --demo addition/],
    ['numbers for a text model', () => ['--model', lm, '--a', '1', '--b', '2'], /--a and --b are for the adder/],
    ['text for the adder', () => ['--model', adder, '--text', 'hi'], /reads two numbers \(--a and --b\), not --text/],
    ['one number', () => ['--model', adder, '--a', '12'], /needs both numbers/],
    ['not digits', () => ['--model', adder, '--a', '12x', '--b', '3'], /--a must be a number written in decimal digits.*got "12x"/],
    ['no text', () => ['--model', lm], /give --text/],
    ['checked before the adder trains', () => ['--demo', 'addition', '--a', '1', '--b', '2.5'], /--b must be a number written in decimal digits/],
    ['text for the demo adder', () => ['--demo', 'addition', '--text', 'hi'], /reads two numbers/],
    ['short pad for the demo adder', () => ['--demo', 'addition', '--a', '123', '--b', '4', '--pad-to', '3'], /--pad-to 3 is shorter than the sequence \(4 steps\)/],
    ['one character', () => ['--model', lm, '--text', 'a'], /at least 2 are needed/],
    ['short pad', () => ['--model', lm, '--text', 'the cat', '--pad-to', '3'], /--pad-to 3 is shorter than the sequence \(6 steps\)/],
    ['target for a next-token model', () => ['--model', lm, '--text', 'abc', '--target', '1'], /--target is for classifiers/],
    ['no vocabulary', () => ['--model', plain, '--text', 'abc'], /holds no vocabulary/],
    ["train's metadata checked as sample and eval check it", () => ['--model', forged, '--text', 'abc'], /checkpoint metadata run\.hiddenSize = 8 does not match the model's hiddenSize \(4\)/],
    ['no such file', () => ['--model', join(dir, 'nope.rnn'), '--text', 'abc'], /cannot read --model .*nope\.rnn: no such file/],
    ['unknown option', () => ['--model', lm, '--txt', 'abc'], /inspect: unknown option --txt/],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const err = await run(argv()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('--help lists the options and the examples', () => {
    const h = helpText(inspectCommand);
    for (const f of ['--model', '--text', '--pad-to', '--out', '--demo', '--a', '--b', '--target', '--top-k']) expect(h).toContain(f);
    expect(h).toContain('simple-rnn inspect --demo addition');
  });
});
