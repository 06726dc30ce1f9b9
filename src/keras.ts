/**
 * Keras model files as SimpleRNN models: `.keras` archives (Keras 3) and legacy `.h5` files (Keras 2 / tf.keras), read
 * from bytes in memory. A package entry of its own (platform-neutral), so that the HDF5 reader it needs, jsfive, stays
 * out of the main entry.
 * @module simple-rnn/keras
 */
// Public exports only.
export { fromKerasFile } from './interop/keras-file.js';
export type { KerasFileOptions } from './interop/keras-file.js';
export type { ImportOptions } from './interop/build.js';
