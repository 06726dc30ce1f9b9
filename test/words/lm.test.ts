// Word-level language models: encodeText, windows, training lowers perplexity, continueSentence completes a sentence
// the model has learned, and a word model with its vocabulary survives save/load.
import { describe, expect, it } from 'vitest';
import {
  EOS_ID, UNK_ID, Vocabulary, buildWordLM, continueSentence, encodeText, lmWindows, perplexity, sampleId,
  trainLanguageModel, vocabularyFromMetadata,
} from 'simple-rnn';
import { SimpleRNN } from 'simple-rnn';
import { Rng } from 'simple-rnn';
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
    // default perplexity: one stream with the state carried, = predict on the whole stream as one sequence
    const stream = perplexity(model, vocab, ids);
    const probs = (model.predict([ids.subarray(0, ids.length - 1)]) as number[][][])[0];
    const nll = probs.reduce((a, p, t) => a - Math.log(p[ids[t + 1]]), 0) / probs.length;
    expect(stream.tokens).toBe(ids.length - 1);
    expect(Math.abs(stream.loss - nll)).toBeLessThan(1e-5); // f32 outputs, one step per call vs one call
    // (no bound on it here: this model was trained on windows from s^0, not on the carried state of a stream)
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

describe.each(BACKENDS)('word models in checkpoints on %s', (backend) => {
  it('save/load keeps E, embeddingSize, freezeEmbeddings and the vocabulary; the loaded model completes sentences the same', async () => {
    const { vocab, model, ids } = await buildWordLM(CORPUS, { hiddenSize: 16, embeddingSize: 8, model: { backend, seed: 2, learningRate: 0.5 } });
    await trainLanguageModel(model, ids, { epochs: 20, seqLength: 8, batchSize: 8 });
    const bytes = model.save({ vocabulary: vocab.toJSON(), note: 'word lm' });
    const loaded = await SimpleRNN.load(bytes);
    expect(loaded.config.embeddingSize).toBe(8);
    expect(Array.from(loaded.getParams().E)).toEqual(Array.from(model.getParams().E));
    const v2 = vocabularyFromMetadata(loaded.metadata);
    expect(v2.tokens).toEqual(vocab.tokens);
    const a = continueSentence(model, vocab, 'the dog', { temperature: 0.8, seed: 4 });
    const b = continueSentence(loaded, v2, 'the dog', { temperature: 0.8, seed: 4 });
    expect(b).toEqual(a);
    expect(vocabularyFromMetadata(vocab.toJSON()).size).toBe(vocab.size); // the vocabulary JSON as the whole metadata
    expect(() => vocabularyFromMetadata({ note: 1 })).toThrow(/metadata holds no vocabulary/);
    const frozen = await SimpleRNN.create({ vocabSize: 5, embeddingSize: 2, freezeEmbeddings: true, hiddenSize: 3, outputSize: 2, backend });
    expect((await SimpleRNN.load(frozen.save())).config.freezeEmbeddings).toBe(true);
    for (const m of [model, loaded, frozen]) m.dispose();
  });

  it('continueSentence (one step per token) agrees with predict on the whole prefix', async () => {
    const { vocab, model, ids } = await buildWordLM(CORPUS, { hiddenSize: 12, embeddingSize: 6, model: { backend, seed: 9, learningRate: 0.5 } });
    await trainLanguageModel(model, ids, { epochs: 10, seqLength: 8, batchSize: 8 });
    const r = continueSentence(model, vocab, 'a dog', { temperature: 0, maxTokens: 5, stopAtEos: false });
    const seq = [EOS_ID, ...vocab.encode('a dog')];
    for (const id of r.ids) {
      const p = (model.predict([seq]) as number[][][])[0].at(-1)!;
      expect(id).toBe(sampleId(p, 0, 0, new Rng(1)));
      seq.push(id);
    }
    model.dispose();
  });
});
