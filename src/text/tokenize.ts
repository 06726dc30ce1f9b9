// Text to tokens: characters or words, with rules that are written down here and tested in test/words/.
//
// Character level: one token per Unicode code point (so an emoji or a CJK character is one token, never half of a
// surrogate pair). "\r\n" and "\r" become "\n". Optional lower-casing.
//
// Word level, in this order:
//   1. Lower-case the text (option `lowercase`, default true). The curly apostrophe ’ becomes '.
//   2. A word is a run of letters, marks and digits (\p{L}\p{M}\p{N}). Inside a word these join the runs either side:
//        - an apostrophe or a hyphen between two such runs: "don't", "o'clock", "well-known" are one word each;
//        - a "." or "," between two digits: "3.14" and "1,000" are one word each.
//      An apostrophe at the edge of a word is punctuation: "dogs'" is "dogs" then "'".
//   3. Every other character that is not white space is punctuation, one token per character ("..." is three "."
//      tokens). Option `punctuation`: 'separate' (default) keeps them as tokens, 'drop' removes them.
//   4. Sentences end after ".", "!" or "?" (and at the end of the text); with `sentences: 'line'` every non-empty line
//      is a sentence instead. Sentence ends are found before punctuation is dropped, so 'drop' still splits sentences.
import { typeError } from '../errors.js';
import { bool, oneOf, readOptions } from '../options.js';

/** Token level: 'word' (words and punctuation) or 'char' (one token per code point). */
export type TokenLevel = 'char' | 'word';
/** Word level: punctuation characters as tokens of their own ('separate') or removed ('drop'). */
export type Punctuation = 'separate' | 'drop';
/** Word level: sentences end after . ! ? ('punctuation') or at line breaks ('line'). */
export type SentenceRule = 'punctuation' | 'line';

/** How text becomes tokens. Stored in a Vocabulary, so that a loaded model tokenizes as it was trained. */
export interface TokenizerOptions {
  /** 'word' (default) or 'char'. */
  level?: TokenLevel;
  /** Lower-case the text first. Default true for words, false for characters. */
  lowercase?: boolean;
  /** Words only: punctuation characters as separate tokens ('separate', default) or removed ('drop'). */
  punctuation?: Punctuation;
  /** Words only: sentences end after . ! ? ('punctuation', default) or at line breaks ('line'). */
  sentences?: SentenceRule;
}

/** TokenizerOptions with every default filled in (as a Vocabulary stores them). */
export type ResolvedTokenizerOptions = Required<TokenizerOptions>;

/** The keys of TokenizerOptions, for readOptions (src/options.ts). */
export const TOKENIZER_KEYS = ['level', 'lowercase', 'punctuation', 'sentences'] as const;
const WORD_KEYS = ['lowercase', 'punctuation', 'sentences'] as const;

/**
 * Tokenizer options read once and resolved: an unknown key, a wrong type or a value out of its list is refused by
 * name (`field` names the object: 'options', or 'json.tokenizer' in a stored vocabulary).
 */
export function resolveTokenizerOptions(api: string, o: TokenizerOptions | undefined, field = 'options'): ResolvedTokenizerOptions {
  return tokenizerFrom(api, readOptions(api, o, TOKENIZER_KEYS, field), field);
}

/** Resolves the tokenizer keys of an options snapshot already read once (readOptions); other keys are ignored. */
export function tokenizerFrom(api: string, r: Partial<Record<(typeof TOKENIZER_KEYS)[number], unknown>>, field = 'options'): ResolvedTokenizerOptions {
  const level = oneOf(api, `${field}.level`, r.level, ['word', 'char'] as const, 'word');
  return {
    level,
    lowercase: bool(api, `${field}.lowercase`, r.lowercase, level === 'word'),
    punctuation: oneOf(api, `${field}.punctuation`, r.punctuation, ['separate', 'drop'] as const, 'separate'),
    sentences: oneOf(api, `${field}.sentences`, r.sentences, ['punctuation', 'line'] as const, 'punctuation'),
  };
}

/** Options of a word-level entry point, read once: `keys` may include level, which must then be 'word'. */
function wordOptions(api: string, options: unknown, keys: readonly (typeof TOKENIZER_KEYS)[number][]): ResolvedTokenizerOptions {
  const r = readOptions(api, options, keys);
  if (r.level !== undefined) oneOf(api, 'options.level', r.level, ['word'] as const);
  return tokenizerFrom(api, r);
}

function checkText(api: string, text: unknown, field = 'text'): string {
  if (typeof text !== 'string') throw typeError(api, field, 'a string', text);
  return text;
}

function charTokens(text: string, lowercase: boolean): string[] {
  const t = text.replace(/\r\n?/g, '\n');
  return Array.from(lowercase ? t.toLowerCase() : t);
}

/** Characters of a text: one token per code point, CRLF and CR turned into "\n". */
export function tokenizeChars(text: string, options?: { /** Lower-case the text first. Default false. */ lowercase?: boolean }): string[] {
  const api = 'tokenizeChars';
  const t = checkText(api, text);
  const r = readOptions(api, options, ['lowercase'] as const);
  return charTokens(t, bool(api, 'options.lowercase', r.lowercase, false));
}

// a word (rule 2) or one punctuation character (rule 3); white space matches neither
const WORD_OR_PUNCT = /[\p{L}\p{M}\p{N}]+(?:['\-][\p{L}\p{M}\p{N}]+|(?<=\p{N})[.,]\p{N}+)*|[^\s\p{L}\p{M}\p{N}]/gu;
const SENTENCE_END = new Set(['.', '!', '?']);
const PUNCT = /^[^\p{L}\p{M}\p{N}]$/u;

/** True for a token that is a punctuation character (rule 3). */
export function isPunctuation(token: string): boolean {
  return PUNCT.test(token);
}

function wordTokens(text: string, lowercase: boolean): string[] {
  let t = text.replace(/’/g, "'");
  if (lowercase) t = t.toLowerCase();
  return t.match(WORD_OR_PUNCT) ?? [];
}

/** Tokens of a text by resolved rules (tokenize, Vocabulary.tokenize); `api` names the caller in errors. */
export function tokensOf(api: string, text: unknown, o: ResolvedTokenizerOptions, field = 'text'): string[] {
  const t = checkText(api, text, field);
  if (o.level === 'char') return charTokens(t, o.lowercase);
  const toks = wordTokens(t, o.lowercase);
  return o.punctuation === 'drop' ? toks.filter((w) => !isPunctuation(w)) : toks;
}

/** Sentences of a text by resolved word rules (sentencesOf, Vocabulary.fromText and encode). */
export function sentencesWith(api: string, text: unknown, o: ResolvedTokenizerOptions, field = 'text'): { sentences: string[][]; lastOpen: boolean } {
  const t = checkText(api, text, field);
  const sentences: string[][] = [];
  let lastOpen = false;
  const keep = (s: string[], closed: boolean) => {
    const toks = o.punctuation === 'drop' ? s.filter((w) => !isPunctuation(w)) : s;
    if (toks.length > 0) {
      sentences.push(toks);
      lastOpen = !closed;
    }
  };
  if (o.sentences === 'line') {
    const lines = t.split(/\r\n?|\n/);
    lines.forEach((line, k) => keep(wordTokens(line, o.lowercase), k + 1 < lines.length));
    return { sentences, lastOpen };
  }
  let cur: string[] = [];
  for (const w of wordTokens(t, o.lowercase)) {
    cur.push(w);
    if (SENTENCE_END.has(w)) {
      keep(cur, true);
      cur = [];
    }
  }
  keep(cur, false);
  return { sentences, lastOpen };
}

/**
 * Sentences of a text as word tokens, by the rules at the top of this file. Empty sentences are left out. The options
 * are the tokenizer's; level, if given, must be 'word'.
 */
export function splitSentences(text: string, options?: TokenizerOptions): string[][] {
  return sentencesOf(text, options, 'splitSentences').sentences;
}

/**
 * splitSentences, and whether the last sentence is still open: not ended by . ! ? (or, with sentences: 'line', by
 * a line break). A prompt such as "The king" is an open sentence; encode(text, { eos: true }) puts no EOS after it.
 */
export function sentencesOf(text: string, options?: TokenizerOptions, api = 'sentencesOf'): {
  /** The sentences, each a list of word tokens (as splitSentences). */
  sentences: string[][];
  /** The last sentence is not ended (by . ! ?, or a line break with sentences: 'line'). */
  lastOpen: boolean;
} {
  checkText(api, text);
  return sentencesWith(api, text, wordOptions(api, options, TOKENIZER_KEYS));
}

/** Word tokens of a text (all sentences, in order), by the rules at the top of this file. */
export function tokenizeWords(text: string, options?: Omit<TokenizerOptions, 'level'>): string[] {
  const api = 'tokenizeWords';
  checkText(api, text);
  return tokensOf(api, text, wordOptions(api, options, WORD_KEYS));
}

/** Tokens of a text at the level the options give. */
export function tokenize(text: string, options?: TokenizerOptions): string[] {
  const api = 'tokenize';
  checkText(api, text);
  return tokensOf(api, text, resolveTokenizerOptions(api, options));
}

const NO_SPACE_BEFORE = new Set(['.', ',', '!', '?', ';', ':', '%', ')', ']', '}', "'", '…']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$', '#', '@']);

/**
 * Joins word tokens into readable text: a space between tokens, except before closing punctuation (. , ! ? ; : % ) ] })
 * and after opening brackets; a straight double quote opens and closes alternately. Characters are concatenated.
 */
export function detokenize(tokens: readonly string[], level: TokenLevel = 'word'): string {
  if (!Array.isArray(tokens)) throw typeError('detokenize', 'tokens', 'an array of strings', tokens);
  if (oneOf('detokenize', 'level', level, ['word', 'char'] as const, 'word') === 'char') return tokens.join('');
  let out = '';
  let prev = '';
  let quoteOpen = false;
  for (const w of tokens) {
    let space = out.length > 0 && !NO_SPACE_AFTER.has(prev) && !NO_SPACE_BEFORE.has(w) && prev !== '\n' && w !== '\n';
    if (w === '"') {
      if (quoteOpen) space = false;
      quoteOpen = !quoteOpen;
    } else if (prev === '"' && quoteOpen) space = false;
    out += (space ? ' ' : '') + w;
    prev = w;
  }
  return out;
}
