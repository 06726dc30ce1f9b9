// Reads a TF.js layers model's topology (Sequential, or a Functional single chain) into an import plan: the layers
// in order, each checked, each field read once; every unsupported layer or setting an error naming it. It sees no
// weight: src/interop/tfjs-import.ts takes the plan to the weight specs and builds the model.
import type { Activation, OutputActivation } from '../model.js';
import { MAX_LAYERS, type MergeMode, type StackSettings } from '../config.js';
import { rangeError, typeError, describe } from '../errors.js';
import { fieldsOf, isObj, readList, stringsIn } from './read.js';
import { ACTS, MERGES, OUTS, type TfjsMasking } from './tfjs-format.js';

/** One recurrent layer as the topology gives it (a SimpleRNN, or the one a Bidirectional wraps), its fields checked. */
export interface Cell {
  /** Where its config is: `modelTopology.config.layers[1] (SimpleRNN 'simple_rnn')`, or the wrapper's `.config.layer (SimpleRNN)`. */
  at: string;
  units: number;
  activation: Activation;
  useBias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  dropout: number;
  recurrentDropout: number;
}

/** One recurrent layer of the stack. */
export interface Rnn {
  /** The layer in the topology: `modelTopology.config.layers[1] (Bidirectional 'bidirectional')`. */
  at: string;
  /** Its weights' prefix (the layer's name). */
  name: string;
  cell: Cell;
  /** A Bidirectional's backward_layer, when the config spells it out (Keras); else it mirrors `cell`. */
  backward: Cell | null;
}

/**
 * What the importer builds from a topology. returnSequences is the top layer's (every lower layer has it); the
 * training-only rates are those our model can hold (see planFromTopology), 0 otherwise.
 */
export interface Plan extends StackSettings {
  /** 0 for dense inputs. */
  vocabSize: number;
  /** Dense input size (kernel rows); with an embedding, its output dim D. */
  inputSize: number;
  /** The recurrent layers, bottom to top. */
  rnn: Rnn[];
  outputSize: number;
  useBias: boolean;
  /** 'dense' when a dense layer follows; null when the model ends at the recurrent layers (Wo = identity). */
  dense: { useBias: boolean } | null;
  masking: TfjsMasking;
  /** Weight name prefixes (layer names). */
  names: { embedding?: string; dense?: string };
  /** The fields the sizes came from (rows: the Embedding's output_dim; for dense inputs the kernel's spec gives it). */
  from: { vocabSize: string; rows: string; outputSize: string };
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
export function parseJson(api: string, field: string, text: string): unknown {
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

/** The chain the importer reads, for the errors. */
const CHAIN = '[InputLayer] → [Masking | Embedding] → SimpleRNN or Bidirectional(SimpleRNN), one or more (a Dropout between any two) → [Dense | TimeDistributed(Dense)] → [Activation]';

/** A dropout rate of a config: a number in [0, 1) (in float32, as SimpleRNN.create takes it); default 0. */
function readRate(api: string, at: string, get: (key: string) => unknown, f: string): number {
  const v = field(get, f) ?? 0;
  if (typeof v !== 'number' || !(v >= 0 && Math.fround(v) < 1)) throw rangeError(api, `${at}.config.${f}`, `= ${show(v)} is not supported; expected a rate in [0, 1)`);
  return v;
}

/** A SimpleRNN's config, its fields checked (each read once). */
function readCell(api: string, at: string, get: (key: string) => unknown): Cell {
  const bad = (f: string, v: unknown, expected: string): RangeError => rangeError(api, `${at}.config.${f}`, `= ${show(v)} is not supported; expected ${expected}`);
  const want = (f: string, expected: unknown): void => {
    const v = field(get, f);
    if (v !== undefined && v !== null && v !== expected) throw bad(f, v, show(expected));
  };
  const units = field(get, 'units');
  if (!Number.isInteger(units) || (units as number) < 1) throw bad('units', units, 'an integer >= 1');
  const act = field(get, 'activation') ?? 'tanh';
  if (!ACTS.includes(act as Activation)) throw bad('activation', act, ACTS.map((a) => `'${a}'`).join(', '));
  const useBias = field(get, 'use_bias') ?? true;
  if (typeof useBias !== 'boolean') throw bad('use_bias', useBias, 'a boolean');
  const rs = field(get, 'return_sequences') ?? false;
  if (typeof rs !== 'boolean') throw bad('return_sequences', rs, 'a boolean');
  const gb = field(get, 'go_backwards') ?? false;
  if (typeof gb !== 'boolean') throw bad('go_backwards', gb, 'a boolean');
  want('return_state', false);
  want('stateful', false);
  // regularizers and constraints act only in training and are not kept; unroll is a speed knob
  return {
    at, units: units as number, activation: act as Activation, useBias, returnSequences: rs, goBackwards: gb,
    dropout: readRate(api, at, get, 'dropout'), recurrentDropout: readRate(api, at, get, 'recurrent_dropout'),
  };
}

/** A wrapper's inner layer { class_name: cls, config }, or a RangeError naming the field. */
function innerLayer(api: string, field: string, v: unknown, cls: string): (key: string) => unknown {
  const get = isObj(v) ? fieldsOf(v) : null;
  const icls = get?.('class_name');
  const icfg = get?.('config');
  if (icls !== cls || !isObj(icfg)) throw rangeError(api, field, `= ${describe(get ? icls : v)} is not supported; expected a ${cls} layer`);
  return fieldsOf(icfg);
}

/**
 * Reads a model topology into a plan; every unsupported layer or setting is an error naming it. The recurrent layers
 * are all SimpleRNN or all Bidirectional(SimpleRNN) (one merge_mode), with one activation and one use_bias; each but
 * the top one returns sequences; go_backwards only on the first. The training-only rates are kept where our model
 * holds them exactly: inputDropout = the first layer's dropout; recurrentDropout = recurrent_dropout when every layer
 * has the same; dropout = the rate of the Dropout layers when every gap between two recurrent layers holds one, with
 * the same rate (and no noise_shape). Others (dropout on a later layer, differing rates, a Dropout after the top layer)
 * are not kept, like regularizers and constraints: the identity at inference, they change only training.
 */
export function planFromTopology(api: string, topology: unknown): Plan {
  const { layers, path } = layerList(api, topology);
  const plan: Omit<Partial<Plan>, 'names' | 'from' | 'rnn'> & { masking: TfjsMasking; names: Partial<Plan['names']>; from: Partial<Plan['from']>; rnn: Rnn[] } = {
    masking: null, names: {}, from: { vocabSize: '' }, rnn: [],
  };
  let stage = 0; // 0: before the recurrent layers (input, masking, embedding)  1: after one  2: after the dense  3: done
  let embedD = 0;
  /** The Dropout layers after each recurrent layer (before the next one): [rate, no noise_shape]. */
  const gaps: [number, boolean][][] = [];
  const addRnn = (at: string, name: string, cell: Cell, bi: { merge: MergeMode; backward: Cell | null } | null): void => {
    const rnn = plan.rnn;
    if (stage > 1) throw rangeError(api, at, `is not supported here; expected ${CHAIN}`);
    if (rnn.length === MAX_LAYERS) throw rangeError(api, at, `is recurrent layer ${MAX_LAYERS + 1}; SimpleRNN.create's layers is at most ${MAX_LAYERS}`);
    if (rnn.length) {
      const first = rnn[0];
      const prev = rnn[rnn.length - 1];
      const kind = (b: boolean) => (b ? 'a Bidirectional' : 'a plain SimpleRNN');
      const same = (f: string, v: unknown, was: unknown) => {
        if (v !== was) throw rangeError(api, `${cell.at}.config.${f}`, `= ${show(v)} is not supported; expected ${show(was)}, as in ${first.cell.at} (every recurrent layer has the same ${f})`);
      };
      if (!prev.cell.returnSequences) throw rangeError(api, at, `is not supported here; the recurrent layer before it, ${prev.at}, has return_sequences: false (a stacked layer reads a sequence)`);
      if (!!bi !== plan.bidirectional) throw rangeError(api, at, `is ${kind(!!bi)} layer, but ${first.at} is ${kind(!!plan.bidirectional)}; every recurrent layer must be the same kind (all Bidirectional or none)`);
      if (bi && bi.merge !== plan.merge) throw rangeError(api, `${at}.config.merge_mode`, `= ${show(bi.merge)} is not supported; expected ${show(plan.merge)}, as in ${first.at} (every Bidirectional merges the same way)`);
      same('activation', cell.activation, plan.activation);
      same('use_bias', cell.useBias, plan.useBias);
      if (cell.goBackwards) throw rangeError(api, `${cell.at}.config.go_backwards`, `= true is not supported; expected false (go_backwards is supported on the first recurrent layer only, ${first.at})`);
    } else {
      plan.bidirectional = !!bi;
      plan.merge = bi ? bi.merge : 'concat';
      plan.activation = cell.activation;
      plan.useBias = cell.useBias;
      plan.goBackwards = cell.goBackwards;
    }
    rnn.push({ at, name, cell, backward: bi?.backward ?? null });
    plan.returnSequences = cell.returnSequences;
    gaps.push([]);
    stage = 1;
  };
  for (let k = 0; k < layers.length; k++) {
    const { cls, get } = layers[k];
    const name = layers[k].name ?? `${cls}_${k}`;
    const at = `${path}[${k}] (${cls} '${name}')`;
    const bad = (f: string, v: unknown, expected: string): RangeError =>
      rangeError(api, `${at}.config.${f}`, `= ${show(v)} is not supported; expected ${expected}`);
    switch (cls) {
      case 'InputLayer':
        if (stage !== 0) throw rangeError(api, at, 'is not supported here; an InputLayer must come first');
        break;
      case 'Masking': {
        if (stage !== 0 || plan.masking) throw rangeError(api, at, `is not supported here; expected ${CHAIN}`);
        const mv = field(get, 'mask_value') ?? 0;
        if (typeof mv !== 'number' || !Number.isFinite(mv)) throw bad('mask_value', mv, 'a finite number');
        plan.masking = { maskValue: mv };
        break;
      }
      case 'Embedding': {
        if (stage !== 0 || embedD || plan.masking) throw rangeError(api, at, `is not supported here; expected ${CHAIN}`);
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
      case 'SimpleRNN':
        addRnn(at, name, readCell(api, at, get), null);
        break;
      case 'Bidirectional': {
        const cellAt = `${at}.config.layer (SimpleRNN)`;
        const cell = readCell(api, cellAt, innerLayer(api, `${at}.config.layer`, get('layer'), 'SimpleRNN'));
        if (cell.goBackwards) throw rangeError(api, `${cellAt}.config.go_backwards`, '= true is not supported in a Bidirectional; expected false (the wrapper reads both ways)');
        const mm = field(get, 'merge_mode');
        const merge = mm === undefined ? 'concat' : mm; // null: a list of both directions
        if (!MERGES.includes(merge as MergeMode)) throw bad('merge_mode', mm, MERGES.map((m) => `'${m}'`).join(', '));
        // Keras may spell out the backward layer: it must mirror the forward one, reading backwards
        const bl = field(get, 'backward_layer');
        let backward: Cell | null = null;
        if (bl !== undefined && bl !== null) {
          const bAt = `${at}.config.backward_layer (SimpleRNN)`;
          backward = readCell(api, bAt, innerLayer(api, `${at}.config.backward_layer`, bl, 'SimpleRNN'));
          for (const [f, v, w] of [['units', backward.units, cell.units], ['activation', backward.activation, cell.activation], ['use_bias', backward.useBias, cell.useBias], ['return_sequences', backward.returnSequences, cell.returnSequences], ['go_backwards', backward.goBackwards, true]] as const) {
            if (v !== w) throw rangeError(api, `${bAt}.config.${f}`, `= ${show(v)} is not supported; expected ${show(w)} (the backward layer mirrors ${cellAt}, reading backwards)`);
          }
        }
        addRnn(at, name, cell, { merge: merge as MergeMode, backward });
        break;
      }
      case 'TimeDistributed':
      case 'Dense': {
        if (stage !== 1) throw rangeError(api, at, 'is not supported here; expected one Dense (or TimeDistributed(Dense)) after the recurrent layers');
        let dget = get;
        let dat = at;
        if (cls === 'TimeDistributed') {
          dget = innerLayer(api, `${at}.config.layer`, get('layer'), 'Dense');
          if (!plan.returnSequences) throw rangeError(api, at, 'needs the recurrent layer before it to have return_sequences: true');
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
      case 'Dropout': {
        if (stage === 0) throw rangeError(api, at, 'is not supported here; a Dropout is accepted (as the identity of inference) only after a recurrent layer');
        const rate = readRate(api, at, get, 'rate');
        const ns = field(get, 'noise_shape');
        if (stage === 1) gaps[gaps.length - 1].push([rate, ns === undefined || ns === null]);
        break; // the identity at inference
      }
      default:
        throw rangeError(api, at, `is not supported; expected ${CHAIN}`);
    }
  }
  const rnn = plan.rnn;
  if (!rnn.length) throw rangeError(api, path, `have no SimpleRNN layer; expected ${CHAIN}`);
  const L = rnn.length;
  const top = rnn[L - 1].cell;
  if (plan.goBackwards && L > 1 && plan.masking) {
    throw rangeError(api, `${rnn[0].cell.at}.config.go_backwards`, `= true is not supported with masking (${'maskZero' in plan.masking ? 'mask_zero' : 'a Masking layer'}) under a later recurrent layer: TF.js (as Keras) hands the next layer the mask unreversed, so a padded batch reads the wrong steps; expected no masking (unpadded batches), or go_backwards on a one-layer model`);
  }
  if (!plan.dense) {
    const concat = plan.bidirectional && plan.merge === 'concat';
    plan.outputSize = concat ? 2 * top.units : top.units;
    plan.from.outputSize = `${top.at}.config.units (the model ends at the recurrent layers${concat ? ', two directions concatenated' : ''})`;
    plan.outputActivation = 'linear';
  }
  // the training-only rates our model holds exactly (see above)
  const cells = rnn.flatMap((r) => (r.backward ? [r.cell, r.backward] : [r.cell]));
  const first = rnn[0];
  plan.inputDropout = !first.backward || first.backward.dropout === first.cell.dropout ? first.cell.dropout : 0;
  plan.recurrentDropout = cells.every((c) => c.recurrentDropout === cells[0].recurrentDropout) ? cells[0].recurrentDropout : 0;
  const between = gaps.slice(0, L - 1);
  const rate = L > 1 && between.every((g) => g.length === 1 && g[0][1]) ? between[0][0][0] : 0;
  plan.dropout = between.every((g) => g[0]?.[0] === rate) ? rate : 0;
  plan.inputSize = embedD; // 0 until the kernel's shape gives it (dense inputs)
  plan.vocabSize ??= 0;
  plan.dense ??= null;
  return plan as Plan;
}
