// TF.js layers models and Keras weights, in and out, against @tensorflow/tfjs (cpu backend) on seeded weights.
// Tolerance {atol: 1e-5, rtol: 0}: the wasm tanh (and sigmoid, through it) is a rational approximation with
// |err| <= 1e-6 per step, and f32 dot products of length H+I accumulate in a different order than TF.js's. The
// measured max difference (printed at the end) was 1.2e-7 on both backends, at T <= 9 and weights in [-0.5, 0.5].
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimpleRNN } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import {
  fromKerasWeights, fromTfjsLayers, fromTfjsModel, tfjsInputsToSequences, tfjsMasking, toTfjsFiles, toTfjsLayers, type TfjsArtifacts,
} from '../../src/interop/index.js';
import { loadTfjsLayers, saveTfjsLayers } from 'simple-rnn/node';
import { BACKENDS, denseBatch, expectClose, flat, tokenBatch } from '../util.js';
import { artifactsOf, seedWeights } from './tfjs-util.js';

const TOL = { atol: 1e-5, rtol: 0 }; // see the header
let maxDiff = 0;

function compare(actual: unknown, expected: unknown, label: string): void {
  const a = flat(actual);
  const e = flat(expected);
  for (let k = 0; k < Math.min(a.length, e.length); k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - e[k]));
  expectClose(a, e, { ...TOL, label });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => {
  console.log(`interop: max |ours - TF.js| over every compared output = ${maxDiff.toExponential(3)} (tolerance ${TOL.atol})`);
});


function tfPredict(m: tf.LayersModel, x: number[][] | number[][][]): number[][] | number[][][] {
  return tf.tidy(() => (m.predict(tf.tensor(x)) as tf.Tensor).arraySync() as number[][] | number[][][]);
}

/** A padded dense batch: real steps from denseBatch, then `maskValue` rows (post-padding) up to T. */
function padDense(seqs: number[][][], T: number, maskValue: number, pre = false): number[][][] {
  return seqs.map((s) => {
    const pad = Array.from({ length: T - s.length }, () => new Array<number>(s[0].length).fill(maskValue));
    return pre ? [...pad, ...s] : [...s, ...pad];
  });
}

/** TF.js's outputs at the unmasked steps of each sequence (return_sequences), in order. */
function unmaskedSteps(out: number[][][], keep: boolean[][]): number[][][] {
  return out.map((seq, b) => seq.filter((_, t) => keep[b][t]));
}

const I = 5;
const H = 7; // not a multiple of 4: the SIMD tail runs
const O = 3;

describe.each(BACKENDS)('fromTfjsLayers (%s)', (backend) => {
  const opts = { backend } as const;

  it.each([
    ['tanh', 'softmax', true],
    ['relu', 'linear', false],
    ['sigmoid', 'sigmoid', true],
    ['linear', 'linear', true],
  ] as const)('SimpleRNN(%s) → Dense(%s), use_bias %s: predictions equal TF.js', async (act, outAct, useBias) => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, activation: act, useBias, inputShape: [null, I] }));
    m.add(tf.layers.dense({ units: O, activation: outAct }));
    seedWeights(m, 11, act === 'linear' || act === 'relu' ? 0.3 : 0.5);
    const ours = await fromTfjsLayers(await artifactsOf(m), undefined, opts);
    expect(ours.config).toMatchObject({ inputSize: I, hiddenSize: H, outputSize: O, activation: act, outputActivation: outAct, returnSequences: false });
    const x = denseBatch(new Rng(3), [9, 9, 9, 9], I);
    compare(ours.predict(x), tfPredict(m, x), `${act}/${outAct}`);
    ours.dispose();
    m.dispose();
  });

  it.each(['timeDistributed', 'plain'] as const)('return_sequences with %s Dense: every step equals TF.js', async (wrap) => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [null, I] }));
    const dense = tf.layers.dense({ units: O, activation: 'softmax' });
    m.add(wrap === 'timeDistributed' ? tf.layers.timeDistributed({ layer: dense }) : dense);
    seedWeights(m, 12);
    const ours = await fromTfjsLayers(await artifactsOf(m), undefined, opts);
    expect(ours.config.returnSequences).toBe(true);
    const x = denseBatch(new Rng(4), [6, 6, 6], I);
    const got = ours.predict(x) as number[][][];
    expect(got.map((s) => s.length)).toEqual([6, 6, 6]);
    compare(got, tfPredict(m, x), 'return_sequences');
    ours.dispose();
    m.dispose();
  });

  it('Masking with ragged lengths (post, pre and mid padding) equals TF.js at every unmasked step', async () => {
    for (const returnSequences of [false, true]) {
      const m = tf.sequential();
      m.add(tf.layers.masking({ maskValue: 0, inputShape: [null, I] }));
      m.add(tf.layers.simpleRNN({ units: H, returnSequences }));
      m.add(tf.layers.dense({ units: O, activation: 'sigmoid' }));
      seedWeights(m, 13);
      const art = await artifactsOf(m);
      expect(tfjsMasking(art)).toEqual({ maskValue: 0 });
      const ours = await fromTfjsLayers(art, undefined, opts);
      const lengths = [7, 2, 5, 1, 7];
      const real = denseBatch(new Rng(5), lengths, I);
      const padded = [...padDense(real.slice(0, 3), 7, 0), ...padDense(real.slice(3), 7, 0, true)];
      // a masked step in the middle of sequence 2: TF.js skips it and carries the state
      padded[2] = [...real[2].slice(0, 2), new Array<number>(I).fill(0), ...real[2].slice(2), new Array<number>(I).fill(0)].slice(0, 7);
      const seqs = tfjsInputsToSequences(art, padded) as number[][][];
      expect(seqs.map((s) => s.length)).toEqual(lengths);
      const want = tfPredict(m, padded);
      const got = ours.predict(seqs);
      if (!returnSequences) compare(got, want, 'masking, final');
      else {
        const keep = padded.map((s) => s.map((x) => x.some((v) => v !== 0)));
        compare(got, unmaskedSteps(want as number[][][], keep), 'masking, sequences');
      }
      ours.dispose();
      m.dispose();
    }
  });

  it('Embedding → SimpleRNN: E becomes embeddingSize (or folds E·K into the token rows); mask_zero maps to ragged sequences', async () => {
    const V = 11;
    const D = 6;
    for (const [maskZero, returnSequences, foldEmbedding] of [[false, false, false], [true, false, false], [true, true, false], [false, false, true], [true, true, true]]) {
      {
        const m = tf.sequential();
        m.add(tf.layers.embedding({ inputDim: V, outputDim: D, maskZero, inputShape: [null] }));
        m.add(tf.layers.simpleRNN({ units: H, returnSequences }));
        m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
        seedWeights(m, 14);
        const art = await artifactsOf(m);
        const ours = await fromTfjsLayers(art, undefined, { ...opts, foldEmbedding });
        expect(ours.config).toMatchObject({ vocabSize: V, inputSize: 0, hiddenSize: H, embeddingSize: foldEmbedding ? 0 : D });
        const [E, K] = m.getWeights().slice(0, 2).map((w) => w.dataSync());
        const { Ws, E: ourE } = ours.getParams();
        if (!foldEmbedding) {
          expect(ourE).toEqual(E); // bit-identical
          expect(Ws.subarray(H * H)).toEqual(K);
        } else {
          // E·K: the folded rows equal the f64 product rounded once to f32
          let worst = 0;
          for (let v = 0; v < V; v++) {
            for (let h = 0; h < H; h++) {
              let acc = 0;
              for (let d = 0; d < D; d++) acc += E[v * D + d] * K[d * H + h];
              worst = Math.max(worst, Math.abs(Ws[(H + v) * H + h] - Math.fround(acc)));
            }
          }
          expect(worst).toBe(0);
        }
        const rng = new Rng(6);
        const lengths = maskZero ? [8, 3, 6, 1] : [8, 8, 8, 8];
        const real = tokenBatch(rng, lengths, V).map((s) => s.map((id) => (maskZero ? 1 + (id % (V - 1)) : id)));
        const padded = real.map((s) => [...s, ...new Array<number>(8 - s.length).fill(0)]);
        const seqs = tfjsInputsToSequences(art, padded) as number[][];
        expect(seqs).toEqual(maskZero ? real : padded);
        const want = tfPredict(m, padded as unknown as number[][]);
        const got = ours.predict(seqs);
        if (!returnSequences) compare(got, want, `embedding maskZero=${maskZero} fold=${foldEmbedding}`);
        else compare(got, unmaskedSteps(want as number[][][], padded.map((s) => s.map((id) => !maskZero || id !== 0))), 'embedding, sequences');
        ours.dispose();
        m.dispose();
      }
    }
  });

  it('a model ending at the SimpleRNN outputs the state (Wo = identity); a trailing Activation sets f_o', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, inputShape: [null, I] }));
    seedWeights(m, 15);
    const ours = await fromTfjsLayers(await artifactsOf(m), undefined, opts);
    expect(ours.config).toMatchObject({ outputSize: H, outputActivation: 'linear' });
    const x = denseBatch(new Rng(7), [5, 5], I);
    compare(ours.predict(x), tfPredict(m, x), 'rnn only');
    ours.dispose();

    const m2 = tf.sequential();
    m2.add(tf.layers.simpleRNN({ units: H, inputShape: [null, I] }));
    m2.add(tf.layers.dense({ units: O }));
    m2.add(tf.layers.activation({ activation: 'softmax' }));
    seedWeights(m2, 16);
    const ours2 = await fromTfjsLayers(await artifactsOf(m2), undefined, opts);
    expect(ours2.config.outputActivation).toBe('softmax');
    compare(ours2.predict(x), tfPredict(m2, x), 'dense + activation');
    ours2.dispose();
    m.dispose();
    m2.dispose();
  });

  it('fromTfjsModel takes a live tf.LayersModel', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, inputShape: [null, I] }));
    m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
    seedWeights(m, 36);
    const ours = await fromTfjsModel(m, opts);
    const x = denseBatch(new Rng(37), [3, 3], I);
    compare(ours.predict(x), tfPredict(m, x), 'live model');
    ours.dispose();
    const lstm = tf.sequential();
    lstm.add(tf.layers.lstm({ units: 2, inputShape: [null, 1] }));
    await expect(fromTfjsModel(lstm, opts)).rejects.toThrow(/^SimpleRNN\.fromTfjsModel: modelTopology\.config\.layers\[0\] \(LSTM '.*'\) is not supported/);
    await expect(fromTfjsModel({} as never)).rejects.toThrow(TypeError);
    lstm.dispose();
    m.dispose();
  });

  it('model.json + weight files: manifest form, one buffer per file, and a JSON string', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, inputShape: [null, I] }));
    m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
    seedWeights(m, 17);
    const art = await artifactsOf(m);
    const bytes = new Uint8Array(art.weightData as ArrayBuffer);
    const specs = art.weightSpecs!;
    const modelJson = { modelTopology: art.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['a.bin'], weights: specs.slice(0, 2) }, { paths: ['b.bin'], weights: specs.slice(2) }] };
    const split = 4 * (I * H + H * H);
    const x = denseBatch(new Rng(8), [4, 4], I);
    const want = tfPredict(m, x);
    const a = await fromTfjsLayers(modelJson, [bytes.slice(0, split).buffer, bytes.slice(split).buffer], opts);
    const b = await fromTfjsLayers(JSON.stringify(modelJson), bytes, opts);
    compare(a.predict(x), want, 'manifest, per file');
    expect(b.getParams()).toEqual(a.getParams());
    a.dispose();
    b.dispose();
    m.dispose();
  });

  it('a tensorflowjs_converter-style model.json (InputLayer, Keras names with the cell, ":0") imports the same', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [null, I] }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: O, activation: 'softmax' }) }));
    seedWeights(m, 30);
    const art = await artifactsOf(m);
    const topo = structuredClone(art.modelTopology) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const [rnn, td] = topo.config.layers;
    rnn.config.name = 'simple_rnn';
    td.config.name = 'time_distributed';
    topo.config.layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, null, I], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } });
    const rename = (n: string) => n.replace(/^simple_rnn_SimpleRNN\d+\/(.*)$/, 'simple_rnn/simple_rnn_cell/$1:0').replace(/^time_distributed_TimeDistributed\d+\//, 'time_distributed/');
    const keras = { ...art, modelTopology: { ...topo, keras_version: '2.15.0', backend: 'tensorflow' }, weightSpecs: art.weightSpecs!.map((w) => ({ ...w, name: rename(w.name) })) };
    expect(keras.weightSpecs.map((w) => w.name)).toContain('simple_rnn/simple_rnn_cell/recurrent_kernel:0');
    const ours = await fromTfjsLayers(keras, undefined, opts);
    const x = denseBatch(new Rng(31), [4, 4], I);
    compare(ours.predict(x), tfPredict(m, x), 'converter style');
    ours.dispose();
    m.dispose();
  });

  it('a functional model (tf.model) that is a single chain imports; a branching one is refused naming inbound_nodes', async () => {
    const inp = tf.input({ shape: [null, I] });
    const h = tf.layers.simpleRNN({ units: H, returnSequences: true }).apply(inp) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: O, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: out });
    seedWeights(m, 34);
    const art = await artifactsOf(m);
    expect((art.modelTopology as { class_name: string }).class_name).toMatch(/^(Model|Functional)$/);
    const ours = await fromTfjsLayers(art, undefined, opts);
    const x = denseBatch(new Rng(35), [6, 6], I);
    compare(ours.predict(x), tfPredict(m, x), 'functional');
    ours.dispose();
    // a dense that reads the input instead of the rnn's output is not a chain
    const topo = structuredClone(art.modelTopology) as { config: { layers: { inbound_nodes: unknown }[] } };
    topo.config.layers[2].inbound_nodes = topo.config.layers[1].inbound_nodes;
    await expect(fromTfjsLayers({ ...art, modelTopology: topo }, undefined, opts)).rejects.toThrow(/modelTopology\.config\.layers\[2\]\.inbound_nodes do not take the previous layer/);
    m.dispose();
  });

  it.each(['uint8', 'uint16', 'float16'] as const)('%s-quantized weights decode as TF.js decodes them', async (q) => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, inputShape: [null, I] }));
    m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
    seedWeights(m, 32);
    const art = await artifactsOf(m);
    const floats = new Float32Array(art.weightData as ArrayBuffer);
    // quantize each weight as tensorflowjs_converter does: affine (scale, min) for uint8/16, IEEE half for float16
    const parts: Uint8Array[] = [];
    let at = 0;
    const specs = art.weightSpecs!.map((w) => {
      const n = w.shape.reduce((a, d) => a * d, 1);
      const v = floats.subarray(at, at + n);
      at += n;
      if (q === 'float16') {
        const h = new Uint16Array(n);
        for (let j = 0; j < n; j++) {
          const x = v[j];
          const e = Math.floor(Math.log2(Math.abs(x)));
          h[j] = x === 0 ? 0 : ((x < 0 ? 0x8000 : 0) | ((e + 15) << 10) | Math.round((Math.abs(x) / 2 ** e - 1) * 1024)); // normal range only
        }
        parts.push(new Uint8Array(h.buffer));
        return { ...w, quantization: { dtype: 'float16' } };
      }
      const max = q === 'uint8' ? 255 : 65535;
      const lo = Math.min(...v);
      const scale = (Math.max(...v) - lo) / max || 1;
      const raw = q === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
      for (let j = 0; j < n; j++) raw[j] = Math.round((v[j] - lo) / scale);
      parts.push(new Uint8Array(raw.buffer));
      return { ...w, quantization: { dtype: q, scale, min: lo } };
    });
    const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    const quantized = { ...art, weightSpecs: specs, weightData: bytes.buffer };
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(quantized as tf.io.ModelArtifacts));
    const ours = await fromTfjsLayers(quantized, undefined, opts);
    const x = denseBatch(new Rng(33), [5, 5], I);
    compare(ours.predict(x), tfPredict(theirs, x), `${q} quantized`);
    ours.dispose();
    theirs.dispose();
    m.dispose();
  });

  it('unsupported layers and settings are errors naming the layer and the field', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, inputShape: [null, I] }));
    m.add(tf.layers.dense({ units: O, activation: 'softmax' }));
    seedWeights(m, 18);
    const art = await artifactsOf(m);
    const topo = art.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const edit = (f: (l: typeof topo.config.layers) => void): TfjsArtifacts => {
      const t = structuredClone(topo);
      f(t.config.layers);
      return { ...art, modelTopology: t };
    };
    const cases: [TfjsArtifacts, RegExp, ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor][] = [
      [edit((l) => (l[0].config.go_backwards = 'yes')), /layers\[0\] \(SimpleRNN '.*'\)\.config\.go_backwards = "yes" is not supported; expected a boolean/, RangeError],
      [edit((l) => (l[0].config.dropout = 1)), /layers\[0\] \(SimpleRNN '.*'\)\.config\.dropout = 1 is not supported; expected a rate in \[0, 1\)/, RangeError],
      [edit((l) => (l[0].config.stateful = true)), /layers\[0\].*\.config\.stateful/, RangeError],
      [edit((l) => (l[0].config.return_state = true)), /layers\[0\].*\.config\.return_state/, RangeError],
      [edit((l) => (l[0].config.activation = 'hard_sigmoid')), /layers\[0\].*\.config\.activation = "hard_sigmoid"/, RangeError],
      [edit((l) => (l[1].config.activation = 'tanh')), /layers\[1\] \(Dense '.*'\)\.config\.activation = "tanh" is not supported/, RangeError],
      [edit((l) => (l[0].class_name = 'LSTM')), /layers\[0\] \(LSTM '.*'\) is not supported/, RangeError],
      [edit((l) => l.push(structuredClone(l[1]))), /layers\[2\] \(Dense '.*'\) is not supported here/, RangeError],
      [edit((l) => l.splice(0, 1)), /layers\[0\] \(Dense '.*'\) is not supported here/, RangeError],
      [edit((l) => l.splice(0, 2, { class_name: 'Masking', config: { name: 'm', mask_value: 0 } })), /modelTopology\.config\.layers have no SimpleRNN layer/, RangeError],
      [{ ...art, weightData: (art.weightData as ArrayBuffer).slice(0, 40) }, /weightData has 40 bytes; the weight specs describe \d+ \(truncated or the wrong file\?\)/, RangeError],
      [{ ...art, weightSpecs: art.weightSpecs!.map((s, k) => (k === 1 ? { ...s, shape: [H + 1, H] } : s)) }, /weight '.*recurrent_kernel' has shape \[8,7\]; expected \[7,7\]|weightData has/, RangeError],
      [{ ...art, weightSpecs: art.weightSpecs!.map((s, k) => (k === 0 ? { ...s, dtype: 'int32' } : s)) }, /weightSpecs\[0\] '.*kernel'\.dtype = "int32" is not supported/, RangeError],
      [{ ...art, weightSpecs: art.weightSpecs!.map((s, k) => (k === 4 ? { ...s, name: 'other/bias' } : s)) }, /weightSpecs have no weight 'dense.*\/…\/bias'/, RangeError],
      [{ ...art, modelTopology: { class_name: 'Graph', config: {} } }, /modelTopology\.class_name = "Graph" is not supported/, RangeError],
      [{ modelTopology: topo } as TfjsArtifacts, /weightSpecs must be an array/, TypeError],
    ];
    for (const [a, msg, cls] of cases) {
      const err = await fromTfjsLayers(a, undefined, opts).then(() => null, (e: unknown) => e);
      expect(err, String(msg)).toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(/^SimpleRNN\.fromTfjsLayers: /);
      expect((err as Error).message).toMatch(msg);
    }
    const nan = new Float32Array((art.weightData as ArrayBuffer).slice(0));
    nan[3] = NaN;
    await expect(fromTfjsLayers({ ...art, weightData: nan.buffer }, undefined, opts)).rejects.toThrow(/weight '.*kernel'\[3\] = NaN is not finite/);
    expect(() => tfjsInputsToSequences({ maskValue: 0 }, [[[0, 0], [0, 0]]])).toThrow(/padded\[0\] has no unmasked step/);
    // the caller's options keep their names under the importer's; bad JSON is a TypeError, not a SyntaxError
    await expect(fromTfjsLayers(art, undefined, { backend: 'gpu' as never })).rejects.toThrow(/^SimpleRNN\.fromTfjsLayers: options\.backend must be one of 'wasm', 'js'/);
    await expect(fromTfjsLayers('{"modelTopology": ', art.weightData)).rejects.toThrow(/^SimpleRNN\.fromTfjsLayers: modelJson must be valid JSON/);
    await expect(fromKerasWeights([], { returnSequences: 'yes' as never })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.returnSequences must be a boolean/);
    m.dispose();
  });
});

describe.each(BACKENDS)('fromKerasWeights (%s)', (backend) => {
  it('get_weights() as nested lists or flat Float32Arrays gives TF.js predictions', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [null, I] }));
    m.add(tf.layers.dense({ units: O, activation: 'sigmoid' }));
    seedWeights(m, 19);
    const nested = m.getWeights().map((w) => w.arraySync() as number[][]);
    const flatW = m.getWeights().map((w) => w.dataSync() as Float32Array);
    const x = denseBatch(new Rng(9), [5, 5, 5], I);
    const want = tfPredict(m, x);
    for (const ws of [nested, flatW]) {
      const ours = await fromKerasWeights(ws, { backend, returnSequences: true, outputActivation: 'sigmoid' });
      expect(ours.config).toMatchObject({ inputSize: I, hiddenSize: H, outputSize: O });
      compare(ours.predict(x), want, 'keras weights');
      ours.dispose();
    }
    m.dispose();
  });

  it('an embedding and missing biases, as options say', async () => {
    const V = 9;
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: V, outputDim: 4, inputShape: [null] }));
    m.add(tf.layers.simpleRNN({ units: H, useBias: false, activation: 'relu' }));
    m.add(tf.layers.dense({ units: O, useBias: false, activation: 'softmax' }));
    seedWeights(m, 20, 0.4);
    const ws = m.getWeights().map((w) => w.arraySync() as number[][]);
    const x = tokenBatch(new Rng(10), [6, 6], V);
    for (const foldEmbedding of [false, true]) {
      const ours = await fromKerasWeights(ws, { backend, embedding: true, useBias: false, denseUseBias: false, activation: 'relu', outputActivation: 'softmax', foldEmbedding });
      expect(ours.config.embeddingSize).toBe(foldEmbedding ? 0 : 4);
      compare(ours.predict(x), tfPredict(m, x as unknown as number[][]), 'keras embedding');
      ours.dispose();
    }
    await expect(fromKerasWeights(ws, { backend })).rejects.toThrow(/SimpleRNN\.fromKerasWeights: weights has 4 arrays; expected 5: \[kernel, recurrent_kernel, bias, dense kernel, dense bias\]/);
    await expect(fromKerasWeights([[[1], [3, 4]], [[1]], [0], [[1, 2]], [0, 0]], { backend })).rejects.toThrow(/weights\[0\] \(kernel\)\[1\] has length 2; expected 1 \(the length of weights\[0\] \(kernel\)\[0\]\)/);
    await expect(fromKerasWeights([[[1]], [[1, 0], [0, 1]], [0, 0], [[1, 2], [3, 4]], [0, 0]], { backend })).rejects.toThrow(RangeError);
    await expect(fromKerasWeights([[[1]], [[1]], [NaN], [[1, 2]], [0, 0]], { backend })).rejects.toThrow(/weights\[2\] \(bias\)\[0\] = NaN is not finite/);
    m.dispose();
  });
});

describe.each(BACKENDS)('toTfjsLayers (%s)', (backend) => {
  it.each([
    ['dense', false],
    ['dense', true],
    ['tokens', false],
    ['tokens', true],
    ['tokens+embedding', false],
    ['tokens+embedding', true],
  ] as const)('%s inputs, returnSequences %s: tf.loadLayersModel(fromMemory) predicts what we predict; import gives the same params', async (kind, returnSequences) => {
    const V = 10;
    const ours = await SimpleRNN.create({
      ...(kind === 'dense' ? { inputSize: I } : { vocabSize: V }), ...(kind === 'tokens+embedding' ? { embeddingSize: 6 } : {}),
      hiddenSize: H, outputSize: O, returnSequences, backend, seed: 21, outputActivation: 'softmax',
    });
    // non-trivial biases (create initialises them to 0)
    const rng = new Rng(22);
    const p = ours.getParams();
    p.bs = p.bs.map(() => rng.uniform() - 0.5);
    p.bo = p.bo.map(() => rng.uniform() - 0.5);
    ours.setParams(p);
    const art = toTfjsLayers(ours);
    const m = await tf.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
    const T = 7;
    const x = kind === 'dense' ? denseBatch(new Rng(23), [T, T, T], I) : tokenBatch(new Rng(23), [T, T, T], V);
    compare(ours.predict(x as number[][][]), tfPredict(m, x as number[][][]), `export ${kind}`);
    const back = await fromTfjsLayers(art, undefined, { backend });
    expect(back.config).toMatchObject({ inputSize: ours.config.inputSize, vocabSize: ours.config.vocabSize, embeddingSize: ours.config.embeddingSize, returnSequences });
    expect(back.getParams()).toEqual(ours.getParams()); // bit-identical: the identity kernel adds only zeros
    back.dispose();
    ours.dispose();
    m.dispose();
  });

  it('masking on export: padded TF.js batches equal our ragged ones (maskValue for dense, maskZero for tokens)', async () => {
    const dense = await SimpleRNN.create({ inputSize: I, hiddenSize: H, outputSize: O, backend, seed: 24, outputActivation: 'sigmoid', returnSequences: true });
    const m = await tf.loadLayersModel(tf.io.fromMemory(toTfjsLayers(dense, { maskValue: -9 }) as tf.io.ModelArtifacts));
    const lengths = [6, 2, 4];
    const real = denseBatch(new Rng(25), lengths, I);
    const want = tfPredict(m, padDense(real, 6, -9)) as number[][][];
    compare(dense.predict(real), want.map((s, b) => s.slice(0, lengths[b])), 'export maskValue');
    m.dispose();
    dense.dispose();

    const V = 8;
    const tok = await SimpleRNN.create({ vocabSize: V, hiddenSize: H, outputSize: O, backend, seed: 26 });
    const mt = await tf.loadLayersModel(tf.io.fromMemory(toTfjsLayers(tok, { maskZero: true }) as tf.io.ModelArtifacts));
    const seqs = tokenBatch(new Rng(27), lengths, V - 1).map((s) => s.map((id) => id + 1)); // id 0 reserved
    const padded = seqs.map((s) => [...s, ...new Array<number>(6 - s.length).fill(0)]);
    compare(tok.predict(seqs), tfPredict(mt, padded as unknown as number[][]), 'export maskZero');
    mt.dispose();
    tok.dispose();
  });

  it('refuses what TF.js cannot hold, naming it', async () => {
    const m = await SimpleRNN.create({ inputSize: I, hiddenSize: H, outputSize: O, backend, learnInitialState: true });
    const p = m.getParams();
    p.s0[2] = 0.5;
    m.setParams(p);
    expect(() => toTfjsLayers(m)).toThrow(/SimpleRNN\.toTfjsLayers: model s0\[2\] = 0\.5/);
    expect(() => toTfjsLayers(m, { maskZero: true })).toThrow(/options\.maskZero applies to token models/);
    m.dispose();
    expect(() => toTfjsLayers(m)).toThrow(/model was disposed/);
    expect(() => toTfjsLayers({} as SimpleRNN)).toThrow(TypeError);
  });

  it('model.json + weights.bin files on disk: TF.js loads them; loadTfjsLayers reads them back', async () => {
    const ours = await SimpleRNN.create({ vocabSize: 12, hiddenSize: H, outputSize: O, backend, seed: 28 });
    const dir = await mkdtemp(join(tmpdir(), 'simple-rnn-tfjs-'));
    try {
      const { modelJsonPath, weightsPath } = await saveTfjsLayers(ours, dir);
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      const bin = await readFile(weightsPath);
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      expect(bin.length).toBe(toTfjsFiles(ours).weights.length);
      const m = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
      }));
      const x = tokenBatch(new Rng(29), [5, 5], 12);
      compare(ours.predict(x), tfPredict(m, x as unknown as number[][]), 'files');
      const back = await loadTfjsLayers(modelJsonPath, { backend });
      expect(back.getParams()).toEqual(ours.getParams());
      back.dispose();
      m.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
      ours.dispose();
    }
  });
});
