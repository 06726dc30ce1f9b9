// Properties of the tokenizers and the Vocabulary on arbitrary text (fast-check, seeded): round trips, reserved ids,
// JSON, and that nothing valid throws. Pure JS (no backend is involved).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EOS_ID, PAD_ID, Vocabulary, isPunctuation, splitSentences, tokenizeWords } from 'simple-rnn';

// text mixing letters (Latin, accented, Cyrillic, CJK), digits, punctuation, apostrophes, hyphens, spaces, line breaks
const piece = fc.constantFrom('the', 'Cat', 'naïve', 'мир', '猫', "don't", 'well-known', '3.14', '1,000', 'A', 'x');
const sep = fc.constantFrom(' ', '  ', '\n', '\r\n', '\t', ', ', '. ', '! ', '? ', ' ... ', ' (', ') ', ' "', '" ', "' ", ' —', ';');
const text = fc.array(fc.tuple(piece, sep), { minLength: 0, maxLength: 40 }).map((xs) => xs.map(([p, s]) => p + s).join(''));
const anyText = fc.oneof(text, fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
const params = { seed: 8, numRuns: 300 };

describe('tokenizer and Vocabulary properties', () => {
  it('a vocabulary built from a text encodes it without <unk>, and decodes back to its tokens', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('separate', 'drop') as fc.Arbitrary<'separate' | 'drop'>, (t, punctuation) => {
        const v = Vocabulary.fromText(t, { punctuation });
        const ids = v.encode(t);
        expect(v.countOf('<unk>')).toBe(0);
        expect(Array.from(ids).every((id) => id >= 3 && id < v.size)).toBe(true);
        expect(v.decode(ids)).toEqual(tokenizeWords(t, { punctuation }));
      }),
      params,
    );
  });

  it('with eos, the ids are the sentences in order, EOS after each one that ends; nothing is lost', () => {
    fc.assert(
      fc.property(text, (t) => {
        const v = Vocabulary.fromText(t);
        const ids = Array.from(v.encode(t, { eos: true }));
        const words = ids.filter((id) => id !== EOS_ID);
        expect(v.decode(words)).toEqual(splitSentences(t).flat());
        const eos = ids.filter((id) => id === EOS_ID).length;
        const sentences = splitSentences(t);
        const closed = sentences.filter((s) => ['.', '!', '?'].includes(s[s.length - 1])).length;
        expect(eos).toBe(closed);
        if (ids.length > 0 && sentences.length > 0) expect(ids[0]).not.toBe(EOS_ID);
      }),
      params,
    );
  });

  it('a character vocabulary round-trips any text exactly (CRLF and CR as LF)', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        const v = Vocabulary.fromText(t, { level: 'char' });
        expect(v.decodeText(v.encode(t))).toBe(t.replace(/\r\n?/g, '\n'));
      }),
      params,
    );
  });

  it('decode never throws on a valid id; JSON round trips give the same ids; punctuation tokens are single characters', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 4, max: 12 }), (t, maxSize) => {
        const v = Vocabulary.fromText(t, { maxSize });
        expect(v.size).toBeLessThanOrEqual(maxSize);
        const all = Array.from({ length: v.size }, (_, k) => k);
        expect(v.decode(all)).toEqual(v.tokens);
        expect(() => v.decodeText(all)).not.toThrow();
        expect(v.decodeText([PAD_ID])).toBe('');
        const w = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
        expect(Array.from(w.encode(t, { eos: true }))).toEqual(Array.from(v.encode(t, { eos: true })));
        for (const tok of tokenizeWords(t)) if (isPunctuation(tok)) expect(Array.from(tok)).toHaveLength(1);
        for (const tok of tokenizeWords(t)) expect(tok).not.toMatch(/\s/);
      }),
      params,
    );
  });
});
