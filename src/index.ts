// Public exports only.
export { SimpleRNN, PARAM_NAMES } from './model.js';
export type { SimpleRNNOptions, ModelConfig, Params, ParamName, Gradients, Activation, OutputActivation } from './model.js';
export type { Inputs, Targets, Target, DenseSequence, TokenSequence } from './batch.js';
export { NonFiniteError } from './errors.js';
export { Rng } from './random.js';
export { wasmSimdSupported, resolveBackend } from './backends/wasm.js';
export * from './text/index.js';
