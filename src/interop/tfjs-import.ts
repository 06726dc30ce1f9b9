// Imports a TensorFlow.js layers model (model.json + weight bytes, tf.io artifacts, or a live tf.LayersModel; stacked
// and bidirectional SimpleRNNs) as a SimpleRNN, and maps TF.js's padded, masked input batches to our ragged
// sequences: the topology read once into a plan (tfjs-topology.ts), the plan's sizes checked (build.ts checkSizes)
// before the weights are decoded (tfjs-weights.ts). The format and the weight mapping are in tfjs-format.ts;
// building the model is build.ts's.
import type { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import { readOptions } from '../options.js';
import {
  IMPORT_KEYS, build, checkSizes, foldFirst, importConfig, shouldFold, type ImportConfig, type ImportOptions, type ImportedShape, type SizeSources,
} from './build.js';
import { fieldsOf, isObj } from './read.js';
import { METADATA_KEY, type Direction, type TfjsArtifacts, type TfjsMasking, type TfjsModelJson, type WeightBytes } from './tfjs-format.js';
import { parseJson, planFromTopology } from './tfjs-topology.js';
import { checkLayout, decode, findSpec, readBytes, readLayout, type Layout, type Spec } from './tfjs-weights.js';

// ---- plan + weight specs → the import's sizes ----

/** The artifacts' parts, each read once, in the order the import reads into them: topology, specs, then bytes. */
interface Artifacts {
  topology: unknown;
  weightSpecs: unknown;
  weightsManifest: unknown;
  data: unknown;
  /** model.json's userDefinedMetadata: what toTfjsFiles wrote under METADATA_KEY becomes the model's metadata. */
  userMeta: unknown;
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
    userMeta: get('userDefinedMetadata'),
  };
}

/** One layer-direction's weights, as specs. */
interface TakenCell {
  kernel: Spec;
  recurrent: Spec;
  bias: Spec | null;
}

/** The weights an import takes, as specs (not yet decoded), their shapes checked against the plan. */
interface Taken {
  /** Per layer l and direction d, at l·dirs + d. */
  cells: TakenCell[];
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
  const { names, outputSize: O, vocabSize: V, rnn } = plan;
  const dirs: (Direction | undefined)[] = plan.bidirectional ? ['forward', 'backward'] : [undefined];
  const take = (layer: string, base: string, dir: Direction | undefined, shape?: (s: Spec) => number[]): Spec => {
    const s = findSpec(layout, layer, base, dir);
    if (!s) throw rangeError(api, 'weightSpecs', `have no weight '${layer}/${dir ? `${dir}_` : ''}…/${base}'; found ${layout.specs.map((w) => `'${w.name}'`).join(', ') || 'none'}`);
    const want = shape?.(s);
    if (want && (s.shape.length !== want.length || s.shape.some((d, k) => d !== want[k]))) {
      throw rangeError(api, `weight '${s.name}'`, `has shape [${s.shape}]; expected [${want}]`);
    }
    return s;
  };
  const hidden = rnn.map((r) => r.cell.units);
  const kernel0 = take(rnn[0].name, 'kernel', dirs[0]);
  const I = V ? plan.inputSize : kernel0.shape[0];
  if (!(I >= 1)) throw rangeError(api, `weight '${kernel0.name}'`, `has shape [${kernel0.shape}]; expected [I, ${hidden[0]}] with I >= 1`);
  const concat = plan.bidirectional && plan.merge === 'concat';
  const out = hidden.map((H) => (concat ? 2 * H : H));
  const cells: TakenCell[] = [];
  rnn.forEach((r, l) => {
    const H = hidden[l];
    const In = l ? out[l - 1] : I;
    for (const dir of dirs) {
      cells.push({
        kernel: take(r.name, 'kernel', dir, () => [In, H]),
        recurrent: take(r.name, 'recurrent_kernel', dir, () => [H, H]),
        bias: plan.useBias ? take(r.name, 'bias', dir, () => [H]) : null,
      });
    }
  });
  const headIn = out[out.length - 1];
  const taken: Taken = {
    cells,
    embeddings: V ? take(names.embedding!, 'embeddings', undefined, () => [V, I]) : null,
    denseKernel: plan.dense ? take(names.dense!, 'kernel', undefined, () => [headIn, O]) : null,
    denseBias: plan.dense?.useBias ? take(names.dense!, 'bias', undefined, () => [O]) : null,
  };
  const shape: ImportedShape = {
    vocabSize: V, rows: I, hidden, outputSize: O, activation: plan.activation, outputActivation: plan.outputActivation, returnSequences: plan.returnSequences,
    bidirectional: plan.bidirectional, merge: plan.merge, goBackwards: plan.goBackwards,
    dropout: plan.dropout, recurrentDropout: plan.recurrentDropout,
    // folding drops E, and the dropout on its outputs with it (see ImportOptions.foldEmbedding)
    inputDropout: V && imp.foldEmbedding === true ? 0 : plan.inputDropout,
  };
  const from: SizeSources = {
    ...plan.from,
    rows: V ? plan.from.rows : `${kernel0.field} '${kernel0.name}'.shape[0]`,
    hiddenSize: rnn.map((r) => `${r.cell.at}.config.units`),
    layers: `modelTopology.config.layers (${rnn.length} recurrent layers)`,
    settings: 'model',
  };
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
  const cells = t.cells.map((c) => ({ kernel: decode(api, c.kernel, bytes), recurrent: decode(api, c.recurrent, bytes), bias: dec(c.bias) }));
  const denseKernel = dec(t.denseKernel);
  const denseBias = dec(t.denseBias);
  const folded = shouldFold(imp.foldEmbedding, shape, cells.slice(0, shape.bidirectional ? 2 : 1).map((c) => c.kernel));
  if (folded !== p.fold) checkSizes(api, shape, p.from, imp, folded); // K decided otherwise: that model is checked before E is read
  return build(api, shape, folded, { cells, embeddings: dec(t.embeddings), denseKernel, denseBias }, imp, p.from);
}

// ---- public ----

/**
 * Imports a TensorFlow.js layers model: [Masking | Embedding] → SimpleRNN or Bidirectional(SimpleRNN), stacked (a
 * Dropout between two is the model's dropout) → [Dense | TimeDistributed(Dense)] → [Activation]. The recurrent
 * layers are all of one kind (all Bidirectional, one merge_mode, or none), with one activation and one use_bias,
 * units per layer as they are; go_backwards only on the first. Give the parsed model.json and the bytes of its
 * weights files (concatenated in manifest order, or one ArrayBuffer per file), or tf.io.ModelArtifacts alone (what
 * withSaveHandler receives). Predictions equal TF.js's on the sequences tfjsInputsToSequences makes of its padded
 * inputs. The training-only dropout settings are kept where the model can hold them (tfjs-topology.ts says which).
 * Every size is checked against SimpleRNN.create's limits and the bytes present before a weight is decoded; each
 * value is read once.
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
  const metadata = carriedMetadata(api, a.userMeta);
  const model = await importPrepared(api, prepare(api, a, imp), a.data, imp);
  if (metadata !== undefined) model.metadata = metadata;
  return model;
}

/** The model's metadata carried in userDefinedMetadata[METADATA_KEY], as a JSON copy (read once), or undefined. */
function carriedMetadata(api: string, userMeta: unknown): unknown {
  if (!isObj(userMeta) || !Object.hasOwn(userMeta, METADATA_KEY)) return undefined;
  const v = fieldsOf(userMeta)(METADATA_KEY);
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw typeError(api, `modelJson.userDefinedMetadata["${METADATA_KEY}"]`, 'a JSON value (the model metadata toTfjsFiles writes)', v);
  return JSON.parse(text);
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
 * the unmasked steps; after a go_backwards layer, which returns its sequence in reading order, at the unmasked steps
 * of the reversed input). Without masking the sequences are returned unchanged. A sequence with no unmasked step has
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
