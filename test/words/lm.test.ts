// Word-level language models: encodeText, windows, training lowers perplexity, continueSentence completes a sentence
// the model has learned, the CLI-shaped WordTokenizer round-trips through JSON.
import { describe, expect, it } from 'vitest';
import {
  EOS_ID, UNK_ID, Vocabulary, WordTokenizer, buildWordLM, continueSentence, encodeText, lmWindows, perplexity, sampleId,
  trainLanguageModel,
} from '../../src/text/index.js';
import { Rng } from '../../src/random.js';
import { BACKENDS } from '../util.js';

// a tiny corpus whose sentences are fully determined by their first two words
const CORPUS = [
  'the cat sat on the mat.',
  'a dog ran in the park.',
  'the cat sat on the mat.',
  'my bird sang a song.',
  'a dog ran in the park.',
  'my bird sang a song.',
].join(' ');

describe('encodeText and lmWindows', () => {
  it('puts EOS after every sentence and maps unknown words to UNK', () => {
    const vocab = Vocabulary.fromText('the cat sat. the dog ran.');
    const ids = encodeText(vocab, 'The cat ran! A cow.');
    expect(vocab.decode(ids)).toEqual(['the', 'cat', 'ran', '<unk>', '<eos>', '<unk>', '<unk>', '.', '<eos>']);
    expect(ids[3]).toBe(UNK_ID);
  });
  it('windows give next-token targets; the last one may be short', () => {
    const { inputs, targets } = lmWindows([5, 6, 7, 8, 9, 10], 2);
    expect(inputs.map((x) => Array.from(x))).toEqual([[5, 6], [7, 8], [9]]);
    expect(targets).toEqual([[6, 7], [8, 9], [10]]);
    expect(() => lmWindows([1], 2)).toThrow(/ids has 1 tokens/);
    expect(() => lmWindows([1, 2], 0)).toThrow(/seqLength = 0/);
  });
});

describe('sampleId', () => {
  it('temperature 0 is argmax over allowed ids; PAD and UNK are never drawn; topK limits the choice', () => {
    const rng = new Rng(1);
    expect(sampleId([0.5, 0.3, 0.1, 0.05, 0.05], 0, 0, rng)).toBe(2);
    const seen = new Set<number>();
    for (let k = 0; k < 200; k++) seen.add(sampleId([0.3, 0.3, 0.1, 0.2, 0.1], 1, 2, rng));
    expect([...seen].sort()).toEqual([2, 3]);
  });
});

describe.each(BACKENDS)('word language model on %s', (backend) => {
  it('learns the corpus: perplexity falls, and a partial sentence is completed word by word', async () => {
    const { vocab, model, ids } = await buildWordLM(CORPUS, { hiddenSize: 24, embeddingSize: 12, model: { backend, seed: 3, learningRate: 0.5 } });
    expect(model.config.vocabSize).toBe(vocab.size);
    expect(model.config.embeddingSize).toBe(12);
    const before = perplexity(model, vocab, CORPUS, { seqLength: 8 });
    expect(before.tokens).toBe(ids.length - 1);
    expect(before.perplexity).toBeGreaterThan(vocab.size / 2); // about uniform at the start
    const losses = await trainLanguageModel(model, ids, { epochs: 250, seqLength: 8, batchSize: 8 });
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 3);
    const after = perplexity(model, vocab, CORPUS, { seqLength: 8 });
    expect(after.perplexity).toBeLessThan(2.5);
    expect(after.perplexity).toBeLessThan(before.perplexity / 4);
    const done = continueSentence(model, vocab, 'the cat', { temperature: 0 });
    expect(done.text).toBe('the cat sat on the mat.');
    expect(done.continuation).toBe('sat on the mat.');
    expect(done.ids.at(-1)).toBe(EOS_ID);
    expect(continueSentence(model, vocab, 'My bird', { temperature: 0 }).text).toBe('my bird sang a song.');
    // sampling is seeded: the same seed gives the same words
    const s1 = continueSentence(model, vocab, 'a', { temperature: 1, seed: 5, maxTokens: 6 });
    const s2 = continueSentence(model, vocab, 'a', { temperature: 1, seed: 5, maxTokens: 6 });
    expect(s1).toEqual(s2);
    expect(s1.ids.length).toBeLessThanOrEqual(6);
    model.dispose();
  });

  it('errors name the field', async () => {
    const { vocab, model } = await buildWordLM('one two three.', { hiddenSize: 4, embeddingSize: 2, model: { backend } });
    expect(() => continueSentence(model, vocab, 'one', { temperature: -1 })).toThrow(/options\.temperature = -1/);
    expect(() => continueSentence(model, vocab, 'one', { maxTokens: 1.5 })).toThrow(/options\.maxTokens = 1.5/);
    const other = Vocabulary.fromText('a b');
    expect(() => perplexity(model, other, 'a b')).toThrow(/perplexity: model is not a language model over this vocabulary/);
    model.dispose();
  });
});

describe('WordTokenizer (the CLI shape)', () => {
  it('encodes with EOS, decodes readable text, counts unknown words, round-trips through JSON', () => {
    const t = WordTokenizer.fromText('The cat sat. The dog ran!');
    expect(t.level).toBe('word');
    expect(t.unit).toBe('word');
    const ids = t.encode('the cat ran. the cow sat!');
    expect(t.decode(ids)).toBe('the cat ran.\nthe <unk> sat!\n');
    expect(t.countUnknown('the cow and the cat')).toBe(2);
    const u = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(t)));
    expect(u.vocabSize).toBe(t.vocabSize);
    expect(Array.from(u.encode('the dog sat.'))).toEqual(Array.from(t.encode('the dog sat.')));
    expect(() => WordTokenizer.fromJSON({ level: 'char' })).toThrow(/json\.level/);
  });
});
