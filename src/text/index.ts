// Words: tokenizers, vocabularies, pretrained vectors, nearest neighbours and word-level language models.
// Public exports only: the option key lists and the resolved-rule helpers the modules share stay inside.
export {
  resolveTokenizerOptions, tokenizeChars, isPunctuation, splitSentences, sentencesOf, tokenizeWords, tokenize, detokenize,
} from './tokenize.js';
export type { TokenLevel, Punctuation, SentenceRule, TokenizerOptions, ResolvedTokenizerOptions } from './tokenize.js';
export { PAD_ID, UNK_ID, EOS_ID, SPECIAL_TOKENS, Vocabulary } from './vocabulary.js';
export type { VocabularyOptions, VocabularyJSON, EncodeOptions, DecodeTextOptions } from './vocabulary.js';
export { parseWordVectors, readWordVectors, embeddingMatrix, loadPretrainedEmbeddings } from './vectors.js';
export type { WordVectors, ReadVectorsOptions, VectorSource, Coverage, EmbeddingMatrixOptions } from './vectors.js';
export { tokenEmbeddings, nearestNeighbors } from './neighbors.js';
export type { Embeddings, Neighbor, NeighborOptions } from './neighbors.js';
export {
  encodeText, buildWordLM, lmWindows, trainLanguageModel, perplexity, continueSentence, sampleId, vocabularyFromMetadata,
} from './lm.js';
export type { WordLMOptions, TrainLMOptions, PerplexityOptions, PerplexityResult, ContinueOptions, Continuation } from './lm.js';
