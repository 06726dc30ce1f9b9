// ONNX in and out, against the real other systems: PyTorch's torch.onnx.export graphs (fixtures written by
// scripts/onnx-fixtures.py with torch's outputs) imported and predicting what torch predicts; our toOnnx graphs run in
// onnxruntime-web (wasm, in Node) predicting what we predict, padded batches included; fromOnnx(toOnnx(m)) giving the
// parameters back bit for bit; hostile bytes and unsupported graphs refused by name.
// Tolerance {atol: 1e-5, rtol: 0}: our wasm tanh (and sigmoid) is a rational approximation (|err| <= 1e-6 per step)
// and float32 dot products are summed in other orders than torch's and onnxruntime's (which fuse multiply-adds), over
// up to 3 layers and 2 directions; the measured worst differences are printed at the end (about 1e-7 to 1e-6).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import type { MergeMode } from '../../src/config.js';
import { toOnnx } from '../../src/interop/onnx-export.js';
import { fromOnnx } from '../../src/interop/onnx-import.js';
import { DT, type AttributeOut, type ModelOut, type NodeOut, type OnnxTensor } from '../../src/interop/onnx-format.js';
import { checkData, decodeFloats, readModel, writeModel } from '../../src/interop/onnx-proto.js';
import { ProtoWriter } from '../../src/interop/protobuf.js';
import { wasmBackend } from '../../src/backends/wasm.js';
import { BACKENDS, Margins, counted, expectAllOnce, expectClose, flat } from '../util.js';
import { editable, hasPythonOnnx, onnxCheck } from './onnx-util.js';

ort.env.wasm.numThreads = 1;
const TOL = { atol: 1e-5, rtol: 0 }; // see the header
const FIXTURES = join(import.meta.dirname, '../fixtures/onnx');
const margins = new Margins();
const compare = (actual: unknown, expected: unknown, label: string, group: string) => margins.check(actual, expected, { ...TOL, label }, group);

afterAll(() => {
  console.log(`onnx interop: max |difference| (tolerance ${TOL.atol})\n${margins.table()}`);
});

/** Every parameter's bytes, so equality means bit-identical floats (-0 included). */
const bits = (m: SimpleRNN) => Object.fromEntries(Object.entries(m.getParams()).map(([k, a]) => [k, Array.from(new Uint8Array(Float32Array.from(a).buffer))]));
/** The config without the import options (seed, backend, precision). */
const shapeOf = (m: SimpleRNN) => {
  const { seed: _s, backend: _b, precision: _p, ...rest } = m.config;
  return rest;
};

// ---- PyTorch ----

interface Fixture {
  name: string;
  what: string;
  tokens: boolean;
  inputs: number[][] | number[][][];
  outputs: number[][] | number[][][];
  states: number[][];
  ragged?: { inputs: number[][] | number[][][]; outputs: unknown[]; states: number[][] };
}
const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)).sort();
const fixture = (name: string) => ({
  bytes: readFileSync(join(FIXTURES, `${name}.onnx`)),
  json: JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture,
});

describe('torch.onnx.export graphs (fixtures from scripts/onnx-fixtures.py)', () => {
  it('has the fixtures', () => {
    expect(fixtureNames).toEqual(['birnn2_tanh', 'emb_birnn1_seq_relu', 'emb_rnn1_seq', 'rnn1_last_sigmoid_nobias', 'rnn1_tanh', 'rnn2_relu', 'rnn3_seq_softmax']);
  });

  describe.each(BACKENDS)('%s backend', (backend) => {
    it.each(fixtureNames)('%s: predictions and final states equal torch\'s, and a ragged batch equals torch\'s packed sequences', async (name) => {
      const { bytes, json } = fixture(name);
      const m = await fromOnnx(bytes, { backend });
      try {
        const r = m.predict(json.inputs, { returnState: true });
        compare(r.outputs, json.outputs, `${name} outputs`, 'torch');
        compare(r.states, json.states, `${name} states`, 'torch');
        if (json.ragged) {
          const q = m.predict(json.ragged.inputs, { returnState: true });
          compare(q.outputs, json.ragged.outputs, `${name} ragged outputs`, 'torch packed');
          compare(q.states, json.ragged.states, `${name} ragged states`, 'torch packed');
        }
      } finally {
        m.dispose();
      }
    });
  });

  it('reads what each graph says', async () => {
    const cfg = async (name: string) => {
      const m = await fromOnnx(fixture(name).bytes, { backend: 'js' });
      const c = shapeOf(m);
      m.dispose();
      return c;
    };
    expect(await cfg('rnn1_tanh')).toMatchObject({ inputSize: 3, hiddenSize: 5, outputSize: 4, activation: 'tanh', outputActivation: 'linear', layers: 1, returnSequences: false });
    expect(await cfg('rnn2_relu')).toMatchObject({ inputSize: 4, hiddenSize: 6, layers: 2, activation: 'relu' });
    expect(await cfg('birnn2_tanh')).toMatchObject({ layers: 2, bidirectional: true, merge: 'concat', outputSize: 3 });
    expect(await cfg('emb_rnn1_seq')).toMatchObject({ vocabSize: 11, embeddingSize: 4, returnSequences: true });
    expect(await cfg('emb_birnn1_seq_relu')).toMatchObject({ vocabSize: 9, embeddingSize: 3, bidirectional: true, activation: 'relu', returnSequences: true });
    expect(await cfg('rnn3_seq_softmax')).toMatchObject({ layers: 3, outputActivation: 'softmax', returnSequences: true });
    expect(await cfg('rnn1_last_sigmoid_nobias')).toMatchObject({ outputActivation: 'sigmoid', returnSequences: false });
  });

  it('the fixtures run in onnxruntime-web as in torch (so they are the graphs torch meant)', async () => {
    for (const name of fixtureNames) {
      const { bytes, json } = fixture(name);
      const s = await ort.InferenceSession.create(bytes);
      const x = json.inputs;
      const dims = json.tokens ? [x.length, x[0].length] : [x.length, x[0].length, (x[0][0] as number[]).length];
      const input = json.tokens ? new ort.Tensor('int64', BigInt64Array.from(flat(x).map(BigInt)), dims) : new ort.Tensor('float32', Float32Array.from(flat(x)), dims);
      const r = await s.run({ input });
      compare(r.output.data as Float32Array, flat(json.outputs), `${name} in onnxruntime`, 'torch vs onnxruntime');
      await s.release();
    }
  });

  it('outputActivation applies to a graph that ends in logits; a graph\'s own Softmax cannot be overridden', async () => {
    const { bytes, json } = fixture('rnn1_tanh');
    const m = await fromOnnx(bytes, { outputActivation: 'softmax' });
    const soft = (z: number[]) => {
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      return e.map((v) => v / e.reduce((a, b) => a + b, 0));
    };
    compare(m.predict(json.inputs), (json.outputs as number[][]).map(soft), 'softmax of torch logits', 'torch');
    m.dispose();
    await expect(fromOnnx(fixture('rnn3_seq_softmax').bytes, { outputActivation: 'sigmoid' })).rejects.toThrow(/options\.outputActivation = 'sigmoid', but the graph ends in Softmax/);
    await expect(fromOnnx(bytes, { returnSequences: true })).rejects.toThrow(/options\.returnSequences = true, but the graph's output has no time axis/);
  });
});

// ---- toOnnx in onnxruntime-web ----

type Kind = 'forward' | MergeMode | 'goBackwards';
type InputKind = 'dense' | 'tokens' | 'embedding';
interface Case {
  L: number;
  kind: Kind;
  input: InputKind;
  activation: SimpleRNNOptions['activation'];
  outputActivation: SimpleRNNOptions['outputActivation'];
  returnSequences: boolean;
  learnInitialState: boolean;
}
const KINDS: Kind[] = ['forward', 'concat', 'sum', 'mul', 'ave', 'goBackwards'];
const INPUTS: InputKind[] = ['dense', 'tokens', 'embedding'];
const ACTS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
const OUTS = ['softmax', 'sigmoid', 'linear'] as const;
/** 18 cases: every layer count × every kind, the other settings rotating so that each meets each layer count. */
const CASES: Case[] = [1, 2, 3].flatMap((L) => KINDS.map((kind, k) => {
  const n = (L - 1) * KINDS.length + k;
  return { L, kind, input: INPUTS[(k + L) % 3], activation: ACTS[n % 4], outputActivation: OUTS[(n + L) % 3], returnSequences: (k + L) % 2 === 0, learnInitialState: n % 3 !== 1 };
}));
const I = 3;
const V = 7;
const D = 4;
const O = 3;
const HIDDEN = [5, 3, 4];
const LENGTHS = [5, 2, 4]; // a padded batch: the lengths differ

const caseName = (c: Case) => `L=${c.L} ${c.kind} ${c.input} ${c.activation}→${c.outputActivation}${c.returnSequences ? ' seq' : ''}${c.learnInitialState ? ' s0' : ''}`;

async function makeModel(c: Case, extra: Partial<SimpleRNNOptions> = {}): Promise<SimpleRNN> {
  const bidirectional = c.kind !== 'forward' && c.kind !== 'goBackwards';
  const m = await SimpleRNN.create({
    ...(c.input === 'dense' ? { inputSize: I } : { vocabSize: V }), ...(c.input === 'embedding' ? { embeddingSize: D } : {}),
    hiddenSize: HIDDEN.slice(0, c.L), layers: c.L, outputSize: O, bidirectional, merge: bidirectional ? (c.kind as MergeMode) : 'concat',
    goBackwards: c.kind === 'goBackwards', activation: c.activation, outputActivation: c.outputActivation, returnSequences: c.returnSequences,
    learnInitialState: c.learnInitialState, seed: 11 + c.L, ...extra,
  });
  // non-zero biases and initial states, so that both travel
  const rng = new Rng(5 + c.L);
  const p = m.getParams();
  const set: Record<string, Float32Array> = {};
  for (const k of m.paramNames) if (k.startsWith('bs') || k === 'bo' || (c.learnInitialState && k.startsWith('s0'))) set[k] = Float32Array.from(p[k], () => rng.uniform() - 0.5);
  m.setParams(set);
  return m;
}

function batchOf(c: Case, rng: Rng): number[][] | number[][][] {
  return LENGTHS.map((T) => Array.from({ length: T }, () => (c.input === 'dense' ? Array.from({ length: I }, () => 2 * rng.uniform() - 1) : rng.int(V)))) as number[][] | number[][][];
}

/** Runs toOnnx's bytes in onnxruntime-web on the padded batch (pad steps filled with `pad`). */
async function runOrt(bytes: Uint8Array, seqs: (number | number[])[][], tokens: boolean, opts: { pad?: number; tokenType?: 'int64' | 'int32' } = {}) {
  const s = await ort.InferenceSession.create(bytes);
  const B = seqs.length;
  const T = Math.max(...seqs.map((q) => q.length));
  const pad = opts.pad ?? 0;
  const rows = seqs.flatMap((q) => [...q, ...Array(T - q.length).fill(tokens ? pad : Array(I).fill(pad))]);
  const input = !tokens
    ? new ort.Tensor('float32', Float32Array.from((rows as number[][]).flat()), [B, T, I])
    : opts.tokenType === 'int32' ? new ort.Tensor('int32', Int32Array.from(rows as number[]), [B, T]) : new ort.Tensor('int64', BigInt64Array.from((rows as number[]).map(BigInt)), [B, T]);
  const r = await s.run({ input, lengths: new ort.Tensor('int32', Int32Array.from(seqs.map((q) => q.length)), [B]) });
  await s.release();
  return { output: r.output.data as Float32Array, dims: r.output.dims, state: r.state.data as Float32Array, T };
}

/** ORT's output at the real steps (and the pad steps, which must be 0), as predict's nested arrays. */
function realSteps(out: Float32Array, lengths: number[], T: number, rs: boolean, o = O): { real: number[][] | number[][][]; pads: number[] } {
  const pads: number[] = [];
  if (!rs) return { real: lengths.map((_, b) => Array.from(out.subarray(b * o, (b + 1) * o))), pads };
  const real = lengths.map((n, b) => Array.from({ length: T }, (_, t) => Array.from(out.subarray((b * T + t) * o, (b * T + t + 1) * o))).filter((row, t) => t < n || (pads.push(...row), false)));
  return { real, pads };
}

describe('toOnnx runs in onnxruntime-web and predicts what predict does', () => {
  it('covers every layer count, kind, input and activation, both returnSequences and learned s0', () => {
    for (const L of [1, 2, 3]) {
      const cs = CASES.filter((c) => c.L === L);
      expect(new Set(cs.map((c) => c.kind)).size).toBe(KINDS.length);
      expect(new Set(cs.map((c) => c.input)).size).toBe(3);
      expect(new Set(cs.map((c) => c.returnSequences)).size).toBe(2);
    }
    expect(new Set(CASES.map((c) => c.activation)).size).toBe(4);
    expect(new Set(CASES.map((c) => c.outputActivation)).size).toBe(3);
    expect(new Set(CASES.filter((c) => c.kind === 'goBackwards').map((c) => c.returnSequences)).size).toBe(2);
  });

  it.each(CASES.map((c) => [caseName(c), c] as const))('%s: outputs, pad steps, states; fromOnnx(toOnnx(m)) bit for bit', async (_, c) => {
    const m = await makeModel(c);
    const rng = new Rng(3);
    const seqs = batchOf(c, rng);
    const bytes = toOnnx(m);
    const ref = m.predict(seqs, { returnState: true });
    const r = await runOrt(bytes, seqs as (number | number[])[][], c.input !== 'dense');
    expect(r.dims).toEqual(c.returnSequences ? [3, r.T, O] : [3, O]);
    const { real, pads } = realSteps(r.output, LENGTHS, r.T, c.returnSequences);
    compare(real, ref.outputs, `${caseName(c)} output`, 'ours vs onnxruntime');
    expect(pads.every((v) => v === 0), 'output is 0 at pad steps').toBe(true);
    compare(r.state, flat(ref.states), `${caseName(c)} state`, 'ours vs onnxruntime');

    const back = await fromOnnx(bytes);
    expect(shapeOf(back)).toEqual(shapeOf(m));
    expect(bits(back)).toEqual(bits(m));
    expect(flat(back.predict(seqs))).toEqual(flat(ref.outputs)); // same bits in, same kernels: the same outputs
    back.dispose();
    m.dispose();
  });

  it('pad steps never enter: NaN in the padding changes nothing, for either direction and the reverse start', async () => {
    for (const kind of ['concat', 'goBackwards'] as const) {
      const c: Case = { L: 2, kind, input: 'dense', activation: 'tanh', outputActivation: 'linear', returnSequences: true, learnInitialState: false };
      const m = await makeModel(c);
      const seqs = batchOf(c, new Rng(9));
      const bytes = toOnnx(m);
      const a = await runOrt(bytes, seqs as number[][][], false);
      const b = await runOrt(bytes, seqs as number[][][], false, { pad: NaN });
      expect(Array.from(b.output)).toEqual(Array.from(a.output));
      expect(Array.from(b.state)).toEqual(Array.from(a.state));
      m.dispose();
    }
  });

  it('token ids as int32 (tokenType), the js backend, and a float64 model (rounded to float32)', async () => {
    const c: Case = { L: 2, kind: 'sum', input: 'tokens', activation: 'tanh', outputActivation: 'softmax', returnSequences: false, learnInitialState: true };
    const m = await makeModel(c, { backend: 'js' });
    const seqs = batchOf(c, new Rng(4));
    const r = await runOrt(toOnnx(m, { tokenType: 'int32' }), seqs as number[][], true, { tokenType: 'int32' });
    compare(realSteps(r.output, LENGTHS, r.T, false).real, m.predict(seqs), 'int32 ids', 'ours vs onnxruntime');
    const m64 = await makeModel(c, { backend: 'js', precision: 'float64' });
    const back = await fromOnnx(toOnnx(m64), { backend: 'js', precision: 'float64' });
    const p = m64.getParams();
    const q = back.getParams();
    for (const k of m64.paramNames) expect(Array.from(q[k]), k).toEqual(Array.from(p[k]).map(Math.fround));
    for (const x of [m, m64, back]) x.dispose();
    expect(() => toOnnx(m, {})).toThrow(/model was disposed/);
  });

  it('model.metadata travels in metadata_props and comes back; one that is not JSON is refused', async () => {
    const m = await SimpleRNN.create({ vocabSize: 3, hiddenSize: 4, outputSize: 3 });
    m.metadata = { vocabulary: ['a', 'b', 'c'], note: 'carried', nested: [[1, 2], { x: null }] };
    const back = await fromOnnx(toOnnx(m));
    expect(back.metadata).toEqual(m.metadata);
    back.dispose();
    m.metadata = undefined;
    const bare = await fromOnnx(toOnnx(m));
    expect(bare.metadata).toBeUndefined();
    bare.dispose();
    m.metadata = { n: 1n };
    expect(() => toOnnx(m)).toThrow(/SimpleRNN\.toOnnx: model\.metadata must be a JSON value/);
    m.metadata = { vocabulary: ['a'] };
    const forged = edit(toOnnx(m), (x) => (x.metadata.find((e) => e.key === 'simple-rnn.metadata')!.value = '{"vocabulary": ['));
    await expect(fromOnnx(forged)).rejects.toThrow(/metadata_props\['simple-rnn\.metadata'\] is not valid JSON/);
    m.dispose();
  });

  it('refuses what it must: options by name, a model that is not one', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    expect(() => toOnnx(m, { tokentype: 'int32' } as never)).toThrow(/options\.tokentype is not an option; expected one of tokenType, initialState; did you mean tokenType\?/);
    expect(() => toOnnx(m, { tokenType: 'int16' } as never)).toThrow(/options\.tokenType must be 'int64' or 'int32'/);
    expect(() => toOnnx({} as never)).toThrow(/SimpleRNN\.toOnnx: model must be a SimpleRNN/);
    m.dispose();
  });
});

describe.skipIf(!hasPythonOnnx())('the onnx package accepts the export', () => {
  it('onnx.checker.check_model(full_check=True) passes for a deep bidirectional, a goBackwards token and an embedding model', async () => {
    const picks = [CASES[7], CASES[11], CASES.find((c) => c.input === 'embedding' && c.returnSequences)!];
    const models: Uint8Array[] = [];
    for (const c of picks) {
      const m = await makeModel(c);
      models.push(toOnnx(m));
      m.dispose();
    }
    expect(onnxCheck(models)).toBe('ok');
  });
});


// ---- hostile bytes and unsupported graphs ----

const edit = (bytes: Uint8Array, change: (m: ModelOut) => void): Uint8Array => {
  const m = editable(readModel('test', bytes));
  change(m);
  return writeModel(m);
};
const node = (m: ModelOut, op: string, k = 0): NodeOut & { attributes: AttributeOut[] } => {
  const n = m.nodes.filter((x) => x.opType === op)[k];
  n.attributes ??= [];
  return n as NodeOut & { attributes: AttributeOut[] };
};
const init = (m: ModelOut, name: string) => m.initializers.find((t) => t.name === name)!;

describe('fromOnnx refuses hostile bytes and graphs it does not compute, by name', () => {
  const dense: Case = { L: 2, kind: 'sum', input: 'dense', activation: 'tanh', outputActivation: 'softmax', returnSequences: true, learnInitialState: true };
  let good: Uint8Array;
  let tokens: Uint8Array;
  let plain: Uint8Array;
  const ready = (async () => {
    const m = await makeModel(dense);
    good = toOnnx(m);
    m.dispose();
    const t = await makeModel({ ...dense, L: 1, kind: 'forward', input: 'embedding' });
    tokens = toOnnx(t);
    t.dispose();
    const p = await makeModel({ ...dense, L: 1, kind: 'forward', learnInitialState: false });
    plain = toOnnx(p);
    p.dispose();
  })();

  it('an editable copy of a good file imports (the edits below change one thing each)', async () => {
    await ready;
    const m = await fromOnnx(edit(good, () => {}));
    m.dispose();
  });

  it('float_data initializers (packed and unpacked) import as raw_data ones do, bit for bit', async () => {
    await ready;
    const a = await fromOnnx(good);
    for (const floatData of ['packed', 'unpacked'] as const) {
      const b = await fromOnnx(edit(good, (m) => m.initializers.forEach((t) => (t.floatData = floatData))));
      expect(bits(b)).toEqual(bits(a));
      b.dispose();
    }
    a.dispose();
  });

  it('bytes that are not protobuf: truncated varints, lengths beyond the buffer, nesting too deep, groups', async () => {
    await expect(fromOnnx(new Uint8Array([0x08, 0xff, 0xff]))).rejects.toThrow(/SimpleRNN\.fromOnnx: bytes is truncated: a varint runs past the end of the message \(at byte 1 of 3\)/);
    await expect(fromOnnx(new Uint8Array([0x08, ...Array(10).fill(0xff), 0x01]))).rejects.toThrow(/has a varint longer than 10 bytes/);
    await expect(fromOnnx(new Uint8Array([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]))).rejects.toThrow(/int64 of 2\^56|beyond the safe integers/);
    await expect(fromOnnx(new Uint8Array([0x3a, 0xe8, 0x07, 0x0a, 0x00]))).rejects.toThrow(/bytes is truncated: a field says it holds 1000 bytes, but 2 are left/);
    await expect(fromOnnx(new Uint8Array([0x0b, 0x0c]))).rejects.toThrow(/wire type 3 \(group start\)/);
    // graph.input[0].type: a sequence of a sequence of ... 40 levels deep
    let type = new ProtoWriter().message(1, new ProtoWriter().int(1, DT.FLOAT));
    for (let k = 0; k < 40; k++) type = new ProtoWriter().message(4, new ProtoWriter().message(1, type));
    const deep = new ProtoWriter().int(1, 8).message(7, new ProtoWriter().message(11, new ProtoWriter().string(1, 'x').message(2, type))).finish();
    await expect(fromOnnx(deep)).rejects.toThrow(/graph\.input\[0\]\.type(\.sequence_type\.elem_type)+ is nested deeper than 32 messages/);
    await expect(fromOnnx('onnx' as never)).rejects.toThrow(TypeError);
  });

  it('every truncation of a good file is refused by name or imports; so is every byte flip, and what imports computes what onnxruntime computes', async () => {
    await ready;
    const refusedByName = (e: unknown, where: string) => {
      expect((e as Error).message, where).toMatch(/^SimpleRNN\.fromOnnx: /);
      expect(e instanceof RangeError || e instanceof TypeError, `${where}: ${(e as Error).message}`).toBe(true);
    };
    for (let n = 0; n < good.length; n += 37) {
      try {
        (await fromOnnx(good.subarray(0, n))).dispose();
      } catch (e) {
        refusedByName(e, `truncated at ${n}`);
      }
    }
    // a flipped byte the import accepts (a weight, a name, ...) must give a model that predicts what onnxruntime
    // computes from the same bytes, whenever onnxruntime runs them too: the graph reading is sound, not just careful.
    // Tolerance {atol: 1e-5, rtol: 1e-4}: a flipped exponent can make a weight large, and float32 differences with it.
    const seqs = (batchOf(dense, new Rng(2)) as number[][][]).map((q) => q.slice(0, 2));
    let compared = 0;
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), async (at, byte) => {
      const b = good.slice();
      b[at] = byte;
      let m: SimpleRNN;
      try {
        m = await fromOnnx(b);
      } catch (e) {
        refusedByName(e, `byte ${at} = ${byte}`);
        return;
      }
      try {
        const r = await runOrt(b, seqs, false).catch(() => null);
        if (r) {
          compared++;
          expectClose(flat(realSteps(r.output, [2, 2, 2], r.T, m.config.returnSequences, m.config.outputSize).real), flat(m.predict(seqs)), { atol: 1e-5, rtol: 1e-4, label: `byte ${at} = ${byte}` });
        }
      } finally {
        m.dispose();
      }
    }), { numRuns: 300, seed: 7 });
    expect(compared).toBeGreaterThan(10);
  });

  it('tensors whose data do not match their dims, huge dims, external data', async () => {
    await ready;
    await expect(fromOnnx(edit(good, (m) => {
      const w = init(m, 'rnn_l0.W');
      w.values = Array.from(w.values).slice(1);
    }))).rejects.toThrow(/graph\.initializer\[\d+\] 'rnn_l0\.W' has raw_data of 116 bytes; expected dims \[2, 5, 3\] × float32 = 30 × 4 = 120 bytes/);
    // (without our metadata, which would disagree first)
    await expect(fromOnnx(edit(tokens, (m) => {
      m.metadata = [];
      init(m, 'embedding.E').dims = [2 ** 40, 4];
    }))).rejects.toThrow(/graph\.initializer\[\d+\] 'embedding\.E'\.dims\[0\] = 1099511627776 is out of range; expected an integer in \[1, 16777216\] \(SimpleRNN\.create's vocabSize\)/);
    await expect(fromOnnx(edit(plain, (m) => {
      m.metadata = [];
      node(m, 'RNN').attributes = node(m, 'RNN').attributes.map((a) => (a.name === 'hidden_size' ? { name: a.name, i: 2 ** 20 } : a));
      init(m, 'rnn_l0.W').dims = [1, 2 ** 20, 3];
      init(m, 'rnn_l0.R').dims = [1, 2 ** 20, 2 ** 20];
      init(m, 'rnn_l0.B').dims = [1, 2 ** 21];
      init(m, 'head.Wo').dims = [2 ** 20, 3];
    }))).rejects.toThrow(/graph\.node\[\d+\] \(RNN\) attribute 'hidden_size' = 1048576 is out of range; expected an integer in \[1, 65536\] \(SimpleRNN\.create's hiddenSize\)/);
    const t: OnnxTensor = { name: 'w', dataType: DT.FLOAT, dims: [2], raw: new Uint8Array(8), floatRuns: [new Uint8Array(8)], doubleRuns: [], int32s: [], int64s: [], external: false, field: "graph.initializer[0] 'w'" };
    expect(() => checkData('fromOnnx', t)).toThrow(/holds its values in both raw_data and float_data; expected one/);
    expect(() => checkData('fromOnnx', { ...t, floatRuns: [], external: true })).toThrow(/external file/);
    expect(() => checkData('fromOnnx', { ...t, raw: null, floatRuns: [new Uint8Array(4)] })).toThrow(/holds 1 values in float_data; expected dims \[2\] = 2 elements/);
    expect(() => decodeFloats('fromOnnx', { ...t, raw: new Uint8Array([0, 0, 0xc0, 0x7f, 0, 0, 0, 0]), floatRuns: [] })).toThrow(/'w'\[0\] = NaN; expected a finite float32/);
  });

  it('graphs that compute something else, named by node and field', async () => {
    await ready;
    const refuse = (change: (m: ModelOut) => void, re: RegExp) => expect(fromOnnx(edit(good, change))).rejects.toThrow(re);
    await refuse((m) => {
      const rnn = node(m, 'RNN');
      rnn.attributes = rnn.attributes.map((a) => (a.name === 'activations' ? { name: a.name, strings: ['Softsign', 'Softsign'] } : a));
    }, /graph\.node\[\d+\] \(RNN\) attribute 'activations' lists 'Softsign'; expected Tanh, Relu, Sigmoid, or Affine with alpha 1 and beta 0/);
    await refuse((m) => {
      const w = init(m, 'rnn_l1.W');
      w.dims = [2, 3, 4];
      w.values = Array.from(w.values).slice(0, 24);
    }, /graph\.node\[\d+\] \(RNN\) input W has shape \[2, 3, 4\]; expected \[dirs, H, In\] = \[2, 3, 5\]/);
    await refuse((m) => {
      node(m, 'RNN', 1).opType = 'LSTM';
    }, /graph\.node\[\d+\] \(LSTM\) is not an op this reader supports/);
    await refuse((m) => {
      m.nodes.reverse();
    }, /is not computed before the node \(the nodes must be in topological order\)/);
    await refuse((m) => {
      node(m, 'Transpose').attributes = [{ name: 'perm', ints: [0, 1, 2] }];
    }, /graph\.node\[\d+\] \(RNN\) input\[0\] 'input_time_major' has axes \(batch, time, features\); expected \(time, batch, features\)/);
    await refuse((m) => {
      const less = node(m, 'Less');
      less.inputs.reverse();
    }, /graph\.node\[\d+\] \(Less\) input\[0\] 'lengths_column' is the lengths \(int64\) with axes \(batch, 1\); expected the time steps/);
    await refuse((m) => {
      node(m, 'Add').opType = 'Sub';
    }, /graph\.node\[\d+\] \(Sub\) is not an op this reader supports/);
    await refuse((m) => {
      const rnn = node(m, 'RNN', 1);
      rnn.attributes.push({ name: 'clip', f: 3 });
    }, /graph\.node\[\d+\] \(RNN\) attribute 'clip' is not supported/);
    await refuse((m) => {
      node(m, 'RNN', 1).attributes = node(m, 'RNN', 1).attributes.map((a) => (a.name === 'direction' ? { name: a.name, s: 'forward' } : a));
    }, /attribute 'direction' = 'forward', but layer 0 is 'bidirectional'; every layer must have the same direction/);
    await refuse((m) => {
      node(m, 'RNN', 1).inputs[4] = '';
    }, /graph\.node\[\d+\] \(RNN\) input sequence_lens is missing, unlike layer 0's; every layer must read the lengths, or none/);
    await refuse((m) => {
      m.outputs[0].name = 'rnn_l1.Y_h';
    }, /graph\.output\[0\] 'rnn_l1\.Y_h' has axes \(stack, batch, features\); expected \(batch, O\) or \(batch, time, O\)/);
    await refuse((m) => {
      m.opset = 9;
    }, /opset_import has opset 9; expected 11 to 23/);
  });

  it('our metadata must agree with the graph, and is read with care', async () => {
    await ready;
    const meta = (change: (c: Record<string, unknown>) => void) => edit(good, (m) => {
      const e = m.metadata.find((x) => x.key === 'simple-rnn.config')!;
      const c = JSON.parse(e.value);
      change(c);
      e.value = JSON.stringify(c);
    });
    await expect(fromOnnx(meta((c) => (c.merge = 'mul')))).rejects.toThrow(/metadata_props\['simple-rnn\.config'\]\.merge = "mul" disagrees with the graph, which gives "sum"/);
    await expect(fromOnnx(meta((c) => (c.returnSequences = false)))).rejects.toThrow(/\.returnSequences = false disagrees with the graph/);
    await expect(fromOnnx(meta((c) => (c.dropout = 'lots')))).rejects.toThrow(/\.dropout must be a number; got "lots"/);
    await expect(fromOnnx(meta((c) => (c.learningRate = 1)))).rejects.toThrow(/\.learningRate is not a key of the model config/);
    await expect(fromOnnx(edit(good, (m) => (m.metadata.find((x) => x.key === 'simple-rnn.config')!.value = '{')))).rejects.toThrow(/is not valid JSON/);
    await expect(fromOnnx(edit(good, (m) => (m.metadata.find((x) => x.key === 'simple-rnn.format')!.value = '2')))).rejects.toThrow(/this version reads format 1/);
    // without our metadata the graph alone gives the same model, but for what only the metadata says (dropout, ...)
    const bare = await fromOnnx(edit(good, (m) => (m.metadata = [])));
    const full = await fromOnnx(good);
    expect(bits(bare)).toEqual(bits(full));
    expect(shapeOf(bare)).toEqual(shapeOf(full));
    bare.dispose();
    full.dispose();
  });

  it('a refused import allocates nothing: 300 refused files leave the wasm memory as it was', async () => {
    await ready;
    const be = await wasmBackend();
    const refused = (n: number) => fromOnnx(good.subarray(0, n)).then((m) => m.dispose(), () => {});
    for (let n = 0; n < 20; n++) await refused(good.length - 1 - n); // the allocator's steady state
    const before = be.memoryBytes();
    for (let n = 0; n < 300; n++) await refused((n * 53) % good.length);
    expect(be.memoryBytes()).toBe(before);
  });

  it('options are read once and refused by name', async () => {
    await ready;
    const { o, reads } = counted({ backend: 'js' as const, outputActivation: 'softmax' as const, returnSequences: true, seed: 3 });
    (await fromOnnx(good, o)).dispose();
    expectAllOnce(reads);
    await expect(fromOnnx(good, { backnd: 'js' } as never)).rejects.toThrow(/SimpleRNN\.fromOnnx: options\.backnd is not an option; expected one of foldEmbedding, backend, precision, seed, learningRate, outputActivation, returnSequences; did you mean backend\?/);
    await expect(fromOnnx(good, { outputActivation: 'tanh' } as never)).rejects.toThrow(/options\.outputActivation must be one of 'softmax', 'sigmoid', 'linear'/);
    await expect(fromOnnx(good, { backend: 'gpu' } as never)).rejects.toThrow(/options\.backend/);
  });
});
