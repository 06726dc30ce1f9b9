// The PyTorch state_dict format as both directions of the interop use it: the module names, the config of the
// generated nn.Module, the `__metadata__` keys, and the stored config (the settings a state_dict's tensors do not hold)
// with its reader. fromPytorch is in pytorch-import.ts, toPytorch in pytorch-export.ts, the module's Python source in
// pytorch-module.ts.
import type { Activation, OutputActivation, MergeMode, ModelConfig } from '../config.js';
import { MAX_LAYERS } from '../config.js';
import { rangeError, typeError } from '../errors.js';
import { bool, checkKeys, f32, int, oneOf, readOptions } from '../options.js';
import { fieldsOf, isObj } from './read.js';

/** The module names of a state_dict's tensors: `${rnn}.weight_ih_l0`, `${linear}.weight`, `${embedding}.weight`, `${h0}`. */
export interface PytorchNames {
  /** The nn.RNN (or the nn.ModuleList of one-layer nn.RNNs). Default 'rnn'; '' for a bare nn.RNN's state_dict. */
  rnn?: string;
  /** The nn.Linear head. Default 'linear'. */
  linear?: string;
  /** The nn.Embedding of a token model. Default 'embedding'. */
  embedding?: string;
  /** The learned initial state, (layers·dirs, 1, H) (with an nn.ModuleList: `${h0}.0`, `${h0}.1`, ... (dirs, 1, H_l)). Default 'h0'. */
  h0?: string;
}

/**
 * The configuration of the nn.Module toPytorch generates (its Python source embeds it as CONFIG). Names are the
 * module's (snake_case, as PyTorch's arguments).
 */
export interface PytorchModuleConfig {
  /** 'stack': one nn.RNN of num_layers layers; 'layers': an nn.ModuleList of one-layer nn.RNNs (per-layer sizes, or a merge other than concat under another layer). */
  layout: 'stack' | 'layers';
  /** V of token models (inputs are int64 ids), 0 for dense inputs. */
  vocab_size: number;
  /** Width of the nn.Embedding (0 for dense inputs). */
  embedding_dim: number;
  /** The embedding gets no gradient. */
  freeze_embedding: boolean;
  /** Features of layer 0's input: I, or embedding_dim. */
  input_size: number;
  /** H of each layer. */
  hidden_size: number[];
  /** Layers. */
  num_layers: number;
  /** Every layer runs both directions. */
  bidirectional: boolean;
  /** The state activation (nn.RNN computes tanh and relu; the module runs its own loop for sigmoid and linear). */
  nonlinearity: Activation;
  /** How forward joins a bidirectional layer's directions (nn.RNN concatenates; forward sums, multiplies or averages the halves). */
  merge: MergeMode;
  /** forward reverses each sequence's real steps before reading them. */
  go_backwards: boolean;
  /** Dropout between layers, in training (nn.RNN's dropout). */
  dropout: number;
  /** Dropout on layer 0's inputs, in training: one mask per sequence, the same at every step. */
  input_dropout: number;
  /** Dropout on the previous state inside the recurrent product, in training: one mask per sequence per layer and direction. */
  recurrent_dropout: number;
  /** The module has a learned initial state h0. */
  learned_h0: boolean;
  /** O: the nn.Linear's outputs. */
  output_size: number;
  /** forward returns logits at every step (true) or from each sequence's final state (false). */
  return_sequences: boolean;
  /** What the caller applies to the module's logits to get SimpleRNN.predict's outputs (softmax, sigmoid, or nothing). */
  output_activation: OutputActivation;
}

/** The `__metadata__` key under which toPytorch stores model.metadata (a JSON string); fromPytorch sets it again. */
export const MODEL_METADATA_KEY = 'simple_rnn_metadata';

/** The `__metadata__` key under which toPytorch stores the model's config (a JSON string). */
export const PYTORCH_METADATA_KEY = 'simple_rnn';
/** The `format` of the stored config. */
export const FORMAT = 'simple-rnn';
/** The `version` of the stored config. */
export const VERSION = 1;

/** The keys of PytorchNames (options.names). */
export const NAME_KEYS = ['rnn', 'linear', 'embedding', 'h0'] as const;
/** The settings a state_dict's tensors do not hold: fromPytorch's options, and keys of the stored config. */
export const SETTING_KEYS = ['activation', 'outputActivation', 'returnSequences', 'merge', 'goBackwards', 'dropout', 'inputDropout', 'recurrentDropout', 'freezeEmbeddings'] as const;
const ACTS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
const OUTS = ['softmax', 'sigmoid', 'linear'] as const;
const MERGES = ['concat', 'sum', 'mul', 'ave'] as const;
const RATE = { min: 0, max: 1, maxOpen: true };

/** The settings of a model that its tensors do not hold. */
export type Settings = Pick<ModelConfig, (typeof SETTING_KEYS)[number]>;

/** Reads one setting (from the options or the stored config), with `field` naming it. */
export function readSetting(api: string, k: (typeof SETTING_KEYS)[number], field: string, v: unknown): Settings[typeof k] {
  switch (k) {
    case 'activation': return oneOf(api, field, v, ACTS);
    case 'outputActivation': return oneOf(api, field, v, OUTS);
    case 'merge': return oneOf(api, field, v, MERGES);
    case 'returnSequences': case 'goBackwards': case 'freezeEmbeddings': return bool(api, field, v, false);
    default: return f32(api, field, v, RATE);
  }
}

/** The settings a plain state_dict (no stored config, no options) gets: nn.RNN's. */
export const DEFAULTS: Settings = {
  activation: 'tanh', outputActivation: 'linear', returnSequences: false, merge: 'concat', goBackwards: false,
  dropout: 0, inputDropout: 0, recurrentDropout: 0, freezeEmbeddings: false,
};

// ---- the stored config (toPytorch's metadata) ----

/** The model config toPytorch stores: ModelConfig without where it ran (backend, precision). */
export type Stored = Omit<ModelConfig, 'backend' | 'precision'>;
/** The keys of the stored config, in the order toPytorch writes them. */
export const STORED_KEYS: readonly (keyof Stored)[] = [
  'inputSize', 'vocabSize', 'embeddingSize', 'freezeEmbeddings', 'hiddenSize', 'outputSize', 'layers', 'bidirectional',
  'merge', 'goBackwards', 'dropout', 'inputDropout', 'recurrentDropout', 'activation', 'outputActivation',
  'returnSequences', 'learnInitialState', 'seed',
];
/** The field that names the stored config in errors. */
export const MF = `header.__metadata__[${JSON.stringify(PYTORCH_METADATA_KEY)}]`;

/** Reads the stored config (a JSON string): every key once, each checked; an unknown key is refused. */
export function readStored(api: string, text: string): Stored {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw typeError(api, MF, 'the JSON text of a simple-rnn config', text);
  }
  if (!isObj(v)) throw typeError(api, MF, 'a JSON object { format, version, config }', v);
  checkKeys(api, v, ['format', 'version', 'config'], MF, 'a field');
  const get = fieldsOf(v);
  if (get('format') !== FORMAT) throw rangeError(api, `${MF}.format`, `= ${JSON.stringify(get('format'))}; expected ${JSON.stringify(FORMAT)}`);
  int(api, `${MF}.version`, get('version'), VERSION, VERSION);
  const f = `${MF}.config`;
  const o = readOptions(api, get('config'), STORED_KEYS, f, 'a setting of the stored config');
  const field = (k: string) => `${f}.${k}`;
  const hs = o.hiddenSize;
  let hiddenSize: number | number[];
  if (Array.isArray(hs)) {
    if (hs.length < 1 || hs.length > MAX_LAYERS) throw rangeError(api, field('hiddenSize'), `has ${hs.length} sizes; expected 1 to ${MAX_LAYERS}`);
    hiddenSize = hs.map((h, l) => int(api, `${field('hiddenSize')}[${l}]`, h, 1, 1 << 16));
  } else hiddenSize = int(api, field('hiddenSize'), hs, 1, 1 << 16);
  const s: Stored = {
    inputSize: int(api, field('inputSize'), o.inputSize, 0, 1 << 20),
    vocabSize: int(api, field('vocabSize'), o.vocabSize, 0, 1 << 24),
    embeddingSize: int(api, field('embeddingSize'), o.embeddingSize, 0, 1 << 16),
    hiddenSize,
    outputSize: int(api, field('outputSize'), o.outputSize, 1, 1 << 24),
    layers: int(api, field('layers'), o.layers, 1, MAX_LAYERS),
    bidirectional: bool(api, field('bidirectional'), o.bidirectional, false),
    learnInitialState: bool(api, field('learnInitialState'), o.learnInitialState, false),
    seed: int(api, field('seed'), o.seed, -(2 ** 53), 2 ** 53, 1),
    ...DEFAULTS,
  };
  for (const k of SETTING_KEYS) if (o[k] !== undefined) (s as Record<string, unknown>)[k] = readSetting(api, k, field(k), o[k]);
  return s;
}

/** model.metadata as toPytorch stored it: a JSON text. */
export function readCarried(api: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw typeError(api, `header.__metadata__[${JSON.stringify(MODEL_METADATA_KEY)}]`, 'the JSON text of the model metadata', text);
  }
}
