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
import { rangeError, typeError } from '../errors.js';

export type TokenLevel = 'char' | 'word';
export type Punctuation = 'separate' | 'drop';
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

export type ResolvedTokenizerOptions = Required<TokenizerOptions>;

export function resolveTokenizerOptions(api: string, o: TokenizerOptions | undefined): ResolvedTokenizerOptions {
  if (o !== undefined && (o === null || typeof o !== 'object')) throw typeError(api, 'options', 'an options object', o);
  const opt = o ?? {};
  const level = opt.level ?? 'word';
  if (level !== 'word' && level !== 'char') throw typeError(api, 'options.level', "'word' or 'char'", level);
  const lowercase = opt.lowercase ?? level === 'word';
  if (typeof lowercase !== 'boolean') throw typeError(api, 'options.lowercase', 'a boolean', lowercase);
  const punctuation = opt.punctuation ?? 'separate';
  if (punctuation !== 'separate' && punctuation !== 'drop') throw typeError(api, 'options.punctuation', "'separate' or 'drop'", punctuation);
  const sentences = opt.sentences ?? 'punctuation';
  if (sentences !== 'punctuation' && sentences !== 'line') throw typeError(api, 'options.sentences', "'punctuation' or 'line'", sentences);
  return { level, lowercase, punctuation, sentences };
}

function checkText(api: string, text: unknown, field = 'text'): string {
  if (typeof text !== 'string') throw typeError(api, field, 'a string', text);
  return text;
}

/** Characters of a text: one token per code point, CRLF and CR turned into "\n". */
export function tokenizeChars(text: string, options: { lowercase?: boolean } = {}): string[] {
  let t = checkText('tokenizeChars', text).replace(/\r\n?/g, '\n');
  if (options.lowercase) t = t.toLowerCase();
  return Array.from(t);
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

/** Sentences of a text as word tokens, by the rules at the top of this file. Empty sentences are left out. */
export function splitSentences(text: string, options?: TokenizerOptions): string[][] {
  return sentencesOf(text, options, 'splitSentences').sentences;
}

/**
 * splitSentences, and whether the last sentence is still open: not ended by . ! ? (or, with sentences: 'line', by
 * a line break). A prompt such as "The king" is an open sentence; encode(text, { eos: true }) puts no EOS after it.
 */
export function sentencesOf(text: string, options?: TokenizerOptions, api = 'sentencesOf'): { sentences: string[][]; lastOpen: boolean } {
  checkText(api, text);
  const o = resolveTokenizerOptions(api, { ...options, level: 'word' });
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
    const lines = text.split(/\r\n?|\n/);
    lines.forEach((line, k) => keep(wordTokens(line, o.lowercase), k + 1 < lines.length));
    return { sentences, lastOpen };
  }
  let cur: string[] = [];
  for (const w of wordTokens(text, o.lowercase)) {
    cur.push(w);
    if (SENTENCE_END.has(w)) {
      keep(cur, true);
      cur = [];
    }
  }
  keep(cur, false);
  return { sentences, lastOpen };
}

/** Word tokens of a text (all sentences, in order), by the rules at the top of this file. */
export function tokenizeWords(text: string, options?: Omit<TokenizerOptions, 'level'>): string[] {
  const api = 'tokenizeWords';
  checkText(api, text);
  const o = resolveTokenizerOptions(api, { ...options, level: 'word' });
  const toks = wordTokens(text, o.lowercase);
  return o.punctuation === 'drop' ? toks.filter((w) => !isPunctuation(w)) : toks;
}

/** Tokens of a text at the level the options give. */
export function tokenize(text: string, options?: TokenizerOptions): string[] {
  const o = resolveTokenizerOptions('tokenize', options);
  return o.level === 'char' ? tokenizeChars(text, o) : tokenizeWords(text, o);
}

const NO_SPACE_BEFORE = new Set(['.', ',', '!', '?', ';', ':', '%', ')', ']', '}', "'", '…']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$', '#', '@']);

/**
 * Joins word tokens into readable text: a space between tokens, except before closing punctuation (. , ! ? ; : % ) ] })
 * and after opening brackets; a straight double quote opens and closes alternately. Characters are concatenated.
 */
export function detokenize(tokens: readonly string[], level: TokenLevel = 'word'): string {
  if (!Array.isArray(tokens)) throw typeError('detokenize', 'tokens', 'an array of strings', tokens);
  if (level === 'char') return tokens.join('');
  if (level !== 'word') throw rangeError('detokenize', 'level', `= ${String(level)}; expected 'word' or 'char'`);
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
