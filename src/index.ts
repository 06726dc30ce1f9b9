/**
 * Simple (Elman) recurrent networks on a WebAssembly SIMD core (SimpleRNN), with a pure-JS reference backend.
 * @module simple-rnn
 */
// Public exports only.
export { SimpleRNN } from './model.js';
export type { Gradients, PredictOptions, PredictWithState, LoadOptions, TraceOptions, ComputeGradientsOptions } from './model.js';
export type { Trace, LayerTrace } from './trace.js';
export type { SimpleRNNOptions, ModelConfig, Activation, OutputActivation, MergeMode, ThreadSplit } from './config.js';
export type { FloatArray } from './backend.js';
export { PARAM_NAMES } from './layout.js';
export type { Params, ParamName } from './layout.js';
export type { Inputs, Targets, Target, DenseSequence, TokenSequence } from './batch.js';
export { NonFiniteError } from './errors.js';
export type {
  TrainingOptions, TrainingConfig, OptimizerOptions, OptimizerType, OptimizerConfig, ScheduleOptions, ScheduleConfig, NonFiniteMode,
  SgdOptions, MomentumOptions, AdamOptions, RmspropOptions, AdagradOptions,
} from './optim.js';
export type {
  FitOptions, FitCallbacks, History, BatchLogs, EpochLogs, EarlyStoppingOptions, EvaluateOptions,
  FitStreamOptions, StreamHistory, StreamLogs, StreamEvaluateOptions,
} from './train.js';
export type { GenerateOptions } from './generate.js';
export { crc32, FORMAT_VERSION as CHECKPOINT_VERSION } from './checkpoint.js';
export { Rng } from './random.js';
export { fromTfjsLayers, fromTfjsModel, fromKerasWeights, toTfjsLayers, toTfjsFiles, tfjsMasking, tfjsInputsToSequences } from './interop/index.js';
export type {
  TfjsModelJson, TfjsArtifacts, TfjsWeightSpec, TfjsMasking, TfjsExportOptions, ImportOptions, KerasArray, KerasWeightsOptions, WeightBytes,
} from './interop/index.js';
export { fromPytorch, toPytorch, PYTORCH_METADATA_KEY, MODEL_METADATA_KEY } from './interop/pytorch.js';
export type { PytorchImportOptions, PytorchNames, PytorchModuleConfig, PytorchExport } from './interop/pytorch.js';
export { toOnnx } from './interop/onnx-export.js';
export type { OnnxExportOptions } from './interop/onnx-export.js';
export { fromOnnx } from './interop/onnx-import.js';
export type { OnnxImportOptions } from './interop/onnx-import.js';
export { readSafetensors, writeSafetensors } from './interop/safetensors.js';
export type { SafetensorsFile, SafetensorsTensor, SafetensorsInput, SafetensorsDtype } from './interop/safetensors.js';
export { wasmSimdSupported, resolveBackend } from './backends/wasm.js';
export type { SimdMode } from './backends/wasm.js';
export * from './text/index.js';
