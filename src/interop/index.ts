// Public exports of the interop (src/index.ts re-exports them): TF.js layers models in and out, Keras weights in.
// The Node file helpers (src/node/, the simple-rnn/node entry) are not among them: the main entry stays platform-neutral.
export { fromTfjsLayers, fromTfjsModel, tfjsMasking, tfjsInputsToSequences } from './tfjs-import.js';
export { toTfjsLayers, toTfjsFiles } from './tfjs-export.js';
export type { TfjsExportOptions } from './tfjs-export.js';
export { fromKerasWeights } from './keras.js';
export type { KerasArray, KerasWeightsOptions } from './keras.js';
export type { ImportOptions } from './build.js';
export type { TfjsModelJson, TfjsArtifacts, TfjsWeightSpec, TfjsMasking, WeightBytes } from './tfjs-format.js';
