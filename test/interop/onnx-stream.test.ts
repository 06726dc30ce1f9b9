// Streaming in onnxruntime-web: toOnnx(m, { initialState: true }) takes each sequence's initial states as an input, so
// ORT given states computes predict(..., { initialStates, returnState: true }); feeding `state` back with time = 1
// steps as model.step() does; fromOnnx reads the graph back bit for bit; an initial_state used otherwise is refused.
// Tolerance {atol: 1e-5, rtol: 0}: our wasm tanh (and sigmoid) is a rational approximation (|err| <= 1e-6 per step)
// and float32 dot products are summed in other orders than onnxruntime's (which fuses multiply-adds), over up to 3
// layers, 2 directions and, in the one-token loop, 20 steps of two independent chains (ORT's and step()'s) whose
// differences the contracting recurrence keeps from growing; the worst differences are printed at the end.
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import type { MergeMode } from '../../src/config.js';
import { toOnnx } from '../../src/interop/onnx-export.js';
import { fromOnnx } from '../../src/interop/onnx-import.js';
import { DT, type ModelOut, type NodeOut } from '../../src/interop/onnx-format.js';
import { readModel, writeModel } from '../../src/interop/onnx-proto.js';
import { Margins, flat } from '../util.js';
import { editable, hasPythonOnnx, onnxCheck } from './onnx-util.js';

ort.env.wasm.numThreads = 1;
const TOL = { atol: 1e-5, rtol: 0 }; // see the header
const margins = new Margins();
const compare = (actual: unknown, expected: unknown, label: string, group: string) => margins.check(actual, expected, { ...TOL, label }, group);

afterAll(() => {
  console.log(`onnx streaming: max |difference| (tolerance ${TOL.atol})\n${margins.table()}`);
});

/** Every parameter's bytes, so equality means bit-identical floats (-0 included). */
const bits = (m: SimpleRNN) => Object.fromEntries(Object.entries(m.getParams()).map(([k, a]) => [k, Array.from(new Uint8Array(Float32Array.from(a).buffer))]));
/** The config without the import options (seed, backend, precision). */
const shapeOf = (m: SimpleRNN) => {
  const { seed: _s, backend: _b, precision: _p, ...rest } = m.config;
  return rest;
};

type Kind = 'forward' | 'goBackwards' | MergeMode;
interface Case {
  L: number;
  kind: Kind;
  input: 'dense' | 'tokens' | 'embedding';
  activation: SimpleRNNOptions['activation'];
  returnSequences: boolean;
  learnInitialState: boolean;
}
const I = 3;
const V = 7;
const D = 4;
const O = 3;
const HIDDEN = [5, 3, 4];
const LENGTHS = [5, 2, 4]; // a padded batch
const MERGES: MergeMode[] = ['concat', 'sum', 'ave'];
/**
 * 15 cases: per layer count, one direction dense and tokens, bidirectional dense and tokens, goBackwards; the
 * embedding, the merge, the activation, returnSequences and a learned s0 rotate so each meets each layer count.
 */
const CASES: Case[] = [1, 2, 3].flatMap((L) => {
  const tokens = L === 2 ? 'embedding' : 'tokens';
  const act = (['tanh', 'sigmoid', 'tanh'] as const)[L - 1];
  return [
    { L, kind: 'forward', input: 'dense', activation: act, returnSequences: L !== 2, learnInitialState: L !== 3 },
    { L, kind: 'forward', input: tokens, activation: 'tanh', returnSequences: L === 2, learnInitialState: L !== 1 },
    { L, kind: MERGES[L - 1], input: 'dense', activation: L === 3 ? 'relu' : 'tanh', returnSequences: L === 1, learnInitialState: true },
    { L, kind: MERGES[L % 3], input: tokens, activation: act, returnSequences: L === 3, learnInitialState: L === 2 },
    { L, kind: 'goBackwards', input: L === 1 ? 'tokens' : 'dense', activation: 'tanh', returnSequences: L !== 3, learnInitialState: L !== 2 },
  ] satisfies Case[];
});
const caseName = (c: Case) => `L=${c.L} ${c.kind} ${c.input} ${c.activation}${c.returnSequences ? ' seq' : ''}${c.learnInitialState ? ' s0' : ''}`;
const streams = (c: Case) => c.kind === 'forward';

async function makeModel(c: Case, hidden = HIDDEN.slice(0, c.L)): Promise<SimpleRNN> {
  const bidirectional = c.kind !== 'forward' && c.kind !== 'goBackwards';
  const m = await SimpleRNN.create({
    ...(c.input === 'dense' ? { inputSize: I } : { vocabSize: V }), ...(c.input === 'embedding' ? { embeddingSize: D } : {}),
    hiddenSize: hidden, layers: c.L, outputSize: O, bidirectional, merge: bidirectional ? (c.kind as MergeMode) : 'concat',
    goBackwards: c.kind === 'goBackwards', activation: c.activation, returnSequences: c.returnSequences,
    learnInitialState: c.learnInitialState, outputActivation: c.L === 2 ? 'softmax' : 'linear', seed: 21 + c.L,
  });
  // non-zero biases and a learned s0 (one -0 among it: the round trip must keep its sign)
  const rng = new Rng(8 + c.L);
  const p = m.getParams();
  const set: Record<string, Float32Array> = {};
  for (const k of m.paramNames) if (k.startsWith('bs') || k === 'bo' || (c.learnInitialState && k.startsWith('s0'))) set[k] = Float32Array.from(p[k], () => rng.uniform() - 0.5);
  if (c.learnInitialState) set.s0[0] = -0;
  m.setParams(set);
  return m;
}

const randomStates = (m: SimpleRNN, B: number, rng: Rng) => Array.from({ length: B }, () => Float32Array.from({ length: m.stateSize }, () => rng.uniform() - 0.5));
const sequences = (c: Case, lengths: number[], rng: Rng) =>
  lengths.map((T) => Array.from({ length: T }, () => (c.input === 'dense' ? Array.from({ length: I }, () => 2 * rng.uniform() - 1) : rng.int(V)))) as (number | number[])[][];

/** The ORT feeds for a padded batch (pad steps 0) and the given initial states. */
function feeds(seqs: (number | number[])[][], tokens: boolean, states: ArrayLike<number>[]): Record<string, ort.Tensor> {
  const B = seqs.length;
  const T = Math.max(...seqs.map((q) => q.length));
  const rows = seqs.flatMap((q) => [...q, ...Array(T - q.length).fill(tokens ? 0 : Array(I).fill(0))]);
  const S = states[0].length;
  const init = new Float32Array(B * S);
  states.forEach((s, b) => init.set(s, b * S));
  return {
    input: tokens ? new ort.Tensor('int64', BigInt64Array.from((rows as number[]).map(BigInt)), [B, T]) : new ort.Tensor('float32', Float32Array.from((rows as number[][]).flat()), [B, T, I]),
    lengths: new ort.Tensor('int32', Int32Array.from(seqs.map((q) => q.length)), [B]),
    initial_state: new ort.Tensor('float32', init, [B, S]),
  };
}

/** ORT's output at the real steps (pad steps, which must be 0, collected apart), as predict's nested arrays. */
function realSteps(out: Float32Array, lengths: number[], T: number, rs: boolean): { real: number[][] | number[][][]; pads: number[] } {
  const pads: number[] = [];
  if (!rs) return { real: lengths.map((_, b) => Array.from(out.subarray(b * O, (b + 1) * O))), pads };
  const real = lengths.map((n, b) => Array.from({ length: T }, (_, t) => Array.from(out.subarray((b * T + t) * O, (b * T + t + 1) * O))).filter((row, t) => t < n || (pads.push(...row), false)));
  return { real, pads };
}

describe('toOnnx(m, { initialState: true }) in onnxruntime-web', () => {
  it('covers 1-3 layers, one direction, bidirectional and goBackwards, dense and token inputs, learned s0 or not', () => {
    for (const L of [1, 2, 3]) {
      const cs = CASES.filter((c) => c.L === L);
      for (const bi of [false, true]) expect(new Set(cs.filter((c) => (c.kind !== 'forward' && c.kind !== 'goBackwards') === bi).map((c) => c.input !== 'dense')).size).toBe(2);
      expect(new Set(cs.filter(streams).map((c) => c.input !== 'dense')).size).toBe(2);
    }
    expect(new Set(CASES.map((c) => c.learnInitialState)).size).toBe(2);
    expect(new Set(CASES.map((c) => c.returnSequences)).size).toBe(2);
  });

  it.each(CASES.map((c) => [caseName(c), c] as const))('%s: given initial states, equals predict(..., { initialStates, returnState: true })', async (_, c) => {
    const m = await makeModel(c);
    const rng = new Rng(c.L * 17 + 1);
    const seqs = sequences(c, LENGTHS, rng);
    const states = randomStates(m, seqs.length, rng);
    const s = await ort.InferenceSession.create(toOnnx(m, { initialState: true }));
    try {
      expect(s.inputNames).toEqual(['input', 'lengths', 'initial_state']);
      const ref = m.predict(seqs as number[][], { initialStates: states, returnState: true });
      const r = await s.run(feeds(seqs, c.input !== 'dense', states));
      const T = Math.max(...LENGTHS);
      const { real, pads } = realSteps(r.output.data as Float32Array, LENGTHS, T, c.returnSequences);
      compare(real, ref.outputs, `${caseName(c)} output`, 'given states: output');
      expect(pads.every((v) => v === 0), 'output is 0 at pad steps').toBe(true);
      compare(r.state.data as Float32Array, flat(ref.states), `${caseName(c)} state`, 'given states: state');
      // the documented recipe for a new sequence: initial_state = model.initialState() gives predict without states
      const s0 = m.initialState();
      const fresh = await s.run(feeds(seqs, c.input !== 'dense', seqs.map(() => s0)));
      compare(realSteps(fresh.output.data as Float32Array, LENGTHS, T, c.returnSequences).real, m.predict(seqs as number[][]), `${caseName(c)} from s0`, 'initialState(): output');
    } finally {
      await s.release();
      m.dispose();
    }
  });

  it.each(CASES.filter(streams).map((c) => [caseName(c), c] as const))('%s: one token at a time, state fed back, equals step() over 20 tokens', async (_, c) => {
    const m = await makeModel(c);
    const rng = new Rng(c.L * 31 + 5);
    const N = 20;
    const seqs = sequences(c, [N, N], rng);
    const s = await ort.InferenceSession.create(toOnnx(m, { initialState: true }));
    try {
      // two streams: one new (from the model's s0), one resumed from some other state
      const start = [m.initialState(), randomStates(m, 1, rng)[0]];
      let ortState: Float32Array[] = start.map((v) => Float32Array.from(v));
      const ours: Float32Array[] = start.map((v) => Float32Array.from(v));
      for (let t = 0; t < N; t++) {
        const r = await s.run(feeds(seqs.map((q) => [q[t]]), c.input !== 'dense', ortState));
        const S = m.stateSize;
        const next = r.state.data as Float32Array;
        ortState = [0, 1].map((b) => next.slice(b * S, (b + 1) * S));
        for (let b = 0; b < 2; b++) {
          const st = m.step(ours[b], seqs[b][t]);
          ours[b] = st.state;
          compare(ortState[b], st.state, `${caseName(c)} stream ${b} step ${t} state`, 'one token at a time: state');
          compare((r.output.data as Float32Array).subarray(b * O, (b + 1) * O), st.output, `${caseName(c)} stream ${b} step ${t} output`, 'one token at a time: output');
        }
      }
      // and the loop ends where one run over the whole sequence does
      const whole = m.predict(seqs as number[][], { initialStates: start, returnState: true });
      compare(ortState.flatMap((v) => Array.from(v)), flat(whole.states), `${caseName(c)} final state`, 'one token at a time: vs predict');
    } finally {
      await s.release();
      m.dispose();
    }
  });

  it('H = 1, bidirectional: the (batch, 2) -> (batch, 2, 1) split reads as the two directions', async () => {
    const c: Case = { L: 2, kind: 'concat', input: 'dense', activation: 'tanh', returnSequences: false, learnInitialState: true };
    const m = await makeModel(c, [1, 1]);
    const rng = new Rng(4);
    const seqs = sequences(c, LENGTHS, rng);
    const states = randomStates(m, 3, rng);
    const bytes = toOnnx(m, { initialState: true });
    const s = await ort.InferenceSession.create(bytes);
    const r = await s.run(feeds(seqs, false, states));
    await s.release();
    const ref = m.predict(seqs as number[][][], { initialStates: states, returnState: true });
    compare(r.state.data as Float32Array, flat(ref.states), 'H=1 state', 'given states: state');
    const back = await fromOnnx(bytes);
    expect(bits(back)).toEqual(bits(m));
    back.dispose();
    m.dispose();
  });
});

describe('fromOnnx reads the streaming graphs back', () => {
  it.each(CASES.map((c) => [caseName(c), c] as const))('%s: fromOnnx(toOnnx(m, { initialState: true })) bit for bit, s0 from metadata_props', async (_, c) => {
    const m = await makeModel(c);
    const bytes = toOnnx(m, { initialState: true });
    const parsed = readModel('test', bytes);
    const meta = parsed.metadata.find((e) => e.key === 'simple-rnn.initial-state');
    // the graph holds no s0: no initializer of its values, no Expand of one over the batch
    expect(parsed.graph!.nodes.some((n) => n.opType === 'Expand')).toBe(false);
    expect(parsed.graph!.initializers.some((t) => t.name.includes('s0'))).toBe(false);
    expect(meta !== undefined).toBe(c.learnInitialState);
    if (meta) expect(Array.from(new Uint8Array(Float32Array.from(JSON.parse(meta.value) as number[]).buffer))).toEqual(Array.from(new Uint8Array(m.initialState().buffer)));
    const back = await fromOnnx(bytes);
    try {
      expect(shapeOf(back)).toEqual(shapeOf(m));
      expect(bits(back)).toEqual(bits(m));
      const seqs = sequences(c, LENGTHS, new Rng(6));
      expect(flat(back.predict(seqs as number[][]))).toEqual(flat(m.predict(seqs as number[][])));
    } finally {
      back.dispose();
      m.dispose();
    }
  });

  it('default false: the same bytes as without the option, two inputs; with it, the third input and its shape', async () => {
    const c = CASES.find((x) => x.L === 3 && x.kind !== 'forward' && x.learnInitialState)!;
    const m = await makeModel(c);
    const plain = toOnnx(m);
    expect(Array.from(toOnnx(m, { initialState: false }))).toEqual(Array.from(plain));
    expect(readModel('test', plain).graph!.inputs.map((v) => v.name)).toEqual(['input', 'lengths']);
    expect(readModel('test', plain).metadata.map((e) => e.key)).not.toContain('simple-rnn.initial-state');
    const g = readModel('test', toOnnx(m, { initialState: true })).graph!;
    const st = g.inputs[2];
    expect(st.name).toBe('initial_state');
    expect(st.type).toMatchObject({ kind: 'tensor', elemType: DT.FLOAT, shape: ['batch', m.stateSize] });
    // each RNN's initial_h comes from the input (three Slices: one per layer)
    expect(g.nodes.filter((n) => n.opType === 'Slice' && n.inputs[0] === 'initial_state')).toHaveLength(3);
    m.dispose();
  });

  it('without our metadata the graph alone gives the same weights and s0 = 0 (the caller passes s0)', async () => {
    const c = CASES.find((x) => x.L === 2 && x.kind === 'forward' && x.learnInitialState)!;
    const m = await makeModel(c);
    const bare = await fromOnnx(edit(toOnnx(m, { initialState: true }), (x) => (x.metadata = [])));
    const p = m.getParams();
    const q = bare.getParams();
    for (const k of m.paramNames) expect(Array.from(q[k]), k).toEqual(k.startsWith('s0') ? Array(p[k].length).fill(0) : Array.from(p[k]));
    expect(bare.config.learnInitialState).toBe(false);
    bare.dispose();
    m.dispose();
  });

  it('options: initialState must be a boolean, and a misspelt key is refused with the right one', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    expect(() => toOnnx(m, { initialState: 1 } as never)).toThrow(TypeError);
    expect(() => toOnnx(m, { initialState: 1 } as never)).toThrow(/SimpleRNN\.toOnnx: options\.initialState must be a boolean; got 1/);
    expect(() => toOnnx(m, { initialstate: true } as never)).toThrow(/options\.initialstate is not an option; expected one of tokenType, initialState; did you mean initialState\?/);
    m.dispose();
  });
});

// ---- hostile graphs ----

function edit(bytes: Uint8Array, change: (m: ModelOut) => void): Uint8Array {
  const m = editable(readModel('test', bytes));
  change(m);
  return writeModel(m);
}
const nodeOf = (m: ModelOut, op: string, k = 0): NodeOut => m.nodes.filter((x) => x.opType === op)[k];
const byOutput = (m: ModelOut, name: string): NodeOut => m.nodes.find((x) => x.outputs.includes(name))!;
/** Inserts a node before the first node that reads `before`'s value. */
const insertBefore = (m: ModelOut, reader: NodeOut, n: NodeOut) => m.nodes.splice(m.nodes.indexOf(reader), 0, n);

describe('fromOnnx refuses an initial_state used any other way, naming the node', () => {
  // 2 layers, one direction (H 5, 3: stateSize 8), and 2 layers bidirectional (stateSize 16)
  const fwd: Case = { L: 2, kind: 'forward', input: 'dense', activation: 'tanh', returnSequences: false, learnInitialState: true };
  const bi: Case = { ...fwd, kind: 'concat' };
  let one: Uint8Array;
  let two: Uint8Array;
  const ready = (async () => {
    const a = await makeModel(fwd);
    one = toOnnx(a, { initialState: true });
    a.dispose();
    const b = await makeModel(bi);
    two = toOnnx(b, { initialState: true });
    b.dispose();
  })();
  const refuse = async (bytes: Uint8Array, change: (m: ModelOut) => void, re: RegExp) => {
    const err = await fromOnnx(edit(bytes, change)).then((m) => (m.dispose(), null), (e: unknown) => e);
    expect(err, String(re)).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^SimpleRNN\.fromOnnx: /);
    expect(err instanceof RangeError || err instanceof TypeError).toBe(true);
    expect((err as Error).message).toMatch(re);
  };

  it('an unedited copy imports (each edit below changes one thing)', async () => {
    await ready;
    for (const b of [one, two]) (await fromOnnx(edit(b, () => {}))).dispose();
  });

  it('anywhere but an initial_h: the head, a layer input, arithmetic, a Concat, a Cast, a Gather', async () => {
    await ready;
    await refuse(one, (m) => {
      nodeOf(m, 'Add').inputs[1] = 'initial_state';
    }, /graph\.node\[\d+\] \(Add\) adds the head's MatMul with axes \(batch, features\) and the initial states \[0, 8\) with axes \(batch, features\); expected a bidirectional layer's forward and reverse states/);
    await refuse(one, (m) => {
      nodeOf(m, 'RNN', 1).inputs[0] = 'initial_state';
    }, /graph\.node\[\d+\] \(RNN\) input\[0\] 'initial_state' is the initial states \[0, 8\) with axes \(batch, features\); expected activations/);
    await refuse(one, (m) => {
      const u = byOutput(m, 'rnn_l0.initial_h');
      insertBefore(m, u, { opType: 'Add', inputs: [u.inputs[0], u.inputs[0]], outputs: ['twice'], name: 'twice' });
      u.inputs[0] = 'twice';
    }, /graph\.node\[\d+\] \(Add\) adds the initial states \[0, 5\) with axes \(batch, features\) and the initial states \[0, 5\)/);
    await refuse(one, (m) => {
      const u = byOutput(m, 'rnn_l0.initial_h');
      insertBefore(m, u, { opType: 'Concat', inputs: [u.inputs[0], u.inputs[0]], outputs: ['joined'], name: 'joined', attributes: [{ name: 'axis', i: 1 }] });
      u.inputs[0] = 'joined';
    }, /graph\.node\[\d+\] \(Concat\) input\[0\] 'rnn_l0\.initial_state' is the initial states \[0, 5\) with axes \(batch, features\); expected activations/);
    await refuse(one, (m) => {
      const u = byOutput(m, 'rnn_l0.initial_h');
      insertBefore(m, u, { opType: 'Cast', inputs: [u.inputs[0]], outputs: ['as_int'], name: 'as_int', attributes: [{ name: 'to', i: DT.INT64 }] });
      u.inputs[0] = 'as_int';
    }, /graph\.node\[\d+\] \(Cast\) attribute 'to' = int64 for the initial states \[0, 5\) with axes \(batch, features\); expected a cast that keeps the values/);
    await refuse(two, (m) => {
      const t = byOutput(m, 'rnn_l0.initial_h');
      m.initializers.push({ name: 'first', dataType: DT.INT64, dims: [], values: [0] });
      insertBefore(m, t, { opType: 'Gather', inputs: [t.inputs[0], 'first'], outputs: ['picked'], name: 'picked', attributes: [{ name: 'axis', i: 1 }] });
      t.inputs[0] = 'picked';
    }, /graph\.node\[\d+\] \(Gather\) input\[0\] 'rnn_l0_h0_split' is a stack of \(the initial states \[0, 5\); the initial states \[5, 10\)\) with axes \(batch, stack, features\); expected an embedding table, a shape, or stacked states/);
  });

  it('the wrong part, or the wrong order: another layer\'s floats, the directions swapped or mixed, the batch sliced', async () => {
    await ready;
    await refuse(one, (m) => {
      nodeOf(m, 'RNN', 1).inputs[5] = 'rnn_l0.initial_h';
    }, /graph\.node\[\d+\] \(RNN\) input initial_h is the initial states \[0, 5\) with axes \(1, batch, features\); expected \[dirs, batch, H\] = \[1, batch, 3\]: layer 1's floats \[5, 8\) of each initial state/);
    await refuse(one, (m) => {
      // layer 1 reads floats [4, 7) instead of [5, 8)
      const sl = byOutput(m, 'rnn_l1.initial_state');
      m.initializers.push({ name: 'at4', dataType: DT.INT64, dims: [1], values: [4] }, { name: 'at7', dataType: DT.INT64, dims: [1], values: [7] });
      sl.inputs[1] = 'at4';
      sl.inputs[2] = 'at7';
    }, /input initial_h is the initial states \[4, 7\) .*expected .*layer 1's floats \[5, 8\)/);
    await refuse(two, (m) => {
      // (batch, 2, H) -> (batch, 2, H) instead of (2, batch, H): the directions on the batch axis
      byOutput(m, 'rnn_l0.initial_h').attributes = [{ name: 'perm', ints: [0, 1, 2] }];
    }, /graph\.node\[\d+\] \(RNN\) input initial_h is a stack of \(the initial states \[0, 5\); the initial states \[5, 10\)\) with axes \(batch, stack, features\); expected \[dirs, batch, H\] = \[2, batch, 5\]: layer 0's floats \[0, 5\) and \[5, 10\) of each initial state \(forward, then reverse\)/);
    await refuse(two, (m) => {
      // layer 0 reads floats [5, 15): the reverse half first, then layer 1's
      const sl = byOutput(m, 'rnn_l0.initial_state');
      m.initializers.push({ name: 'at5', dataType: DT.INT64, dims: [1], values: [5] }, { name: 'at15', dataType: DT.INT64, dims: [1], values: [15] });
      sl.inputs[1] = 'at5';
      sl.inputs[2] = 'at15';
    }, /graph\.node\[\d+\] \(RNN\) input initial_h is a stack of \(the initial states \[5, 10\); the initial states \[10, 15\)\) with axes \(stack, batch, features\); expected \[dirs, batch, H\] = \[2, batch, 5\]: layer 0's floats \[0, 5\) and \[5, 10\)/);
    await refuse(two, (m) => {
      // (batch, 10) -> (batch, 5, 2): each direction's floats interleaved
      const rs = byOutput(m, byOutput(m, 'rnn_l0.initial_h').inputs[0]);
      m.initializers.push({ name: 'shape_0_5_2', dataType: DT.INT64, dims: [3], values: [0, 5, 2] });
      rs.inputs[1] = 'shape_0_5_2';
    }, /graph\.node\[\d+\] \(RNN\) input initial_h is a stack of \(the initial states \[0, 2\); .*\) with axes \(stack, batch, features\); expected \[dirs, batch, H\] = \[2, batch, 5\]/);
    await refuse(one, (m) => {
      const sl = byOutput(m, 'rnn_l0.initial_state');
      m.initializers.push({ name: 'axis0', dataType: DT.INT64, dims: [1], values: [0] });
      sl.inputs[3] = 'axis0';
    }, /graph\.node\[\d+\] \(Slice\) slices the batch axis; expected it whole/);
  });

  it('every layer or none; an input no RNN reads; a width that is not stateSize; a second state input', async () => {
    await ready;
    await refuse(one, (m) => {
      nodeOf(m, 'RNN', 1).inputs[5] = '';
    }, /graph\.node\[\d+\] \(RNN\) input initial_h does not read the initial-states input, unlike layer 0; every layer must take its initial_h from it, or none/);
    await refuse(one, (m) => {
      nodeOf(m, 'RNN', 0).inputs[5] = '';
      nodeOf(m, 'RNN', 1).inputs[5] = '';
    }, /graph\.input\[2\] 'initial_state' is never read by an RNN; expected it to give every layer's initial_h \(or no such input\)/);
    await refuse(one, (m) => {
      m.inputs[2].dims = ['batch', 9];
    }, /graph\.input\[2\] 'initial_state' has shape \[batch, 9\]; expected \(batch, stateSize\) with stateSize = Σ dirs·H = 8/);
    await refuse(one, (m) => {
      m.inputs[2].dims = ['batch', 'state'];
    }, /graph\.input\[2\] 'initial_state' has shape \[batch, state\]; expected the initial states \(batch, stateSize\) with stateSize a fixed size >= 1/);
    await refuse(one, (m) => {
      m.inputs.push({ name: 'more_state', elemType: DT.FLOAT, dims: ['batch', 8] });
    }, /graph\.input\[3\] 'more_state' is a second initial-states input besides 'initial_state'/);
  });

  it('the s0 metadata: read with care, and only for a graph with an initial-states input', async () => {
    await ready;
    const s0 = (value: string) => (m: ModelOut) => (m.metadata.find((e) => e.key === 'simple-rnn.initial-state')!.value = value);
    await refuse(one, s0('[1, 2]'), /metadata_props\['simple-rnn\.initial-state'\] has 2 numbers; expected stateSize = 8/);
    await refuse(one, s0('[1, 2'), /metadata_props\['simple-rnn\.initial-state'\] is not valid JSON; expected a list of stateSize = 8 numbers/);
    await refuse(one, s0('{"s0": 1}'), /metadata_props\['simple-rnn\.initial-state'\] must be a JSON list of stateSize = 8 numbers; got an object/);
    await refuse(one, s0('[0,0,0,"1",0,0,0,0]'), /metadata_props\['simple-rnn\.initial-state'\]\[3\] must be a number; got "1"/);
    await refuse(one, s0('[0,0,0,0,0,0,0,1e39]'), /metadata_props\['simple-rnn\.initial-state'\]\[7\] = 1e\+39 is beyond float32/);
    await refuse(one, s0(`[${' '.repeat(400)}]`), /has 402 characters; expected at most 258 \(stateSize = 8 numbers\)/);
    await refuse(one, (m) => m.metadata.push({ ...m.metadata.find((e) => e.key === 'simple-rnn.initial-state')! }), /metadata_props\['simple-rnn\.initial-state'\] is given twice/);
    const m0 = await makeModel(fwd);
    await refuse(toOnnx(m0), (m) => m.metadata.push({ key: 'simple-rnn.initial-state', value: '[0,0,0,0,0,0,0,0]' }), /metadata_props\['simple-rnn\.initial-state'\] is given, but the graph has no initial-states input/);
    m0.dispose();
    await refuse(one, (m) => {
      const e = m.metadata.find((x) => x.key === 'simple-rnn.config')!;
      e.value = JSON.stringify({ ...JSON.parse(e.value), learnInitialState: false });
    }, /metadata_props\['simple-rnn\.initial-state'\] is given, but metadata_props\['simple-rnn\.config'\]\.learnInitialState is false/);
    // numbers that are not float32 values are rounded to float32 once
    const back = await fromOnnx(edit(one, s0('[0.1,0,0,0,0,0,0,-0]')));
    expect(Array.from(back.initialState())).toEqual([Math.fround(0.1), 0, 0, 0, 0, 0, 0, -0]);
    expect(Object.is(back.initialState()[7], -0)).toBe(true);
    back.dispose();
  });
});

describe.skipIf(!hasPythonOnnx())('the onnx package accepts the streaming export', () => {
  it('onnx.checker.check_model(full_check=True) passes for a deep bidirectional and a one-direction token model', async () => {
    const picks = [CASES.find((c) => c.L === 3 && c.kind === 'ave')!, CASES.find((c) => c.L === 2 && c.kind === 'forward' && c.input !== 'dense')!];
    const models: Uint8Array[] = [];
    for (const c of picks) {
      const m = await makeModel(c);
      models.push(toOnnx(m, { initialState: true }));
      m.dispose();
    }
    expect(onnxCheck(models)).toBe('ok');
  });
});

