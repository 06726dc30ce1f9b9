// The TF.js layers format as both directions of the interop use it: the artifact types, the weight mapping, the layer
// and weight names, the activations it can carry, and the float32 weight bytes. Platform-neutral and tfjs-free: the
// formats are plain JSON and little-endian float32 bytes (src/node/tfjs.ts reads and writes the files).
//
// Weight mapping (row-major everywhere). Per recurrent layer l (SimpleRNN, or Bidirectional(SimpleRNN) whose
// forward_layer is direction 0 and backward_layer direction 1): H = units, In = its input width (I or D for l = 0;
// for l > 0 the previous layer's output: 2H for a concatenating Bidirectional, H otherwise); O = dense units,
// V = vocabulary, D = embedding dim; x = the parameter suffix (layout.ts paramSuffix: '', _l1, _reverse, _l1_reverse).
//   ours              TF.js / Keras
//   Ws{x}[0..H)       recurrent_kernel (H, H)                (rows multiply s^{t-1})
//   Ws{x}[H..H+In)    kernel (In, H)                         (rows multiply the layer's input)
//   E (V, D)          embedding embeddings (V, D)            (token models: SimpleRNN.create's embeddingSize D; Ws[H..H+D) = K)
//   Ws[H..H+V)        E · K (V, H), with foldEmbedding       (no E: id selects row H+id; folded in f64, rounded once to f32)
//   bs{x} (H)         bias, or 0 when use_bias is false
//   Wo (top, O)       dense kernel (also inside timeDistributed); identity when the model ends at the recurrent layers
//   bo (O)            dense bias, or 0
//   s0{x}             0 (TF.js starts every sequence from a zero state)
// Settings: merge = the Bidirectional's merge_mode; goBackwards = go_backwards of the first SimpleRNN (later ones read
// forward; TF.js returns the sequence in reading order, as we do); inputDropout = the first layer's dropout;
// recurrentDropout = recurrent_dropout (every layer the same); dropout = a Dropout layer between every two layers.
// Masking: TF.js skips a masked step and carries the state and the previous output: exactly our padding rule, so a
// padded TF.js batch maps to our ragged batch by deleting the masked steps (tfjsInputsToSequences). Token ids are
// kept as they are: with mask_zero, id 0 is TF.js's pad; our model keeps a row for it (E[0]·K) that a stripped
// sequence never selects. A Bidirectional's backward layer reads the real steps last to first and TF.js reverses its
// outputs back: our reverse direction in the sequence's own time. go_backwards under a later layer does not mix with
// masking: TF.js (as Keras) hands the next layer the mask unreversed, so a padded batch would read the wrong steps.
import type { Activation, OutputActivation } from '../model.js';
import type { MergeMode } from '../config.js';

// ---- the formats (structural types: the library does not depend on @tensorflow/tfjs) ----

/** One entry of weightSpecs / a weightsManifest group (tf.io.WeightsManifestEntry). */
export interface TfjsWeightSpec {
  /** The weight's name: its layer, then the weight ('simple_rnn/kernel'). */
  name: string;
  /** Its dimensions (row-major). */
  shape: number[];
  /** Stored type: 'float32' (the import reads float32, or a quantization below). */
  dtype: string;
  /** Quantized storage, when the converter quantized the weight. */
  quantization?: {
    /** Stored type: 'uint8', 'uint16' or 'float16'. */
    dtype: string;
    /** uint8 / uint16: value = raw · scale + min. Default 1. */
    scale?: number;
    /** uint8 / uint16: value = raw · scale + min. Default 0. */
    min?: number;
  };
}

/** The key of model.json's userDefinedMetadata under which toTfjsFiles carries the model's metadata. */
export const METADATA_KEY = 'simple-rnn';

/** The parsed model.json of a layers model (tf.io.ModelJSON). */
export interface TfjsModelJson {
  /** The Keras model config (class_name, config with its layers). */
  modelTopology: unknown;
  /** Groups of weights files; the files' bytes, concatenated in manifest order, hold the weights in spec order. */
  weightsManifest?: {
    /** The group's weights files, relative to model.json. */
    paths: string[];
    /** The specs of the weights in these files, in byte order. */
    weights: TfjsWeightSpec[];
  }[];
  /** The artifact format: 'layers-model' for a layers model. */
  format?: string;
  /** The writer (the export writes 'simple-rnn'). */
  generatedBy?: string;
  /** The converter, or null (the export writes null). */
  convertedBy?: string | null;
  /** Free-form metadata; toTfjsFiles writes the model's metadata under "simple-rnn", which the import restores. */
  userDefinedMetadata?: Record<string, unknown>;
}

/** The in-memory artifacts of tf.io (tf.io.ModelArtifacts): what tf.io.fromMemory loads and withSaveHandler gets. */
export interface TfjsArtifacts {
  /** The Keras model config (class_name, config with its layers). */
  modelTopology: unknown;
  /** The specs of the weights, in byte order of weightData. */
  weightSpecs?: TfjsWeightSpec[];
  /** The weights' bytes, laid out as weightSpecs says. */
  weightData?: WeightBytes;
  /** The artifact format: 'layers-model' for a layers model. */
  format?: string;
  /** The writer (the export writes 'simple-rnn'). */
  generatedBy?: string;
  /** The converter, or null (the export writes null). */
  convertedBy?: string | null;
}

/** Weight bytes: one buffer, a view of one, or several buffers (one per weights file, in manifest order). */
export type WeightBytes = ArrayBuffer | ArrayBuffer[] | ArrayBufferView;

/** How a TF.js model marks padding: a masking layer's mask_value, or an embedding's mask_zero. */
export type TfjsMasking =
  | {
      /** A Masking layer: steps whose features all equal this value are padding. */
      maskValue: number;
    }
  | {
      /** An Embedding with mask_zero: token id 0 is padding. */
      maskZero: true;
    }
  | null;

/** A layer's config object in model.json. */
export type Cfg = Record<string, unknown>;

/** The SimpleRNN activations both sides compute. */
export const ACTS: readonly Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
/** The Dense activations both sides compute (softmax needs >= 2 units). */
export const OUTS: readonly OutputActivation[] = ['softmax', 'sigmoid', 'linear'];
/** The Bidirectional merge modes both sides compute (Keras's merge_mode; null, a list of both, is not one). */
export const MERGES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

// ---- names ----

/** The layer names the export writes (the import reads whatever names a model has). */
export const LAYER = { masking: 'masking', embedding: 'embedding', rnn: 'simple_rnn', bidirectional: 'bidirectional', dropout: 'dropout', dense: 'dense' } as const;

/** The name of the l-th layer of a kind, as Keras numbers them: simple_rnn, simple_rnn_1, simple_rnn_2, ... */
export const numbered = (name: string, l: number): string => (l ? `${name}_${l}` : name);

/** A weight's name: its layer, then the weight (TF.js writes 'simple_rnn/kernel'; Keras may nest and add ':0'). */
export const weightName = (layer: string, base: string): string => `${layer}/${base}`;

/** The layer a weight belongs to: the first path segment of its name. */
export const weightLayer = (n: string): string => n.split('/')[0];

/** The weight itself: the last path segment of its name, without Keras's ':0'. */
export const weightBase = (n: string): string => n.replace(/:\d+$/, '').split('/').pop() as string;

/** The directions of a Bidirectional wrapper, as its weights' second path segment starts. */
export type Direction = 'forward' | 'backward';

/** A Bidirectional weight's direction: its second path segment is `forward_<layer>` or `backward_<layer>`. */
export const weightDirection = (n: string): Direction | null => {
  const m = /^[^/]*\/(forward|backward)(?:_[^/]*)?\//.exec(n);
  return m ? (m[1] as Direction) : null;
};

// ---- bytes ----

/** One weight: its name, its shape, its values (row-major). */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: ArrayLike<number>;
}

/** The weights as float32 specs and their bytes, concatenated in order (little-endian on every platform that runs wasm). */
export function packWeights(weights: readonly NamedWeight[]): { weightSpecs: TfjsWeightSpec[]; weightData: ArrayBuffer } {
  const data = new Float32Array(weights.reduce((a, w) => a + w.data.length, 0));
  let at = 0;
  for (const w of weights) {
    data.set(w.data, at);
    at += w.data.length;
  }
  return { weightSpecs: weights.map(({ name, shape }) => ({ name, shape, dtype: 'float32' })), weightData: data.buffer };
}
