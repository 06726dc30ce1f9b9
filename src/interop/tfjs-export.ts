// Exports a SimpleRNN as a TensorFlow.js layers model: tf.io artifacts in memory, or the text and bytes of model.json
// and its weights file. The format and the weight mapping are in src/interop/tfjs-format.ts.
import { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import { bool, num, readOptions, str } from '../options.js';
import { archOf, paramSuffix } from '../layout.js';
import { LAYER, METADATA_KEY, numbered, packWeights, weightName, type Cfg, type NamedWeight, type TfjsArtifacts, type TfjsModelJson } from './tfjs-format.js';

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
 * SimpleRNN whose kernel is the identity (exact: x·I adds only zeros) → Dense; bidirectional, the Embedding is
 * (V, 2H), both directions' token rows side by side, and the kernels [I; 0] and [0; I] select them. Deep models stack
 * one SimpleRNN per layer (each but the top one returning sequences), bidirectional ones Bidirectional(SimpleRNN)
 * with merge_mode = merge; goBackwards is the first SimpleRNN's go_backwards. The training settings are kept:
 * inputDropout as the first layer's dropout, recurrentDropout as every layer's recurrent_dropout, dropout as a
 * Dropout layer between every two recurrent layers. Floats are stored as float32 (a float64 js model is rounded).
 * Refused, naming the field: a learned non-zero s0 (TF.js starts from zeros), and masking a goBackwards model of
 * 2+ layers (TF.js hands the next layer the mask unreversed).
 */
export function toTfjsLayers(model: SimpleRNN, options?: TfjsExportOptions): Required<Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs' | 'format' | 'generatedBy' | 'convertedBy'>> & {
  /** The float32 weights, concatenated in weightSpecs order (little-endian). */
  weightData: ArrayBuffer;
} {
  const api = 'toTfjsLayers';
  if (!(model instanceof SimpleRNN)) throw typeError(api, 'model', 'a SimpleRNN', model);
  const o = readOptions(api, options ?? undefined, EXPORT_KEYS);
  return exportLayers(api, model, exportConfig(api, o, model.config.vocabSize > 0));
}

/**
 * The model as the two files of a TF.js layers model: model.json (text) and its weights file (bytes), as
 * tf.loadLayersModel('…/model.json') fetches them. Writing them is the caller's (saveTfjsLayers of simple-rnn/node in Node).
 */
export function toTfjsFiles(
  model: SimpleRNN,
  options?: TfjsExportOptions & {
    /** The weights file's name in model.json's manifest (relative to model.json). Default 'weights.bin'. */
    weightsPath?: string;
  },
): {
  /** The text of model.json (its manifest names weightsPath). */
  modelJson: string;
  /** The bytes of the weights file. */
  weights: Uint8Array;
  /** The weights file's name, as model.json's manifest gives it. */
  weightsPath: string;
} {
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
    // the model's metadata (a vocabulary, say) travels with it: fromTfjsLayers sets it again
    ...(model.metadata !== undefined ? { userDefinedMetadata: { [METADATA_KEY]: model.metadata } } : {}),
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(a.weightData), weightsPath };
}

function exportLayers(api: string, model: SimpleRNN, o: ExportConfig): ReturnType<typeof toTfjsLayers> {
  const c = model.config;
  const p = model.getParams(); // throws when disposed
  const { L, dirs, H, out } = archOf(c);
  const { outputSize: O, vocabSize: V, inputSize: I, embeddingSize: D } = c;
  for (const k of model.paramNames) {
    if (!k.startsWith('s0')) continue;
    const at = p[k].findIndex((v) => v !== 0);
    if (at >= 0) throw rangeError(api, `model ${k}[${at}]`, `= ${p[k][at]}; TF.js's SimpleRNN starts from a zero state, so a learned s0 cannot be exported`);
  }
  if (c.goBackwards && L > 1 && (o.maskValue !== undefined || o.maskZero)) {
    throw rangeError(api, `options.${o.maskZero ? 'maskZero' : 'maskValue'}`, `cannot mask a goBackwards model of ${L} layers: TF.js (as Keras) hands the layer after a go_backwards one the mask unreversed, so a padded batch would read the wrong steps; export without masking and feed unpadded sequences`);
  }
  const layers: Cfg[] = [];
  const weights: NamedWeight[] = [];
  const add = (layer: string, base: string, shape: number[], data: ArrayLike<number>): void => {
    weights.push({ name: weightName(layer, base), shape, data });
  };
  const input = { batch_input_shape: V ? [null, null] : [null, null, I], dtype: 'float32' };
  /** Layer 0's token rows of direction d (V, H): Ws[H..H+V). */
  const tokenRows = (d: number) => p[`Ws${paramSuffix(0, d)}`].subarray(H[0] * H[0]);
  if (V) {
    // without E: the Embedding holds each direction's token rows side by side, (V, dirs·H), and the kernels select them
    const width = D || dirs * H[0];
    let E: ArrayLike<number> = p.E;
    if (!D) {
      const rows = new Float32Array(V * width);
      for (let d = 0; d < dirs; d++) {
        const T = tokenRows(d);
        for (let v = 0; v < V; v++) rows.set(T.subarray(v * H[0], (v + 1) * H[0]), v * width + d * H[0]);
      }
      E = rows;
    }
    layers.push({ class_name: 'Embedding', config: { name: LAYER.embedding, trainable: true, input_dim: V, output_dim: width, mask_zero: o.maskZero, input_length: null, ...input, embeddings_initializer: zeros(), embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null } });
    add(LAYER.embedding, 'embeddings', [V, width], E);
  } else if (o.maskValue !== undefined) {
    layers.push({ class_name: 'Masking', config: { name: LAYER.masking, trainable: true, mask_value: o.maskValue, ...input } });
  }
  const first = layers.length === 0; // the first recurrent layer carries the input shape
  for (let l = 0; l < L; l++) {
    const h = H[l];
    const name = numbered(LAYER.rnn, l);
    const rnn: Cfg = {
      name, trainable: true, units: h, activation: c.activation, use_bias: true,
      kernel_initializer: zeros(), recurrent_initializer: zeros(), bias_initializer: zeros(),
      kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
      dropout: l === 0 ? c.inputDropout : 0, recurrent_dropout: c.recurrentDropout,
      return_sequences: l < L - 1 || c.returnSequences, return_state: false, go_backwards: l === 0 && c.goBackwards, stateful: false, unroll: false,
    };
    const wrapper = numbered(LAYER.bidirectional, l);
    const shape = l === 0 && first ? input : {};
    if (dirs === 1) layers.push({ class_name: 'SimpleRNN', config: { ...rnn, ...shape } });
    else layers.push({ class_name: 'Bidirectional', config: { name: wrapper, trainable: true, merge_mode: c.merge, layer: { class_name: 'SimpleRNN', config: rnn }, ...shape } });
    for (let d = 0; d < dirs; d++) {
      const x = paramSuffix(l, d);
      const prefix = dirs === 1 ? name : `${wrapper}/${d ? 'backward' : 'forward'}_${name}`;
      const Ws = p[`Ws${x}`];
      const In = l ? out[l - 1] : D || (V ? dirs * h : I);
      if (l === 0 && V && !D) {
        // K (dirs·H, H) selects this direction's columns of the Embedding: x·K adds only zeros, exact
        const K = new Float32Array(In * h);
        for (let k = 0; k < h; k++) K[(d * h + k) * h + k] = 1;
        add(prefix, 'kernel', [In, h], K);
      } else add(prefix, 'kernel', [In, h], Ws.subarray(h * h));
      add(prefix, 'recurrent_kernel', [h, h], Ws.subarray(0, h * h));
      add(prefix, 'bias', [h], p[`bs${x}`]);
    }
    if (l < L - 1 && c.dropout > 0) layers.push({ class_name: 'Dropout', config: { name: numbered(LAYER.dropout, l), trainable: true, rate: c.dropout, noise_shape: null, seed: null } });
  }
  layers.push({ class_name: 'Dense', config: { name: LAYER.dense, trainable: true, units: O, activation: c.outputActivation, use_bias: true, kernel_initializer: zeros(), bias_initializer: zeros(), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } });
  add(LAYER.dense, 'kernel', [out[L - 1], O], p.Wo);
  add(LAYER.dense, 'bias', [O], p.bo);
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'simple_rnn_model', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    ...packWeights(weights),
    format: 'layers-model',
    generatedBy: 'simple-rnn',
    convertedBy: null,
  };
}

/** An initializer for the config (TF.js sets the weights right after): a fresh object each time. */
const zeros = () => ({ class_name: 'Zeros', config: {} });
