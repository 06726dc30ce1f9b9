// Imports a TensorFlow.js layers model (model.json + weight bytes, tf.io artifacts, or a live tf.LayersModel) as a
// SimpleRNN, and maps TF.js's padded, masked input batches to our ragged sequences: the topology read once into a
// plan, the plan's sizes checked (build.ts checkSizes) before the weights are decoded (tfjs-weights.ts). The format
// and the weight mapping are in src/interop/tfjs-format.ts; building the model is src/interop/build.ts's.
import type { SimpleRNN, Activation, OutputActivation } from '../model.js';
import { rangeError, typeError, describe } from '../errors.js';
import { readOptions } from '../options.js';
import {
  IMPORT_KEYS, build, checkSizes, foldFirst, importConfig, shouldFold, type ImportConfig, type ImportOptions, type ImportedShape, type SizeSources,
} from './build.js';
import { fieldsOf, isObj, readList, stringsIn } from './read.js';
import { ACTS, OUTS, type TfjsArtifacts, type TfjsMasking, type TfjsModelJson, type WeightBytes } from './tfjs-format.js';
import { checkLayout, decode, findSpec, readBytes, readLayout, type Layout, type Spec } from './tfjs-weights.js';

// ---- topology → plan ----

interface Plan {
  /** 0 for dense inputs. */
  vocabSize: number;
  /** Dense input size (kernel rows); with an embedding, its output dim D. */
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  activation: Activation;
  outputActivation: OutputActivation;
  returnSequences: boolean;
  useBias: boolean;
  /** 'dense' when a dense layer follows; null when the model ends at the simpleRNN (Wo = identity). */
  dense: { useBias: boolean } | null;
  masking: TfjsMasking;
  /** Weight name prefixes (layer names). */
  names: { embedding?: string; rnn: string; dense?: string };
  /** The fields the sizes came from (rows: the Embedding's output_dim; for dense inputs the kernel's spec gives it). */
  from: { vocabSize: string; rows: string; hiddenSize: string; outputSize: string };
}

/** A config value as it appears in model.json: strings quoted, numbers and booleans as they are. */
function show(v: unknown): string {
  return typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' ? JSON.stringify(v) : describe(v);
}

/** A config field in Keras's snake_case, or TF.js's camelCase as a fallback; each read once (`get` is fieldsOf's). */
function field(get: (key: string) => unknown, snake: string): unknown {
  const v = get(snake);
  return v !== undefined ? v : get(snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
}

/** JSON.parse whose SyntaxError becomes a TypeError naming the field. */
function parseJson(api: string, field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw typeError(api, field, `valid JSON (${(e as Error).message})`, text);
  }
}

/** A layer of the topology, read once: its class, its config's fields, its name, and (functional models) its inputs. */
interface Layer {
  cls: string;
  get: (key: string) => unknown;
  name: string | undefined;
  inbound: unknown;
}

/** The ordered list of layers of a Sequential model, or of a Functional model that is a single chain. */
function layerList(api: string, topology: unknown): { layers: Layer[]; path: string } {
  let topo = topology;
  if (typeof topo === 'string') topo = parseJson(api, 'modelTopology', topo);
  let get = isObj(topo) ? fieldsOf(topo) : null;
  const inner = get?.('model_config');
  if (isObj(inner)) get = fieldsOf(inner); // Keras's {model_config, keras_version}
  if (!get) throw typeError(api, 'modelTopology', 'an object { class_name, config } (model.json modelTopology)', topo);
  const cls = get('class_name');
  const config = get('config');
  const path = 'modelTopology.config.layers';
  if (cls !== 'Sequential' && cls !== 'Model' && cls !== 'Functional') {
    throw rangeError(api, 'modelTopology.class_name', `= ${show(cls)} is not supported; expected 'Sequential' (or a single-chain 'Model' / 'Functional')`);
  }
  const list: unknown = isObj(config) ? fieldsOf(config)('layers') : Array.isArray(config) ? config : undefined;
  if (!Array.isArray(list)) throw typeError(api, path, 'an array of layers', list);
  const layers = readList(api, path, list, 'a layer { class_name, config }').map((l, k): Layer => {
    const lget = isObj(l) ? fieldsOf(l) : null;
    const lcls = lget?.('class_name');
    const lcfg = lget?.('config');
    if (!lget || typeof lcls !== 'string' || !isObj(lcfg)) throw typeError(api, `${path}[${k}]`, 'a layer { class_name, config }', l);
    const get = fieldsOf(lcfg);
    const name = get('name') ?? lget('name');
    if (name !== undefined && name !== null && typeof name !== 'string') throw typeError(api, `${path}[${k}].config.name`, 'a string', name);
    return { cls: lcls, get, name: name ?? undefined, inbound: cls === 'Sequential' ? undefined : lget('inbound_nodes') };
  });
  if (cls !== 'Sequential') {
    // A functional model is accepted when each layer reads the previous layer (the layers it may hold take one input).
    for (let k = 1; k < layers.length; k++) {
      if (layers[k].cls === 'InputLayer') continue;
      const prevName = layers[k - 1].name;
      const names = stringsIn(api, `${path}[${k}].inbound_nodes`, layers[k].inbound ?? []);
      if (prevName === undefined || !names.includes(prevName)) {
        throw rangeError(api, `${path}[${k}].inbound_nodes`, `do not take the previous layer ${show(prevName)}; only a single chain of layers is supported`);
      }
    }
  }
  return { layers, path };
}

/** Reads a model topology into a plan; every unsupported layer or setting is an error naming it. */
function planFromTopology(api: string, topology: unknown): Plan {
  const { layers, path } = layerList(api, topology);
  const plan: Omit<Partial<Plan>, 'names' | 'from'> & { masking: TfjsMasking; names: Partial<Plan['names']>; from: Partial<Plan['from']> } = { masking: null, names: {}, from: { vocabSize: '' } };
  let stage = 0; // 0: before the rnn (input, masking, embedding)  1: after the rnn  2: after the dense  3: done
  let embedD = 0;
  for (let k = 0; k < layers.length; k++) {
    const { cls, get } = layers[k];
    const name = layers[k].name ?? `${cls}_${k}`;
    const at = `${path}[${k}] (${cls} '${name}')`;
    const bad = (f: string, v: unknown, expected: string): RangeError =>
      rangeError(api, `${at}.config.${f}`, `= ${show(v)} is not supported; expected ${expected}`);
    const want = (f: string, expected: unknown): void => {
      const v = field(get, f);
      if (v !== undefined && v !== null && v !== expected) throw bad(f, v, show(expected));
    };
    switch (cls) {
      case 'InputLayer':
        if (stage !== 0) throw rangeError(api, at, 'is not supported here; an InputLayer must come first');
        break;
      case 'Masking': {
        if (stage !== 0 || plan.masking) throw rangeError(api, at, 'is not supported here; expected [Masking | Embedding] → SimpleRNN → [Dense] → [Activation]');
        const mv = field(get, 'mask_value') ?? 0;
        if (typeof mv !== 'number' || !Number.isFinite(mv)) throw bad('mask_value', mv, 'a finite number');
        plan.masking = { maskValue: mv };
        break;
      }
      case 'Embedding': {
        if (stage !== 0 || embedD || plan.masking) throw rangeError(api, at, 'is not supported here; expected [Masking | Embedding] → SimpleRNN → [Dense] → [Activation]');
        const V = field(get, 'input_dim');
        const D = field(get, 'output_dim');
        if (!Number.isInteger(V) || (V as number) < 1) throw bad('input_dim', V, 'an integer >= 1');
        if (!Number.isInteger(D) || (D as number) < 1) throw bad('output_dim', D, 'an integer >= 1');
        const mz = field(get, 'mask_zero') ?? false;
        if (typeof mz !== 'boolean') throw bad('mask_zero', mz, 'a boolean');
        if (mz) plan.masking = { maskZero: true };
        plan.vocabSize = V as number;
        embedD = D as number;
        plan.from.vocabSize = `${at}.config.input_dim`;
        plan.from.rows = `${at}.config.output_dim`;
        plan.names.embedding = name;
        break;
      }
      case 'SimpleRNN': {
        if (stage !== 0) throw rangeError(api, at, 'is not supported here; only one SimpleRNN layer is supported');
        const units = field(get, 'units');
        if (!Number.isInteger(units) || (units as number) < 1) throw bad('units', units, 'an integer >= 1');
        const act = field(get, 'activation') ?? 'tanh';
        if (!ACTS.includes(act as Activation)) throw bad('activation', act, ACTS.map((a) => `'${a}'`).join(', '));
        const useBias = field(get, 'use_bias') ?? true;
        if (typeof useBias !== 'boolean') throw bad('use_bias', useBias, 'a boolean');
        const rs = field(get, 'return_sequences') ?? false;
        if (typeof rs !== 'boolean') throw bad('return_sequences', rs, 'a boolean');
        want('return_state', false);
        want('go_backwards', false);
        want('stateful', false);
        // dropout / recurrent_dropout act only in training; regularizers and constraints too; unroll is a speed knob.
        plan.hiddenSize = units as number;
        plan.from.hiddenSize = `${at}.config.units`;
        plan.activation = act as Activation;
        plan.useBias = useBias;
        plan.returnSequences = rs;
        plan.names.rnn = name;
        stage = 1;
        break;
      }
      case 'TimeDistributed':
      case 'Dense': {
        if (stage !== 1) throw rangeError(api, at, 'is not supported here; expected one Dense (or TimeDistributed(Dense)) after the SimpleRNN');
        let dget = get;
        let dat = at;
        if (cls === 'TimeDistributed') {
          const inner = get('layer');
          const iget = isObj(inner) ? fieldsOf(inner) : null;
          const icls = iget?.('class_name');
          const icfg = iget?.('config');
          if (icls !== 'Dense' || !isObj(icfg)) {
            throw rangeError(api, `${at}.config.layer`, `= ${describe(iget ? icls : inner)} is not supported; expected a Dense layer`);
          }
          if (!plan.returnSequences) throw rangeError(api, at, 'needs the SimpleRNN to have return_sequences: true');
          dget = fieldsOf(icfg);
          dat = `${at}.config.layer (Dense)`;
        }
        const units = field(dget, 'units');
        const act = field(dget, 'activation') ?? 'linear';
        const useBias = field(dget, 'use_bias') ?? true;
        if (!Number.isInteger(units) || (units as number) < 1) throw rangeError(api, `${dat}.config.units`, `= ${show(units)} is not supported; expected an integer >= 1`);
        if (!OUTS.includes(act as OutputActivation)) {
          throw rangeError(api, `${dat}.config.activation`, `= ${show(act)} is not supported; expected ${OUTS.map((a) => `'${a}'`).join(', ')}`);
        }
        if (act === 'softmax' && (units as number) < 2) {
          throw rangeError(api, `${dat}.config.units`, `= ${units} is not supported with softmax; expected >= 2 (a softmax over 1 unit is constant 1)`);
        }
        if (typeof useBias !== 'boolean') throw rangeError(api, `${dat}.config.use_bias`, `= ${show(useBias)} is not supported; expected a boolean`);
        plan.outputSize = units as number;
        plan.from.outputSize = `${dat}.config.units`;
        plan.outputActivation = act as OutputActivation;
        plan.dense = { useBias };
        plan.names.dense = name;
        stage = 2;
        break;
      }
      case 'Activation': {
        if (stage !== 2 || plan.outputActivation !== 'linear') {
          throw rangeError(api, at, 'is not supported here; an Activation may only follow a Dense layer with a linear activation');
        }
        const act = field(get, 'activation');
        if (!OUTS.includes(act as OutputActivation)) throw bad('activation', act, OUTS.map((a) => `'${a}'`).join(', '));
        if (act === 'softmax' && (plan.outputSize as number) < 2) throw bad('activation', act, 'not softmax over a Dense of 1 unit');
        plan.outputActivation = act as OutputActivation;
        stage = 3;
        break;
      }
      case 'Dropout':
        if (stage === 0) throw rangeError(api, at, 'is not supported here; a Dropout is accepted (as the identity of inference) only after the SimpleRNN');
        break; // the identity at inference
      default:
        throw rangeError(api, at, `is not supported; expected [InputLayer] → [Masking | Embedding] → SimpleRNN → [Dense | TimeDistributed(Dense)] → [Activation]`);
    }
  }
  if (stage === 0) throw rangeError(api, path, 'have no SimpleRNN layer; expected [Masking | Embedding] → SimpleRNN → [Dense]');
  if (!plan.dense) {
    plan.outputSize = plan.hiddenSize;
    plan.from.outputSize = `${plan.from.hiddenSize} (the model ends at the SimpleRNN)`;
    plan.outputActivation = 'linear';
  }
  plan.inputSize = embedD; // 0 until the kernel's shape gives it (dense inputs)
  plan.vocabSize ??= 0;
  plan.dense ??= null;
  return plan as Plan;
}

// ---- plan + weight specs → the import's sizes ----

/** The artifacts' parts, each read once, in the order the import reads into them: topology, specs, then bytes. */
interface Artifacts {
  topology: unknown;
  weightSpecs: unknown;
  weightsManifest: unknown;
  data: unknown;
}

function artifactsOf(api: string, modelJson: unknown, weightData: unknown): Artifacts {
  let mj = modelJson;
  if (typeof mj === 'string') mj = parseJson(api, 'modelJson', mj);
  if (!isObj(mj) || !Object.hasOwn(mj, 'modelTopology')) {
    throw typeError(api, 'modelJson', 'a parsed model.json { modelTopology, weightsManifest } or tf.io.ModelArtifacts { modelTopology, weightSpecs, weightData }', mj);
  }
  const get = fieldsOf(mj);
  const weightSpecs = get('weightSpecs');
  return {
    topology: get('modelTopology'),
    weightSpecs,
    weightsManifest: weightSpecs === undefined ? get('weightsManifest') : undefined,
    data: weightData ?? get('weightData'),
  };
}

/** The weights an import takes, as specs (not yet decoded), their shapes checked against the plan. */
interface Taken {
  kernel: Spec;
  recurrent: Spec;
  bias: Spec | null;
  embeddings: Spec | null;
  denseKernel: Spec | null;
  denseBias: Spec | null;
}

/** An import before its weights are decoded: the model as given, where its sizes came from, and its weights' specs. */
interface Prepared {
  layout: Layout;
  shape: ImportedShape;
  from: SizeSources;
  /** Whether E·K is folded, as known before K is read (build.ts foldFirst); the sizes were checked with it. */
  fold: boolean;
  taken: Taken;
}

/**
 * Reads the topology and the weight specs (each once), finds the weights the plan takes, and checks every size
 * (build.ts checkSizes) before a byte is looked at.
 */
function prepare(api: string, a: Artifacts, imp: ImportConfig): Prepared {
  const plan = planFromTopology(api, a.topology);
  const layout = readLayout(api, a.weightSpecs, a.weightsManifest);
  const { names, hiddenSize: H, outputSize: O, vocabSize: V } = plan;
  const take = (layer: string, base: string, shape?: (s: Spec) => number[]): Spec => {
    const s = findSpec(layout, layer, base);
    if (!s) throw rangeError(api, 'weightSpecs', `have no weight '${layer}/…/${base}'; found ${layout.specs.map((w) => `'${w.name}'`).join(', ') || 'none'}`);
    const want = shape?.(s);
    if (want && (s.shape.length !== want.length || s.shape.some((d, k) => d !== want[k]))) {
      throw rangeError(api, `weight '${s.name}'`, `has shape [${s.shape}]; expected [${want}]`);
    }
    return s;
  };
  const kernel = take(names.rnn, 'kernel');
  const I = V ? plan.inputSize : kernel.shape[0];
  if (!(I >= 1)) throw rangeError(api, `weight '${kernel.name}'`, `has shape [${kernel.shape}]; expected [I, ${H}] with I >= 1`);
  take(names.rnn, 'kernel', () => [I, H]);
  const taken: Taken = {
    kernel,
    recurrent: take(names.rnn, 'recurrent_kernel', () => [H, H]),
    bias: plan.useBias ? take(names.rnn, 'bias', () => [H]) : null,
    embeddings: V ? take(names.embedding!, 'embeddings', () => [V, I]) : null,
    denseKernel: plan.dense ? take(names.dense!, 'kernel', () => [H, O]) : null,
    denseBias: plan.dense?.useBias ? take(names.dense!, 'bias', () => [O]) : null,
  };
  const shape: ImportedShape = { vocabSize: V, rows: I, hiddenSize: H, outputSize: O, activation: plan.activation, outputActivation: plan.outputActivation, returnSequences: plan.returnSequences };
  const from: SizeSources = { ...plan.from, rows: V ? plan.from.rows : `${kernel.field} '${kernel.name}'.shape[0]` };
  const fold = foldFirst(imp.foldEmbedding, shape);
  checkSizes(api, shape, from, imp, fold);
  checkLayout(api, layout); // the weights the model does not take, too
  return { layout, shape, from, fold, taken };
}

/** Decodes the weights the import takes (checked finite) and builds the model. */
async function importPrepared(api: string, p: Prepared, data: unknown, imp: ImportConfig): Promise<SimpleRNN> {
  if (data === undefined) throw typeError(api, 'weightData', 'the weight bytes (the weights files concatenated in manifest order)', data);
  const bytes = readBytes(api, data, p.layout);
  const { taken: t, shape } = p;
  const dec = (s: Spec | null) => (s ? decode(api, s, bytes) : null);
  const kernel = decode(api, t.kernel, bytes);
  const recurrent = decode(api, t.recurrent, bytes);
  const bias = dec(t.bias);
  const denseKernel = dec(t.denseKernel);
  const denseBias = dec(t.denseBias);
  const folded = shouldFold(imp.foldEmbedding, shape, kernel);
  if (folded !== p.fold) checkSizes(api, shape, p.from, imp, folded); // 'auto' and K is not the identity: E is kept
  return build(api, shape, folded, { kernel, embeddings: dec(t.embeddings), recurrent, bias, denseKernel, denseBias }, imp);
}

// ---- public ----

/**
 * Imports a TensorFlow.js layers model: [Masking | Embedding] → SimpleRNN → [Dense | TimeDistributed(Dense)]
 * → [Activation]. Give the parsed model.json and the bytes of its weights files (concatenated in manifest order, or
 * one ArrayBuffer per file), or tf.io.ModelArtifacts alone (what withSaveHandler receives). Predictions equal
 * TF.js's on the sequences tfjsInputsToSequences makes of its padded inputs. Every size is checked against
 * SimpleRNN.create's limits and the bytes present before a weight is decoded; each value is read once.
 */
export async function fromTfjsLayers(
  modelJson: TfjsModelJson | TfjsArtifacts | string, weightData?: WeightBytes, options?: ImportOptions,
): Promise<SimpleRNN> {
  const api = 'fromTfjsLayers';
  return importTfjs(api, modelJson, weightData, readImportOptions(api, options));
}

/** The caller's ImportOptions, read once (null is no options, as undefined). */
export function readImportOptions(api: string, options: unknown): ImportConfig {
  return importConfig(api, readOptions(api, options ?? undefined, IMPORT_KEYS));
}

/** fromTfjsLayers with its options read, its errors naming `api`. */
export async function importTfjs(api: string, modelJson: unknown, weightData: unknown, imp: ImportConfig): Promise<SimpleRNN> {
  const a = artifactsOf(api, modelJson, weightData);
  return importPrepared(api, prepare(api, a, imp), a.data, imp);
}

/**
 * The weights files a parsed model.json names, before any is read: per manifest group, its paths (as given) and
 * the bytes its weights take. The topology, the specs and every size are checked first (as fromTfjsLayers does).
 */
export function tfjsWeightFiles(api: string, modelJson: unknown, imp: ImportConfig): Layout['groups'] {
  const a = artifactsOf(api, modelJson, null);
  if (a.weightSpecs !== undefined) throw typeError(api, 'modelJson.weightsManifest', 'the manifest of the weights files (a model.json holds no weightSpecs)', a.weightSpecs);
  return prepare(api, a, imp).layout.groups;
}

/**
 * Imports a live tf.LayersModel (anything with TF.js's `save(handler)`): it saves itself into memory through a
 * handler, and the artifacts go to fromTfjsLayers. No tfjs import is needed here.
 */
export async function fromTfjsModel(model: { save(handler: unknown): Promise<unknown> }, options?: ImportOptions): Promise<SimpleRNN> {
  const api = 'fromTfjsModel';
  if (model === null || typeof model !== 'object' || typeof (model as { save?: unknown }).save !== 'function') {
    throw typeError(api, 'model', 'a tf.LayersModel (an object with save(handler))', model);
  }
  const imp = readImportOptions(api, options);
  let artifacts: TfjsArtifacts | undefined;
  await model.save({
    save: async (a: TfjsArtifacts) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!artifacts) throw typeError(api, 'model', 'a model whose save(handler) hands over its artifacts', model);
  return importTfjs(api, artifacts, undefined, imp);
}

/** The masking of a TF.js model (a Masking layer's mask_value, an Embedding's mask_zero, or null). */
export function tfjsMasking(modelJson: TfjsModelJson | TfjsArtifacts | string): TfjsMasking {
  return maskingOf('tfjsMasking', modelJson);
}

function maskingOf(api: string, modelJson: unknown): TfjsMasking {
  const mj = typeof modelJson === 'string' ? parseJson(api, 'modelJson', modelJson) : modelJson;
  if (!isObj(mj)) throw typeError(api, 'modelJson', 'a parsed model.json or tf.io.ModelArtifacts', mj);
  return planFromTopology(api, fieldsOf(mj)('modelTopology')).masking;
}

/**
 * Turns a padded TF.js input batch into our ragged sequences by deleting the steps TF.js masks: for a Masking layer,
 * the steps whose features all equal mask_value; for an Embedding with mask_zero, the ids 0. TF.js carries the
 * state over a masked step, so the stripped sequence ends in the same state (and its outputs are TF.js's outputs at
 * the unmasked steps). Without masking the sequences are returned unchanged. A sequence with no unmasked step has
 * no counterpart (TF.js gives the output of the zero state; predict takes no empty sequence): it is a RangeError.
 */
export function tfjsInputsToSequences(
  masking: TfjsMasking | TfjsModelJson | TfjsArtifacts, padded: ArrayLike<number>[] | ArrayLike<ArrayLike<number>>[],
): number[][] | number[][][] {
  const api = 'tfjsInputsToSequences';
  const m: TfjsMasking = masking !== null && isObj(masking) && 'modelTopology' in masking ? maskingOf(api, masking) : (masking as TfjsMasking);
  if (!Array.isArray(padded)) throw typeError(api, 'padded', 'an array of sequences', padded);
  return padded.map((seq, b) => {
    if (!Array.isArray(seq) && !ArrayBuffer.isView(seq)) throw typeError(api, `padded[${b}]`, 'a sequence', seq);
    const steps = Array.from(seq as ArrayLike<unknown>);
    let kept = steps;
    if (m && 'maskZero' in m) kept = steps.filter((id) => id !== 0);
    else if (m && 'maskValue' in m) {
      kept = steps.filter((x, t) => {
        if (!Array.isArray(x) && !ArrayBuffer.isView(x)) throw typeError(api, `padded[${b}][${t}]`, 'an input vector', x);
        return !Array.from(x as ArrayLike<number>).every((v) => v === m.maskValue);
      });
    }
    if (kept.length === 0) throw rangeError(api, `padded[${b}]`, 'has no unmasked step; an all-masked sequence has no counterpart (TF.js outputs f(dense(0)) for it)');
    return kept.map((x) => (typeof x === 'number' ? x : Array.from(x as ArrayLike<number>)));
  }) as number[][] | number[][][];
}
