// Public exports only.
export { SimpleRNN, PARAM_NAMES } from './model.js';
export type { SimpleRNNOptions, ModelConfig, Params, ParamName, Gradients, Activation, OutputActivation } from './model.js';
export type { Inputs, Targets, Target, DenseSequence, TokenSequence } from './batch.js';
export { NonFiniteError } from './errors.js';
export { Rng } from './random.js';
export { fromTfjsLayers, fromKerasWeights, toTfjsLayers, toTfjsFiles, tfjsMasking, tfjsInputsToSequences } from './interop/tfjs.js';
export type {
  TfjsModelJson, TfjsArtifacts, TfjsWeightSpec, TfjsMasking, TfjsExportOptions, ImportOptions, KerasArray, KerasWeightsOptions, WeightBytes,
} from './interop/tfjs.js';
export { wasmSimdSupported, resolveBackend } from './backends/wasm.js';
export * from './text/index.js';
