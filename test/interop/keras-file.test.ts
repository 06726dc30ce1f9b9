// fromKerasFile on the committed Keras-file fixtures (scripts/keras-fixtures.py writes them in Keras's on-disk layout,
// with h5py and zipfile): (a) predictions against TF.js, a real other implementation of the same layers, built from
// each fixture's own config with the fixture's weights set through setWeights; (b) the weights read from the file equal
// the fixture's JSON weights bit for bit, through the documented mapping; (c) forged files refused, naming the field.
// Tolerance {atol: 1e-5, rtol: 0}: as test/interop/tfjs.test.ts (the wasm tanh and sigmoid are rational approximations
// with |err| <= 1e-6 per step, and f32 dot products are summed in another order than TF.js's); the measured max
// difference is printed at the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { SimpleRNN } from '../../src/model.js';
import { paramSuffix } from '../../src/layout.js';
import { fromKerasFile } from '../../src/interop/keras-file.js';
import { tfjsInputsToSequences, type TfjsMasking } from '../../src/interop/index.js';
import { readEntry, readZip } from '../../src/interop/zip.js';
import { BACKENDS, counted, expectAllOnce, expectClose, flat } from '../util.js';
import { makeZip, type Member } from './zip-util.js';

const DIR = join(import.meta.dirname, '../fixtures/keras');
const TOL = { atol: 1e-5, rtol: 0 }; // see the header
let maxDiff = 0;

/** A fixture's description, as scripts/keras-fixtures.py writes it next to the model file. */
interface Fixture {
  file: string;
  format: string;
  config: { class_name: string; config: { layers: Layer[] } };
  masking: TfjsMasking;
  weights: unknown[];
  inputs: number[][] | number[][][];
}
interface Layer {
  class_name: string;
  config: Record<string, unknown>;
}

const CASES = ['stacked', 'bidirectional-concat', 'bidirectional-sum', 'bidirectional-ave', 'bidirectional-mul', 'go-backwards', 'embedding', 'masking-no-bias', 'functional-deflate', 'checkpoint-dependencies'];
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
const bytes = (file: string) => new Uint8Array(readFileSync(join(DIR, file)));

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => {
  console.log(`keras files: max |ours - TF.js| over every compared output = ${maxDiff.toExponential(3)} (tolerance ${TOL.atol})`);
});

// ---- TF.js, from the fixture's config ----

/** A SimpleRNN's settings in TF.js's spelling, read from a Keras layer config. */
const rnnArgs = (c: Record<string, unknown>) => ({
  units: c.units as number, activation: c.activation as 'tanh', useBias: c.use_bias as boolean, returnSequences: c.return_sequences as boolean,
  goBackwards: c.go_backwards as boolean, dropout: c.dropout as number, recurrentDropout: c.recurrent_dropout as number,
});

/** The fixture's model built by TF.js from its config (layer by layer, as a chain), with the fixture's weights set. */
function tfjsModel(fx: Fixture): tf.Sequential {
  const m = tf.sequential();
  let inputShape: (number | null)[] | undefined;
  for (const { class_name: cls, config: c } of fx.config.config.layers) {
    const first = m.layers.length === 0 && inputShape ? { inputShape } : {};
    if (cls === 'InputLayer') inputShape = ((c.batch_shape ?? c.batch_input_shape) as (number | null)[]).slice(1);
    else if (cls === 'Masking') m.add(tf.layers.masking({ maskValue: c.mask_value as number, ...first }));
    else if (cls === 'Embedding') m.add(tf.layers.embedding({ inputDim: c.input_dim as number, outputDim: c.output_dim as number, maskZero: c.mask_zero as boolean, ...first }));
    else if (cls === 'SimpleRNN') m.add(tf.layers.simpleRNN({ ...rnnArgs(c), ...first }));
    else if (cls === 'Bidirectional') {
      const inner = (c.layer as Layer).config;
      m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN(rnnArgs(inner)), mergeMode: c.merge_mode as 'concat', ...first }));
    } else if (cls === 'Dense') m.add(tf.layers.dense({ units: c.units as number, activation: c.activation as 'linear', useBias: c.use_bias as boolean, ...first }));
    else throw new Error(`no TF.js layer for ${cls}`);
  }
  const shapes = m.getWeights().map((w) => w.shape);
  m.setWeights(fx.weights.map((w, k) => tf.tensor(flat(w), shapes[k])));
  return m;
}

function tfPredict(m: tf.LayersModel, x: number[][] | number[][][], tokens: boolean): number[][] | number[][][] {
  return tf.tidy(() => (m.predict(tokens ? tf.tensor2d(x as number[][], undefined, 'int32') : tf.tensor3d(x as number[][][])) as tf.Tensor).arraySync() as number[][] | number[][][]);
}

/** Whether each step of each padded input is real (not masked). */
function realSteps(masking: TfjsMasking, x: number[][] | number[][][]): boolean[][] {
  return x.map((seq) => (seq as unknown[]).map((s) => (!masking ? true : 'maskZero' in masking ? s !== 0 : (s as number[]).some((v) => v !== masking.maskValue))));
}

// ---- the mapping, from the fixture's JSON weights (get_weights() order) ----

/** Our parameters, as docs/interop.md maps Keras's weights: Ws = [recurrent_kernel; kernel], bs = bias, Wo, bo, E. */
function expectedParams(fx: Fixture): Record<string, number[]> {
  const w = fx.weights.map((a) => flat(a));
  const out: Record<string, number[]> = {};
  let k = 0;
  let l = 0;
  for (const { class_name: cls, config: c } of fx.config.config.layers) {
    if (cls === 'Embedding') out.E = w[k++];
    if (cls === 'SimpleRNN' || cls === 'Bidirectional') {
      const useBias = (cls === 'SimpleRNN' ? c : (c.layer as Layer).config).use_bias as boolean;
      const units = (cls === 'SimpleRNN' ? c : (c.layer as Layer).config).units as number;
      for (let d = 0; d < (cls === 'Bidirectional' ? 2 : 1); d++) {
        const kernel = w[k++];
        const recurrent = w[k++];
        out[`Ws${paramSuffix(l, d)}`] = [...recurrent, ...kernel];
        out[`bs${paramSuffix(l, d)}`] = useBias ? w[k++] : new Array<number>(units).fill(0);
      }
      l++;
    }
    if (cls === 'Dense') {
      out.Wo = w[k++];
      out.bo = c.use_bias ? w[k++] : new Array<number>(c.units as number).fill(0);
    }
  }
  expect(k).toBe(w.length);
  return out;
}

/** The bits of float32 values. */
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe.each(BACKENDS)('fromKerasFile on the fixtures (%s)', (backend) => {
  it.each(CASES)('%s: predictions equal TF.js built from the same config and weights; the weights are read bit for bit', async (name) => {
    const fx = fixture(name);
    const ours: SimpleRNN = await fromKerasFile(bytes(fx.file), { backend });
    const m = tfjsModel(fx);
    try {
      // (b) every parameter the mapping gives, bit for bit (and the rest of the model's parameters zero)
      const want = expectedParams(fx);
      const got = ours.getParams() as unknown as Record<string, Float32Array>;
      for (const [p, v] of Object.entries(want)) expect(bits(got[p]), `${name}: ${p}`).toEqual(bits(v));
      for (const p of ours.paramNames) if (!(p in want)) expect(got[p].every((v) => v === 0), `${name}: ${p} is zero`).toBe(true);
      // (a) predictions: TF.js on the padded batch, ours on the sequences without their masked steps
      const tokens = ours.config.vocabSize > 0;
      const tfOut = tfPredict(m, fx.inputs, tokens);
      const seqs = fx.masking ? tfjsInputsToSequences(fx.masking, fx.inputs) : fx.inputs;
      const out = ours.predict(seqs as number[][][]);
      let want2: unknown = tfOut;
      if (ours.config.returnSequences && fx.masking) {
        const keep = realSteps(fx.masking, fx.inputs);
        want2 = (tfOut as number[][][]).map((seq, b) => seq.filter((_, t) => keep[b][t]));
      }
      const a = flat(out);
      const e = flat(want2);
      for (let k = 0; k < Math.min(a.length, e.length); k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - e[k]));
      expectClose(a, e, { ...TOL, label: name });
    } finally {
      ours.dispose();
      m.dispose();
    }
  });
});

describe('fromKerasFile: what the files say', () => {
  it('reads each format into the model its config describes', async () => {
    const stacked = await fromKerasFile(bytes('stacked.keras'), { backend: 'js' });
    expect(stacked.config).toMatchObject({ inputSize: 5, hiddenSize: [7, 6], layers: 2, outputSize: 3, outputActivation: 'softmax', inputDropout: 0.2, recurrentDropout: 0.1 });
    stacked.dispose();
    const emb = await fromKerasFile(bytes('embedding.keras').buffer, { backend: 'js' });
    expect(emb.config).toMatchObject({ vocabSize: 11, embeddingSize: 4, hiddenSize: 5, activation: 'sigmoid', returnSequences: true });
    emb.dispose();
    const folded = await fromKerasFile(bytes('embedding.keras'), { backend: 'js', foldEmbedding: true });
    expect(folded.config).toMatchObject({ vocabSize: 11, embeddingSize: 0 });
    folded.dispose();
    const gb = await fromKerasFile(bytes('go-backwards.h5'), { backend: 'js' });
    expect(gb.config).toMatchObject({ inputSize: 3, hiddenSize: 6, goBackwards: true, activation: 'relu', outputActivation: 'linear' });
    gb.dispose();
    const mul = await fromKerasFile(bytes('bidirectional-mul.h5'), { backend: 'js' });
    expect(mul.config).toMatchObject({ bidirectional: true, merge: 'mul', hiddenSize: 4 });
    mul.dispose();
  });

  it('reads its options once, refuses unknown ones, and checks maxBytes', async () => {
    const { o, reads } = counted({ backend: 'js' as const, seed: 3, maxBytes: 1 << 20 });
    (await fromKerasFile(bytes('stacked.keras'), o)).dispose();
    expectAllOnce(reads);
    await expect(fromKerasFile(bytes('stacked.keras'), { maxbytes: 10 } as never)).rejects.toThrow(/^SimpleRNN\.fromKerasFile: options\.maxbytes is not an option; expected one of .*maxBytes; did you mean maxBytes\?/);
    await expect(fromKerasFile(bytes('stacked.keras'), { maxBytes: 0 })).rejects.toThrow(/options\.maxBytes = 0 is out of range/);
    await expect(fromKerasFile(bytes('stacked.keras'), { maxBytes: 1000 })).rejects.toThrow(/^SimpleRNN\.fromKerasFile: bytes member "config\.json" declares \d+ bytes; the limit is 1000 \(options\.maxBytes\)/);
    await expect(fromKerasFile(bytes('stacked.keras'), { maxBytes: 10000 })).rejects.toThrow(/bytes member "model\.weights\.h5" declares \d+ bytes; the limit is 10000 \(options\.maxBytes\)/);
  });

  it('refuses what is neither a zip nor an HDF5 file, and what is not bytes', async () => {
    await expect(fromKerasFile(new TextEncoder().encode('{"class_name": "Sequential"}'))).rejects.toThrow(/^SimpleRNN\.fromKerasFile: bytes is neither a \.keras archive .* nor a legacy \.h5 file .*; it starts 7b 22 63/);
    await expect(fromKerasFile(new Uint8Array(0))).rejects.toThrow(/it starts \(empty\)/);
    await expect(fromKerasFile('model.keras' as never)).rejects.toThrow(/^SimpleRNN\.fromKerasFile: bytes must be the bytes of a \.keras or \.h5 file/);
  });
});

// ---- forged files ----

/** The members of a fixture archive, to re-zip with one lie. */
async function members(file: string): Promise<Member[]> {
  const zip = readZip('test', bytes(file));
  return Promise.all([...zip.entries.keys()].map(async (name) => ({ name, data: await readEntry('test', zip, name, 1 << 24, 'x') })));
}
const edit = (ms: Member[], name: string, change: Partial<Member> | null) =>
  ms.flatMap((m) => (m.name !== name ? [m] : change === null ? [] : [{ ...m, ...change }]));

describe('fromKerasFile: forged archives', () => {
  it('a rebuilt archive imports (the forging below changes one thing)', async () => {
    (await fromKerasFile(makeZip(await members('stacked.keras')), { backend: 'js' })).dispose();
  });

  it('missing config.json, missing or npz weights', async () => {
    const ms = await members('stacked.keras');
    await expect(fromKerasFile(makeZip(edit(ms, 'config.json', null)))).rejects.toThrow(/^SimpleRNN\.fromKerasFile: bytes is a zip archive without config\.json; a \.keras file holds metadata\.json, config\.json and model\.weights\.h5 \(it holds "metadata\.json", "model\.weights\.h5"\)/);
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', null)))).rejects.toThrow(/bytes is a \.keras archive whose weights cannot be read: it has no model\.weights\.h5/);
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', { name: 'model.weights.npz' })))).rejects.toThrow(/weights_format='npz'/);
  });

  it('a zip bomb, sizes that lie, a bad CRC-32', async () => {
    const ms = await members('stacked.keras');
    const h5 = ms.find((m) => m.name === 'model.weights.h5')!.data;
    // declares 2 GiB: refused against maxBytes (default 1 GiB) before anything is inflated
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', { method: 'deflate', size: 2 ** 31 })))).rejects.toThrow(/member "model\.weights\.h5" declares 2147483648 bytes; the limit is 1073741824 \(options\.maxBytes\)/);
    // inflates past what it declares: stopped there
    const padded = new Uint8Array(h5.length + (4 << 20));
    padded.set(h5);
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', { data: padded, method: 'deflate', size: h5.length })))).rejects.toThrow(/member "model\.weights\.h5" inflates to more than the \d+ bytes it declares/);
    await expect(fromKerasFile(makeZip(edit(ms, 'config.json', { size: 12 })))).rejects.toThrow(/member "config\.json" is stored, but its sizes differ/);
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', { crc: 0xdeadbeef })))).rejects.toThrow(/member "model\.weights\.h5" is corrupted: its CRC-32 is 0x[0-9a-f]{8}; the archive says 0xdeadbeef/);
    const z = makeZip(ms);
    await expect(fromKerasFile(z.subarray(0, z.length - 30))).rejects.toThrow(/bytes is not a readable zip archive: no end of central directory record/);
  });

  it('config.json that is not a model config', async () => {
    const ms = await members('stacked.keras');
    const cfg = (t: string) => makeZip(edit(ms, 'config.json', { data: new TextEncoder().encode(t) }));
    await expect(fromKerasFile(cfg('{"class_name": "Sequential", "config": '))).rejects.toThrow(/^SimpleRNN\.fromKerasFile: config\.json must be valid JSON/);
    await expect(fromKerasFile(cfg('[1, 2]'))).rejects.toThrow(/config\.json must be a Keras model config \{ class_name, config \}/);
    await expect(fromKerasFile(cfg('{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}'))).rejects.toThrow(/config\.json\.config\.layers\[0\] \(Dense 'd'\) is not supported here/);
    const fx = fixture('stacked');
    const mixed = JSON.parse(JSON.stringify(fx.config)) as Fixture['config'];
    (mixed.config.layers[1].config.dtype as { config: { name: string } }).config.name = 'mixed_float16';
    await expect(fromKerasFile(cfg(JSON.stringify(mixed)))).rejects.toThrow(/config\.json\.config\.layers\[1\] \(SimpleRNN 'simple_rnn'\)\.config\.dtype = "mixed_float16" is not supported; expected the 'float32' policy/);
    const quantized = JSON.parse(JSON.stringify(fx.config)) as Fixture['config'];
    quantized.config.layers[3].config.quantization_config = { class_name: 'Int8QuantizationConfig', config: {} };
    await expect(fromKerasFile(cfg(JSON.stringify(quantized)))).rejects.toThrow(/config\.json\.config\.layers\[3\] \(Dense 'dense'\)\.config\.quantization_config is set/);
    const wide = JSON.parse(JSON.stringify(fx.config)) as Fixture['config'];
    wide.config.layers[0].config.batch_shape = [null, null, 6];
    await expect(fromKerasFile(cfg(JSON.stringify(wide)))).rejects.toThrow(/config\.json\.config\.layers\[0\] \(InputLayer 'input_layer'\)\.config\.batch_shape\[2\] = 6, but the kernel model\.weights\.h5\/layers\/simple_rnn\/cell\/vars\/0 has 5 rows/);
  });
});

describe('fromKerasFile: forged HDF5 contents (scripts/keras-fixtures.py writes them)', () => {
  it.each([
    ['bad-shape.keras', /^SimpleRNN\.fromKerasFile: model\.weights\.h5\/layers\/simple_rnn\/cell\/vars\/1 has shape \[3, 4\]; expected \[3, 3\] \(the recurrent_kernel \(H, H\) of config\.json\.config\.layers\[1\] \(SimpleRNN 'simple_rnn'\)\)/],
    ['missing-dataset.keras', /^SimpleRNN\.fromKerasFile: model\.weights\.h5\/layers\/simple_rnn\/cell\/vars holds 2 weights \("0", "1"\); config\.json\.config\.layers\[1\] \(SimpleRNN 'simple_rnn'\)'s cell \(kernel, recurrent_kernel, bias\) has 3/],
    ['int-dtype.keras', /^SimpleRNN\.fromKerasFile: model\.weights\.h5\/layers\/simple_rnn\/cell\/vars\/0 must be a float32 or float64 dataset; got a dataset of int32 \("<i4"\)/],
    ['chunked.keras', /^SimpleRNN\.fromKerasFile: model\.weights\.h5\/layers\/simple_rnn\/cell\/vars\/0 is stored chunked and filtered \(compressed\); expected a contiguous dataset/],
    ['unsupported-layer.keras', /^SimpleRNN\.fromKerasFile: config\.json\.config\.layers\[1\] \(LSTM 'simple_rnn'\) is not supported; expected \[InputLayer\]/],
    // units 70000 and datasets declared at that size that hold no data: the size check refuses before any read
    ['too-big.keras', /^SimpleRNN\.fromKerasFile: config\.json\.config\.layers\[1\] \(SimpleRNN 'simple_rnn'\)\.config\.units = 70000 is out of range; expected an integer in \[1, 65536\] \(SimpleRNN\.create's hiddenSize\)/],
    ['legacy-missing.h5', /^SimpleRNN\.fromKerasFile: h5\/model_weights\/simple_rnn\/simple_rnn\/simple_rnn_cell\/bias:0 is missing; weight_names lists it \(the bias of model_config\.config\.layers\[1\] \(SimpleRNN 'simple_rnn'\)\)/],
    ['no-config.h5', /^SimpleRNN\.fromKerasFile: h5\.attrs\.model_config is missing: the file holds no model architecture \(weights alone, as save_weights writes them\)/],
  ])('%s is refused, naming the field', async (file, re) => {
    await expect(fromKerasFile(bytes(file), { backend: 'js' })).rejects.toThrow(re);
  });

  it('legacy weight_names that leave the layer\'s group, or name another weight, are refused', async () => {
    // the names are plain bytes in the attribute (go-backwards.h5 stores them fixed-length): patched in place
    const patch = (from: string, to: string) => {
      expect(to.length).toBe(from.length);
      const b = bytes('go-backwards.h5');
      const hay = Buffer.from(b);
      const at = hay.indexOf(from);
      expect(at, `${from} is in the file`).toBeGreaterThan(0);
      b.set(new TextEncoder().encode(to), at);
      return b;
    };
    const name = 'simple_rnn/simple_rnn_cell/kernel:0';
    await expect(fromKerasFile(patch(name, `../${name.slice(3)}`))).rejects.toThrow(/^SimpleRNN\.fromKerasFile: h5\/model_weights\/simple_rnn\.attrs\.weight_names\[0\] = "\.\.\/ple_rnn\/simple_rnn_cell\/kernel:0" is not a path inside the layer's group/);
    await expect(fromKerasFile(patch(name, 'simple_rnn/simple_rnn_cell/kernex:0'))).rejects.toThrow(/weight_names\[0\] = "simple_rnn\/simple_rnn_cell\/kernex:0"; expected the kernel of model_config\.config\.layers\[1\] \(SimpleRNN 'simple_rnn'\)/);
  });

  it('a corrupted HDF5 inside a valid archive is an error, not a crash', async () => {
    const ms = await members('stacked.keras');
    const h5 = ms.find((m) => m.name === 'model.weights.h5')!.data.slice();
    h5.fill(0xff, 8, 200); // the superblock after the signature
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', { data: h5 })))).rejects.toThrow(/^SimpleRNN\.fromKerasFile: model\.weights\.h5 cannot be read: the HDF5 data is malformed/);
    const cut = ms.find((m) => m.name === 'model.weights.h5')!.data.slice(0, 3000);
    await expect(fromKerasFile(makeZip(edit(ms, 'model.weights.h5', { data: cut })))).rejects.toThrow(/^SimpleRNN\.fromKerasFile: model\.weights\.h5.* (cannot be read|is missing)/);
  });
});
