// Exports a SimpleRNN as a TensorFlow.js layers model: tf.io artifacts in memory, or the text and bytes of model.json
// and its weights file. The format and the weight mapping are in src/interop/tfjs-format.ts.
import { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import { bool, num, readOptions, str } from '../options.js';
import { LAYER, packWeights, weightName, type Cfg, type NamedWeight, type TfjsArtifacts, type TfjsModelJson } from './tfjs-format.js';

/** Options of toTfjsLayers. */
export interface TfjsExportOptions {
  /**
   * Dense-input models: prepend a Masking layer with this mask_value, so that TF.js skips padded steps whose features
   * all equal it (make sure no real step does). Default: no masking layer.
   */
  maskValue?: number;
  /**
   * Token models: the Embedding gets mask_zero: true, so TF.js treats id 0 as padding. Use it when the model was
   * trained with id 0 reserved (never in a sequence). Ids are not shifted. Default false.
   */
  maskZero?: boolean;
}

const EXPORT_KEYS = ['maskValue', 'maskZero'] as const;
const FILES_KEYS = [...EXPORT_KEYS, 'weightsPath'] as const;

/** TfjsExportOptions resolved against the model: maskValue only for dense inputs, maskZero only for tokens. */
interface ExportConfig {
  maskValue: number | undefined;
  maskZero: boolean;
}

function exportConfig(api: string, o: Partial<Record<(typeof EXPORT_KEYS)[number], unknown>>, tokens: boolean): ExportConfig {
  let maskValue: number | undefined;
  if (o.maskValue !== undefined) {
    if (tokens) throw rangeError(api, 'options.maskValue', 'applies to dense-input models; token models use options.maskZero');
    maskValue = num(api, 'options.maskValue', o.maskValue, { min: -Infinity, max: Infinity, minOpen: true });
  }
  const maskZero = bool(api, 'options.maskZero', o.maskZero, false);
  if (maskZero && !tokens) throw rangeError(api, 'options.maskZero', 'applies to token models; dense-input models use options.maskValue');
  return { maskValue, maskZero };
}

/**
 * The model as TensorFlow.js layers artifacts (tf.io.ModelArtifacts): tf.loadLayersModel(tf.io.fromMemory(a)) loads
 * it. Dense inputs: SimpleRNN → Dense. Token ids with an embedding layer (embeddingSize D): Embedding E (V, D) →
 * SimpleRNN with kernel Ws[H..H+D) → Dense. Token ids without one: Embedding (V, H) holding Ws's token rows →
 * SimpleRNN whose kernel is the identity (exact: x·I adds only zeros) → Dense. Floats are stored as float32 (a
 * float64 js model is rounded).
 */
export function toTfjsLayers(model: SimpleRNN, options?: TfjsExportOptions): Required<Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs' | 'format' | 'generatedBy' | 'convertedBy'>> & { weightData: ArrayBuffer } {
  const api = 'toTfjsLayers';
  if (!(model instanceof SimpleRNN)) throw typeError(api, 'model', 'a SimpleRNN', model);
  const o = readOptions(api, options ?? undefined, EXPORT_KEYS);
  return exportLayers(api, model, exportConfig(api, o, model.config.vocabSize > 0));
}

/**
 * The model as the two files of a TF.js layers model: model.json (text) and its weights file (bytes), as
 * tf.loadLayersModel('…/model.json') fetches them. Writing them is the caller's (src/interop/node.ts in Node).
 */
export function toTfjsFiles(
  model: SimpleRNN,
  options?: TfjsExportOptions & {
    /** The weights file's name in model.json's manifest (relative to model.json). Default 'weights.bin'. */
    weightsPath?: string;
  },
): { modelJson: string; weights: Uint8Array; weightsPath: string } {
  const api = 'toTfjsFiles';
  if (!(model instanceof SimpleRNN)) throw typeError(api, 'model', 'a SimpleRNN', model);
  const o = readOptions(api, options ?? undefined, FILES_KEYS);
  const weightsPath = str(api, 'options.weightsPath', o.weightsPath, 'weights.bin');
  const a = exportLayers(api, model, exportConfig(api, o, model.config.vocabSize > 0));
  const json: TfjsModelJson = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs }],
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(a.weightData), weightsPath };
}

function exportLayers(api: string, model: SimpleRNN, o: ExportConfig): ReturnType<typeof toTfjsLayers> {
  const c = model.config;
  const p = model.getParams(); // throws when disposed
  if (c.layers > 1 || c.bidirectional || c.goBackwards) {
    throw rangeError(api, 'model', `has ${c.layers} layer(s)${c.bidirectional ? ', bidirectional' : ''}${c.goBackwards ? ', goBackwards' : ''}; this exporter writes one forward SimpleRNN layer`);
  }
  const H = c.hiddenSize as number;
  const { outputSize: O, vocabSize: V, inputSize: I, embeddingSize: D } = c;
  for (let h = 0; h < H; h++) {
    if (p.s0[h] !== 0) throw rangeError(api, `model s0[${h}]`, `= ${p.s0[h]}; TF.js's SimpleRNN starts from a zero state, so a learned s0 cannot be exported`);
  }
  const layers: Cfg[] = [];
  const weights: NamedWeight[] = [];
  const add = (layer: string, base: string, shape: number[], data: ArrayLike<number>): void => {
    weights.push({ name: weightName(layer, base), shape, data });
  };
  const inputRows = p.Ws.subarray(H * H);
  const recurrent = p.Ws.subarray(0, H * H);
  if (V) {
    layers.push({ class_name: 'Embedding', config: { name: LAYER.embedding, trainable: true, input_dim: V, output_dim: D || H, mask_zero: o.maskZero, input_length: null, batch_input_shape: [null, null], dtype: 'float32', embeddings_initializer: { class_name: 'Zeros', config: {} }, embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null } });
    if (D) add(LAYER.embedding, 'embeddings', [V, D], p.E);
    else add(LAYER.embedding, 'embeddings', [V, H], inputRows);
  } else if (o.maskValue !== undefined) {
    layers.push({ class_name: 'Masking', config: { name: LAYER.masking, trainable: true, mask_value: o.maskValue, batch_input_shape: [null, null, I], dtype: 'float32' } });
  }
  const rnn: Cfg = {
    name: LAYER.rnn, trainable: true, units: H, activation: c.activation, use_bias: true,
    kernel_initializer: { class_name: 'Zeros', config: {} }, recurrent_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} },
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
    dropout: 0, recurrent_dropout: 0, return_sequences: c.returnSequences, return_state: false, go_backwards: false, stateful: false, unroll: false,
  };
  if (!V && o.maskValue === undefined) Object.assign(rnn, { batch_input_shape: [null, null, I], dtype: 'float32' });
  layers.push({ class_name: 'SimpleRNN', config: rnn });
  if (D) add(LAYER.rnn, 'kernel', [D, H], inputRows);
  else if (V) {
    const eye = new Float32Array(H * H);
    for (let h = 0; h < H; h++) eye[h * H + h] = 1;
    add(LAYER.rnn, 'kernel', [H, H], eye);
  } else add(LAYER.rnn, 'kernel', [I, H], inputRows);
  add(LAYER.rnn, 'recurrent_kernel', [H, H], recurrent);
  add(LAYER.rnn, 'bias', [H], p.bs);
  layers.push({ class_name: 'Dense', config: { name: LAYER.dense, trainable: true, units: O, activation: c.outputActivation, use_bias: true, kernel_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } });
  add(LAYER.dense, 'kernel', [H, O], p.Wo);
  add(LAYER.dense, 'bias', [O], p.bo);
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'simple_rnn_model', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    ...packWeights(weights),
    format: 'layers-model',
    generatedBy: 'simple-rnn',
    convertedBy: null,
  };
}
