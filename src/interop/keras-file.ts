// Imports Keras model files as SimpleRNN models: a .keras archive (Keras 3: metadata.json, config.json and
// model.weights.h5 in a zip) or a legacy .h5 (model.save('x.h5') of Keras 2 / tf.keras, or of Keras 3). The model
// config is planned by the TF.js topology planner (TF.js reads the same Keras layer configs), every size is checked
// (build.ts checkSizes) before a weight value is read, and the weights are read where Keras's own saving code puts them.
//
// Where the weights are (read from Keras 3.16's keras/src/saving/saving_lib.py and legacy_h5_format.py, and tf.keras
// 2.x's hdf5_format.py):
//   .keras   model.weights.h5 holds one group per saveable at its path, its own variables in `<path>/vars/0, 1, ...`
//            in creation order. A layer's path is `layers/<snake_case(class_name)>`, numbered `_1, _2, ...` among the
//            layers of one class in model.layers order (not the layer's name). SimpleRNN: `<path>/cell/vars` = kernel,
//            recurrent_kernel, [bias]; Bidirectional: `<path>/forward_layer/cell/vars`, `<path>/backward_layer/cell/vars`;
//            Embedding: `<path>/vars/0` = embeddings; Dense: `<path>/vars` = kernel, [bias] (TimeDistributed:
//            `<path>/layer/vars`). Keras 2.13 files have `_layer_checkpoint_dependencies` where Keras 3 has `layers`.
//   .h5      the root attribute model_config holds the config; group model_weights lists layer_names, and each
//            layer's group model_weights/<layer name> lists weight_names (`simple_rnn/simple_rnn_cell/kernel:0`), each
//            a dataset at that nested name, in get_weights() order (a Bidirectional's forward layer, then its backward).
import type { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import { int, readOptions } from '../options.js';
import {
  IMPORT_KEYS, build, checkSizes, foldFirst, importConfig, shouldFold, type ImportConfig, type ImportOptions, type ImportedShape, type RawCell, type SizeSources,
} from './build.js';
import { isHdf5, openHdf5, type H5Dataset, type H5File } from './hdf5.js';
import { bytesOf, fieldsOf, isObj } from './read.js';
import { parseJson, planFromTopology, type Plan } from './tfjs-topology.js';
import { isZip, readEntry, readZip } from './zip.js';

/** Options of fromKerasFile: where the model runs (as in SimpleRNN.create), and the archive's size limit. */
export interface KerasFileOptions extends ImportOptions {
  /**
   * The most bytes a member of a .keras archive may hold uncompressed (model.weights.h5, config.json); a member that
   * declares more is refused before it is inflated, and one that inflates to more than it declares is stopped there.
   * Default 2^30 (1 GiB). A legacy .h5 file is read as given.
   */
  maxBytes?: number;
}

const API = 'fromKerasFile';
const KEYS = [...IMPORT_KEYS, 'maxBytes'] as const;
/** Default options.maxBytes. */
const MAX_MEMBER = 2 ** 30;
/** The most bytes of config JSON read (config.json, the model_config attribute). */
const MAX_CONFIG = 2 ** 27;

/** Where a config came from, for the errors: its root field, and the HDF5 file holding the weights. */
interface Source {
  root: string;
  config: unknown;
  h5: H5File;
  /** 'keras': Keras 3's saving_lib layout; 'legacy': the model_weights layout of model.save('x.h5'). */
  layout: 'keras' | 'legacy';
}

// ---- the config ----

/** An error of the TF.js planner, its fields rooted where the config came from (`config.json`, `model_config`). */
function rooted(e: unknown, root: string): unknown {
  if (!(e instanceof Error) || !e.message.includes('modelTopology')) return e;
  const msg = e.message.replaceAll('modelTopology', root);
  return e instanceof TypeError ? new TypeError(msg) : e instanceof RangeError ? new RangeError(msg) : new Error(msg);
}

/** One layer of the config, its fields read once. */
interface ConfigLayer {
  at: string;
  cls: string;
  name: string;
  get: (key: string) => unknown;
}

/** The config's layers in order (the planner has checked the list and each entry's form). */
function configLayers(root: string, config: unknown): ConfigLayer[] {
  const get = fieldsOf(config as object);
  const inner = get('config');
  const list = isObj(inner) ? fieldsOf(inner)('layers') : Array.isArray(inner) ? inner : [];
  return (list as unknown[]).map((l, k) => {
    const lget = fieldsOf(l as object);
    const cfg = fieldsOf(lget('config') as object);
    const cls = lget('class_name') as string;
    const name = String(cfg('name') ?? lget('name') ?? `${cls}_${k}`);
    return { at: `${root}.config.layers[${k}] (${cls} '${name}')`, cls, name, get: cfg };
  });
}

/** A layer's dtype policy name: 'float32', { class_name: 'DTypePolicy', config: { name } }, or absent. */
function policyName(v: unknown): unknown {
  if (v === undefined || v === null || typeof v === 'string') return v ?? 'float32';
  if (isObj(v)) {
    const c = fieldsOf(v)('config');
    return isObj(c) ? fieldsOf(c)('name') : undefined;
  }
  return v;
}

/**
 * What the planner does not look at but Keras computes differently: a dtype policy other than float32 (mixed
 * precision computes in float16 / bfloat16) and a quantized layer (its variables are not float weights). Checked on
 * every layer and on the layers a Bidirectional or TimeDistributed wraps.
 */
function checkKerasLayers(layers: ConfigLayer[]): void {
  const check = (at: string, get: (key: string) => unknown) => {
    const p = policyName(get('dtype'));
    if (p !== 'float32') throw rangeError(API, `${at}.config.dtype`, `= ${JSON.stringify(p)} is not supported; expected the 'float32' policy (the model computes in float32)`);
    const q = get('quantization_config');
    if (q !== undefined && q !== null) throw rangeError(API, `${at}.config.quantization_config`, 'is set: a quantized layer is not supported; expected null');
  };
  for (const l of layers) {
    if (l.cls !== 'InputLayer') check(l.at, l.get); // an InputLayer's dtype is its input's (int32 for token ids)
    for (const inner of ['layer', 'backward_layer']) {
      const v = l.get(inner);
      const c = isObj(v) ? fieldsOf(v)('config') : undefined;
      if (isObj(c)) check(`${l.at}.config.${inner}`, fieldsOf(c));
    }
  }
}

/** The input width a config states (an InputLayer's batch_shape, or a first layer's batch_input_shape), if any. */
function statedInput(layers: ConfigLayer[]): { width: number; field: string } | null {
  for (const l of layers) {
    for (const key of ['batch_shape', 'batch_input_shape']) {
      const v = l.get(key);
      if (Array.isArray(v) && v.length >= 3 && typeof v[v.length - 1] === 'number') return { width: v[v.length - 1] as number, field: `${l.at}.config.${key}[${v.length - 1}]` };
    }
    if (l.cls !== 'InputLayer') return null;
  }
  return null;
}

/** The planner's plan of a Keras config, its errors and the fields it names rooted at the config's source. */
function planOf(root: string, config: unknown): Plan {
  if (!isObj(config)) throw typeError(API, root, 'a Keras model config { class_name, config }', config);
  let plan: Plan;
  try {
    plan = planFromTopology(API, config);
  } catch (e) {
    throw rooted(e, root);
  }
  const r = (s: string) => s.replaceAll('modelTopology', root);
  const cell = (c: Plan['rnn'][number]['cell']) => ({ ...c, at: r(c.at) });
  return {
    ...plan,
    rnn: plan.rnn.map((x) => ({ ...x, at: r(x.at), cell: cell(x.cell), backward: x.backward && cell(x.backward) })),
    from: { vocabSize: r(plan.from.vocabSize), rows: r(plan.from.rows ?? ''), outputSize: r(plan.from.outputSize) },
  };
}

// ---- the weights: where they are ----

/** The datasets the model takes, found (shapes known, no value read). */
interface Found {
  /** Per layer l and direction d, at l·dirs + d. */
  cells: { kernel: H5Dataset; recurrent: H5Dataset; bias: H5Dataset | null; owner: string }[];
  embeddings: H5Dataset | null;
  dense: { kernel: H5Dataset; bias: H5Dataset | null; owner: string } | null;
}

/** keras.src.utils.naming.to_snake_case: 'SimpleRNN' → 'simple_rnn', 'TimeDistributed' → 'time_distributed'. */
function snakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Each layer's path in model.weights.h5 (saving_lib._save_container_state: snake_case class names, numbered). */
function kerasPaths(layers: ConfigLayer[], sequential: boolean): Map<string, { path: string; cls: string }> {
  const used = new Map<string, number>();
  const out = new Map<string, { path: string; cls: string }>();
  for (const l of layers) {
    if (sequential && l.cls === 'InputLayer') continue; // Sequential.layers leaves the InputLayer out
    const base = snakeCase(l.cls);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    if (out.has(l.name)) throw rangeError(API, l.at, `has the name of another layer; expected unique layer names (Keras requires them)`);
    out.set(l.name, { path: n === undefined ? base : `${base}_${n + 1}`, cls: l.cls });
  }
  return out;
}

/** The datasets of one saveable's vars group, which must hold exactly `count` of them, named 0 .. count-1. */
function varsOf(h5: H5File, root: string, path: string, count: number, owner: string): H5Dataset[] {
  let at = `${path}/vars`;
  let g = h5.group(at);
  if (!g && root !== 'layers') {
    // H5IOStore.get: Keras 2.13 files name the layers container _layer_checkpoint_dependencies
    at = at.replace(/^layers\//, `${root}/`);
    g = h5.group(at);
  }
  if (!g) {
    if (count === 0) return [];
    throw rangeError(API, `model.weights.h5/${at}`, `is missing; expected the ${count} weights of ${owner}`);
  }
  const keys = g.keys();
  if (keys.length !== count) throw rangeError(API, g.field, `holds ${keys.length} weights (${keys.map((k) => JSON.stringify(k)).join(', ') || 'none'}); ${owner} has ${count}`);
  return Array.from({ length: count }, (_, k) => {
    const ds = h5.dataset(`${at}/${k}`);
    if (!ds) throw rangeError(API, `${g.field}/${k}`, `is missing; expected weight ${k} of ${owner}`);
    return ds;
  });
}

/** The weights of a .keras file, at Keras 3's paths. */
function findKeras(src: Source, plan: Plan, layers: ConfigLayer[]): Found {
  const h5 = src.h5;
  const sequential = fieldsOf(src.config as object)('class_name') === 'Sequential';
  const paths = kerasPaths(layers, sequential);
  const root = h5.group('layers') || !h5.group('_layer_checkpoint_dependencies') ? 'layers' : '_layer_checkpoint_dependencies';
  const pathOf = (name: string) => `layers/${paths.get(name)!.path}`;
  const bias = plan.useBias ? 1 : 0;
  const cells: Found['cells'] = [];
  for (const r of plan.rnn) {
    const p = pathOf(r.name);
    const sub = plan.bidirectional ? ['forward_layer', 'backward_layer'] : [''];
    for (const s of sub) {
      const owner = `${r.at}${s ? ` (its ${s})` : ''}`;
      const cell = `${p}${s ? `/${s}` : ''}`;
      varsOf(h5, root, cell, 0, owner); // the RNN layer itself holds no variable: they are the cell's
      const [kernel, recurrent, b] = varsOf(h5, root, `${cell}/cell`, 2 + bias, `${owner}'s cell (kernel, recurrent_kernel${bias ? ', bias' : ''})`);
      cells.push({ kernel, recurrent, bias: b ?? null, owner });
    }
  }
  let embeddings: H5Dataset | null = null;
  if (plan.names.embedding) {
    const at = layers.find((l) => l.name === plan.names.embedding)!.at;
    [embeddings] = varsOf(h5, root, pathOf(plan.names.embedding), 1, `${at} (embeddings)`);
  }
  let dense: Found['dense'] = null;
  if (plan.dense && plan.names.dense) {
    const l = layers.find((x) => x.name === plan.names.dense)!;
    const p = paths.get(l.name)!.cls === 'TimeDistributed' ? `${pathOf(l.name)}/layer` : pathOf(l.name);
    const db = plan.dense.useBias ? 1 : 0;
    const [kernel, b] = varsOf(h5, root, p, 1 + db, `${l.at} (kernel${db ? ', bias' : ''})`);
    dense = { kernel, bias: b ?? null, owner: l.at };
  }
  return { cells, embeddings, dense };
}

/** An attribute holding a list of names, or Keras's chunked form `<name>0, <name>1, ...` (load_attributes_from_hdf5_group). */
function nameList(attrs: Record<string, unknown>, name: string, field: string): string[] {
  const parts: unknown[] = [];
  if (Object.hasOwn(attrs, name)) parts.push(attrs[name]);
  else for (let k = 0; Object.hasOwn(attrs, `${name}${k}`); k++) parts.push(attrs[`${name}${k}`]);
  const out: string[] = [];
  for (const p of parts) {
    const list = Array.isArray(p) ? p : [p];
    for (const v of list) {
      if (typeof v !== 'string') throw typeError(API, `${field}.attrs.${name}`, 'a list of names', v);
      out.push(v);
    }
  }
  return out;
}

/** The weights of a legacy .h5, at the names its weight_names attributes list. */
function findLegacy(src: Source, plan: Plan, layers: ConfigLayer[]): Found {
  const h5 = src.h5;
  const mw = h5.group('model_weights');
  if (!mw) throw rangeError(API, 'h5/model_weights', 'is missing; expected the group of the layers\' weights (model.save writes it)');
  const listed = nameList(mw.attrs(), 'layer_names', mw.field);
  const weighted: { name: string; weights: string[] }[] = [];
  for (const name of listed) {
    const g = h5.group(`model_weights/${name}`);
    if (!g) throw rangeError(API, `${mw.field}/${name}`, 'is missing; layer_names lists it');
    const weights = nameList(g.attrs(), 'weight_names', g.field);
    if (weights.length) weighted.push({ name, weights });
  }
  const byName = new Map(weighted.map((w) => [w.name, w]));
  const want = [plan.names.embedding, ...plan.rnn.map((r) => r.name), plan.dense ? plan.names.dense : undefined].filter((n): n is string => !!n);
  if (weighted.length !== want.length || weighted.some((w, k) => w.name !== want[k])) {
    throw rangeError(API, `${mw.field}.attrs.layer_names`, `list the layers with weights [${weighted.map((w) => w.name).join(', ')}]; ${src.root} has [${want.join(', ')}] (Keras loads them in this order)`);
  }
  /** The datasets of one layer, checked against the weights it has: each name's last segment, and its direction. */
  const take = (name: string, owner: string, expected: { base: string; dir?: 'forward' | 'backward' }[]): H5Dataset[] => {
    const w = byName.get(name)!;
    const f = `${mw.field}/${name}.attrs.weight_names`;
    if (w.weights.length !== expected.length) throw rangeError(API, f, `list ${w.weights.length} weights; ${owner} has ${expected.length} (${expected.map((e) => `${e.dir ? `${e.dir} ` : ''}${e.base}`).join(', ')})`);
    return w.weights.map((wn, k) => {
      const segs = wn.split('/');
      if (wn.startsWith('/') || segs.some((s) => s === '' || s === '.' || s === '..')) throw rangeError(API, `${f}[${k}]`, `= ${JSON.stringify(wn)} is not a path inside the layer's group`);
      const base = segs[segs.length - 1].replace(/:\d+$/, '');
      const e = expected[k];
      const dir = segs.some((s) => s.startsWith('forward_')) ? 'forward' : segs.some((s) => s.startsWith('backward_')) ? 'backward' : undefined;
      if (base !== e.base || (e.dir && dir !== e.dir)) throw rangeError(API, `${f}[${k}]`, `= ${JSON.stringify(wn)}; expected the ${e.dir ? `${e.dir} layer's ` : ''}${e.base} of ${owner}`);
      const ds = h5.dataset(`model_weights/${name}/${wn}`);
      if (!ds) throw rangeError(API, `${mw.field}/${name}/${wn}`, `is missing; weight_names lists it (the ${e.base} of ${owner})`);
      return ds;
    });
  };
  const cellBases = ['kernel', 'recurrent_kernel', ...(plan.useBias ? ['bias'] : [])];
  const cells: Found['cells'] = [];
  for (const r of plan.rnn) {
    const dirs = plan.bidirectional ? (['forward', 'backward'] as const) : [undefined];
    const ds = take(r.name, r.at, dirs.flatMap((dir) => cellBases.map((base) => ({ base, dir }))));
    dirs.forEach((dir, d) => {
      const [kernel, recurrent, bias] = ds.slice(d * cellBases.length, (d + 1) * cellBases.length);
      cells.push({ kernel, recurrent, bias: bias ?? null, owner: `${r.at}${dir ? ` (its ${dir} layer)` : ''}` });
    });
  }
  const embeddings = plan.names.embedding ? take(plan.names.embedding, layers.find((l) => l.name === plan.names.embedding)!.at, [{ base: 'embeddings' }])[0] : null;
  let dense: Found['dense'] = null;
  if (plan.dense && plan.names.dense) {
    const owner = layers.find((l) => l.name === plan.names.dense)!.at;
    const [kernel, bias] = take(plan.names.dense, owner, [{ base: 'kernel' }, ...(plan.dense.useBias ? [{ base: 'bias' }] : [])]);
    dense = { kernel, bias: bias ?? null, owner };
  }
  return { cells, embeddings, dense };
}

// ---- the weights: shapes, sizes, values ----

/** A dataset's shape against the one the config implies (no value read). */
function expectShape(ds: H5Dataset, want: number[], what: string): void {
  if (ds.shape.length !== want.length || ds.shape.some((d, k) => d !== want[k])) {
    throw rangeError(API, ds.field, `has shape [${ds.shape.join(', ')}]; expected [${want.join(', ')}] (${what})`);
  }
}

/** A dataset's values, each finite in float32 (the model's storage). */
function values(ds: H5Dataset): Float32Array | Float64Array {
  const v = ds.read();
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(Math.fround(v[k]))) throw rangeError(API, `${ds.field}[${k}]`, `= ${v[k]} is not finite in float32`);
  }
  return v;
}

/** Checks the found datasets' types and shapes, the model's sizes (checkSizes), then reads the values and builds. */
async function importFound(src: Source, plan: Plan, layers: ConfigLayer[], found: Found, imp: ImportConfig): Promise<SimpleRNN> {
  const { vocabSize: V, rnn, outputSize: O } = plan;
  const all = [...found.cells.flatMap((c) => [c.kernel, c.recurrent, c.bias]), found.embeddings, found.dense?.kernel, found.dense?.bias];
  for (const ds of all) if (ds && !ds.dtype) throw new TypeError(`SimpleRNN.${API}: ${ds.field} must be a float32 or float64 dataset; got a dataset of ${ds.dtypeText}`);
  const hidden = rnn.map((r) => r.cell.units);
  const k0 = found.cells[0].kernel;
  const I = V ? plan.inputSize : k0.shape.length === 2 ? k0.shape[0] : 0;
  if (!(I >= 1)) throw rangeError(API, k0.field, `has shape [${k0.shape.join(', ')}]; expected [I, ${hidden[0]}] with I >= 1 (the kernel of ${found.cells[0].owner})`);
  const stated = V ? null : statedInput(layers);
  if (stated && stated.width !== I) throw rangeError(API, stated.field, `= ${stated.width}, but the kernel ${k0.field} has ${I} rows; expected the same input size`);
  const concat = plan.bidirectional && plan.merge === 'concat';
  const out = hidden.map((H) => (concat ? 2 * H : H));
  const dirs = plan.bidirectional ? 2 : 1;
  found.cells.forEach((c, j) => {
    const l = Math.floor(j / dirs);
    const H = hidden[l];
    const In = l ? out[l - 1] : I;
    expectShape(c.kernel, [In, H], `the kernel (In, H) of ${c.owner}`);
    expectShape(c.recurrent, [H, H], `the recurrent_kernel (H, H) of ${c.owner}`);
    if (c.bias) expectShape(c.bias, [H], `the bias (H) of ${c.owner}`);
  });
  if (found.embeddings) expectShape(found.embeddings, [V, I], `the embeddings (input_dim, output_dim) of ${layers.find((l) => l.name === plan.names.embedding)!.at}`);
  if (found.dense) {
    expectShape(found.dense.kernel, [out[out.length - 1], O], `the kernel of ${found.dense.owner}`);
    if (found.dense.bias) expectShape(found.dense.bias, [O], `the bias of ${found.dense.owner}`);
  }
  const shape: ImportedShape = {
    vocabSize: V, rows: I, hidden, outputSize: O, activation: plan.activation, outputActivation: plan.outputActivation, returnSequences: plan.returnSequences,
    bidirectional: plan.bidirectional, merge: plan.merge, goBackwards: plan.goBackwards, dropout: plan.dropout, recurrentDropout: plan.recurrentDropout,
    // folding drops E, and the dropout on its outputs with it (see ImportOptions.foldEmbedding)
    inputDropout: V && imp.foldEmbedding === true ? 0 : plan.inputDropout,
  };
  const from: SizeSources = {
    vocabSize: plan.from.vocabSize,
    rows: V ? plan.from.rows : `${k0.field}.shape[0]`,
    hiddenSize: rnn.map((r) => `${r.cell.at}.config.units`),
    outputSize: plan.from.outputSize,
    layers: `${src.root}.config.layers (${rnn.length} recurrent layers)`,
    settings: 'model',
  };
  const fold = foldFirst(imp.foldEmbedding, shape);
  checkSizes(API, shape, from, imp, fold);
  // ---- the values, each read once, after every check ----
  const cells: RawCell[] = found.cells.map((c) => ({ kernel: values(c.kernel), recurrent: values(c.recurrent), bias: c.bias ? values(c.bias) : null }));
  const denseKernel = found.dense ? values(found.dense.kernel) : null;
  const denseBias = found.dense?.bias ? values(found.dense.bias) : null;
  const folded = shouldFold(imp.foldEmbedding, shape, cells.slice(0, dirs).map((c) => c.kernel));
  if (folded !== fold) checkSizes(API, shape, from, imp, folded); // K decided otherwise: that model is checked before E is read
  const embeddings = found.embeddings ? values(found.embeddings) : null;
  return build(API, shape, folded, { cells, embeddings, denseKernel, denseBias }, imp, from);
}

/** Plans the config, finds the weights in the file's layout, and imports them. */
async function importSource(src: Source, imp: ImportConfig): Promise<SimpleRNN> {
  const plan = planOf(src.root, src.config);
  const layers = configLayers(src.root, src.config);
  checkKerasLayers(layers);
  const found = src.layout === 'keras' ? findKeras(src, plan, layers) : findLegacy(src, plan, layers);
  return importFound(src, plan, layers, found, imp);
}

// ---- the two file formats ----

/** UTF-8 JSON text of at most MAX_CONFIG bytes, parsed; errors name the field. */
function parseConfig(field: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw rangeError(API, field, 'is not valid UTF-8');
  }
  return parseJson(API, field, text);
}

/** A .keras archive: config.json planned first (before the weights are inflated), then model.weights.h5. */
async function fromArchive(bytes: Uint8Array, maxBytes: number, imp: ImportConfig): Promise<SimpleRNN> {
  const zip = readZip(API, bytes, 'bytes');
  const names = [...zip.entries.keys()];
  const found = `it holds ${names.map((n) => JSON.stringify(n)).join(', ') || 'nothing'}`;
  if (!zip.entries.has('config.json')) throw rangeError(API, 'bytes', `is a zip archive without config.json; a .keras file holds metadata.json, config.json and model.weights.h5 (${found})`);
  if (!zip.entries.has('model.weights.h5')) {
    const why = zip.entries.has('model.weights.npz') ? "its weights are in model.weights.npz (weights_format='npz'), which is not supported; save with the default weights_format 'h5'" : `it has no model.weights.h5 (${found})`;
    throw rangeError(API, 'bytes', `is a .keras archive whose weights cannot be read: ${why}`);
  }
  const cfgLimit = Math.min(maxBytes, MAX_CONFIG);
  const config = parseConfig('config.json', await readEntry(API, zip, 'config.json', cfgLimit, cfgLimit === maxBytes ? 'options.maxBytes' : 'the config limit'));
  planOf('config.json', config); // an unsupported model is refused before its weights are inflated
  const h5 = openHdf5(API, await readEntry(API, zip, 'model.weights.h5', maxBytes, 'options.maxBytes'), 'model.weights.h5');
  return importSource({ root: 'config.json', config, h5, layout: 'keras' }, imp);
}

/** A legacy .h5 file: the model_config attribute, and the model_weights group. */
async function fromLegacy(bytes: Uint8Array, imp: ImportConfig): Promise<SimpleRNN> {
  const h5 = openHdf5(API, bytes, 'h5');
  const attrs = h5.group('')!.attrs();
  const mc = attrs.model_config;
  if (mc === undefined) {
    const what = h5.group('model_weights') || h5.group('layers') ? ' (weights alone, as save_weights writes them)' : '';
    throw rangeError(API, 'h5.attrs.model_config', `is missing: the file holds no model architecture${what}; expected a file of model.save('x.h5')`);
  }
  if (typeof mc !== 'string') throw typeError(API, 'h5.attrs.model_config', 'the JSON text of the model config', mc);
  if (mc.length > MAX_CONFIG) throw rangeError(API, 'h5.attrs.model_config', `holds ${mc.length} characters; the limit is ${MAX_CONFIG}`);
  const config = parseJson(API, 'model_config', mc);
  return importSource({ root: 'model_config', config, h5, layout: 'legacy' }, imp);
}

/**
 * Imports a Keras model file: a .keras archive (Keras 3's `model.save('x.keras')`) or a legacy .h5 file
 * (`model.save('x.h5')` of Keras 2, tf.keras or Keras 3), told apart by their first bytes. Accepted is what
 * fromTfjsLayers accepts: a Sequential or single-chain functional model of [InputLayer] → [Masking | Embedding] →
 * SimpleRNN or Bidirectional(SimpleRNN) layers (stacked, each but the top one returning sequences; any merge_mode;
 * go_backwards on the first) → [Dense | TimeDistributed(Dense)], float32 layers. Anything else is an error naming the
 * layer and the field. The weights are read where Keras writes them (this file's header says where), every size is
 * checked against SimpleRNN.create's limits before a weight value is read, and each value is read once. The archive's
 * members are size-checked before they are inflated, capped while they inflate, and CRC-checked.
 */
export async function fromKerasFile(bytes: Uint8Array | ArrayBuffer, options?: KerasFileOptions): Promise<SimpleRNN> {
  const o = readOptions(API, options ?? undefined, KEYS);
  const maxBytes = int(API, 'options.maxBytes', o.maxBytes, 1, 2 ** 32 - 1, MAX_MEMBER);
  const imp = importConfig(API, o);
  const view = bytesOf(bytes);
  if (!view) throw typeError(API, 'bytes', 'the bytes of a .keras or .h5 file (a Uint8Array or an ArrayBuffer)', bytes);
  const u8 = view.slice(); // one copy, read once: another thread writing the caller's buffer cannot change what was checked
  if (isZip(u8)) return fromArchive(u8, maxBytes, imp);
  if (isHdf5(u8)) return fromLegacy(u8, imp);
  const head = Array.from(u8.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw rangeError(API, 'bytes', `is neither a .keras archive (a zip, starting PK\\x03\\x04) nor a legacy .h5 file (starting \\x89HDF\\r\\n\\x1a\\n); it starts ${head || '(empty)'}`);
}
