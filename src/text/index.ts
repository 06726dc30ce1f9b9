// Words: tokenizers, vocabularies, pretrained vectors, nearest neighbours and word-level language models.
export * from './tokenize.js';
export * from './vocabulary.js';
export * from './vectors.js';
export * from './neighbors.js';
export * from './lm.js';
