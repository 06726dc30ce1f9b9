// Pretrained vectors (GloVe / word2vec text format) into E, frozen or trainable, with coverage; and cosine nearest
// neighbours. The tests write their own small vectors files.
import { mkdtempSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import {
  Vocabulary, buildWordLM, embeddingMatrix, loadPretrainedEmbeddings, nearestNeighbors, parseWordVectors, readWordVectors, tokenEmbeddings,
} from 'simple-rnn';
import { BACKENDS } from '../util.js';

const GLOVE = ['good 1 0.5 0', 'great 0.9 0.6 0.1', 'bad -1 -0.5 0', 'awful -0.8 -0.7 0.2', 'the 0 0 1', 'Movie 0.1 0.1 0.1', ''].join('\n');
const W2V = '3 2\nfoo 1 2\r\nbar 3 4\r\nbaz 5 6\r\n';

describe('reading word vectors', () => {
  it('parses GloVe lines: the dimension comes from the first line', () => {
    const v = parseWordVectors(GLOVE);
    expect(v.dim).toBe(3);
    expect(v.words).toEqual(['good', 'great', 'bad', 'awful', 'the', 'Movie']);
    expect(Array.from(v.vectors.subarray(3, 6))).toEqual([0.9, 0.6, 0.1].map(Math.fround));
  });

  it("parses word2vec's 'count dim' header and CRLF line ends", () => {
    const v = parseWordVectors(W2V);
    expect(v.dim).toBe(2);
    expect(v.words).toEqual(['foo', 'bar', 'baz']);
    expect(Array.from(v.vectors)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a word with spaces keeps them (the last dim fields are the numbers); maxWords stops early', () => {
    const v = parseWordVectors('a 1 2\nnew york 3 4\nc 5 6\n', { maxWords: 2 });
    expect(v.words).toEqual(['a', 'new york']);
  });

  it('keeps only what a vocabulary can use, matching lower-cased words', () => {
    const vocab = Vocabulary.fromText('good movie, the end');
    const v = parseWordVectors(GLOVE, { vocabulary: vocab });
    expect(v.words).toEqual(['good', 'the', 'Movie']);
  });

  it('reads a file streamed in small chunks exactly as the whole string', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simple-rnn-vectors-'));
    const file = join(dir, 'glove.txt');
    writeFileSync(file, GLOVE);
    const streamed = await readWordVectors(createReadStream(file, { encoding: 'utf8', highWaterMark: 7 }));
    const whole = parseWordVectors(GLOVE);
    expect(streamed.words).toEqual(whole.words);
    expect(Array.from(streamed.vectors)).toEqual(Array.from(whole.vectors));
    expect((await readWordVectors(['foo 1 ', '2\nbar 3 4'])).words).toEqual(['foo', 'bar']);
  });

  it('names the line and the field of a bad file', () => {
    expect(() => parseWordVectors('a 1 2\nb 3\n')).toThrow(/parseWordVectors: line 2 has 1 numbers after the word; expected 2/);
    expect(() => parseWordVectors('a 1 2\nb 3 x\n')).toThrow(/line 2 \(word "b"\), number 2 = "x" is not a finite number/);
    expect(() => parseWordVectors('')).toThrow(/holds no word vectors/);
    expect(() => parseWordVectors('2 0\n')).toThrow(/dim = 0/);
    expect(() => parseWordVectors(3 as never)).toThrow(/text must be a string/);
  });
});

describe('embeddingMatrix and coverage', () => {
  it('puts each found vector in its row, reports coverage, gives missing rows random values on the same scale', () => {
    const vocab = Vocabulary.fromText('good good bad movie zebra the quokka');
    const { E, dim, coverage } = embeddingMatrix(vocab, parseWordVectors(GLOVE));
    expect(dim).toBe(3);
    expect(coverage).toEqual({ found: 4, total: 6, fraction: 4 / 6, missing: ['quokka', 'zebra'] });
    const row = (w: string) => Array.from(E.subarray(vocab.idOf(w) * dim, (vocab.idOf(w) + 1) * dim));
    expect(row('good')).toEqual([1, 0.5, 0].map(Math.fround));
    expect(row('movie')).toEqual([0.1, 0.1, 0.1].map(Math.fround)); // "Movie" matched lower-cased
    expect(row('zebra').every((x) => x !== 0 && Math.abs(x) < 5)).toBe(true);
    expect(Array.from(E.subarray(0, dim))).toEqual([0, 0, 0]); // PAD
  });
  it('an exact match wins over a lower-cased one', () => {
    const vocab = Vocabulary.fromText('movie');
    const { E } = embeddingMatrix(vocab, parseWordVectors('Movie 1 1\nmovie 2 2\n'));
    expect(Array.from(E.subarray(vocab.idOf('movie') * 2, vocab.idOf('movie') * 2 + 2))).toEqual([2, 2]);
  });
});

describe.each(BACKENDS)('pretrained embeddings in a model on %s', (backend) => {
  const vocab = Vocabulary.fromText('good great bad awful the movie. a zebra!');
  const vectors = parseWordVectors(GLOVE, { vocabulary: vocab });

  it('loads into E (frozen: E unchanged by training; trainable: E moves) and reports coverage', async () => {
    for (const freezeEmbeddings of [true, false]) {
      const m = await SimpleRNN.create({ vocabSize: vocab.size, embeddingSize: vectors.dim, freezeEmbeddings, hiddenSize: 6, outputSize: 2, backend, learningRate: 0.5 });
      const cov = loadPretrainedEmbeddings(m, vocab, vectors);
      expect(cov.found).toBe(6);
      expect(cov.total).toBe(vocab.size - 3);
      const E0 = m.getParams().E;
      const g = vocab.idOf('great');
      expect(Array.from(E0.subarray(g * 3, g * 3 + 3))).toEqual([0.9, 0.6, 0.1].map(Math.fround));
      const x = [vocab.encode('good great movie'), vocab.encode('bad awful movie')];
      for (let k = 0; k < 3; k++) m.trainBatch(x, [1, 0]);
      const E1 = m.getParams().E;
      if (freezeEmbeddings) expect(Array.from(E1)).toEqual(Array.from(E0));
      else expect(Array.from(E1.subarray(g * 3, g * 3 + 3))).not.toEqual(Array.from(E0.subarray(g * 3, g * 3 + 3)));
      m.dispose();
    }
  });

  it('refuses a model whose sizes do not match, naming the field', async () => {
    const m = await SimpleRNN.create({ vocabSize: vocab.size, embeddingSize: 4, hiddenSize: 6, outputSize: 2, backend });
    expect(() => loadPretrainedEmbeddings(m, vocab, vectors)).toThrow(/model\.config\.embeddingSize = 4; expected the vectors' dim 3/);
    m.dispose();
  });

  it('nearest neighbours by cosine, from the model or from a matrix', async () => {
    const m = await SimpleRNN.create({ vocabSize: vocab.size, embeddingSize: 3, hiddenSize: 6, outputSize: 2, backend });
    loadPretrainedEmbeddings(m, vocab, vectors);
    const nn = nearestNeighbors(m, vocab, 'good', { k: 2 });
    expect(nn.map((n) => n.token)).toEqual(['great', 'movie']);
    // cos(good, great) = (0.9 + 0.3) / (|good| |great|)
    expect(nn[0].similarity).toBeCloseTo(1.2 / (Math.hypot(1, 0.5) * Math.hypot(0.9, 0.6, 0.1)), 6);
    expect(nearestNeighbors(m, vocab, 'bad', { k: 1 })[0].token).toBe('awful');
    const emb = tokenEmbeddings(m);
    expect(nearestNeighbors(emb, vocab, [-1, -0.5, 0], { k: 1 })[0].token).toBe('bad'); // a vector query may find itself
    expect(() => nearestNeighbors(m, vocab, 'unseen')).toThrow(/query = "unseen" is not in the vocabulary/);
    expect(() => nearestNeighbors(m, vocab, 'good', { k: 0 })).toThrow(/options\.k = 0/);
    m.dispose();
  });

  it('tokenEmbeddings of a model without an embedding layer are the input rows of Ws', async () => {
    const m = await SimpleRNN.create({ vocabSize: vocab.size, hiddenSize: 4, outputSize: 2, backend });
    const { vectors: W, dim } = tokenEmbeddings(m);
    expect(dim).toBe(4);
    expect(Array.from(W)).toEqual(Array.from(m.getParams().Ws.subarray(16)));
    expect(nearestNeighbors(m, vocab, 'good', { k: 3 })).toHaveLength(3);
    m.dispose();
  });
});

describe.each(BACKENDS)('buildWordLM with pretrained vectors on %s', (backend) => {
  it('takes D from the vectors, loads them into E, reports coverage; frozen E stays put through fitStream', async () => {
    const text = 'the good movie. the bad movie. a great movie!';
    const vectors = parseWordVectors(GLOVE);
    const { vocab, model, ids, coverage } = await buildWordLM(text, { hiddenSize: 8, vectors, model: { backend, freezeEmbeddings: true, optimizer: 'adam', learningRate: 0.01 } });
    expect(model.config.embeddingSize).toBe(3);
    expect(coverage).toMatchObject({ found: 5, total: vocab.size - 3 });
    const E0 = Array.from(model.getParams().E);
    const W0 = Array.from(model.getParams().Ws);
    await model.fitStream(ids, { seqLength: 4, epochs: 2 });
    expect(Array.from(model.getParams().E)).toEqual(E0);
    expect(Array.from(model.getParams().Ws)).not.toEqual(W0);
    await expect(buildWordLM(text, { vectors, embeddingSize: 4 })).rejects.toThrow(/options\.embeddingSize = 4; expected the vectors' dim 3/);
    model.dispose();
  });
});
