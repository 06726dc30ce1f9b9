// Deep and bidirectional models in and out of TF.js, against @tensorflow/tfjs (cpu backend) on seeded weights: stacked
// SimpleRNN layers (1-3, units differing per layer), Bidirectional(SimpleRNN) with each merge mode, go_backwards on
// the first layer, dense and token inputs, padding through masking (Masking, Embedding mask_zero). Per case: TF.js
// builds the model, we import it and predict what it predicts; we export ours, tf.loadLayersModel loads it and
// predicts what we predict; ours → TF.js artifacts → ours gives the parameters back bit for bit.
// Tolerance {atol: 1e-5, rtol: 0}: as test/interop/tfjs.test.ts (the wasm tanh's |err| <= 1e-6 per step, f32 dot
// products summed in another order), now through up to 3 layers and 2 directions; the measured max difference is
// printed at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { SimpleRNN } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import type { MergeMode } from '../../src/config.js';
import { fromKerasWeights, fromTfjsLayers, fromTfjsModel, tfjsInputsToSequences, toTfjsFiles, toTfjsLayers, type TfjsArtifacts } from '../../src/interop/index.js';
import { BACKENDS, Margins, denseBatch, tokenBatch } from '../util.js';
import { artifactsOf, seedWeights } from './tfjs-util.js';

const TOL = { atol: 1e-5, rtol: 0 }; // see the header
const margins = new Margins();
const compare = (actual: unknown, expected: unknown, label: string, group: string) => margins.check(actual, expected, { ...TOL, label }, group);

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => {
  console.log(`deep interop: max |ours - TF.js| per case (tolerance ${TOL.atol})\n${margins.table()}`);
});


function tfPredict(m: tf.LayersModel, x: unknown): number[][] | number[][][] {
  return tf.tidy(() => (m.predict(tf.tensor(x as number[][])) as tf.Tensor).arraySync() as number[][] | number[][][]);
}

/** The bytes of every parameter, for bit-for-bit comparisons (toEqual would let -0 pass for 0). */
const bits = (m: SimpleRNN) => Object.fromEntries(Object.entries(m.getParams()).map(([k, a]) => [k, Array.from(new Uint8Array(a.buffer.slice(0)))]));

const I = 3;
const V = 7;
const D = 4;
const O = 3;
const UNITS = [[5], [5, 3], [4, 6, 3]];

type Kind = 'forward' | MergeMode | 'goBackwards';
const KINDS: Kind[] = ['forward', 'concat', 'sum', 'mul', 'ave', 'goBackwards'];

interface Case {
  L: number;
  kind: Kind;
  tokens: boolean;
  returnSequences: boolean;
  /** Padded batches through masking; go_backwards under a later layer does not mix with masking (see tfjs-format.ts). */
  masked: boolean;
}

/** Per (layers, kind): dense inputs with returnSequences a, tokens with !a, a alternating with the layer count. */
const CASES: Case[] = UNITS.flatMap((_, k) => KINDS.flatMap((kind) => [false, true].map((tokens): Case => {
  const L = k + 1;
  return { L, kind, tokens, returnSequences: tokens === (L % 2 === 1), masked: !(kind === 'goBackwards' && L > 1) };
})));

const label = (c: Case) => `${c.L} layer(s) ${c.kind}, ${c.tokens ? 'tokens' : 'dense'}${c.returnSequences ? ', sequences' : ''}${c.masked ? ', padded' : ''}`;

/** The TF.js model of a case: [Masking | Embedding] → L recurrent layers → Dense (TimeDistributed with sequences). */
function build(c: Case): tf.Sequential {
  const m = tf.sequential();
  if (c.tokens) m.add(tf.layers.embedding({ inputDim: V, outputDim: D, maskZero: c.masked, inputShape: [null] }));
  else if (c.masked) m.add(tf.layers.masking({ maskValue: 0, inputShape: [null, I] }));
  const units = UNITS[c.L - 1];
  units.forEach((u, l) => {
    const shape = l === 0 && !c.tokens && !c.masked ? { inputShape: [null, I] } : {};
    const args = { units: u, returnSequences: l < c.L - 1 || c.returnSequences, goBackwards: l === 0 && c.kind === 'goBackwards' };
    if (c.kind === 'forward' || c.kind === 'goBackwards') m.add(tf.layers.simpleRNN({ ...args, ...shape }));
    else m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN(args), mergeMode: c.kind, ...shape }));
  });
  const dense = tf.layers.dense({ units: O, activation: 'softmax' });
  m.add(c.returnSequences && c.L % 2 === 1 ? tf.layers.timeDistributed({ layer: dense }) : dense);
  return m;
}

/** A padded batch of a case (post, pre and mid padding when masked), its ragged sequences, and which steps are real. */
function batch(c: Case, seed: number): { padded: unknown; keep: boolean[][] } {
  const rng = new Rng(seed);
  const T = 6;
  const lengths = c.masked ? [6, 2, 4, 1] : [T, T, T];
  if (c.tokens) {
    const real = tokenBatch(rng, lengths, V - 1).map((s) => s.map((id) => id + 1)); // id 0 is the pad
    const padded = real.map((s, b) => (b === 2 ? [...new Array<number>(T - s.length).fill(0), ...s] : [...s, ...new Array<number>(T - s.length).fill(0)]));
    return { padded, keep: padded.map((s) => s.map((id) => id !== 0)) };
  }
  const real = denseBatch(rng, lengths, I);
  const zero = () => new Array<number>(I).fill(0);
  const padded = real.map((s, b) => {
    if (!c.masked) return s;
    if (b === 2) return [...s.slice(0, 2), zero(), ...s.slice(2), zero()]; // a masked step in the middle
    if (b === 3) return [...Array.from({ length: T - s.length }, zero), ...s]; // pre-padding
    return [...s, ...Array.from({ length: T - s.length }, zero)];
  });
  return { padded, keep: padded.map((s) => s.map((x) => x.some((v) => v !== 0))) };
}

/**
 * TF.js's outputs at the real steps. A go_backwards layer returns its sequence in reading order (the last input step
 * first), so its real outputs sit where the reversed input is real.
 */
function realSteps(c: Case, out: number[][] | number[][][], keep: boolean[][]): unknown {
  if (!c.returnSequences) return out;
  return (out as number[][][]).map((seq, b) => seq.filter((_, t) => (c.kind === 'goBackwards' ? keep[b][seq.length - 1 - t] : keep[b][t])));
}

/** What TF.js computes for a case, once for both backends: the model's artifacts, its batch, its real outputs. */
interface Theirs {
  art: TfjsArtifacts;
  padded: unknown;
  want: unknown;
  /** TF.js's real outputs of our export, loaded with tf.loadLayersModel (once: both backends export the same bytes). */
  exported(a: ReturnType<typeof toTfjsLayers>): Promise<unknown>;
}

const theirsOf = new Map<Case, Promise<Theirs>>();

function theirs(c: Case): Promise<Theirs> {
  if (!theirsOf.has(c)) {
    theirsOf.set(c, (async () => {
      const m = build(c);
      seedWeights(m, 100 + c.L * 10 + KINDS.indexOf(c.kind));
      const art = await artifactsOf(m);
      const { padded, keep } = batch(c, 7 + c.L);
      const want = realSteps(c, tfPredict(m, padded), keep);
      m.dispose();
      let loaded: { bytes: Uint8Array; out: unknown } | null = null;
      return {
        art, padded, want,
        async exported(a) {
          const bytes = new Uint8Array(a.weightData);
          if (loaded) {
            expect(bytes).toEqual(loaded.bytes);
            return loaded.out;
          }
          const model = await tf.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
          loaded = { bytes, out: realSteps(c, tfPredict(model, padded), keep) };
          model.dispose();
          return loaded.out;
        },
      };
    })());
  }
  return theirsOf.get(c)!;
}

function expectedConfig(c: Case): Record<string, unknown> {
  const units = UNITS[c.L - 1];
  return {
    layers: c.L, hiddenSize: c.L === 1 ? units[0] : units, bidirectional: c.kind !== 'forward' && c.kind !== 'goBackwards',
    merge: c.kind === 'forward' || c.kind === 'goBackwards' ? 'concat' : c.kind, goBackwards: c.kind === 'goBackwards',
    returnSequences: c.returnSequences, vocabSize: c.tokens ? V : 0, embeddingSize: c.tokens ? D : 0, inputSize: c.tokens ? 0 : I, outputSize: O,
  };
}

describe.each(BACKENDS)('deep and bidirectional TF.js models (%s)', (backend) => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s: import predicts as TF.js; export loads in TF.js and predicts as we do; params round-trip bit for bit', async (_, c) => {
    const t = await theirs(c);
    const ours = await fromTfjsLayers(t.art, undefined, { backend });
    expect(ours.config).toMatchObject(expectedConfig(c));
    const seqs = tfjsInputsToSequences(t.art, t.padded as number[][]) as number[][];
    const got = ours.predict(seqs);
    compare(got, t.want, `import ${label(c)}`, `import ${c.kind}`);

    const back = toTfjsLayers(ours, c.masked ? (c.tokens ? { maskZero: true } : { maskValue: 0 }) : undefined);
    compare(got, await t.exported(back), `export ${label(c)}`, `export ${c.kind}`);

    const again = await fromTfjsLayers(back, undefined, { backend });
    expect(again.config).toEqual(ours.config);
    expect(bits(again)).toEqual(bits(ours));
    again.dispose();
    ours.dispose();
  });

  it('the weight mapping: Ws^{l,d} = [recurrent_kernel; kernel] of forward_layer / backward_layer, bit for bit', async () => {
    const m = build({ L: 2, kind: 'concat', tokens: false, returnSequences: false, masked: true });
    seedWeights(m, 40);
    const ours = await fromTfjsLayers(await artifactsOf(m), undefined, { backend });
    const w = Object.fromEntries(m.weights.map((v, k) => [v.name, m.getWeights()[k].dataSync() as Float32Array]));
    const names = Object.keys(w);
    const get = (re: RegExp) => w[names.find((n) => re.test(n))!];
    const p = ours.getParams();
    for (const [x, layer, dir] of [['', 0, 'forward'], ['_reverse', 0, 'backward'], ['_l1', 1, 'forward'], ['_l1_reverse', 1, 'backward']] as const) {
      const re = (base: string) => new RegExp(`^bidirectional_Bidirectional\\d+/${dir}_simple_rnn_SimpleRNN\\d+/${base}$`);
      const kernels = names.filter((n) => re('kernel').test(n));
      expect(kernels).toHaveLength(2);
      const K = w[kernels[layer]];
      const R = w[names.filter((n) => re('recurrent_kernel').test(n))[layer]];
      expect(p[`Ws${x}`]).toEqual(Float32Array.from([...R, ...K]));
      expect(p[`bs${x}`]).toEqual(w[names.filter((n) => re('bias').test(n))[layer]]);
    }
    expect(p.Wo).toEqual(get(/^dense_Dense\d+\/kernel$/));
    ours.dispose();
    m.dispose();
  });

  it('a model ending at a Bidirectional outputs the merged states (Wo = identity, O = 2H for concat)', async () => {
    for (const merge of ['concat', 'mul'] as const) {
      const m = tf.sequential();
      m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, returnSequences: true }), mergeMode: merge, inputShape: [null, I] }));
      m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2 }), mergeMode: merge }));
      seedWeights(m, 41);
      const ours = await fromTfjsLayers(await artifactsOf(m), undefined, { backend });
      expect(ours.config).toMatchObject({ outputSize: merge === 'concat' ? 4 : 2, outputActivation: 'linear', hiddenSize: [3, 2] });
      const x = denseBatch(new Rng(42), [4, 4], I);
      compare(ours.predict(x), tfPredict(m, x), `ends at Bidirectional ${merge}`, 'import no dense');
      ours.dispose();
      m.dispose();
    }
  });

  it('fromTfjsModel, a functional chain, and tensorflowjs_converter names (bidirectional/forward_simple_rnn/simple_rnn_cell/kernel:0)', async () => {
    const inp = tf.input({ shape: [null, I] });
    const h1 = tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, returnSequences: true }), mergeMode: 'sum' }).apply(inp) as tf.SymbolicTensor;
    const h2 = tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4 }), mergeMode: 'sum' }).apply(h1) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: tf.layers.dense({ units: O, activation: 'sigmoid' }).apply(h2) as tf.SymbolicTensor });
    seedWeights(m, 43);
    const x = denseBatch(new Rng(44), [5, 5], I);
    const want = tfPredict(m, x);
    const live = await fromTfjsModel(m, { backend });
    compare(live.predict(x), want, 'functional, live', 'import functional');
    // the converter's names: the layer names as Keras writes them, the cell inside, ':0'
    const art = await artifactsOf(m);
    const topo = structuredClone(art.modelTopology) as { config: { layers: { name: string; config: { name: string }; inbound_nodes: unknown }[] } };
    const rename: Record<string, string> = {};
    topo.config.layers.forEach((l, k) => {
      const to = k === 0 ? 'input_1' : k === 3 ? 'dense' : k === 1 ? 'bidirectional' : 'bidirectional_1';
      rename[l.name] = to;
    });
    const json = JSON.stringify(topo).replace(/"(input\w*|bidirectional_Bidirectional\d+|dense_Dense\d+)"/g, (s, n: string) => (rename[n] ? `"${rename[n]}"` : s));
    const specs = art.weightSpecs!.map((w) => ({
      ...w,
      name: w.name.replace(/^(\w+?)\/(forward|backward)_simple_rnn_SimpleRNN\d+\/(\w+)$/, (_, layer: string, dir: string, base: string) => `${rename[layer]}/${dir}_simple_rnn/simple_rnn_cell/${base}:0`).replace(/^dense_Dense\d+\//, 'dense/'),
    }));
    expect(specs.map((s) => s.name)).toContain('bidirectional_1/backward_simple_rnn/simple_rnn_cell/recurrent_kernel:0');
    const conv = await fromTfjsLayers({ ...art, modelTopology: JSON.parse(json), weightSpecs: specs }, undefined, { backend });
    expect(bits(conv)).toEqual(bits(live));
    conv.dispose();
    live.dispose();
    m.dispose();
  });

  it('token models without an embedding layer: bidirectional and deep ones export as Embedding (V, dirs·H) with selecting kernels, exactly', async () => {
    for (const o of [{ bidirectional: true, merge: 'ave' as const, layers: 2 }, { layers: 3, hiddenSize: [4, 2, 5] }, { bidirectional: true, returnSequences: true }]) {
      const ours = await SimpleRNN.create({ vocabSize: V, hiddenSize: 4, outputSize: O, backend, seed: 45, ...o });
      const p = ours.getParams();
      const rng = new Rng(46);
      for (const k of ours.paramNames) if (k.startsWith('bs') || k === 'bo') p[k] = p[k].map(() => rng.uniform() - 0.5);
      ours.setParams(p);
      const art = toTfjsLayers(ours, { maskZero: true });
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
      const seqs = tokenBatch(new Rng(47), [5, 2, 4], V - 1).map((s) => s.map((id) => id + 1));
      const padded = seqs.map((s) => [...s, ...new Array<number>(5 - s.length).fill(0)]);
      const want = tfPredict(theirs, padded);
      compare(ours.predict(seqs), o.returnSequences ? (want as number[][][]).map((s, b) => s.slice(0, seqs[b].length)) : want, `tokens without E ${JSON.stringify(o)}`, 'export tokens without E');
      const back = await fromTfjsLayers(art, undefined, { backend, seed: 45 }); // the seed is ours, not the file's
      expect(back.config).toEqual(ours.config); // 'auto' folds the selecting kernels back: no E
      expect(bits(back)).toEqual(bits(ours));
      back.dispose();
      theirs.dispose();
      ours.dispose();
    }
  });
});

describe('dropout settings', () => {
  it('TF.js → ours: the first layer\'s dropout is inputDropout, recurrent_dropout recurrentDropout, Dropout layers between layers dropout', async () => {
    const m = tf.sequential();
    m.add(tf.layers.masking({ maskValue: 0, inputShape: [null, I] }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, returnSequences: true, dropout: 0.1, recurrentDropout: 0.2 }) }));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2, returnSequences: true, recurrentDropout: 0.2 }) }));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, recurrentDropout: 0.2 }) }));
    m.add(tf.layers.dropout({ rate: 0.5 })); // after the top layer: the identity at inference, not a setting of ours
    m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
    seedWeights(m, 50);
    const art = await artifactsOf(m);
    const ours = await fromTfjsLayers(art, undefined, { backend: 'js' });
    expect(ours.config).toMatchObject({ layers: 3, bidirectional: true, inputDropout: 0.1, recurrentDropout: 0.2, dropout: 0.3 });
    const x = denseBatch(new Rng(51), [4, 4], I);
    compare(ours.predict(x), tfPredict(m, x), 'dropout model', 'import dropout settings');
    ours.dispose();

    // what our model cannot hold is not kept (as regularizers are not): a later layer's dropout (a per-sequence mask
    // on its inputs), recurrent_dropout that differs between layers, a Dropout in only some gaps
    const topo = structuredClone(art.modelTopology) as { config: { layers: { class_name: string; config: { layer?: { config: Record<string, unknown> } } }[] } };
    const inner = (k: number) => topo.config.layers[k].config.layer!.config;
    inner(3).dropout = 0.25;
    inner(5).recurrent_dropout = 0.1;
    topo.config.layers.splice(4, 1);
    const other = await fromTfjsLayers({ ...art, modelTopology: topo }, undefined, { backend: 'js' });
    expect(other.config).toMatchObject({ layers: 3, inputDropout: 0.1, recurrentDropout: 0, dropout: 0 });
    other.dispose();
    m.dispose();
  });

  it('an Embedding\'s SimpleRNN dropout is inputDropout on E\'s outputs: kept with E, dropped when E is folded away', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: V, outputDim: 4, inputShape: [null] }));
    m.add(tf.layers.simpleRNN({ units: 4, dropout: 0.2 }));
    m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
    const eye = [...Array(16).keys()].map((k) => (k % 5 === 0 ? 1 : 0));
    m.layers[1].setWeights([tf.tensor(eye, [4, 4]), ...m.layers[1].getWeights().slice(1)]); // a kernel 'auto' could fold
    const art = await artifactsOf(m);
    const auto = await fromTfjsLayers(art, undefined, { backend: 'js' });
    expect(auto.config).toMatchObject({ embeddingSize: 4, inputDropout: 0.2 }); // E kept: the rate needs it
    const folded = await fromTfjsLayers(art, undefined, { backend: 'js', foldEmbedding: true });
    expect(folded.config).toMatchObject({ embeddingSize: 0, inputDropout: 0 });
    const x = tokenBatch(new Rng(54), [3, 3], V);
    compare(folded.predict(x), auto.predict(x), 'fold with dropout', 'import dropout settings');
    auto.dispose();
    folded.dispose();
    m.dispose();
  });

  it('ours → TF.js: dropout as Dropout layers between the layers, inputDropout and recurrentDropout in the layer configs; back the same', async () => {
    const ours = await SimpleRNN.create({ inputSize: I, hiddenSize: [3, 4, 2], layers: 3, bidirectional: true, merge: 'sum', outputSize: O, dropout: 0.3, inputDropout: 0.1, recurrentDropout: 0.2, backend: 'js', seed: 52 });
    const art = toTfjsLayers(ours);
    const layers = (art.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> & { layer?: { config: Record<string, unknown> } } }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).toEqual(['Bidirectional', 'Dropout', 'Bidirectional', 'Dropout', 'Bidirectional', 'Dense']);
    expect(layers.filter((l) => l.class_name === 'Dropout').map((l) => l.config.rate)).toEqual([0.3, 0.3]);
    expect(layers.filter((l) => l.class_name === 'Bidirectional').map((l) => [l.config.merge_mode, l.config.layer!.config.dropout, l.config.layer!.config.recurrent_dropout])).toEqual([['sum', 0.1, 0.2], ['sum', 0, 0.2], ['sum', 0, 0.2]]);
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
    const loaded = theirs.layers.map((l) => l.getConfig());
    expect(loaded.filter((c) => 'rate' in c).map((c) => c.rate)).toEqual([0.3, 0.3]);
    const x = denseBatch(new Rng(53), [5, 5], I);
    compare(ours.predict(x), tfPredict(theirs, x), 'dropout export', 'export dropout settings');
    const back = await fromTfjsLayers(art, undefined, { backend: 'js', seed: 52 });
    expect(back.config).toEqual(ours.config);
    expect(bits(back)).toEqual(bits(ours));
    // the files carry the same
    const files = toTfjsFiles(ours);
    const again = await fromTfjsLayers(files.modelJson, files.weights, { backend: 'js', seed: 52 });
    expect(again.config).toEqual(ours.config);
    expect(bits(again)).toEqual(bits(ours));
    again.dispose();
    back.dispose();
    theirs.dispose();
    ours.dispose();
  });
});

describe.each(BACKENDS)('fromKerasWeights, deep and bidirectional (%s)', (backend) => {
  it.each([
    [2, 'concat', false, false],
    [3, 'mul', true, true],
    [2, null, false, true],
    [2, 'goBackwards', false, false],
  ] as const)('%s layers, %s, returnSequences %s, embedding %s: get_weights() order gives TF.js predictions', async (L, kind, returnSequences, embedding) => {
    const c: Case = { L, kind: kind ?? 'forward', tokens: embedding, returnSequences, masked: false };
    const m = build(c);
    seedWeights(m, 60 + L);
    const ws = m.getWeights().map((w) => w.arraySync() as number[][]);
    const ours = await fromKerasWeights(ws, {
      backend, layers: L, returnSequences, embedding, outputActivation: 'softmax',
      ...(kind === 'goBackwards' ? { goBackwards: true } : kind ? { bidirectional: true, merge: kind } : {}),
    });
    expect(ours.config).toMatchObject(expectedConfig(c));
    const { padded } = batch(c, 61);
    compare(ours.predict(padded as number[][]), tfPredict(m, padded), `keras ${label(c)}`, 'keras weights');
    ours.dispose();
    m.dispose();
  });

  it('refusals name the arrays by our parameter names, and the caller\'s options keep theirs', async () => {
    const m = build({ L: 2, kind: 'sum', tokens: false, returnSequences: false, masked: false });
    const ws = m.getWeights().map((w) => w.dataSync() as Float32Array);
    await expect(fromKerasWeights(ws, { backend, layers: 2 })).rejects.toThrow(
      /^SimpleRNN\.fromKerasWeights: weights has 14 arrays; expected 8: \[kernel, recurrent_kernel, bias, kernel_l1, recurrent_kernel_l1, bias_l1, dense kernel, dense bias\] \(set options\.embedding \/ layers \/ bidirectional/,
    );
    // merge 'sum' keeps 5 units into layer 1; concat would need 10 rows
    await expect(fromKerasWeights(ws, { backend, layers: 2, bidirectional: true })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: weights\[6\] \(kernel_l1\) has 15 numbers; expected \[10,3\]/);
    const one = [[[0.1, 0.2]], [[1, 0], [0, 1]], [0, 0], [[1, 0, 0], [0, 1, 0]], [0, 0, 0]];
    await expect(fromKerasWeights(one, { backend, merge: 'sum' })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.merge = 'sum' needs bidirectional: true/);
    await expect(fromKerasWeights(ws, { backend, layers: 2, bidirectional: true, merge: 'sum', dropout: 1 })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.dropout = 1 is out of range/);
    await expect(fromKerasWeights(ws, { backend, layers: 17 })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.layers = 17 is out of range/);
    const ok = await fromKerasWeights(ws, { backend, layers: 2, bidirectional: true, merge: 'sum', outputActivation: 'softmax' });
    expect(ok.config).toMatchObject({ layers: 2, hiddenSize: [5, 3], bidirectional: true, merge: 'sum' });
    ok.dispose();
    m.dispose();
  });
});

describe('what TF.js and our model cannot share is refused, naming the layer and the field', () => {
  /** Artifacts of Masking → SimpleRNN(rs) → SimpleRNN → Dense, or the bidirectional stack, to edit. */
  async function base(bidirectional: boolean): Promise<TfjsArtifacts> {
    const m = tf.sequential();
    m.add(tf.layers.masking({ maskValue: 0, inputShape: [null, I] }));
    const rnn = (units: number, rs: boolean) => tf.layers.simpleRNN({ units, returnSequences: rs });
    m.add(bidirectional ? tf.layers.bidirectional({ layer: rnn(3, true) }) : rnn(3, true));
    m.add(bidirectional ? tf.layers.bidirectional({ layer: rnn(2, false) }) : rnn(2, false));
    m.add(tf.layers.dense({ units: O }));
    const art = await artifactsOf(m);
    m.dispose();
    return art;
  }
  type Layers = { class_name: string; config: Record<string, unknown> & { layer?: { class_name: string; config: Record<string, unknown> } } }[];
  const edit = (art: TfjsArtifacts, f: (l: Layers) => void): TfjsArtifacts => {
    const t = structuredClone(art.modelTopology) as { config: { layers: Layers } };
    f(t.config.layers);
    return { ...art, modelTopology: t };
  };

  it('on import', async () => {
    const plain = await base(false);
    const bi = await base(true);
    const cases: [TfjsArtifacts, RegExp][] = [
      [edit(plain, (l) => (l[2].config.go_backwards = true)), /layers\[2\] \(SimpleRNN '.*'\)\.config\.go_backwards = true is not supported; expected false \(go_backwards is supported on the first recurrent layer only, .*layers\[1\]/],
      [edit(plain, (l) => (l[1].config.go_backwards = true)), /layers\[1\] \(SimpleRNN '.*'\)\.config\.go_backwards = true is not supported with masking \(a Masking layer\) under a later recurrent layer: TF\.js \(as Keras\) hands the next layer the mask unreversed/],
      [edit(plain, (l) => (l[1].config.return_sequences = false)), /layers\[2\] \(SimpleRNN '.*'\) is not supported here; the recurrent layer before it, .*layers\[1\] \(SimpleRNN '.*'\), has return_sequences: false/],
      [edit(plain, (l) => (l[2].config.activation = 'relu')), /layers\[2\] \(SimpleRNN '.*'\)\.config\.activation = "relu" is not supported; expected "tanh", as in .*layers\[1\].*\(every recurrent layer has the same activation\)/],
      [edit(plain, (l) => (l[2].config.use_bias = false)), /layers\[2\] \(SimpleRNN '.*'\)\.config\.use_bias = false is not supported; expected true/],
      [edit(plain, (l) => (l[2] = { class_name: 'Bidirectional', config: { name: 'bi', layer: { class_name: 'SimpleRNN', config: l[2].config } } })), /layers\[2\] \(Bidirectional 'bi'\) is a Bidirectional layer, but .*layers\[1\] \(SimpleRNN '.*'\) is a plain SimpleRNN; every recurrent layer must be the same kind \(all Bidirectional or none\)/],
      [edit(bi, (l) => (l[2] = l[2].config.layer!)), /layers\[2\] \(SimpleRNN '.*'\) is a plain SimpleRNN layer, but .*layers\[1\] \(Bidirectional '.*'\) is a Bidirectional/],
      [edit(bi, (l) => (l[2].config.merge_mode = 'sum')), /layers\[2\] \(Bidirectional '.*'\)\.config\.merge_mode = "sum" is not supported; expected "concat", as in .*\(every Bidirectional merges the same way\)/],
      [edit(bi, (l) => (l[1].config.merge_mode = null)), /layers\[1\] \(Bidirectional '.*'\)\.config\.merge_mode = null is not supported; expected 'concat', 'sum', 'mul', 'ave'/],
      [edit(bi, (l) => (l[1].config.layer!.config.go_backwards = true)), /layers\[1\] \(Bidirectional '.*'\)\.config\.layer \(SimpleRNN\)\.config\.go_backwards = true is not supported in a Bidirectional/],
      [edit(bi, (l) => (l[1].config.layer!.class_name = 'LSTM')), /layers\[1\] \(Bidirectional '.*'\)\.config\.layer = "LSTM" is not supported; expected a SimpleRNN layer/],
      [edit(bi, (l) => (l[1].config.layer!.config.return_state = true)), /layers\[1\] \(Bidirectional '.*'\)\.config\.layer \(SimpleRNN\)\.config\.return_state = true is not supported/],
      [edit(bi, (l) => (l[1].config.backward_layer = { class_name: 'SimpleRNN', config: { ...l[1].config.layer!.config, units: 4, go_backwards: true } })), /layers\[1\] \(Bidirectional '.*'\)\.config\.backward_layer \(SimpleRNN\)\.config\.units = 4 is not supported; expected 3 \(the backward layer mirrors/],
      [edit(bi, (l) => l.splice(1, 0, { class_name: 'Dropout', config: { name: 'd', rate: 0.1 } })), /layers\[1\] \(Dropout 'd'\) is not supported here; a Dropout is accepted .* only after a recurrent layer/],
      [edit(bi, (l) => l.splice(2, 0, { class_name: 'Dropout', config: { name: 'd', rate: -0.1 } })), /layers\[2\] \(Dropout 'd'\)\.config\.rate = -0\.1 is not supported; expected a rate in \[0, 1\)/],
      [edit(bi, (l) => l.push(structuredClone(l[2]))), /layers\[4\] \(Bidirectional '.*'\) is not supported here/],
      [edit(plain, (l) => l.splice(2, 0, ...Array.from({ length: 16 }, () => structuredClone(l[1])))), /layers\[17\] \(SimpleRNN '.*'\) is recurrent layer 17; SimpleRNN\.create's layers is at most 16/],
      [{ ...bi, weightSpecs: bi.weightSpecs!.filter((w, k) => k !== bi.weightSpecs!.findIndex((v) => /backward.*\/bias$/.test(v.name))) }, /weightSpecs have no weight 'bidirectional_Bidirectional\d+\/backward_…\/bias'/],
    ];
    for (const [a, msg] of cases) {
      const err = await fromTfjsLayers(a, undefined, { backend: 'js' }).then(() => null, (e: unknown) => e);
      expect(err, String(msg)).toBeInstanceOf(RangeError);
      expect((err as Error).message).toMatch(/^SimpleRNN\.fromTfjsLayers: /);
      expect((err as Error).message).toMatch(msg);
    }
    // go_backwards on the first of two layers without masking imports (unpadded batches)
    const noMask = edit(plain, (l) => {
      l[1].config.go_backwards = true;
      l[1].config.batch_input_shape = l[0].config.batch_input_shape;
      l.splice(0, 1);
    });
    const ok = await fromTfjsLayers(noMask, undefined, { backend: 'js' });
    expect(ok.config).toMatchObject({ layers: 2, goBackwards: true });
    ok.dispose();
    // a backward_layer spelled out as Keras 3 writes it (the forward one's mirror, reading backwards) imports the same
    const spelled = edit(bi, (l) => {
      for (const k of [1, 2]) l[k].config.backward_layer = { class_name: 'SimpleRNN', config: { ...l[k].config.layer!.config, go_backwards: true } };
    });
    const [a, b] = await Promise.all([fromTfjsLayers(spelled, undefined, { backend: 'js' }), fromTfjsLayers(bi, undefined, { backend: 'js' })]);
    expect(bits(a)).toEqual(bits(b));
    a.dispose();
    b.dispose();
  });

  it('on export', async () => {
    const gb = await SimpleRNN.create({ inputSize: I, hiddenSize: 3, layers: 2, goBackwards: true, outputSize: O, backend: 'js' });
    expect(() => toTfjsLayers(gb, { maskValue: 0 })).toThrow(/^SimpleRNN\.toTfjsLayers: options\.maskValue cannot mask a goBackwards model of 2 layers: TF\.js \(as Keras\) hands the layer after a go_backwards one the mask unreversed/);
    expect(toTfjsLayers(gb).weightSpecs.map((s) => s.name)).toEqual(['simple_rnn/kernel', 'simple_rnn/recurrent_kernel', 'simple_rnn/bias', 'simple_rnn_1/kernel', 'simple_rnn_1/recurrent_kernel', 'simple_rnn_1/bias', 'dense/kernel', 'dense/bias']);
    gb.dispose();
    const s0 = await SimpleRNN.create({ inputSize: I, hiddenSize: 3, layers: 2, bidirectional: true, learnInitialState: true, outputSize: O, backend: 'js' });
    const p = s0.getParams();
    p.s0_l1_reverse[1] = 0.25;
    s0.setParams(p);
    expect(() => toTfjsLayers(s0)).toThrow(/^SimpleRNN\.toTfjsLayers: model s0_l1_reverse\[1\] = 0\.25; TF\.js's SimpleRNN starts from a zero state/);
    s0.dispose();
  });
});

describe('deep and bidirectional artifacts under mutation', () => {
  // test/robustness/import-fuzz.test.ts for the stacks: one field of the topology (a wrapper's inner layer, its
  // merge_mode, a Dropout between layers, ...) or of a weight spec replaced or deleted: imports, or an importer error
  const JUNK: unknown[] = [null, undefined, 0, -1, 1.5, NaN, 2 ** 40, '', 'x', 'tanh', 'sum', 'Bidirectional', 'SimpleRNN', true, false, {}, [], { class_name: 'SimpleRNN', config: {} }];
  function slots(v: unknown, out: [Record<string | number, unknown>, string | number][] = []): typeof out {
    if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
        slots((v as Record<string, unknown>)[k], out);
      }
    }
    return out;
  }
  let bases: TfjsArtifacts[] = [];
  let tried = 0;
  let imported = 0;
  beforeAll(async () => {
    const models = await Promise.all([
      SimpleRNN.create({ inputSize: 2, hiddenSize: [3, 2], layers: 2, bidirectional: true, merge: 'ave', dropout: 0.2, recurrentDropout: 0.1, outputSize: 2, returnSequences: true, backend: 'js' }),
      SimpleRNN.create({ vocabSize: 5, embeddingSize: 2, hiddenSize: 2, layers: 3, goBackwards: true, inputDropout: 0.1, outputSize: 3, backend: 'js' }),
      SimpleRNN.create({ vocabSize: 5, hiddenSize: 2, bidirectional: true, outputSize: 2, backend: 'js' }),
    ]);
    bases = [toTfjsLayers(models[0], { maskValue: 0 }), toTfjsLayers(models[1]), toTfjsLayers(models[2], { maskZero: true })];
    for (const m of models) m.dispose();
  });
  afterAll(() => console.log(`deep import fuzz: ${tried} cases, ${imported} imported as harmless`));

  it('one topology or weight-spec field replaced or deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(bases.length - 1), fc.boolean(), fc.nat(), fc.constantFrom(...JUNK), fc.boolean(), async (which, specs, at, junk, del) => {
        tried++;
        const b = bases[which];
        const art = structuredClone({ modelTopology: b.modelTopology, weightSpecs: b.weightSpecs });
        const s = slots(specs ? art.weightSpecs : art.modelTopology);
        const [parent, key] = s[at % s.length];
        if (del && !Array.isArray(parent)) delete parent[key];
        else parent[key] = structuredClone(junk);
        let err: unknown = null;
        try {
          const m = await fromTfjsLayers({ ...art, weightData: b.weightData }, undefined, { backend: 'js' });
          imported++;
          expect(m.predict(m.config.vocabSize ? [[1, 2]] : [[[0.1, 0.2]]])).toHaveLength(1);
          m.dispose();
          return;
        } catch (e) {
          err = e;
        }
        expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
        expect((err as Error).message, String(err)).toMatch(/^SimpleRNN\.fromTfjsLayers: /);
      }),
      { numRuns: 600, seed: 20260101 },
    );
  });
});
