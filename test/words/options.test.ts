// Every options object of the text API refuses an unknown key (naming it, listing the accepted ones, suggesting the
// key it is a typo of), is read once (a getter on an option runs exactly once per call), and refuses a value of the
// wrong type by its field. The same grammar as the model's options (test/model/options.test.ts, src/options.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimpleRNN, Vocabulary, buildWordLM, continueSentence, detokenize, embeddingMatrix, loadPretrainedEmbeddings,
  nearestNeighbors, parseWordVectors, perplexity, readWordVectors, resolveTokenizerOptions, sentencesOf,
  splitSentences, tokenize, tokenizeChars, tokenizeWords, trainLanguageModel,
} from '../../src/index.js';
import { BACKENDS, counted, expectAllOnce } from '../util.js';


/** `SimpleRNN.<api>: <field>.<typo> is not an option; expected one of …<real>…; did you mean <real>?` */
const typoMessage = (api: string, typo: string, real: string, field = 'options', what = 'an option') =>
  new RegExp(`^SimpleRNN\\.${api.replace('.', '\\.')}: ${field.replace('.', '\\.')}\\.${typo} is not ${what}; expected one of [^;]*\\b${real}\\b[^;]*; did you mean ${real}\\?$`);

const TEXT = 'The cat sat on the mat. A dog ran in the park! We like to read books.';
const VECTORS = 'the 1 0 0\ncat 0 1 0\ndog 0 0 1\nmat 1 1 0\n';

/** Runs f and returns what it threw (sync or async). */
async function thrown(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('tokenizer, vocabulary and vectors options', () => {
  const vocab = Vocabulary.fromText(TEXT);
  const vectors = parseWordVectors(VECTORS);
  const emb = { vectors: embeddingMatrix(vocab, vectors).E, dim: 3 };

  // [api, typo, real key, call with an options object]
  const cases: [string, string, string, (o: object) => unknown, string?, string?][] = [
    ['tokenizeChars', 'lowercse', 'lowercase', (o) => tokenizeChars('Ab', o as never)],
    ['tokenizeWords', 'punctuaton', 'punctuation', (o) => tokenizeWords('a b.', o as never)],
    ['tokenize', 'lvel', 'level', (o) => tokenize('a b.', o as never)],
    ['splitSentences', 'sentence', 'sentences', (o) => splitSentences('a. b.', o as never)],
    ['sentencesOf', 'lowerCase', 'lowercase', (o) => sentencesOf('a. b', o as never)],
    ['custom', 'punctuations', 'punctuation', (o) => resolveTokenizerOptions('custom', o as never)],
    ['Vocabulary.fromText', 'mincount', 'minCount', (o) => Vocabulary.fromText(TEXT, o as never)],
    ['Vocabulary.fromTokens', 'maxSise', 'maxSize', (o) => Vocabulary.fromTokens(['a', 'b'], o as never)],
    ['Vocabulary.encode', 'EOS', 'eos', (o) => vocab.encode('the cat', o as never)],
    ['Vocabulary.decodeText', 'keepspecial', 'keepSpecial', (o) => vocab.decodeText([3, 4], o as never)],
    ['parseWordVectors', 'maxwords', 'maxWords', (o) => parseWordVectors(VECTORS, o as never)],
    ['readWordVectors', 'maxWord', 'maxWords', (o) => readWordVectors([VECTORS], o as never)],
    ['embeddingMatrix', 'sed', 'seed', (o) => embeddingMatrix(vocab, vectors, o as never)],
    ['nearestNeighbors', 'K', 'k', (o) => nearestNeighbors(emb, vocab, 'cat', o as never)],
    ['nearestNeighbors', 'includespecial', 'includeSpecial', (o) => nearestNeighbors(emb, vocab, 'cat', o as never)],
    ['Vocabulary.fromText', 'lowercse', 'lowercase', (o) => Vocabulary.fromText(TEXT, o as never)],
    ['Vocabulary.fromJSON', 'count', 'counts', (o) => Vocabulary.fromJSON({ ...vocab.toJSON(), ...o } as never), 'json', 'a field of a vocabulary'],
    ['Vocabulary.fromJSON', 'lowercse', 'lowercase', (o) => Vocabulary.fromJSON({ ...vocab.toJSON(), tokenizer: { ...vocab.tokenizer, ...o } } as never), 'json.tokenizer'],
  ];

  it.each(cases)('%s refuses %s and suggests %s', async (api, typo, real, call, field, what) => {
    const e = await thrown(() => call({ [typo]: 1 }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(typoMessage(api, typo, real, field, what));
  });

  it('a key with no close match is refused without a suggestion', () => {
    expect(() => tokenize('a', { zzzzzz: 1 } as never)).toThrow(/^SimpleRNN\.tokenize: options\.zzzzzz is not an option; expected one of level, lowercase, punctuation, sentences$/);
  });

  it('word-level entry points: tokenizeWords takes no level; splitSentences and sentencesOf take only level: word', () => {
    expect(() => tokenizeWords('a', { level: 'word' } as never)).toThrow(/tokenizeWords: options\.level is not an option; expected one of lowercase, punctuation, sentences/);
    expect(splitSentences('A b. C', { level: 'word' })).toEqual([['a', 'b', '.'], ['c']]);
    expect(() => splitSentences('a', { level: 'char' })).toThrow(TypeError);
    expect(() => sentencesOf('a', { level: 'char' })).toThrow(/sentencesOf: options\.level must be one of 'word'; got "char"/);
  });

  it('reads every option once', async () => {
    const check = async (o: object, f: (o: never) => unknown) => {
      const c = counted(o);
      await f(c.o as never);
      expectAllOnce(c.reads);
    };
    const tok = { level: 'word', lowercase: false, punctuation: 'drop', sentences: 'line' };
    await check({ lowercase: true }, (o) => expect(tokenizeChars('Ab', o)).toEqual(['a', 'b']));
    await check({ lowercase: false, punctuation: 'drop', sentences: 'line' }, (o) => expect(tokenizeWords('A, b', o)).toEqual(['A', 'b']));
    await check(tok, (o) => expect(tokenize('A, b', o)).toEqual(['A', 'b']));
    await check({ level: 'char', lowercase: true }, (o) => expect(tokenize('Ab', o)).toEqual(['a', 'b']));
    await check(tok, (o) => expect(splitSentences('A, b\nc', o)).toEqual([['A', 'b'], ['c']]));
    await check(tok, (o) => expect(sentencesOf('A, b\nc', o).lastOpen).toBe(true));
    await check(tok, (o) => expect(resolveTokenizerOptions('x', o)).toEqual(tok));
    await check({ ...tok, minCount: 1, maxSize: 10 }, (o) => expect(Vocabulary.fromText('a b b', o).tokens.slice(3)).toEqual(['b', 'a']));
    await check({ ...tok, minCount: 2, maxSize: Infinity }, (o) => expect(Vocabulary.fromTokens(['a', 'b', 'b'], o).tokens.slice(3)).toEqual(['b']));
    await check(vocab.toJSON(), (o) => expect(Vocabulary.fromJSON(o).tokens).toEqual(vocab.tokens));
    await check({ ...vocab.toJSON(), tokenizer: counted(tok).o }, (o) => expect(Vocabulary.fromJSON(o).tokenizer).toEqual(tok));
    const nested = counted(tok);
    Vocabulary.fromJSON({ ...vocab.toJSON(), tokenizer: nested.o } as never);
    expectAllOnce(nested.reads);
    await check({ eos: true }, (o) => expect(vocab.encode('the cat. the', o).length).toBe(5));
    await check({ keepSpecial: true }, (o) => expect(vocab.decodeText([vocab.eosId], o)).toBe('<eos>'));
    await check({ vocabulary: vocab, maxWords: 3 }, (o) => expect(parseWordVectors(VECTORS, o).words).toEqual(['the', 'cat', 'dog']));
    await check({ vocabulary: vocab, maxWords: 2 }, async (o) => expect((await readWordVectors(['the 1 0 0\nca', 't 0 1 0\nx 1 1 1\n'], o)).words).toEqual(['the', 'cat']));
    await check({ vocabulary: vocab, maxWords: 2 }, async (o) => expect((await readWordVectors(VECTORS, o)).words).toEqual(['the', 'cat']));
    await check({ seed: 4 }, (o) => expect(embeddingMatrix(vocab, vectors, o).dim).toBe(3));
    await check({ k: 2, includeSpecial: true }, (o) => expect(nearestNeighbors(emb, vocab, 'cat', o)).toHaveLength(2));
  });

  it('refuses a value of the wrong type by its field', async () => {
    const cases: [() => unknown, RegExp][] = [
      [() => tokenizeChars('a', { lowercase: 'yes' } as never), /^SimpleRNN\.tokenizeChars: options\.lowercase must be a boolean; got "yes"$/],
      [() => tokenizeWords('a', { punctuation: 1 } as never), /^SimpleRNN\.tokenizeWords: options\.punctuation must be 'separate' or 'drop'; got 1$/],
      [() => tokenize('a', { level: 'words' } as never), /^SimpleRNN\.tokenize: options\.level must be 'word' or 'char'; got "words"$/],
      [() => splitSentences('a', { sentences: 'lines' } as never), /^SimpleRNN\.splitSentences: options\.sentences must be 'punctuation' or 'line'; got "lines"$/],
      [() => sentencesOf('a', { lowercase: 0 } as never), /sentencesOf: options\.lowercase must be a boolean; got 0/],
      [() => Vocabulary.fromText('a', { minCount: '2' } as never), /^SimpleRNN\.Vocabulary\.fromText: options\.minCount must be an integer >= 1; got "2"$/],
      [() => Vocabulary.fromTokens(['a'], { maxSize: null } as never), /^SimpleRNN\.Vocabulary\.fromTokens: options\.maxSize must be an integer >= 4; got null$/],
      [() => Vocabulary.fromTokens(['a'], { level: true } as never), /Vocabulary\.fromTokens: options\.level must be 'word' or 'char'; got boolean/],
      [() => Vocabulary.fromJSON({ ...vocab.toJSON(), tokenizer: { level: 'words' } } as never), /Vocabulary\.fromJSON: json\.tokenizer\.level must be 'word' or 'char'/],
      [() => Vocabulary.fromJSON({ ...vocab.toJSON(), tokenizer: 'word' } as never), /Vocabulary\.fromJSON: json\.tokenizer must be an options object/],
      [() => vocab.encode('a', { eos: 1 } as never), /^SimpleRNN\.Vocabulary\.encode: options\.eos must be a boolean; got 1$/],
      [() => vocab.decodeText([3], { keepSpecial: 'no' } as never), /^SimpleRNN\.Vocabulary\.decodeText: options\.keepSpecial must be a boolean/],
      [() => parseWordVectors(VECTORS, { vocabulary: vocab.toJSON() } as never), /^SimpleRNN\.parseWordVectors: options\.vocabulary must be a Vocabulary; got an object/],
      [() => parseWordVectors(VECTORS, { maxWords: '2' } as never), /^SimpleRNN\.parseWordVectors: options\.maxWords must be an integer >= 1; got "2"$/],
      [() => embeddingMatrix(vocab, vectors, { seed: 'one' } as never), /^SimpleRNN\.embeddingMatrix: options\.seed must be an integer/],
      [() => nearestNeighbors(emb, vocab, 'cat', { k: '2' } as never), /^SimpleRNN\.nearestNeighbors: options\.k must be an integer >= 1; got "2"$/],
      [() => nearestNeighbors(emb, vocab, 'cat', { includeSpecial: 1 } as never), /nearestNeighbors: options\.includeSpecial must be a boolean/],
    ];
    for (const [f, re] of cases) {
      const e = await thrown(f);
      expect(e, re.source).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(re);
    }
    await expect(readWordVectors([VECTORS], { maxWords: 0 })).rejects.toThrow(/readWordVectors: options\.maxWords = 0 is out of range; expected an integer >= 1/);
    await expect(readWordVectors(VECTORS, { maxWords: 0 })).rejects.toThrow(/^SimpleRNN\.readWordVectors: options\.maxWords/);
    expect(() => parseWordVectors(VECTORS, { maxWords: 1.5 })).toThrow(RangeError);
    expect(() => Vocabulary.fromText('a', { maxSize: 4.5 })).toThrow(/options\.maxSize = 4\.5 is out of range; expected an integer >= 4/);
    expect(() => detokenize(['a'], 'chars' as never)).toThrow(/^SimpleRNN\.detokenize: level must be 'word' or 'char'; got "chars"$/);
  });

  it('undefined options, {} and keys given as undefined take the defaults; null is refused', () => {
    expect(tokenize('A b', undefined)).toEqual(tokenize('A b', {}));
    expect(tokenize('A b', { level: undefined, lowercase: undefined })).toEqual(['a', 'b']);
    // what the CLI passes: limits it may not have
    expect(Vocabulary.fromText(TEXT, { level: 'word', minCount: undefined, maxSize: undefined }).size).toBe(vocab.size);
    expect(parseWordVectors(VECTORS, { vocabulary: undefined, maxWords: undefined }).words).toHaveLength(4);
    expect(nearestNeighbors(emb, vocab, 'cat', { k: undefined })).toHaveLength(5);
    const nulls: [string, () => unknown][] = [
      ['tokenizeChars', () => tokenizeChars('a', null as never)],
      ['tokenize', () => tokenize('a', null as never)],
      ['splitSentences', () => splitSentences('a', null as never)],
      ['Vocabulary.fromText', () => Vocabulary.fromText('a', null as never)],
      ['Vocabulary.encode', () => vocab.encode('a', null as never)],
      ['Vocabulary.decodeText', () => vocab.decodeText([3], null as never)],
      ['parseWordVectors', () => parseWordVectors(VECTORS, null as never)],
      ['embeddingMatrix', () => embeddingMatrix(vocab, vectors, null as never)],
      ['nearestNeighbors', () => nearestNeighbors(emb, vocab, 'cat', null as never)],
    ];
    for (const [api, f] of nulls) expect(f, api).toThrow(new RegExp(`^SimpleRNN\\.${api.replace('.', '\\.')}: options must be an options object \\{ .* \\}; got null$`));
    expect(() => tokenize('a', 'word' as never)).toThrow(TypeError);
    expect(() => tokenize('a', ['level'] as never)).toThrow(TypeError);
  });
});

describe.each(BACKENDS)('language model options, on %s', (backend) => {
  let vocab: Vocabulary;
  let model: SimpleRNN;
  let ids: Int32Array;
  beforeAll(async () => {
    ({ vocab, model, ids } = await buildWordLM(TEXT, { hiddenSize: 6, embeddingSize: 3, model: { backend, seed: 2 } }));
  });
  afterAll(() => model.dispose());

  const cases: [string, string, string, (o: object) => unknown, string?][] = [
    ['buildWordLM', 'hiddensize', 'hiddenSize', (o) => buildWordLM(TEXT, { model: { backend }, ...o } as never)],
    ['buildWordLM', 'minCont', 'minCount', (o) => buildWordLM(TEXT, { model: { backend }, ...o } as never)],
    ['buildWordLM', 'learningrate', 'learningRate', (o) => buildWordLM(TEXT, { model: { backend, ...o } } as never), 'options.model'],
    ['trainLanguageModel', 'epoch', 'epochs', (o) => trainLanguageModel(model, ids, o as never)],
    ['trainLanguageModel', 'onEpochend', 'onEpochEnd', (o) => trainLanguageModel(model, ids, o as never)],
    ['perplexity', 'seqlength', 'seqLength', (o) => perplexity(model, vocab, TEXT, o as never)],
    ['continueSentence', 'maxtokens', 'maxTokens', (o) => continueSentence(model, vocab, 'the', o as never)],
    ['continueSentence', 'topk', 'topK', (o) => continueSentence(model, vocab, 'the', o as never)],
    ['continueSentence', 'stopAtEOS', 'stopAtEos', (o) => continueSentence(model, vocab, 'the', o as never)],
    ['loadPretrainedEmbeddings', 'Seed', 'seed', (o) => loadPretrainedEmbeddings(model, vocab, parseWordVectors(VECTORS), o as never)],
  ];

  it.each(cases)('%s refuses %s and suggests %s', async (api, typo, real, call, field) => {
    const before = model.getParams().Ws.slice();
    const e = await thrown(() => call({ [typo]: 1 }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(typoMessage(api, typo, real, field));
    expect(model.getParams().Ws).toEqual(before); // refused before any work
  });

  it('buildWordLM refuses in options.model what it sets itself, instead of overriding it', async () => {
    await expect(buildWordLM(TEXT, { model: { backend, hiddenSize: 8 } })).rejects.toThrow(/^SimpleRNN\.buildWordLM: options\.model\.hiddenSize is an option of buildWordLM itself; give it as options\.hiddenSize$/);
    await expect(buildWordLM(TEXT, { model: { backend, returnSequences: false } })).rejects.toThrow(/options\.model\.returnSequences is set by buildWordLM/);
    await expect(buildWordLM(TEXT, { model: { backend, vocabSize: 3 } })).rejects.toThrow(/options\.model\.vocabSize is set by buildWordLM/);
  });

  it('reads every option once', async () => {
    const m = counted({ backend, seed: 5, learningRate: 0.1 });
    const o = counted({ hiddenSize: 5, embeddingSize: 3, level: 'word', lowercase: true, punctuation: 'drop', sentences: 'punctuation', minCount: 1, maxSize: 100, vectors: parseWordVectors(VECTORS), model: m.o });
    const built = await buildWordLM(TEXT, o.o as never);
    expectAllOnce(o.reads);
    expectAllOnce(m.reads);
    expect(built.model.config.hiddenSize).toBe(5);
    expect(built.model.config.seed).toBe(5);
    expect(built.model.training.learningRate).toBe(0.1);
    expect(built.vocab.has('.')).toBe(false);
    built.model.dispose();

    const epochs: number[] = [];
    const t = counted({ epochs: 2, seqLength: 4, batchSize: 2, seed: 3, onEpochEnd: (e: number) => epochs.push(e) });
    expect(await trainLanguageModel(model, ids, t.o)).toHaveLength(2);
    expect(epochs).toEqual([0, 1]);
    expectAllOnce(t.reads);

    const p = counted({ seqLength: 4, batchSize: 2 });
    expect(perplexity(model, vocab, ids, p.o).tokens).toBe(ids.length - 1);
    expectAllOnce(p.reads);

    const c = counted({ maxTokens: 3, temperature: 0.5, topK: 2, seed: 1, stopAtEos: false });
    expect(continueSentence(model, vocab, 'the', c.o).ids).toHaveLength(3);
    expectAllOnce(c.reads);

    const lm = await SimpleRNN.create({ vocabSize: vocab.size, embeddingSize: 3, hiddenSize: 4, outputSize: 2, backend });
    const s = counted({ seed: 7 });
    loadPretrainedEmbeddings(lm, vocab, parseWordVectors(VECTORS), s.o);
    expectAllOnce(s.reads);
    lm.dispose();
  });

  it('refuses a value of the wrong type by its field', async () => {
    const cases: [() => unknown, RegExp][] = [
      [() => buildWordLM(TEXT, { hiddenSize: '8' } as never), /^SimpleRNN\.buildWordLM: options\.hiddenSize must be an integer >= 1; got "8"$/],
      [() => buildWordLM(TEXT, { vectors: 'glove.txt' } as never), /^SimpleRNN\.buildWordLM: options\.vectors must be word vectors/],
      [() => buildWordLM(TEXT, { model: 'js' } as never), /^SimpleRNN\.buildWordLM: options\.model must be an options object/],
      [() => buildWordLM(TEXT, { model: { backend }, punctuation: 'keep' } as never), /^SimpleRNN\.buildWordLM: options\.punctuation must be 'separate' or 'drop'/],
      [() => trainLanguageModel(model, ids, { epochs: '2' } as never), /^SimpleRNN\.trainLanguageModel: options\.epochs must be an integer >= 1; got "2"$/],
      [() => trainLanguageModel(model, ids, { onEpochEnd: 'log' } as never), /^SimpleRNN\.trainLanguageModel: options\.onEpochEnd must be a function; got "log"$/],
      [() => perplexity(model, vocab, ids, { seqLength: '4' } as never), /^SimpleRNN\.perplexity: options\.seqLength must be an integer >= 1; got "4"$/],
      [() => continueSentence(model, vocab, 'the', { temperature: '1' } as never), /^SimpleRNN\.continueSentence: options\.temperature must be a number in \[0, ∞\); got "1"$/],
      [() => continueSentence(model, vocab, 'the', { stopAtEos: 0 } as never), /^SimpleRNN\.continueSentence: options\.stopAtEos must be a boolean; got 0$/],
      [() => loadPretrainedEmbeddings(model, vocab, parseWordVectors(VECTORS), { seed: null } as never), /^SimpleRNN\.loadPretrainedEmbeddings: options\.seed must be an integer/],
    ];
    for (const [f, re] of cases) {
      const e = await thrown(f);
      expect(e, re.source).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(re);
    }
    await expect(trainLanguageModel(model, ids, { seqLength: 0 })).rejects.toThrow(/^SimpleRNN\.trainLanguageModel: options\.seqLength = 0 is out of range/);
    expect(() => perplexity(model, vocab, ids, { batchSize: 0 })).toThrow(/perplexity: options\.batchSize = 0 is out of range/);
    expect(() => continueSentence(model, vocab, 'the', { temperature: Infinity })).toThrow(/options\.temperature = Infinity is out of range/);
    expect(() => continueSentence(model, vocab, 'the', { topK: -1 })).toThrow(/options\.topK = -1 is out of range; expected an integer >= 0/);
    for (const f of [() => trainLanguageModel(model, ids, null as never), () => buildWordLM(TEXT, null as never)]) {
      await expect(f()).rejects.toThrow(/options must be an options object/);
    }
    expect(() => perplexity(model, vocab, ids, null as never)).toThrow(/^SimpleRNN\.perplexity: options must be an options object/);
    expect(() => continueSentence(model, vocab, 'the', null as never)).toThrow(/^SimpleRNN\.continueSentence: options must be an options object/);
  });

  it('keys given as undefined take the defaults (as the CLI passes them)', () => {
    const r = continueSentence(model, vocab, '', { maxTokens: 4, temperature: undefined, topK: undefined, seed: undefined, stopAtEos: false });
    expect(r.ids).toHaveLength(4);
    expect(continueSentence(model, vocab, 'the', {}).text).toBe(continueSentence(model, vocab, 'the').text);
    expect(perplexity(model, vocab, ids, { seqLength: undefined }).loss).toBe(perplexity(model, vocab, ids).loss);
  });
});
