// Tokenizers and the Vocabulary: the documented rules, reserved ids, encode/decode both ways, JSON round trip.
// Pure JS (no backend is involved).
import { describe, expect, it } from 'vitest';
import {
  Vocabulary, detokenize, splitSentences, tokenize, tokenizeChars, tokenizeWords, EOS_ID, PAD_ID, UNK_ID,
} from 'simple-rnn';

describe('tokenizeWords', () => {
  it('lower-cases, keeps apostrophes and hyphens inside words, splits punctuation into tokens', () => {
    expect(tokenizeWords("Don't stop — it's a well-known dog's toy, OK?")).toEqual(
      ["don't", 'stop', '—', "it's", 'a', 'well-known', "dog's", 'toy', ',', 'ok', '?'],
    );
  });
  it('curly apostrophes become straight; edge apostrophes are punctuation', () => {
    expect(tokenizeWords('The dogs’ bowl isn’t \'here\'')).toEqual(['the', 'dogs', "'", 'bowl', "isn't", "'", 'here', "'"]);
  });
  it('keeps decimals and thousands separators between digits only', () => {
    expect(tokenizeWords('Pi is 3.14, not 1,000. End.')).toEqual(['pi', 'is', '3.14', ',', 'not', '1,000', '.', 'end', '.']);
  });
  it('options: lowercase false, punctuation drop', () => {
    expect(tokenizeWords('Hello, World!', { lowercase: false })).toEqual(['Hello', ',', 'World', '!']);
    expect(tokenizeWords('Hello, World! ...', { punctuation: 'drop' })).toEqual(['hello', 'world']);
    expect(tokenizeWords('...')).toEqual(['.', '.', '.']);
  });
  it('handles non-Latin letters and marks as words', () => {
    expect(tokenizeWords('Ça va? Привет мир. naïve café')).toEqual(['ça', 'va', '?', 'привет', 'мир', '.', 'naïve', 'café']);
  });
  it('rejects a non-string with a named field', () => {
    expect(() => tokenizeWords(5 as never)).toThrow(/tokenizeWords: text must be a string; got 5/);
    expect(() => tokenizeWords('a', { punctuation: 'keep' as never })).toThrow(/options\.punctuation/);
  });
});

describe('splitSentences', () => {
  it('ends sentences after . ! ? even when punctuation is dropped', () => {
    const text = 'The cat sat. Did it? Yes! And then';
    expect(splitSentences(text)).toEqual([['the', 'cat', 'sat', '.'], ['did', 'it', '?'], ['yes', '!'], ['and', 'then']]);
    expect(splitSentences(text, { punctuation: 'drop' })).toEqual([['the', 'cat', 'sat'], ['did', 'it'], ['yes'], ['and', 'then']]);
  });
  it("sentences: 'line' splits at line breaks and skips empty lines", () => {
    expect(splitSentences('First line. Still first\r\n\nsecond', { sentences: 'line' })).toEqual([['first', 'line', '.', 'still', 'first'], ['second']]);
  });
});

describe('tokenizeChars', () => {
  it('one token per code point; CRLF becomes LF; optional lower-casing', () => {
    expect(tokenizeChars('a😀b\r\nC')).toEqual(['a', '😀', 'b', '\n', 'C']);
    expect(tokenizeChars('AbC', { lowercase: true })).toEqual(['a', 'b', 'c']);
    expect(tokenize('Ab', { level: 'char' })).toEqual(['A', 'b']);
  });
});

describe('detokenize', () => {
  it('puts spaces between words but not before closing punctuation or inside brackets and quotes', () => {
    expect(detokenize(['the', 'cat', '(', 'black', ')', 'sat', ',', 'said', '"', 'hi', '"', '.'])).toBe('the cat (black) sat, said "hi".');
    expect(detokenize(['a', 'b'], 'char')).toBe('ab');
  });
});

describe('Vocabulary', () => {
  const text = 'The cat sat on the mat. The dog sat on the log! A cat? The end.';

  it('reserves ids 0, 1, 2; orders by count then token; counts are right', () => {
    const v = Vocabulary.fromText(text);
    expect([v.padId, v.unkId, v.eosId]).toEqual([PAD_ID, UNK_ID, EOS_ID]);
    expect(v.tokens.slice(0, 3)).toEqual(['<pad>', '<unk>', '<eos>']);
    // the: 5, '.': 2 ... cat 2, on 2, sat 2
    expect(v.tokens[3]).toBe('the');
    expect(v.countOf('the')).toBe(5);
    expect(v.tokens.slice(4, 8)).toEqual(['.', 'cat', 'on', 'sat']);
    expect(v.size).toBe(3 + new Set(tokenizeWords(text)).size);
  });

  it('minCount and maxSize limit the tokens; the rest map to UNK', () => {
    const v = Vocabulary.fromText(text, { minCount: 2 });
    expect(v.tokens.slice(3)).toEqual(['the', '.', 'cat', 'on', 'sat']);
    expect(v.idOf('dog')).toBe(UNK_ID);
    const m = Vocabulary.fromText(text, { maxSize: 5 });
    expect(m.size).toBe(5);
    expect(m.tokens).toEqual(['<pad>', '<unk>', '<eos>', 'the', '.']);
    expect(() => Vocabulary.fromText(text, { maxSize: 3 })).toThrow(/options\.maxSize = 3/);
    expect(() => Vocabulary.fromText(text, { minCount: 0 })).toThrow(/options\.minCount = 0/);
  });

  it('encodes unknown words to UNK, with EOS after each sentence that ends, and decodes back', () => {
    const v = Vocabulary.fromText(text);
    const ids = v.encode('The zebra sat. A cat!', { eos: true });
    expect(Array.from(ids)).toEqual([v.idOf('the'), UNK_ID, v.idOf('sat'), v.idOf('.'), EOS_ID, v.idOf('a'), v.idOf('cat'), v.idOf('!'), EOS_ID]);
    expect(v.decode(ids)).toEqual(['the', '<unk>', 'sat', '.', '<eos>', 'a', 'cat', '!', '<eos>']);
    expect(v.decodeText(ids)).toBe('the <unk> sat.\na cat!\n');
    // an open last sentence (a prompt to continue) gets no EOS; with punctuation dropped the "." still ends one
    expect(v.decode(v.encode('The cat sat. The dog', { eos: true }))).toEqual(['the', 'cat', 'sat', '.', '<eos>', 'the', 'dog']);
    const d = Vocabulary.fromText(text, { punctuation: 'drop' });
    expect(d.decode(d.encode('The cat sat. The dog.', { eos: true }))).toEqual(['the', 'cat', 'sat', '<eos>', 'the', 'dog', '<eos>']);
    const l = Vocabulary.fromText('the cat\nthe dog', { sentences: 'line' });
    expect(l.decode(l.encode('the cat\nthe dog', { eos: true }))).toEqual(['the', 'cat', '<eos>', 'the', 'dog']);
    expect(l.decode(l.encode('the cat\n', { eos: true }))).toEqual(['the', 'cat', '<eos>']);
    expect(Array.from(v.encode(['cat', 'nope']))).toEqual([v.idOf('cat'), UNK_ID]);
    expect(v.encodeSentences('the cat. the dog!').map((s) => Array.from(s))).toEqual([
      [v.idOf('the'), v.idOf('cat'), v.idOf('.')], [v.idOf('the'), v.idOf('dog'), v.idOf('!')],
    ]);
  });

  it('decode never throws on a valid id, and names the index of an invalid one', () => {
    const v = Vocabulary.fromText(text);
    const all = Array.from({ length: v.size }, (_, k) => k);
    expect(v.decode(all)).toEqual(v.tokens);
    expect(() => v.decodeText(all, { keepSpecial: true })).not.toThrow();
    expect(() => v.decode([3, v.size])).toThrow(new RegExp(`ids\\[1\\] = ${v.size} is not a token id; expected an integer in \\[0, size=${v.size}\\)`));
    expect(() => v.decode([1.5])).toThrow(/ids\[0\] = 1.5/);
    expect(() => v.tokenOf(-1)).toThrow(/Vocabulary\.tokenOf: id = -1/);
  });

  it('a character vocabulary round-trips text exactly (when every character is known), spaces at line breaks too', () => {
    const v = Vocabulary.fromText('hello world\nbye', { level: 'char' });
    const ids = v.encode('hello bye \n old');
    expect(v.decodeText(ids)).toBe('hello bye \n old');
    expect(v.idOf('z')).toBe(UNK_ID);
  });

  it('toJSON / fromJSON round-trips, including the tokenizer rules', () => {
    const v = Vocabulary.fromText(text, { punctuation: 'drop', lowercase: false, minCount: 1 });
    const w = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(w.tokens).toEqual(v.tokens);
    expect(w.tokenizer).toEqual({ level: 'word', lowercase: false, punctuation: 'drop', sentences: 'punctuation' });
    expect(Array.from(w.encode('The cat, the dog.'))).toEqual(Array.from(v.encode('The cat, the dog.')));
    expect(w.countOf('The')).toBe(v.countOf('The'));
    expect(Vocabulary.fromJSON(JSON.stringify(v)).size).toBe(v.size);
  });

  it('fromJSON names what is wrong', () => {
    const good = Vocabulary.fromText(text).toJSON();
    expect(() => Vocabulary.fromJSON({ ...good, version: 2 as never })).toThrow(/json\.version = 2/);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: ['<pad>', '<eos>', ...good.tokens.slice(2)] })).toThrow(/json\.tokens\[1\]/);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: [...good.tokens, 'the'], counts: [...good.counts, 1] })).toThrow(/json\.tokens\[\d+\] = "the" is a duplicate/);
    expect(() => Vocabulary.fromJSON({ ...good, counts: good.counts.slice(1) })).toThrow(/json\.counts/);
    expect(() => Vocabulary.fromJSON('{not json')).toThrow(/json is not valid JSON/);
  });

  it('fromTokens takes pre-split tokens or sentences', () => {
    const v = Vocabulary.fromTokens([['good', 'movie'], ['bad', 'movie']]);
    expect(v.tokens.slice(3)).toEqual(['movie', 'bad', 'good']);
    expect(() => Vocabulary.fromTokens([['ok', 3 as never]])).toThrow(/tokens\[0\]\[1\]/);
  });
});
