// Vocabulary: tokens <-> ids, built from text, stored as JSON (inside checkpoints, so a loaded model decodes its ids).
//
// Ids 0, 1, 2 are reserved: PAD ("<pad>"), UNK ("<unk>", every token not in the vocabulary) and EOS ("<eos>", the end
// of a sentence). Then the tokens that occur at least minCount times, most frequent first, ties in code-unit order of
// the token (so the same text always gives the same ids), cut to maxSize ids in all (the reserved ones included).
import { rangeError, typeError, describe as describeValue } from '../errors.js';
import { bool, int, readOptions } from '../options.js';
import {
  detokenize, resolveTokenizerOptions, sentencesWith, tokenizerFrom, tokensOf, TOKENIZER_KEYS,
  type ResolvedTokenizerOptions, type TokenizerOptions,
} from './tokenize.js';

/** Id 0, "<pad>": reserved for padding. */
export const PAD_ID = 0;
/** Id 1, "<unk>": every token not in the vocabulary. */
export const UNK_ID = 1;
/** Id 2, "<eos>": the end of a sentence (word level). */
export const EOS_ID = 2;
/** The reserved tokens by id: ['<pad>', '<unk>', '<eos>'] (ids 0, 1, 2 of every vocabulary). */
export const SPECIAL_TOKENS: readonly string[] = ['<pad>', '<unk>', '<eos>'];

/** Options of Vocabulary.fromText / fromTokens: the tokenizer's, plus which tokens make it in. */
export interface VocabularyOptions extends TokenizerOptions {
  /** Keep tokens seen at least this many times. Default 1. */
  minCount?: number;
  /**
   * At most this many ids, the 3 reserved ones included (the most frequent tokens win), so at least 4. Default: no
   * limit (Infinity).
   */
  maxSize?: number;
}

/** The keys of VocabularyOptions, for readOptions. */
export const VOCABULARY_KEYS = [...TOKENIZER_KEYS, 'minCount', 'maxSize'] as const;
const JSON_KEYS = ['format', 'version', 'tokenizer', 'tokens', 'counts'] as const;

export type ResolvedVocabularyOptions = ResolvedTokenizerOptions & { minCount: number; maxSize: number };

/** VocabularyOptions of an options snapshot already read once (readOptions), resolved; other keys are ignored. */
export function resolveVocabularyOptions(api: string, r: Partial<Record<(typeof VOCABULARY_KEYS)[number], unknown>>): ResolvedVocabularyOptions {
  return {
    ...tokenizerFrom(api, r),
    minCount: int(api, 'options.minCount', r.minCount, 1, Infinity, 1),
    // the 3 reserved ids and at least one token
    maxSize: r.maxSize === Infinity ? Infinity : int(api, 'options.maxSize', r.maxSize, SPECIAL_TOKENS.length + 1, Infinity, Infinity),
  };
}

/** The stored form: `JSON.stringify(vocab)` gives it, Vocabulary.fromJSON reads it back. */
export interface VocabularyJSON {
  /** Always 'simple-rnn/vocabulary'. */
  format: 'simple-rnn/vocabulary';
  /** Version of this stored form (1). */
  version: 1;
  /** The tokenizer rules, every option resolved. */
  tokenizer: ResolvedTokenizerOptions;
  /** tokens[id]; tokens[0..2] are the reserved "<pad>", "<unk>", "<eos>". */
  tokens: string[];
  /** counts[id] in the text the vocabulary was built from (0 for the reserved ids). */
  counts: number[];
}

/** How to encode: EOS after every sentence (word level), or not. */
export interface EncodeOptions {
  /**
   * Word level: EOS after every sentence that ends (by . ! ?, or a line break with sentences: 'line'); an open last
   * sentence ("The king") gets none, so a prompt can be continued. Default false for encode(), true for encodeText().
   */
  eos?: boolean;
}

/** How to decode to text. */
export interface DecodeTextOptions {
  /** Show PAD and EOS as "<pad>" and "<eos>" instead of skipping PAD and turning EOS into a line break. Default false. */
  keepSpecial?: boolean;
}

/** Tokens <-> ids: ids 0..2 are PAD, UNK and EOS, then the text's tokens, most frequent first. Build with fromText or fromTokens; store with JSON.stringify and fromJSON. */
export class Vocabulary {
  /** PAD_ID (0). */
  readonly padId = PAD_ID;
  /** UNK_ID (1). */
  readonly unkId = UNK_ID;
  /** EOS_ID (2). */
  readonly eosId = EOS_ID;
  /** How this vocabulary tokenizes text (level, lowercase, punctuation, sentences). */
  readonly tokenizer: Readonly<ResolvedTokenizerOptions>;
  private readonly list: string[];
  private readonly counts: number[];
  private readonly ids: Map<string, number>;

  private constructor(tokenizer: ResolvedTokenizerOptions, tokens: string[], counts: number[]) {
    this.tokenizer = Object.freeze({ ...tokenizer });
    this.list = tokens;
    this.counts = counts;
    this.ids = new Map();
    for (let id = SPECIAL_TOKENS.length; id < tokens.length; id++) this.ids.set(tokens[id], id);
  }

  /** Builds a vocabulary from one text or several (tokenized with the options' rules). */
  static fromText(text: string | readonly string[], options?: VocabularyOptions): Vocabulary {
    const api = 'Vocabulary.fromText';
    const texts = typeof text === 'string' ? [text] : text;
    if (!Array.isArray(texts)) throw typeError(api, 'text', 'a string or an array of strings', text);
    const { minCount, maxSize, ...tok } = resolveVocabularyOptions(api, readOptions(api, options, VOCABULARY_KEYS));
    const counts = new Map<string, number>();
    texts.forEach((t, k) => {
      const field = `text[${k}]`;
      const toks = tok.level === 'char' ? tokensOf(api, t, tok, field) : sentencesWith(api, t, tok, field).sentences.flat();
      for (const w of toks) counts.set(w, (counts.get(w) ?? 0) + 1);
    });
    return Vocabulary.fromCounts(counts, tok, minCount, maxSize);
  }

  /** Builds a vocabulary from tokens already split (a token list, or a list of token lists). */
  static fromTokens(tokens: Iterable<string | readonly string[]>, options?: VocabularyOptions): Vocabulary {
    const api = 'Vocabulary.fromTokens';
    if (tokens === null || typeof tokens !== 'object' || !(Symbol.iterator in tokens)) {
      throw typeError(api, 'tokens', 'an array of tokens (strings) or of token arrays', tokens);
    }
    const { minCount, maxSize, ...tok } = resolveVocabularyOptions(api, readOptions(api, options, VOCABULARY_KEYS));
    const counts = new Map<string, number>();
    let k = 0;
    const add = (w: unknown, field: string) => {
      if (typeof w !== 'string' || w.length === 0) throw typeError(api, field, 'a non-empty string (a token)', w);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    };
    for (const item of tokens) {
      if (Array.isArray(item)) item.forEach((w, j) => add(w, `tokens[${k}][${j}]`));
      else add(item, `tokens[${k}]`);
      k++;
    }
    return Vocabulary.fromCounts(counts, tok, minCount, maxSize);
  }

  private static fromCounts(counts: Map<string, number>, tok: ResolvedTokenizerOptions, minCount: number, maxSize: number): Vocabulary {
    for (const s of SPECIAL_TOKENS) counts.delete(s); // a literal "<unk>" in the text is the unknown token
    const kept = [...counts].filter(([, c]) => c >= minCount);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    kept.length = Math.min(kept.length, maxSize - SPECIAL_TOKENS.length);
    return new Vocabulary(tok, [...SPECIAL_TOKENS, ...kept.map(([w]) => w)], [0, 0, 0, ...kept.map(([, c]) => c)]);
  }

  /** Number of ids (the vocabSize of a model over it), the 3 reserved ids included. */
  get size(): number {
    return this.list.length;
  }

  /** Every token, by id (a copy). */
  get tokens(): string[] {
    return this.list.slice();
  }

  /** True when the token has its own id (the reserved tokens included). */
  has(token: string): boolean {
    return this.ids.has(token) || SPECIAL_TOKENS.includes(token);
  }

  /** The token's id; UNK_ID for a token not in the vocabulary. */
  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id !== undefined) return id;
    const s = SPECIAL_TOKENS.indexOf(token);
    return s >= 0 ? s : UNK_ID;
  }

  /** How often the token occurred in the text the vocabulary was built from (0 when unknown). */
  countOf(token: string): number {
    const id = this.ids.get(token);
    return id === undefined ? 0 : this.counts[id];
  }

  /** The token of an id; throws only on an id that is not an integer in [0, size). */
  tokenOf(id: number): string {
    this.checkId('Vocabulary.tokenOf', 'id', id);
    return this.list[id];
  }

  private checkId(api: string, field: string, id: unknown): void {
    if (typeof id !== 'number') throw typeError(api, field, 'a token id (an integer)', id);
    if (!Number.isInteger(id) || id < 0 || id >= this.list.length) {
      throw rangeError(api, field, `= ${id} is not a token id; expected an integer in [0, size=${this.list.length})`);
    }
  }

  /** Tokens of a text by this vocabulary's rules (no ids yet). */
  tokenize(text: string): string[] {
    return tokensOf('Vocabulary.tokenize', text, this.tokenizer);
  }

  /**
   * Ids of a text (tokenized by this vocabulary's rules) or of tokens. Unknown tokens get UNK_ID. With eos: true
   * (word level) EOS_ID follows every sentence.
   */
  encode(input: string | readonly string[], options?: EncodeOptions): Int32Array {
    const api = 'Vocabulary.encode';
    const eos = bool(api, 'options.eos', readOptions(api, options, ['eos'] as const).eos, false);
    if (typeof input === 'string') {
      if (eos && this.tokenizer.level === 'word') {
        const { sentences, lastOpen } = sentencesWith(api, input, this.tokenizer, 'input');
        const out = new Int32Array(sentences.reduce((a, s) => a + s.length + 1, 0) - (lastOpen ? 1 : 0));
        let at = 0;
        for (const s of sentences) {
          for (const w of s) out[at++] = this.idOf(w);
          if (at < out.length) out[at++] = EOS_ID;
        }
        return out;
      }
      const toks = tokensOf(api, input, this.tokenizer);
      return Int32Array.from(toks, (w) => this.idOf(w));
    }
    if (!Array.isArray(input)) throw typeError(api, 'input', 'a string or an array of tokens', input);
    return Int32Array.from(input, (w, k) => {
      if (typeof w !== 'string') throw typeError(api, `input[${k}]`, 'a token (a string)', w);
      return this.idOf(w);
    });
  }

  /** One id sequence per sentence of a text (word level; a char vocabulary gives one per line). No EOS. */
  encodeSentences(text: string): Int32Array[] {
    const api = 'Vocabulary.encodeSentences';
    if (this.tokenizer.level === 'char') {
      if (typeof text !== 'string') throw typeError(api, 'text', 'a string', text);
      return text.split(/\r\n?|\n/).filter((l) => l.length > 0).map((l) => this.encode(l));
    }
    return sentencesWith(api, text, this.tokenizer).sentences.map((s) => this.encode(s));
  }

  /** Tokens of ids. Never throws on a valid id; throws a RangeError naming the index of an invalid one. */
  decode(ids: ArrayLike<number>): string[] {
    const api = 'Vocabulary.decode';
    if (ids === null || typeof ids !== 'object' || typeof (ids as ArrayLike<number>).length !== 'number') {
      throw typeError(api, 'ids', 'an array of token ids', ids);
    }
    const out: string[] = new Array(ids.length);
    for (let k = 0; k < ids.length; k++) {
      this.checkId(api, `ids[${k}]`, ids[k]);
      out[k] = this.list[ids[k]];
    }
    return out;
  }

  /**
   * Readable text of ids: words joined by detokenize()'s spacing rule (no space around a line break), characters
   * concatenated exactly. PAD is skipped, EOS becomes a line break, UNK shows as "<unk>" (with keepSpecial, PAD and
   * EOS show as "<pad>" and "<eos>" too).
   */
  decodeText(ids: ArrayLike<number>, options?: DecodeTextOptions): string {
    const api = 'Vocabulary.decodeText';
    const keepSpecial = bool(api, 'options.keepSpecial', readOptions(api, options, ['keepSpecial'] as const).keepSpecial, false);
    const toks = this.decode(ids);
    if (keepSpecial) return detokenize(toks, this.tokenizer.level);
    const parts: string[] = [];
    for (let k = 0; k < toks.length; k++) {
      if (ids[k] === PAD_ID) continue;
      parts.push(ids[k] === EOS_ID ? '\n' : toks[k]);
    }
    return this.tokenizer.level === 'char' ? parts.join('') : detokenize(parts, 'word');
  }

  /** The stored form (VocabularyJSON); JSON.stringify(vocab) calls it. */
  toJSON(): VocabularyJSON {
    return { format: 'simple-rnn/vocabulary', version: 1, tokenizer: { ...this.tokenizer }, tokens: this.list.slice(), counts: this.counts.slice() };
  }

  /** Reads what toJSON() wrote (an object, or its JSON string); every field is checked. */
  static fromJSON(json: VocabularyJSON | string): Vocabulary {
    const api = 'Vocabulary.fromJSON';
    let j: unknown = json;
    if (typeof json === 'string') {
      try {
        j = JSON.parse(json);
      } catch (e) {
        throw rangeError(api, 'json', `is not valid JSON (${(e as Error).message})`);
      }
    }
    if (j === null || typeof j !== 'object' || Array.isArray(j)) throw typeError(api, 'json', 'a vocabulary object (from toJSON)', j);
    const o = readOptions(api, j, JSON_KEYS, 'json', 'a field of a vocabulary') as Partial<VocabularyJSON>;
    if (o.format !== 'simple-rnn/vocabulary') throw rangeError(api, 'json.format', `= ${describeValue(o.format)}; expected "simple-rnn/vocabulary"`);
    if (o.version !== 1) throw rangeError(api, 'json.version', `= ${describeValue(o.version)} is not supported; expected 1`);
    const tok = resolveTokenizerOptions(api, o.tokenizer, 'json.tokenizer');
    if (!Array.isArray(o.tokens)) throw typeError(api, 'json.tokens', 'an array of strings', o.tokens);
    if (!Array.isArray(o.counts) || o.counts.length !== o.tokens.length) {
      throw rangeError(api, 'json.counts', `must be an array of ${o.tokens.length} counts (one per token); got ${describeValue(o.counts)}`);
    }
    SPECIAL_TOKENS.forEach((s, id) => {
      if (o.tokens![id] !== s) throw rangeError(api, `json.tokens[${id}]`, `= ${describeValue(o.tokens![id])}; expected the reserved token "${s}"`);
    });
    const seen = new Set<string>();
    o.tokens.forEach((w, id) => {
      if (typeof w !== 'string' || w.length === 0) throw typeError(api, `json.tokens[${id}]`, 'a non-empty string', w);
      if (seen.has(w)) throw rangeError(api, `json.tokens[${id}]`, `= ${describeValue(w)} is a duplicate; every token must be unique`);
      seen.add(w);
      const c = o.counts![id];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) throw rangeError(api, `json.counts[${id}]`, `= ${describeValue(c)}; expected an integer >= 0`);
    });
    return new Vocabulary(tok, o.tokens.slice(), o.counts.slice());
  }
}
