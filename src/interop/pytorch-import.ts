// Imports a PyTorch state_dict saved as safetensors (nn.Embedding → nn.RNN → nn.Linear, or an nn.ModuleList of
// one-layer nn.RNNs) as a SimpleRNN: the tensors found by name and every shape checked from the header alone (a plan),
// the plan's sizes checked (build.ts checkSizes) before a tensor is decoded. The names, the settings and the stored
// config are in pytorch-format.ts; building the model is build.ts's.
import type { SimpleRNN } from '../model.js';
import type { Activation, OutputActivation, MergeMode } from '../config.js';
import { MAX_LAYERS } from '../config.js';
import { archOf, paramSuffix } from '../layout.js';
import { rangeError } from '../errors.js';
import { readOptions, str } from '../options.js';
import { IMPORT_KEYS, build, checkSizes, foldFirst, importConfig, shouldFold, type ImportConfig, type ImportOptions, type ImportedShape, type SizeSources } from './build.js';
import { decodeTensor, readSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from './safetensors.js';
import {
  DEFAULTS, MF, MODEL_METADATA_KEY, NAME_KEYS, PYTORCH_METADATA_KEY, SETTING_KEYS, readCarried, readSetting, readStored, type PytorchNames, type Settings, type Stored,
} from './pytorch-format.js';

/**
 * Options of fromPytorch: what a state_dict does not say (its tensors hold only sizes and weights), and where the
 * imported model runs. A file written by toPytorch carries every setting in its metadata; an option given here
 * overrides the metadata.
 */
export interface PytorchImportOptions extends ImportOptions {
  /** The state activation: 'tanh' (default, nn.RNN's nonlinearity) or 'relu'; 'sigmoid' and 'linear' for modules that compute them (toPytorch's). */
  activation?: Activation;
  /** What the model applies to the head's logits, and with it the loss: 'linear' (default: the logits as they are), 'softmax' (CrossEntropyLoss) or 'sigmoid' (BCEWithLogitsLoss). */
  outputActivation?: OutputActivation;
  /** The head runs at every real step (true) or on each sequence's final state (false, default). */
  returnSequences?: boolean;
  /** How a bidirectional layer joins its directions: 'concat' (default, nn.RNN's), 'sum', 'mul' or 'ave'. */
  merge?: MergeMode;
  /** The module reverses each sequence's real steps before reading them. Default false. */
  goBackwards?: boolean;
  /** nn.RNN's dropout between layers (SimpleRNN.create's dropout). Default 0. */
  dropout?: number;
  /** Dropout on layer 0's inputs, one mask per sequence (SimpleRNN.create's inputDropout). Default 0. */
  inputDropout?: number;
  /** Dropout on s^{t-1}, one mask per sequence (SimpleRNN.create's recurrentDropout). Default 0. */
  recurrentDropout?: number;
  /** Keep the embedding fixed in training (SimpleRNN.create's freezeEmbeddings). Default false. */
  freezeEmbeddings?: boolean;
  /** The module names, when they are not embedding / rnn / linear / h0. */
  names?: PytorchNames;
}

const PYTORCH_KEYS = [...SETTING_KEYS, 'names', ...IMPORT_KEYS] as const;

const quote = (name: string): string => JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
const tensor = (name: string): string => `tensors[${quote(name)}]`;

/**
 * Imports a PyTorch model saved as safetensors (its state_dict: `safetensors.torch.save_file(model.state_dict(),
 * path)`, or the plain-Python writer in docs/pytorch.md): `embedding.weight` (V, D) [optional], the nn.RNN's
 * `rnn.weight_ih_l{k}` (H, In), `rnn.weight_hh_l{k}` (H, H), `rnn.bias_ih_l{k}` and `rnn.bias_hh_l{k}` (H)
 * [absent with bias=False], the same with `_reverse` for a bidirectional nn.RNN (or one one-layer nn.RNN per layer:
 * `rnn.{k}.weight_ih_l0`, ...), `h0` (layers·dirs, 1, H) [optional: a learned initial state], and `linear.weight`
 * (O, top) and `linear.bias` (O) [optional]. Each layer becomes Ws = [weight_hh^T; weight_ih^T], bs = bias_ih +
 * bias_hh (summed in float64, rounded once), Wo = linear.weight^T. F32, F64, F16 and BF16 tensors are read. Sizes come
 * from the shapes and are checked (SimpleRNN.create's limits) before a tensor is decoded; a tensor that is not part
 * of the model is refused. A file written by toPytorch restores its whole config from the metadata (options
 * override it; a metadata that disagrees with the tensors is an error).
 */
export async function fromPytorch(bytes: Uint8Array | ArrayBuffer, options?: PytorchImportOptions): Promise<SimpleRNN> {
  const api = 'fromPytorch';
  const o = readOptions(api, options ?? undefined, PYTORCH_KEYS);
  const given: Partial<Settings> = {};
  for (const k of SETTING_KEYS) if (o[k] !== undefined) (given as Record<string, unknown>)[k] = readSetting(api, k, `options.${k}`, o[k]);
  const n = readOptions(api, o.names, NAME_KEYS, 'options.names', 'a module name');
  const names = { rnn: str(api, 'options.names.rnn', n.rnn, 'rnn'), linear: str(api, 'options.names.linear', n.linear, 'linear'), embedding: str(api, 'options.names.embedding', n.embedding, 'embedding'), h0: str(api, 'options.names.h0', n.h0, 'h0') };
  const imp = importConfig(api, o);
  const h = readSafetensorsHeader(bytes, api);
  const meta = h.metadata;
  const stored = meta && Object.hasOwn(meta, PYTORCH_METADATA_KEY) ? readStored(api, meta[PYTORCH_METADATA_KEY]) : null;
  const carried = meta && Object.hasOwn(meta, MODEL_METADATA_KEY) ? readCarried(api, meta[MODEL_METADATA_KEY]) : undefined;
  const settings = { ...DEFAULTS, ...(stored ? pickSettings(stored) : {}), ...given } as Settings;
  const plan = planImport(api, h, names, settings);
  if (stored) checkStored(api, stored, plan);
  const { shape, from } = plan;
  // a file of ours folds exactly when the model had no E (its embedding holds the token rows); else 'auto' decides
  const fold0 = o.foldEmbedding === undefined && stored && shape.vocabSize ? stored.embeddingSize === 0 : imp.foldEmbedding;
  const create: Record<string, unknown> = { ...imp.create, learnInitialState: plan.h0.length > 0, freezeEmbeddings: settings.freezeEmbeddings };
  if (stored) {
    if (create.seed === undefined) create.seed = stored.seed;
    create.hiddenSize = Array.isArray(stored.hiddenSize) ? [...stored.hiddenSize] : stored.hiddenSize; // as given to create ([5] or 5); checkStored compared it
  }
  const cfg: ImportConfig = { foldEmbedding: fold0, create: create as ImportConfig['create'] };
  const first = foldFirst(cfg.foldEmbedding, shape);
  checkSizes(api, shape, from, cfg, first);
  // ---- the values, each tensor decoded once ----
  const cells = plan.cells.map((c) => ({
    kernel: transposed(api, h, c.ih),
    recurrent: transposed(api, h, c.hh),
    bias: c.bih && c.bhh ? biasSum(api, h, c.bih, c.bhh) : null,
  }));
  const denseKernel = transposed(api, h, plan.linearW);
  const denseBias = plan.linearB ? finite(api, h, plan.linearB) : null;
  const folded = shouldFold(cfg.foldEmbedding, shape, cells.slice(0, plan.dirs).map((c) => c.kernel));
  if (folded !== first) checkSizes(api, shape, from, cfg, folded); // K decided otherwise: that model is checked before E is read
  const embeddings = plan.embedding ? finite(api, h, plan.embedding) : null;
  const s0 = plan.h0.map((e) => finite(api, h, e));
  const model = await build(api, shape, folded, { cells, embeddings, denseKernel, denseBias }, cfg, from);
  if (carried !== undefined) model.metadata = carried;
  if (s0.length) {
    try {
      const params: Record<string, Float64Array> = {};
      const { L, dirs, H } = archOf(model.config);
      for (let l = 0; l < L; l++) {
        for (let d = 0; d < dirs; d++) {
          const [src, at] = s0.length === 1 ? [s0[0], (l * dirs + d) * H[l]] : [s0[l], d * H[l]];
          params[`s0${paramSuffix(l, d)}`] = src.subarray(at, at + H[l]);
        }
      }
      model.setParams(params);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}

const pickSettings = (s: Stored): Settings => Object.fromEntries(SETTING_KEYS.map((k) => [k, s[k]])) as unknown as Settings;

/** One layer-direction's tensors. */
interface PlannedCell {
  ih: SafetensorsEntry;
  hh: SafetensorsEntry;
  bih: SafetensorsEntry | null;
  bhh: SafetensorsEntry | null;
}

/** An import read from the header alone: the model's shape, where each size came from, and the tensors it takes. */
interface Plan {
  shape: ImportedShape;
  from: SizeSources;
  dirs: number;
  cells: PlannedCell[];
  embedding: SafetensorsEntry | null;
  linearW: SafetensorsEntry;
  linearB: SafetensorsEntry | null;
  /** The h0 tensors: one (layers·dirs, 1, H), or one per layer (dirs, 1, H_l); none without a learned h0. */
  h0: SafetensorsEntry[];
  /** The sizes as found, and the tensor each came from (for the metadata check). */
  found: { V: number; D: number; In0: number; H: number[]; O: number; field: Record<string, string> };
}

/** Finds the model's tensors by name and checks every shape, from the header alone (no tensor is decoded). */
function planImport(api: string, h: SafetensorsHeader, names: Required<PytorchNames>, s: Settings): Plan {
  const entries = h.entries;
  const used = new Set<string>();
  const key = (prefix: string, k: string) => (prefix ? `${prefix}.${k}` : k);
  const found = (name: string) => {
    const e = entries.get(name);
    if (e) used.add(name);
    return e ?? null;
  };
  const list = () => {
    const all = [...entries.keys()];
    return all.length ? `${all.slice(0, 12).map(quote).join(', ')}${all.length > 12 ? `, … (${all.length} tensors)` : ''}` : 'no tensors';
  };
  const want = (name: string, shape: number[], expected: string): SafetensorsEntry => {
    const e = found(name);
    if (!e) throw rangeError(api, 'tensors', `have no ${quote(name)}; expected it, of shape ${expected}; found ${list()} (set options.names if your module names differ)`);
    if (e.shape.length !== shape.length || e.shape.some((d, k) => d !== shape[k])) throw rangeError(api, tensor(name), `has shape [${e.shape}]; expected ${expected}`);
    return e;
  };
  const matrix = (name: string, what: string): SafetensorsEntry => {
    const e = found(name)!;
    if (e.shape.length !== 2 || e.shape[0] < 1 || e.shape[1] < 1) throw rangeError(api, tensor(name), `has shape [${e.shape}]; expected ${what} (2 dimensions, each >= 1)`);
    return e;
  };
  const stack = entries.has(key(names.rnn, 'weight_ih_l0'));
  if (!stack && !entries.has(key(names.rnn, '0.weight_ih_l0'))) {
    throw rangeError(api, 'tensors', `have no ${quote(key(names.rnn, 'weight_ih_l0'))} (an nn.RNN) and no ${quote(key(names.rnn, '0.weight_ih_l0'))} (an nn.ModuleList of nn.RNNs); found ${list()} (set options.names.rnn to the nn.RNN's name in the module)`);
  }
  const cellName = (l: number, d: number, p: string) => key(names.rnn, stack ? `${p}_l${l}${d ? '_reverse' : ''}` : `${l}.${p}_l0${d ? '_reverse' : ''}`);
  let L = 0;
  while (entries.has(cellName(L, 0, 'weight_ih'))) {
    if (L === MAX_LAYERS) throw rangeError(api, tensor(cellName(L, 0, 'weight_ih')), `is layer ${L + 1}; SimpleRNN.create takes at most ${MAX_LAYERS} layers`);
    L++;
  }
  const bidirectional = entries.has(cellName(0, 1, 'weight_ih'));
  const dirs = bidirectional ? 2 : 1;
  const concat = bidirectional && s.merge === 'concat';
  // the sizes: H from each weight_hh, the input width from the embedding or weight_ih_l0, O from linear.weight
  const embName = key(names.embedding, 'weight');
  const emb = entries.has(embName) ? matrix(embName, '[V, D]') : null;
  const H: number[] = [];
  for (let l = 0; l < L; l++) {
    const hh = cellName(l, 0, 'weight_hh');
    if (!entries.has(hh)) throw rangeError(api, 'tensors', `have ${quote(cellName(l, 0, 'weight_ih'))} but no ${quote(hh)}`);
    const e = matrix(hh, '[H, H]');
    if (e.shape[0] !== e.shape[1]) throw rangeError(api, tensor(hh), `has shape [${e.shape}]; expected [H, H]`);
    H.push(e.shape[0]);
  }
  const ih0 = matrix(cellName(0, 0, 'weight_ih'), `[H=${H[0]}, In]`);
  const In0 = ih0.shape[1];
  const V = emb ? emb.shape[0] : 0;
  const D = emb ? emb.shape[1] : 0;
  if (emb && In0 !== D) throw rangeError(api, tensor(ih0.name), `has shape [${ih0.shape}]; expected [H=${H[0]}, D=${D}] (${tensor(embName)} is [${emb.shape}])`);
  const cells: PlannedCell[] = [];
  const out = H.map((x) => (concat ? 2 * x : x));
  for (let l = 0; l < L; l++) {
    const In = l ? out[l - 1] : In0;
    const inWhat = l ? `In=${In}] (layer ${l - 1}'s output${bidirectional ? `, merge '${s.merge}'` : ''})` : `In=${In}]`;
    for (let d = 0; d < dirs; d++) {
      const b = [cellName(l, d, 'bias_ih'), cellName(l, d, 'bias_hh')].map((x) => entries.has(x));
      if (b[0] !== b[1]) throw rangeError(api, 'tensors', `have ${quote(cellName(l, d, b[0] ? 'bias_ih' : 'bias_hh'))} but no ${quote(cellName(l, d, b[0] ? 'bias_hh' : 'bias_ih'))}; expected both biases or neither (bias=False)`);
      cells.push({
        ih: want(cellName(l, d, 'weight_ih'), [H[l], In], `[H=${H[l]}, ${inWhat}`),
        hh: want(cellName(l, d, 'weight_hh'), [H[l], H[l]], `[H=${H[l]}, H=${H[l]}]`),
        bih: b[0] ? want(cellName(l, d, 'bias_ih'), [H[l]], `[H=${H[l]}]`) : null,
        bhh: b[1] ? want(cellName(l, d, 'bias_hh'), [H[l]], `[H=${H[l]}]`) : null,
      });
    }
  }
  const top = out[L - 1];
  const lw = key(names.linear, 'weight');
  if (!entries.has(lw)) throw rangeError(api, 'tensors', `have no ${quote(lw)} (the nn.Linear head); found ${list()} (set options.names.linear to its name in the module)`);
  const linearW = matrix(lw, `[O, ${top}]`);
  const O = linearW.shape[0];
  if (linearW.shape[1] !== top) {
    throw rangeError(api, tensor(lw), `has shape [${linearW.shape}]; expected [O, ${top}] (the top layer's output${bidirectional ? `, merge '${s.merge}'` : ''})`);
  }
  const lb = key(names.linear, 'bias');
  const linearB = entries.has(lb) ? want(lb, [O], `[O=${O}]`) : null;
  const h0: SafetensorsEntry[] = [];
  if (stack && entries.has(names.h0)) h0.push(want(names.h0, [L * dirs, 1, H[0]], `[layers·dirs=${L * dirs}, 1, H=${H[0]}]`));
  if (!stack && entries.has(key(names.h0, '0'))) for (let l = 0; l < L; l++) h0.push(want(key(names.h0, String(l)), [dirs, 1, H[l]], `[dirs=${dirs}, 1, H=${H[l]}]`));
  if (stack && H.some((x) => x !== H[0]) && h0.length) throw rangeError(api, tensor(names.h0), 'is one tensor, but the layers have different sizes; expected one per layer');
  if (emb) used.add(embName);
  const extra = [...entries.keys()].filter((k) => !used.has(k));
  if (extra.length) {
    throw rangeError(api, tensor(extra[0]), `is not part of the model${extra.length > 1 ? ` (nor ${extra.length - 1} more)` : ''}; expected ${[emb ? embName : '', key(names.rnn, stack ? 'weight_ih_l0 …' : '0.weight_ih_l0 …'), lw, linearB ? lb : '', h0.length ? names.h0 : ''].filter(Boolean).join(', ')} (set options.names if your module names differ)`);
  }
  const shape: ImportedShape = { vocabSize: V, rows: emb ? D : In0, hidden: H, outputSize: O, ...pickStack(s, bidirectional) };
  const from: SizeSources = {
    vocabSize: emb ? `${tensor(embName)} rows` : '',
    rows: emb ? `${tensor(embName)} columns` : `${tensor(ih0.name)} columns`,
    hiddenSize: H.map((_, l) => `${tensor(cellName(l, 0, 'weight_hh'))} rows`),
    outputSize: `${tensor(lw)} rows`,
    layers: `the layers of the tensors (${quote(cellName(0, 0, 'weight_ih'))} …)`,
    settings: 'options',
  };
  const field: Record<string, string> = {
    vocabSize: emb ? tensor(embName) : 'the tensors (no embedding)', inputSize: emb ? tensor(embName) : tensor(ih0.name), embeddingSize: emb ? tensor(embName) : 'the tensors (no embedding)',
    outputSize: tensor(lw), layers: from.layers, bidirectional: tensor(cellName(0, 1, 'weight_ih')), hiddenSize: from.hiddenSize.join(', '),
    learnInitialState: tensor(stack ? names.h0 : key(names.h0, '0')),
  };
  return { shape, from, dirs, cells, embedding: emb, linearW, linearB, h0, found: { V, D, In0, H, O, field } };
}

const pickStack = (s: Settings, bidirectional: boolean): Omit<ImportedShape, 'vocabSize' | 'rows' | 'hidden' | 'outputSize'> => ({
  activation: s.activation, outputActivation: s.outputActivation, returnSequences: s.returnSequences, bidirectional,
  merge: s.merge, goBackwards: s.goBackwards, dropout: s.dropout, inputDropout: s.inputDropout, recurrentDropout: s.recurrentDropout,
});

/** The stored config agrees with the tensors on every size (a file whose metadata says another model is refused). */
function checkStored(api: string, s: Stored, p: Plan): void {
  const { V, D, In0, H, O, field } = p.found;
  const dirs = p.dirs;
  const bad = (k: string, v: unknown, what: string) => rangeError(api, `${MF}.config.${k}`, `= ${JSON.stringify(v)} disagrees with the tensors: ${field[k]} ${what}`);
  if (s.vocabSize !== V) throw bad('vocabSize', s.vocabSize, V ? `has ${V} rows` : 'has no embedding (a dense-input model)');
  if (s.inputSize !== (V ? 0 : In0)) throw bad('inputSize', s.inputSize, V ? 'belongs to a token model (inputSize 0)' : `has ${In0} columns`);
  if (V && s.embeddingSize && s.embeddingSize !== D) throw bad('embeddingSize', s.embeddingSize, `has ${D} columns`);
  if (V && !s.embeddingSize && D !== dirs * H[0]) throw bad('embeddingSize', 0, `has ${D} columns; a model without an embedding layer exports its token rows, dirs·H = ${dirs * H[0]}`);
  if (s.layers !== H.length) throw bad('layers', s.layers, `hold ${H.length}`);
  if (s.bidirectional !== (dirs === 2)) throw bad('bidirectional', s.bidirectional, dirs === 2 ? 'exists' : 'does not exist');
  const hs = typeof s.hiddenSize === 'number' ? H.map(() => s.hiddenSize as number) : s.hiddenSize;
  if (hs.length !== H.length || hs.some((x, l) => x !== H[l])) throw bad('hiddenSize', s.hiddenSize, `give H = [${H}]`);
  if (s.outputSize !== O) throw bad('outputSize', s.outputSize, `has ${O} rows`);
  if (s.learnInitialState !== p.h0.length > 0) throw bad('learnInitialState', s.learnInitialState, p.h0.length ? 'exists' : 'does not exist');
}

/** One float of tensor e, checked finite in float32. */
function check(api: string, e: SafetensorsEntry, a: ArrayLike<number>, k: number): number {
  const x = a[k];
  if (!Number.isFinite(Math.fround(x))) throw rangeError(api, `${tensor(e.name)}[${k}]`, `= ${x} is not finite in float32`);
  return x;
}

/** A tensor's values (row-major, as stored), checked finite in float32. */
function finite(api: string, h: SafetensorsHeader, e: SafetensorsEntry): Float64Array {
  const a = decodeTensor(h, e);
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = check(api, e, a, k);
  return out;
}

/** A 2-D tensor (R, C) transposed to (C, R), row-major: weight_ih (H, In) → the kernel (In, H). */
function transposed(api: string, h: SafetensorsHeader, e: SafetensorsEntry): Float64Array {
  const a = decodeTensor(h, e);
  const [R, C] = e.shape;
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = check(api, e, a, r * C + c);
  return out;
}

/** bias_ih + bias_hh in float64 (rounded once, to float32, by setParams); a zero bias_hh gives bias_ih exactly (-0 too). */
function biasSum(api: string, h: SafetensorsHeader, ih: SafetensorsEntry, hh: SafetensorsEntry): Float64Array {
  const a = finite(api, h, ih);
  const b = finite(api, h, hh);
  for (let k = 0; k < a.length; k++) {
    if (b[k] === 0) continue;
    const x = a[k] + b[k];
    if (!Number.isFinite(Math.fround(x))) throw rangeError(api, `${tensor(ih.name)}[${k}] + ${tensor(hh.name)}[${k}]`, `= ${x} is not finite in float32`);
    a[k] = x;
  }
  return a;
}
