// `simple-rnn train/sample/eval --level word` end to end (the built dist/cli.js, spawned) on a tiny generated text:
// a word model with an embedding layer and its vocabulary in the checkpoint, sentence completion, perplexity per word.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { vocabularyFromMetadata } from 'simple-rnn';
import { cli, tempDir } from '../cli/util.js';

// four sentences, each fixed by its first two words; 400 of them
const SENTENCES = ['The cat sat on the mat.', 'A dog ran in the park!', 'We like to read books.', 'Rain falls on the hill.'];
const TEXT = Array.from({ length: 400 }, (_, k) => SENTENCES[(k * 7) % 4]).join(' ') + '\n';
const ARGS = ['--level', 'word', '--hidden-size', '24', '--embedding-size', '12', '--batch-size', '4', '--seq-length', '8', '--chunks', '4', '--lr', '0.01', '--sample-every', '0'];

describe('simple-rnn --level word', () => {
  const dir = tempDir();
  const text = join(dir, 'words.txt');
  const ckpt = join(dir, 'words.rnn');
  let trained: ReturnType<typeof cli>;

  beforeAll(() => {
    writeFileSync(text, TEXT);
    trained = cli(['train', '--text', text, ...ARGS, '--steps', '256', '--checkpoint', ckpt]);
  });

  it('trains a word model with an embedding layer; the checkpoint carries the vocabulary', async () => {
    expect(trained.stderr).not.toMatch(/simple-rnn:/);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/nats\/word/);
    const m = /validation (\d+\.\d+) \(perplexity (\d+\.\d+)\)/.exec(trained.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(3); // a uniform guess over the ~20 ids would be ~20
    const model = await SimpleRNN.load(new Uint8Array(readFileSync(ckpt)));
    const vocab = vocabularyFromMetadata(model.metadata);
    expect(vocab.tokenizer.level).toBe('word');
    expect(model.config.embeddingSize).toBe(12);
    expect(model.config.vocabSize).toBe(vocab.size);
    expect(vocab.has('cat') && vocab.has('park') && vocab.has('.')).toBe(true);
    model.dispose();
  });

  it('sample continues a partial sentence word by word', () => {
    const r = cli(['sample', '--model', ckpt, '--prompt', 'The cat', '--temperature', '0', '--length', '6']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('the cat sat on the mat.');
    const s = cli(['sample', '--model', ckpt, '--prompt', 'We like', '--temperature', '0', '--length', '5']);
    expect(s.stdout.split('\n')[0]).toBe('we like to read books.');
  });

  it('eval reports loss and perplexity per word, and counts unknown words', () => {
    const held = join(dir, 'held.txt');
    writeFileSync(held, 'The cat sat on the mat. A dog ran in the zoo.\n');
    const r = cli(['eval', '--model', ckpt, '--text', held]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ words \(1 not in the model's vocabulary, scored as unknown\)/);
    const m = /loss (\d+\.\d+) nats\/word .* perplexity (\d+\.\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeCloseTo(Math.exp(Number(m![1])), 1);
  });

  it('--resume keeps the word settings and refuses to change them', () => {
    const r = cli(['train', '--text', text, '--checkpoint', ckpt, '--resume', '--embedding-size', '8']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/drop --embedding-size/);
  });
});

describe('simple-rnn train --vectors', () => {
  const dir = tempDir();
  const text = join(dir, 'words.txt');
  const vecs = join(dir, 'vectors.txt');
  const ckpt = join(dir, 'v.rnn');
  // word2vec text format with its header; "zebra" is not in the text, "Cat" matches "cat" lower-cased
  const VECTORS = '4 3\nCat 0.5 0.25 -1\nthe 1 0 0\nmat 0 1 0\nzebra 9 9 9\n';

  it('starts E from the vectors, reports coverage, and --freeze-embeddings keeps them through training', async () => {
    writeFileSync(text, TEXT);
    writeFileSync(vecs, VECTORS);
    const r = cli(['train', '--text', text, ...ARGS.filter((a, k) => a !== '--embedding-size' && ARGS[k - 1] !== '--embedding-size'), '--vectors', vecs, '--freeze-embeddings', '--steps', '16', '--checkpoint', ckpt]);
    expect(r.stderr).not.toMatch(/simple-rnn:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vectors of size 3 for 3 of \d+ words \(\d+\.\d%\); none for e\.g\. [^;]+; frozen/);
    const model = await SimpleRNN.load(new Uint8Array(readFileSync(ckpt)));
    const vocab = vocabularyFromMetadata(model.metadata);
    expect(model.config.embeddingSize).toBe(3);
    expect(model.config.freezeEmbeddings).toBe(true);
    const E = model.getParams().E;
    const row = (w: string) => Array.from(E.subarray(vocab.idOf(w) * 3, vocab.idOf(w) * 3 + 3));
    expect(row('cat')).toEqual([0.5, 0.25, -1]);
    expect(row('the')).toEqual([1, 0, 0]);
    expect(model.stepCount).toBe(16);
    model.dispose();
  });

  it('bad vectors files and combinations get one clear line', () => {
    writeFileSync(vecs, 'the 1 0 0\nmat 0 1\n');
    const bad = cli(['train', '--text', text, '--level', 'word', '--vectors', vecs, '--steps', '1', '--checkpoint', ckpt]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/line 2 has 2 numbers after the word; expected 3/);
    const notWord = cli(['train', '--text', text, '--vectors', vecs, '--checkpoint', ckpt]);
    expect(notWord.stderr).toMatch(/--vectors needs --level word/);
    writeFileSync(vecs, VECTORS);
    const size = cli(['train', '--text', text, '--level', 'word', '--vectors', vecs, '--embedding-size', '8', '--checkpoint', ckpt]);
    expect(size.stderr).toMatch(/--embedding-size 8 differs from the size of the vectors .* \(3\)/);
  });
});
