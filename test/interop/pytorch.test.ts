// PyTorch in and out, against real PyTorch 1.13.1: models written by scripts/pytorch-fixtures.py (nn.Embedding →
// nn.RNN → nn.Linear as a user writes them, seeded) import and predict PyTorch's outputs, and give PyTorch's loss and
// the gradients of every state_dict tensor under our loss, on both backends; toPytorch → fromPytorch gives every
// model back bit for bit (1-3 layers, both directions, every merge, goBackwards, dense and token inputs, every
// activation, learned s0); a forged or mismatched state_dict is refused by name, before anything is decoded.
// Tolerance {atol: 1e-5, rtol: 0} for predictions, loss and gradients: both sides compute in float32, with dot
// products summed in another order (PyTorch adds x·W_ih + b_ih and h·W_hh + b_hh separately, we add one
// [h x]·Ws + bs) and the wasm tanh a rational approximation (|err| <= 1e-6 per step); through T <= 6 steps and up to
// 3 layers that stays below 1e-6 (the measured maxima are printed at the end).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import type { MergeMode, SimpleRNNOptions } from '../../src/config.js';
import { archOf, paramSuffix } from '../../src/layout.js';
import { fromPytorch, toPytorch, PYTORCH_METADATA_KEY, type PytorchImportOptions } from '../../src/interop/pytorch.js';
import { readSafetensors, writeSafetensors, type SafetensorsInput } from '../../src/interop/safetensors.js';
import { Rng } from '../../src/random.js';
import { BACKENDS, Margins, counted, denseBatch, expectAllOnce, flat, tokenBatch } from '../util.js';

const DIR = join(import.meta.dirname, '../fixtures/pytorch');
const TOL = { atol: 1e-5, rtol: 0 }; // see the header
const margins = new Margins();
const compare = (actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, group: string) => margins.check(actual, expected, { ...TOL, label }, group);

afterAll(() => {
  console.log(`pytorch interop: max |ours - PyTorch| (tolerance ${TOL.atol})\n${margins.table()}`);
});

interface Fixture {
  name: string;
  torch: string;
  options: PytorchImportOptions;
  tokens: boolean;
  lengths: number[];
  inputs: number[][] | number[][][];
  logits: unknown;
  outputs: unknown;
  targets: unknown;
  loss: number;
  grads: Record<string, number[]>;
}

const NAMES = ['rnn1_tanh', 'rnn1_relu_seq', 'rnn2_bi', 'rnn3_bi_relu_seq', 'rnn2_nobias', 'emb_rnn1', 'emb_rnn2_bi_relu_seq', 'emb_select_bi', 'named_h0_bi2', 'list_sizes_seq', 'rnn1_f64'];
const fixture = (name: string) => ({
  bytes: new Uint8Array(readFileSync(join(DIR, `${name}.safetensors`))),
  doc: JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture,
});

/** Our gradients as PyTorch's state_dict names: d weight_ih = (dWs input rows)^T, d bias_ih = d bias_hh = dbs, ... */
function torchGrads(model: SimpleRNN, grads: Record<string, ArrayLike<number>>, names: Required<NonNullable<PytorchImportOptions['names']>>, layout: 'stack' | 'layers'): Record<string, number[]> {
  const c = model.config;
  const { L, dirs, H, In, headIn } = archOf(c);
  const O = c.outputSize;
  const out: Record<string, number[]> = {};
  const T = (a: ArrayLike<number>, R: number, C: number, from = 0) => Array.from({ length: R * C }, (_, k) => a[from + (k % R) * C + Math.floor(k / R)]);
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < dirs; d++) {
      const x = paramSuffix(l, d);
      const cell = (p: string) => `${names.rnn}.${layout === 'stack' ? `${p}_l${l}` : `${l}.${p}_l0`}${d ? '_reverse' : ''}`;
      const h = H[l];
      const dWs = grads[`Ws${x}`];
      out[cell('weight_hh')] = T(dWs, h, h); // (H, H) = (rows 0..H-1)^T
      out[cell('weight_ih')] = T(dWs, In[l], h, h * h); // (H, In) = (rows H..)^T
      out[cell('bias_ih')] = out[cell('bias_hh')] = Array.from(grads[`bs${x}`]);
    }
  }
  out[`${names.linear}.weight`] = T(grads.Wo, headIn, O);
  out[`${names.linear}.bias`] = Array.from(grads.bo);
  if (c.embeddingSize) out[`${names.embedding}.weight`] = Array.from(grads.E);
  if (c.learnInitialState) {
    const h0: number[] = [];
    for (let l = 0; l < L; l++) for (let d = 0; d < dirs; d++) h0.push(...Array.from(grads[`s0${paramSuffix(l, d)}`]));
    out[names.h0] = h0;
  }
  return out;
}

describe.each(BACKENDS)('PyTorch fixtures, %s backend', (backend) => {
  it.each(NAMES)('%s: predictions, loss and gradients equal PyTorch', async (name) => {
    const { bytes, doc } = fixture(name);
    expect(doc.torch).toMatch(/^1\.13\./); // Debian's 1.13.1 reports 1.13.0a0
    const model = await fromPytorch(bytes, { ...doc.options, backend });
    try {
      compare(flat(model.predict(doc.inputs as never)), flat(doc.outputs), `${name} outputs`, 'outputs');
      if (name === 'emb_select_bi') expect(model.config.embeddingSize, 'a selecting weight_ih_l0 folds').toBe(0);
    } finally {
      model.dispose();
    }
    // the gradients of every tensor: a folded model has no weight_ih_l0 to differentiate, so keep E for them
    const g = await fromPytorch(bytes, { ...doc.options, backend, foldEmbedding: false });
    try {
      const { loss, grads } = g.computeGradients(doc.inputs as never, doc.targets as never);
      compare([loss], [doc.loss], `${name} loss`, 'loss');
      const names = { rnn: 'rnn', linear: 'linear', embedding: 'embedding', h0: 'h0', ...doc.options.names };
      const ours = torchGrads(g, grads, names, name.startsWith('list_') ? 'layers' : 'stack');
      const nobias = name === 'rnn2_nobias';
      const expected = Object.keys(doc.grads).sort();
      expect(Object.keys(ours).filter((k) => !(nobias && /bias/.test(k))).sort()).toEqual(expected);
      for (const k of expected) compare(ours[k], doc.grads[k], `${name} d${k}`, 'gradients');
    } finally {
      g.dispose();
    }
  });
});

describe('PyTorch fixtures: what the import reads', () => {
  it('takes the sizes from the shapes and the rest from the options', async () => {
    const { bytes, doc } = fixture('list_sizes_seq');
    const m = await fromPytorch(bytes, doc.options);
    expect(m.config).toMatchObject({ inputSize: 2, hiddenSize: [5, 3], layers: 2, outputSize: 2, returnSequences: true, outputActivation: 'linear', activation: 'tanh' });
    m.dispose();
    const f = await fromPytorch(fixture('rnn1_f64').bytes); // F64 tensors, save_file's {"format": "pt"} metadata ignored
    expect(f.config).toMatchObject({ inputSize: 2, hiddenSize: 3, outputActivation: 'linear' });
    f.dispose();
  });

  it('a bias=False module has bs = 0 and bo = 0', async () => {
    const m = await fromPytorch(fixture('rnn2_nobias').bytes);
    const p = m.getParams();
    expect([p.bs, p.bs_l1, p.bo].every((a) => Array.from(a).every((v) => v === 0))).toBe(true);
    m.dispose();
  });

  it('bs is bias_ih + bias_hh summed in float64 and rounded once', async () => {
    const { bytes } = fixture('rnn1_f64');
    const f = readSafetensors(bytes);
    const m = await fromPytorch(bytes);
    const [ih, hh] = ['rnn.bias_ih_l0', 'rnn.bias_hh_l0'].map((k) => f.tensors.get(k)!.data);
    expect(Array.from(m.getParams().bs)).toEqual(Array.from(ih, (v, k) => Math.fround(v + hh[k])));
    m.dispose();
  });
});

// ---- ours → PyTorch → ours ----

/** The bytes of every parameter, for bit-for-bit comparisons (toEqual would let -0 pass for 0). */
const bits = (m: SimpleRNN) => Object.fromEntries(Object.entries(m.getParams()).map(([k, a]) => [k, Array.from(new Uint8Array(a.buffer.slice(0)))]));

type Kind = 'forward' | MergeMode | 'goBackwards';
const KINDS: Kind[] = ['forward', 'concat', 'sum', 'mul', 'ave', 'goBackwards'];
const INPUTS = ['dense', 'tokens', 'embedding'] as const;
const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
const OUTS = ['softmax', 'sigmoid', 'linear'] as const;

interface RoundTrip {
  L: number;
  kind: Kind;
  input: (typeof INPUTS)[number];
  k: number;
}
const TRIPS: RoundTrip[] = [1, 2, 3].flatMap((L) => KINDS.flatMap((kind) => INPUTS.map((input) => ({ L, kind, input, k: 0 })))).map((c, k) => ({ ...c, k }));

/** The create options of a round trip: sizes per layer differ on every third case, and the rest cycles. */
function tripOptions(c: RoundTrip, backend: 'wasm' | 'js'): SimpleRNNOptions {
  const bi = c.kind !== 'forward' && c.kind !== 'goBackwards';
  const sizes = c.k % 3 === 2 ? [5, 3, 4].slice(0, c.L) : 4;
  return {
    ...(c.input === 'dense' ? { inputSize: 3 } : { vocabSize: 6 }),
    ...(c.input === 'embedding' ? { embeddingSize: 3, freezeEmbeddings: c.k % 2 === 0 } : {}),
    hiddenSize: sizes, layers: c.L, outputSize: 3, bidirectional: bi, merge: bi ? (c.kind as MergeMode) : 'concat', goBackwards: c.kind === 'goBackwards',
    activation: ACTIVATIONS[c.k % 4], outputActivation: OUTS[c.k % 3], returnSequences: c.k % 2 === 1, learnInitialState: c.k % 4 < 2,
    ...(c.L > 1 ? { dropout: 0.25 } : {}), ...(c.input !== 'tokens' && c.k % 5 === 0 ? { inputDropout: 0.125 } : {}), ...(c.k % 7 === 0 ? { recurrentDropout: 0.5 } : {}),
    seed: 10 + c.k, backend,
  };
}

/** A model of the case, its s0 set non-zero when it learns one (create leaves it 0). */
async function tripModel(c: RoundTrip, backend: 'wasm' | 'js'): Promise<SimpleRNN> {
  const m = await SimpleRNN.create(tripOptions(c, backend));
  if (m.config.learnInitialState) {
    const rng = new Rng(c.k);
    const p = m.getParams();
    m.setParams(Object.fromEntries(m.paramNames.filter((k) => k.startsWith('s0')).map((k) => [k, p[k].map(() => rng.uniform() - 0.5)])));
  }
  return m;
}

const label = (c: RoundTrip) => `${c.L} layer(s) ${c.kind}, ${c.input}`;

describe.each(BACKENDS)('toPytorch → fromPytorch, %s backend', (backend) => {
  it.each(TRIPS.map((c) => [label(c), c] as const))('%s: the same model, bit for bit', async (_, c) => {
    const m = await tripModel(c, backend);
    const back = await fromPytorch(toPytorch(m).safetensors, { backend });
    try {
      expect(back.config).toEqual(m.config);
      expect(bits(back)).toEqual(bits(m));
      const rng = new Rng(c.k + 100);
      const x = c.input === 'dense' ? denseBatch(rng, [4, 2, 3], 3) : tokenBatch(rng, [4, 2, 3], 6);
      expect(back.predict(x as never)).toEqual(m.predict(x as never));
    } finally {
      m.dispose();
      back.dispose();
    }
  });
});

describe('toPytorch: the export', () => {
  it('writes the state_dict names and shapes of the module, and the mapping', async () => {
    const m = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, layers: 2, bidirectional: true, outputSize: 2, learnInitialState: true });
    const e = toPytorch(m);
    const f = readSafetensors(e.safetensors);
    const shapes = Object.fromEntries([...f.tensors].map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      h0: [4, 1, 4], 'linear.bias': [2], 'linear.weight': [2, 8],
      ...Object.fromEntries(['l0', 'l0_reverse', 'l1', 'l1_reverse'].flatMap((x) => [
        [`rnn.bias_hh_${x}`, [4]], [`rnn.bias_ih_${x}`, [4]], [`rnn.weight_hh_${x}`, [4, 4]], [`rnn.weight_ih_${x}`, [4, x.startsWith('l0') ? 3 : 8]],
      ])),
    });
    expect([...f.tensors.keys()]).toEqual([...f.tensors.keys()].sort()); // names sorted
    const p = m.getParams();
    const get = (k: string) => f.tensors.get(k)!.data;
    // weight_hh_l1_reverse[h][r] = Ws_l1_reverse[r][h]; weight_ih_l1_reverse[h][i] = Ws_l1_reverse[H + i][h]
    expect(get('rnn.weight_hh_l1_reverse')[1 * 4 + 2]).toBe(p.Ws_l1_reverse[2 * 4 + 1]);
    expect(get('rnn.weight_ih_l1_reverse')[3 * 8 + 5]).toBe(p.Ws_l1_reverse[(4 + 5) * 4 + 3]);
    expect(Array.from(get('rnn.bias_ih_l1'))).toEqual(Array.from(p.bs_l1));
    expect(Array.from(get('rnn.bias_hh_l1')).every((v) => v === 0)).toBe(true);
    expect(get('linear.weight')[1 * 8 + 6]).toBe(p.Wo[6 * 2 + 1]);
    expect(e.config).toMatchObject({ layout: 'stack', hidden_size: [4, 4], num_layers: 2, bidirectional: true, learned_h0: true, input_size: 3 });
    expect(JSON.parse(f.metadata![PYTORCH_METADATA_KEY]).config.layers).toBe(2);
    expect(e.module).toContain('class SimpleRNNModule(nn.Module)');
    expect(e.module).toContain(JSON.stringify(JSON.stringify(e.config)));
    m.dispose();
  });

  it('a token model without E exports nn.Embedding(V, dirs·H) and weight_ih_l0 = [I 0] / [0 I]', async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 3, bidirectional: true, outputSize: 2 });
    const f = readSafetensors(toPytorch(m).safetensors);
    expect(f.tensors.get('embedding.weight')!.shape).toEqual([5, 6]);
    const ih = Array.from(f.tensors.get('rnn.weight_ih_l0_reverse')!.data);
    expect(ih).toEqual(Array.from({ length: 18 }, (_, k) => (k % 6 === 3 + Math.floor(k / 6) ? 1 : 0)));
    const p = m.getParams();
    expect(f.tensors.get('embedding.weight')!.data[2 * 6 + 3 + 1]).toBe(p.Ws_reverse[(3 + 2) * 3 + 1]); // token 2, reverse unit 1
    m.dispose();
  });

  it('layers of different sizes, or a merge other than concat under another layer, export one nn.RNN per layer', async () => {
    for (const o of [{ hiddenSize: [4, 3] }, { hiddenSize: 4, bidirectional: true, merge: 'sum' as const }]) {
      const m = await SimpleRNN.create({ inputSize: 2, layers: 2, outputSize: 2, learnInitialState: true, ...o });
      const e = toPytorch(m);
      expect(e.config.layout).toBe('layers');
      expect([...readSafetensors(e.safetensors).tensors.keys()]).toEqual(expect.arrayContaining(['rnn.0.weight_ih_l0', 'rnn.1.weight_hh_l0', 'h0.0', 'h0.1']));
      m.dispose();
    }
  });

  it('a float64 model is rounded to float32', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend: 'js', precision: 'float64' });
    m.setParams({ bs: [0.1, 0.2, 0.3] });
    const back = await fromPytorch(toPytorch(m).safetensors, { backend: 'js', precision: 'float64' });
    expect(Array.from(back.getParams().bs)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    m.dispose();
    back.dispose();
  });

  it('refuses what is not a live SimpleRNN', async () => {
    expect(() => toPytorch({} as SimpleRNN)).toThrow(TypeError);
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    m.dispose();
    expect(() => toPytorch(m)).toThrow(/disposed/);
  });
});

describe('fromPytorch: options and metadata', () => {
  const make = async (o: Partial<SimpleRNNOptions> = {}) => SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 3, ...o });

  it('options override the stored settings; a stored seed is kept', async () => {
    const m = await make({ returnSequences: true, activation: 'relu', seed: 7 });
    const back = await fromPytorch(toPytorch(m).safetensors, { returnSequences: false, outputActivation: 'linear' });
    expect(back.config).toMatchObject({ returnSequences: false, outputActivation: 'linear', activation: 'relu', seed: 7 });
    m.dispose();
    back.dispose();
  });

  it('renamed modules are found through options.names (and a bare nn.RNN with rnn: "")', async () => {
    const m = await make({ learnInitialState: true });
    const f = readSafetensors(toPytorch(m).safetensors);
    const rename = (to: (k: string) => string): SafetensorsInput[] => [...f.tensors].map(([k, t]) => ({ name: to(k), shape: t.shape, data: t.data }));
    const renamed = writeSafetensors(rename((k) => k.replace(/^rnn\./, 'encoder.').replace(/^linear\./, 'fc.').replace(/^h0$/, 'init')));
    await expect(fromPytorch(renamed)).rejects.toThrow(/have no "rnn\.weight_ih_l0".*options\.names/);
    const back = await fromPytorch(renamed, { names: { rnn: 'encoder', linear: 'fc', h0: 'init' } });
    expect(bits(back)).toEqual(bits(m));
    back.dispose();
    const bare = await fromPytorch(writeSafetensors(rename((k) => k.replace(/^rnn\./, ''))), { names: { rnn: '' } });
    expect(bits(bare)).toEqual(bits(m));
    bare.dispose();
    m.dispose();
  });

  it('reads each option once', async () => {
    const m = await make();
    const { o, reads } = counted({ activation: 'relu', returnSequences: true, names: { rnn: 'rnn' }, backend: 'js', seed: 3 } as PytorchImportOptions);
    const back = await fromPytorch(toPytorch(m).safetensors, o);
    expectAllOnce(reads);
    expect(back.config).toMatchObject({ activation: 'relu', returnSequences: true, backend: 'js', seed: 3 });
    m.dispose();
    back.dispose();
  });

  it('refuses unknown options and names, with the closest key', async () => {
    const m = await make();
    const b = toPytorch(m).safetensors;
    m.dispose();
    await expect(fromPytorch(b, { activaton: 'tanh' } as never)).rejects.toThrow(/options\.activaton is not an option.*did you mean activation\?/);
    await expect(fromPytorch(b, { names: { linaer: 'fc' } } as never)).rejects.toThrow(/options\.names\.linaer is not a module name.*did you mean linear\?/);
    await expect(fromPytorch(b, { merge: 'add' } as never)).rejects.toThrow(TypeError);
    await expect(fromPytorch('x' as never)).rejects.toThrow(/bytes must be a Uint8Array or an ArrayBuffer/);
  });

  it('refuses a metadata that disagrees with the tensors, naming both', async () => {
    const a = await make();
    const b = await make({ hiddenSize: 5 });
    const fa = readSafetensors(toPytorch(a).safetensors);
    const fb = readSafetensors(toPytorch(b).safetensors);
    const forged = writeSafetensors([...fa.tensors].map(([k, t]) => ({ name: k, shape: t.shape, data: t.data })), fb.metadata!);
    await expect(fromPytorch(forged)).rejects.toThrow(/simple_rnn"\]\.config\.hiddenSize = 5 disagrees with the tensors: tensors\["rnn\.weight_hh_l0"\] rows give H = \[4\]/);
    const bad = { [PYTORCH_METADATA_KEY]: fa.metadata![PYTORCH_METADATA_KEY].replace('"layers":1', '"layers":1,"colour":"red"') };
    await expect(fromPytorch(writeSafetensors([...fa.tensors].map(([k, t]) => ({ name: k, shape: t.shape, data: t.data })), bad))).rejects.toThrow(/config\.colour is not a setting/);
    a.dispose();
    b.dispose();
  });
});

describe('fromPytorch: a state_dict that is not the model', () => {
  /** Tensors of the given names and shapes, every value 0.1. */
  const dict = (entries: [string, number[]][]): SafetensorsInput[] =>
    entries.map(([name, shape]) => ({ name, shape, data: new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0.1) }));
  const rnn = (L: number, H = 4, I = 3, bi = false): [string, number[]][] =>
    Array.from({ length: L }, (_, l) => (bi ? ['', '_reverse'] : ['']).flatMap((x): [string, number[]][] => [
      [`rnn.weight_ih_l${l}${x}`, [H, l ? (bi ? 2 * H : H) : I]], [`rnn.weight_hh_l${l}${x}`, [H, H]], [`rnn.bias_ih_l${l}${x}`, [H]], [`rnn.bias_hh_l${l}${x}`, [H]],
    ])).flat();
  const head = (inW = 4, O = 2): [string, number[]][] => [['linear.weight', [O, inW]], ['linear.bias', [O]]];

  it('a wrong shape names the tensor and what was expected', async () => {
    const t = rnn(2, 4, 3, true);
    await expect(fromPytorch(writeSafetensors(dict([...t, ...head(8)])), { merge: 'sum' })).rejects.toThrow(/tensors\["rnn\.weight_ih_l1"\] has shape \[4,8\]; expected \[H=4, In=4\] \(layer 0's output, merge 'sum'\)/);
    await expect(fromPytorch(writeSafetensors(dict([...rnn(1), ...head(5)])))).rejects.toThrow(/tensors\["linear\.weight"\] has shape \[2,5\]; expected \[O, 4\]/);
    const square = rnn(1).map(([k, sh]): [string, number[]] => [k, k === 'rnn.weight_hh_l0' ? [4, 3] : sh]);
    await expect(fromPytorch(writeSafetensors(dict([...square, ...head()])))).rejects.toThrow(/weight_hh_l0"\] has shape \[4,3\]; expected \[H, H\]/);
  });

  it('a tensor that is not part of the model is refused; so is a missing one', async () => {
    await expect(fromPytorch(writeSafetensors(dict([...rnn(1), ...head(), ['norm.weight', [4]]])))).rejects.toThrow(/tensors\["norm\.weight"\] is not part of the model/);
    await expect(fromPytorch(writeSafetensors(dict(rnn(1))))).rejects.toThrow(/have no "linear\.weight"/);
    await expect(fromPytorch(writeSafetensors(dict(rnn(1).filter(([k]) => k !== 'rnn.bias_hh_l0').concat(head()))))).rejects.toThrow(/have "rnn\.bias_ih_l0" but no "rnn\.bias_hh_l0"/);
  });

  it('sizes are checked before a value is decoded: 17 layers are refused before the NaN in them is seen', async () => {
    const write = (t: SafetensorsInput[]) => {
      // writeSafetensors refuses NaN: write 0.1 everywhere, then patch the first float of rnn.weight_ih_l0
      const b = writeSafetensors(t);
      const n = Number(new DataView(b.buffer).getBigUint64(0, true));
      const off = (JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }>)['rnn.weight_ih_l0'].data_offsets[0];
      new DataView(b.buffer).setFloat32(8 + n + off, NaN, true);
      return b;
    };
    await expect(fromPytorch(write(dict([...rnn(17, 1, 1), ...head(1)])))).rejects.toThrow(/tensors\["rnn\.weight_ih_l16"\] is layer 17; SimpleRNN\.create takes at most 16 layers/);
    await expect(fromPytorch(write(dict([...rnn(1, 1, 1), ...head(1, 1)])), { outputActivation: 'softmax' })).rejects.toThrow(/tensors\["linear\.weight"\] rows = 1 is too small for softmax/);
    await expect(fromPytorch(write(dict([...rnn(1, 1, 1), ...head(1)])))).rejects.toThrow(/tensors\["rnn\.weight_ih_l0"\]\[0\] = NaN is not finite in float32/);
  });

  it('an embedding whose width is not weight_ih_l0\'s is refused', async () => {
    await expect(fromPytorch(writeSafetensors(dict([['embedding.weight', [5, 2]], ...rnn(1), ...head()])))).rejects.toThrow(/weight_ih_l0"\] has shape \[4,3\]; expected \[H=4, D=2\]/);
  });
});
