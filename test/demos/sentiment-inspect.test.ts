// `simple-rnn demo sentiment --save FILE` (quick mode, in-process from src/): the checkpoint is fold 1's first forward
// RNN of the run, SimpleRNN.load reads it, its metadata's vocabulary tokenizes as the demo did (it scores fold 1 as the
// run reported), and `simple-rnn inspect` (its inspect()) turns it into a well-formed picture of a negated sentence;
// the two pictures of docs/sentiment.md are well-formed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import { Vocabulary } from '../../src/text/vocabulary.js';
import { parseCommand, UsageError } from '../../src/cli/args.js';
import { runSentimentCommand, sentimentCommand } from '../../src/cli/demo-sentiment.js';
import { inspect, inspectCommand } from '../../src/cli/inspect.js';
import { RNN_PUNCTUATION, SENTIMENT_CLASSES, type SentimentCheckpointMetadata } from '../../src/demos/sentiment.js';
import { parseLabelledSentences, SENTIMENT_FILES, SENTIMENT_SOURCES, splitFold, stratifiedFolds } from '../../src/demos/sentiment-data.js';
import { allElements, parseXml, type XmlElement } from '../cli/xml.js';

const DATA = resolve(import.meta.dirname, '../../data/sentiment');
const dir = mkdtempSync(join(tmpdir(), 'simple-rnn-sentiment-'));
const CHECKPOINT = join(dir, 'sentiment.rnn');
const NEGATED = 'the food was not good at all';

const byClass = (root: XmlElement, cls: string) => allElements(root).filter((e) => (e.attrs.class ?? '').split(' ').includes(cls));
const cells = (root: XmlElement) => byClass(root, 'col').flatMap((g) => g.children.filter((e) => e.name === 'rect'));

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  const parsed = parseCommand(sentimentCommand, argv);
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await runSentimentCommand(parsed.values), stdout };
  } finally {
    vi.restoreAllMocks();
  }
}

let quick: { code: number; stdout: string };
beforeAll(async () => {
  quick = await run(['--quick', '--epochs', '2', '--save', CHECKPOINT]); // fold 1, one forward and one backward RNN
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('demo sentiment --save (quick)', () => {
  it("says what it saved: fold 1's first forward RNN, and how to look inside it", () => {
    expect(quick.code).toBe(0);
    expect(quick.stdout).toMatch(/Saved fold 1's first forward RNN \(seed 1; [\d.]+% alone on fold 1's 600 test sentences\) to .*sentiment\.rnn,/);
    expect(quick.stdout).toMatch(/with its vocabulary \(\d+ ids\) and the class names; look inside it with/);
    expect(quick.stdout).toContain(`simple-rnn inspect --model ${CHECKPOINT} --text "${NEGATED}" --out not-good.svg`);
  });

  it('writes a checkpoint SimpleRNN.load reads: a 2-class softmax classifier over its own vocabulary, named', async () => {
    const model = await SimpleRNN.load(readFileSync(CHECKPOINT));
    try {
      const c = model.config;
      expect(c).toMatchObject({ outputSize: 2, outputActivation: 'softmax', returnSequences: false, hiddenSize: 32, embeddingSize: 16, activation: 'relu' });
      const meta = model.metadata as SentimentCheckpointMetadata;
      expect(meta.format).toBe('simple-rnn/demo-sentiment');
      expect(meta.version).toBe(1);
      expect(meta.classes).toEqual([...SENTIMENT_CLASSES]);
      expect(meta.member).toMatchObject({ fold: 0, reading: 'forward', member: 0, seed: 1, testCount: 600 });
      expect(meta.config).toMatchObject({ runFolds: 1, members: 1, epochs: 2, directions: 'both' });
      const vocab = Vocabulary.fromJSON(meta.vocabulary);
      expect(vocab.size).toBe(c.vocabSize);
      expect(vocab.tokenizer).toMatchObject({ level: 'word', lowercase: true, punctuation: RNN_PUNCTUATION });
    } finally {
      model.dispose();
    }
  });

  it('is the run\'s model: with the stored tokenizer it scores fold 1 exactly as the run reported', async () => {
    const data = SENTIMENT_SOURCES.flatMap((s) => parseLabelledSentences(readFileSync(join(DATA, SENTIMENT_FILES[s]), 'utf8'), s));
    const { test } = splitFold(data, stratifiedFolds(data, 5, 1), 0);
    const model = await SimpleRNN.load(readFileSync(CHECKPOINT));
    try {
      const meta = model.metadata as SentimentCheckpointMetadata;
      const vocab = Vocabulary.fromJSON(meta.vocabulary);
      const p = model.predict(test.map((s) => vocab.encode(s.text)), { output: 'typed' });
      const right = p.filter((q, k) => (q[1] > 0.5 ? 1 : 0) === test[k].label).length;
      expect(right / test.length).toBe(meta.member.testAccuracy);
      // the first of the row's "each RNN alone" (forward members first)
      const row = /^\s+1\s+2400\s+600\s+[\d.]+%\s+[\d.]+%\s+[+-][\d.]+\s+([\d.]+) ([\d.]+)$/m.exec(quick.stdout);
      expect(row, quick.stdout).not.toBeNull();
      expect(row![1]).toBe((100 * meta.member.testAccuracy).toFixed(1));
    } finally {
      model.dispose();
    }
  });

  it('inspect turns it into a well-formed picture of a negated sentence: its words, the two classes by name, a gradient per step', async () => {
    const r = await inspect(parseCommand(inspectCommand, ['--model', CHECKPOINT, '--text', NEGATED]).values);
    const words = NEGATED.split(' ');
    expect(r.picture.tokens).toEqual(words);
    expect(r.picture.classes).toEqual(['negative', 'positive']);
    const root = parseXml(r.svg);
    expect(root.name).toBe('svg');
    expect(cells(root)).toHaveLength(32 * words.length);
    expect(byClass(root, 'token').map((e) => e.text)).toEqual(words);
    expect(byClass(root, 'out')).toHaveLength(2); // p(negative), p(positive) after the last word
    expect(byClass(root, 'target')).toHaveLength(1);
    const grads = byClass(root, 'grad');
    expect(grads).toHaveLength(words.length);
    expect(grads.every((g) => Number(g.attrs['data-value']) > 0)).toBe(true);
    const texts = allElements(root).filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toEqual(expect.arrayContaining(['negative', 'positive']));
    expect(texts[0]).toBe(`sentiment.rnn (H=32, relu): &quot;${NEGATED}&quot;`); // the title (the parser keeps entities as written)
    expect(r.summary).toMatch(/classifier over 2 classes; 7 words; target: class (negative|positive) \(the predicted class\)/);
    expect(r.summary).toMatch(/predicted class (negative|positive) \(p 0\.\d{3}\)/);
    expect(r.summary).not.toContain("not in the model's vocabulary"); // every word of it is in fold 1's training folds
  });
});

describe('demo sentiment --save: refusals before the run', () => {
  it.each([
    [['--data', 'grammar', '--save', join(dir, 'g.rnn')], /--save does not apply to --data grammar/],
    [['--quick', '--save', join(dir, 'same'), '--plot', join(dir, 'same')], /--plot .*same and --save .*same are the same file/],
    [['--quick', '--save', join(dir, 'no-such-dir', 'x.rnn')], /cannot write --save .*x\.rnn: directory .*no-such-dir does not exist/],
  ])('refuses %j in one line', async (argv, message) => {
    const p = run(argv as string[]);
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(message as RegExp);
  });
});

describe('the pictures of docs/sentiment.md', () => {
  it.each([
    ['docs/sentiment-not-good.svg', NEGATED],
    ['docs/sentiment-good.svg', 'the food was good'],
  ])('%s is well-formed: 32 units x one column per word of "%s", both classes, a gradient per step', (file, text) => {
    const root = parseXml(readFileSync(resolve(import.meta.dirname, '../..', file), 'utf8'));
    const words = text.split(' ');
    expect(cells(root)).toHaveLength(32 * words.length);
    expect(byClass(root, 'token').map((e) => e.text)).toEqual(words);
    expect(byClass(root, 'out')).toHaveLength(2);
    expect(byClass(root, 'grad')).toHaveLength(words.length);
    expect(byClass(root, 'pad')).toHaveLength(0);
  });
});
