// Text <-> token ids for train / sample / eval. The commands only see this interface; the ids come from the library's
// Vocabulary (src/text/), whose JSON is stored in the checkpoint so a loaded model decodes its own ids. Another level
// is one more entry in LEVELS (and whatever options that level needs in buildTokenizer).
import { EOS_ID, PAD_ID, UNK_ID, Vocabulary, type VocabularyJSON } from '../text/vocabulary.js';
import { UsageError } from './args.js';

export interface Tokenizer {
  /** 'char' (one token per Unicode code point) or 'word' (src/text/tokenize.ts rules, EOS after sentences). */
  readonly level: string;
  /** What a token is called in reports: loss in nats per `unit`. */
  readonly unit: string;
  readonly vocabSize: number;
  /** The library vocabulary behind it (stored in checkpoints). */
  readonly vocab: Vocabulary;
  /** Ids of a text; tokens the vocabulary lacks become the unknown id. */
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /** Ids of a text that are the unknown id (tokens the training text did not contain). */
  countUnknown(ids: ArrayLike<number>): number;
  /** Stored in the checkpoint's metadata; loadTokenizer reads it back. */
  toJSON(): VocabularyJSON;
}

export const LEVELS = ['char', 'word'] as const;

class VocabTokenizer implements Tokenizer {
  constructor(readonly vocab: Vocabulary) {}

  get level(): string {
    return this.vocab.tokenizer.level;
  }

  get unit(): string {
    return this.level;
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  encode(text: string): Int32Array {
    return this.vocab.encode(text, { eos: true }); // word level: EOS after every sentence that ends
  }

  decode(ids: ArrayLike<number>): string {
    if (this.level !== 'char') return this.vocab.decodeText(ids);
    // characters exactly as they are (decodeText's word spacing would drop spaces around line breaks)
    let s = '';
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      s += id === PAD_ID ? '' : id === EOS_ID ? '\n' : id === UNK_ID ? '\uFFFD' : this.vocab.tokenOf(id);
    }
    return s;
  }

  countUnknown(ids: ArrayLike<number>): number {
    let n = 0;
    for (let k = 0; k < ids.length; k++) if (ids[k] === UNK_ID) n++;
    return n;
  }

  toJSON(): VocabularyJSON {
    return this.vocab.toJSON();
  }
}

/**
 * A vocabulary of the training text: every character, or (word level: src/text/tokenize.ts rules) the words seen at
 * least minCount times, at most maxSize ids.
 */
export function buildTokenizer(level: string, text: string, limits: { minCount?: number; maxSize?: number } = {}): Tokenizer {
  if (!(LEVELS as readonly string[]).includes(level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}; got "${level}"`);
  return new VocabTokenizer(Vocabulary.fromText(text, { level: level as 'char' | 'word', ...limits }));
}

/** The tokenizer that train stored in a checkpoint's metadata. */
export function loadTokenizer(json: unknown, file: string): Tokenizer {
  try {
    return new VocabTokenizer(Vocabulary.fromJSON(json as VocabularyJSON));
  } catch (e) {
    throw new UsageError(`${file} has no vocabulary this version can read (${(e as Error).message})`, 1);
  }
}
