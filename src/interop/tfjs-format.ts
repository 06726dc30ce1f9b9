// The TF.js layers format as both directions of the interop use it: the artifact types, the weight mapping, the layer
// and weight names, the activations it can carry, and the float32 weight bytes. Platform-neutral and tfjs-free: the
// formats are plain JSON and little-endian float32 bytes (src/interop/node.ts reads and writes the files).
//
// Weight mapping (row-major everywhere; H = units, I = input size, O = dense units, V = vocabulary, D = embedding dim):
//   ours            TF.js / Keras
//   Ws[0..H)        simpleRNN recurrent_kernel (H, H)      (rows multiply s^{t-1})
//   Ws[H..H+I)      simpleRNN kernel (I, H)                (rows multiply i^t)
//   E (V, D)        embedding embeddings (V, D)            (token models: SimpleRNN.create's embeddingSize D; Ws[H..H+D) = K)
//   Ws[H..H+V)      E · K (V, H), with foldEmbedding       (no E: id selects row H+id; folded in f64, rounded once to f32)
//   bs (H)          simpleRNN bias, or 0 when use_bias is false
//   Wo (H, O)       dense kernel (also inside timeDistributed); identity when the model ends at the simpleRNN
//   bo (O)          dense bias, or 0
//   s0              0 (TF.js starts every sequence from a zero state)
// Masking: TF.js skips a masked step and carries the state and the previous output: exactly our padding rule, so a
// padded TF.js batch maps to our ragged batch by deleting the masked steps (tfjsInputsToSequences). Token ids are
// kept as they are: with mask_zero, id 0 is TF.js's pad; our model keeps a row for it (E[0]·K) that a stripped
// sequence never selects.
import type { Activation, OutputActivation } from '../model.js';

// ---- the formats (structural types: the library does not depend on @tensorflow/tfjs) ----

/** One entry of weightSpecs / a weightsManifest group (tf.io.WeightsManifestEntry). */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** The parsed model.json of a layers model (tf.io.ModelJSON). */
export interface TfjsModelJson {
  modelTopology: unknown;
  weightsManifest?: { paths: string[]; weights: TfjsWeightSpec[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** The in-memory artifacts of tf.io (tf.io.ModelArtifacts): what tf.io.fromMemory loads and withSaveHandler gets. */
export interface TfjsArtifacts {
  modelTopology: unknown;
  weightSpecs?: TfjsWeightSpec[];
  weightData?: WeightBytes;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export type WeightBytes = ArrayBuffer | ArrayBuffer[] | ArrayBufferView;

/** How a TF.js model marks padding: a masking layer's mask_value, or an embedding's mask_zero. */
export type TfjsMasking = { maskValue: number } | { maskZero: true } | null;

/** A layer's config object in model.json. */
export type Cfg = Record<string, unknown>;

/** The SimpleRNN activations both sides compute. */
export const ACTS: readonly Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
/** The Dense activations both sides compute (softmax needs >= 2 units). */
export const OUTS: readonly OutputActivation[] = ['softmax', 'sigmoid', 'linear'];

// ---- names ----

/** The layer names the export writes (the import reads whatever names a model has). */
export const LAYER = { masking: 'masking', embedding: 'embedding', rnn: 'simple_rnn', dense: 'dense' } as const;

/** A weight's name: its layer, then the weight (TF.js writes 'simple_rnn/kernel'; Keras may nest and add ':0'). */
export const weightName = (layer: string, base: string): string => `${layer}/${base}`;

/** The layer a weight belongs to: the first path segment of its name. */
export const weightLayer = (n: string): string => n.split('/')[0];

/** The weight itself: the last path segment of its name, without Keras's ':0'. */
export const weightBase = (n: string): string => n.replace(/:\d+$/, '').split('/').pop() as string;

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
