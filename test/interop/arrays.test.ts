// The caller's nested arrays and objects, walked by the importers: a hole (a sparse array, or a length that says
// more than the array holds) is refused naming its path instead of shifting the values after it into the wrong
// slots; ragged rows are refused; each value is read once; and JSON nested 100k deep is a RangeError of the
// importer's, never a stack overflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import { fromKerasWeights, fromTfjsLayers, toTfjsLayers, type TfjsArtifacts } from '../../src/interop/index.js';

// get_weights() of a Keras SimpleRNN(2) → Dense(3) on 3 inputs
const KERAS = () => [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[1, 0], [0, 1]], [0, 0.1], [[0.5, -0.5, 0.1], [0.2, 0.3, 0.4]], [0, 0, 0]];
const opts = { backend: 'js' } as const;

async function refusal(p: Promise<SimpleRNN>): Promise<Error> {
  const r = await p.then((m) => (m.dispose(), null), (e: unknown) => e as Error);
  expect(r, 'the import succeeded').not.toBeNull();
  return r as Error;
}

/** Nests `leaf` n deep in arrays (or in objects { a: ... }), built without recursion. */
function deep(n: number, kind: 'array' | 'object', leaf: unknown = 0): unknown {
  let v = leaf;
  for (let k = 0; k < n; k++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

describe('fromKerasWeights: holes and lying lengths are refused naming the path (ragged rows: tfjs.test.ts)', () => {
  it.each([
    ['a hole in a row', (w: unknown[][]) => (w[0][1] = [0.3, , ]), /^SimpleRNN\.fromKerasWeights: weights\[0\] \(kernel\)\[1\]\[1\] must be a number; got a hole/], // eslint-disable-line no-sparse-arrays
    ['a hole in the rows', (w: unknown[][]) => delete w[0][1], /^SimpleRNN\.fromKerasWeights: weights\[0\] \(kernel\)\[1\] must be a row of 2 numbers; got a hole/],
    ['a hole in a flat array', (w: unknown[][]) => (w[2] = [0, , ]), /^SimpleRNN\.fromKerasWeights: weights\[2\] \(bias\)\[1\] must be a number; got a hole/], // eslint-disable-line no-sparse-arrays
    ['a length that lies (rows)', (w: unknown[][]) => (w[0].length = 4), /weights\[0\] \(kernel\)\[3\] must be a row of 2 numbers; got a hole/],
    ['a length that lies (a Proxy)', (w: unknown[][]) => (w[3][1] = new Proxy([0.2, 0.3], { get: (t, k, r) => (k === 'length' ? 3 : Reflect.get(t, k, r)) })), /weights\[3\] \(dense kernel\)\[1\]\[2\] must be a number; got a hole/],
    ['a hole in the weights list', (w: unknown[][]) => delete w[1], /^SimpleRNN\.fromKerasWeights: weights\[1\] \(recurrent_kernel\) must be a nested number array or a Float32Array; got a hole/],
  ])('%s', async (_, edit, re) => {
    const w = KERAS() as unknown[][];
    edit(w);
    const e = await refusal(fromKerasWeights(w as never, opts));
    expect(e.message).toMatch(re);
    expect(e instanceof TypeError || e instanceof RangeError).toBe(true);
  });

  it('a hole is a hole even when Array.prototype holds that index', async () => {
    const w = KERAS() as unknown[][];
    w[0][1] = [0.3, , ]; // eslint-disable-line no-sparse-arrays
    (Array.prototype as unknown as Record<number, number>)[1] = 0.25;
    try {
      expect((await refusal(fromKerasWeights(w as never, opts))).message).toMatch(/weights\[0\] \(kernel\)\[1\]\[1\] must be a number; got a hole/);
    } finally {
      delete (Array.prototype as unknown as Record<number, number>)[1];
    }
  });

  it('each nested value is read once (the first row too), and the import sees the first reads', async () => {
    const reads = new Map<string, number>();
    /** An array whose element k counts its reads and reads as `later` after the first. */
    const counted = <T,>(path: string, a: T[], later: unknown): T[] =>
      new Proxy(a, {
        get(t, k, r) {
          if (typeof k === 'string' && /^\d+$/.test(k)) {
            const n = (reads.get(`${path}[${k}]`) ?? 0) + 1;
            reads.set(`${path}[${k}]`, n);
            if (n > 1) return later;
          }
          return Reflect.get(t, k, r);
        },
      });
    const clean = await fromKerasWeights(KERAS() as never, opts);
    const w = KERAS().map((a, k) => counted(`w${k}`, (a as unknown[]).map((row, r) => (Array.isArray(row) ? counted(`w${k}[${r}]`, row, NaN) : row)), [[NaN]]));
    const m = await fromKerasWeights(w as never, opts);
    expect([...reads].filter(([, n]) => n !== 1)).toEqual([]);
    expect(reads.size).toBe(3 + 6 + 2 + 4 + 2 + 2 + 6 + 3); // every row and every number, once
    expect(m.getParams()).toEqual(clean.getParams());
    m.dispose();
    clean.dispose();
  });
});

describe('deeply nested JSON is the importer\'s RangeError, not a stack overflow', () => {
  let art: TfjsArtifacts;
  beforeAll(async () => {
    const m = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, backend: 'js' });
    art = toTfjsLayers(m);
    m.dispose();
  });
  const functional = (inbound: (k: number) => unknown): TfjsArtifacts => {
    const topo = structuredClone(art.modelTopology) as { class_name: string; config: { layers: Record<string, unknown>[] } };
    topo.class_name = 'Functional';
    topo.config.layers.forEach((l, k) => (l.inbound_nodes = inbound(k)));
    return { ...art, modelTopology: topo };
  };
  const prevName = (k: number) => (k === 1 ? 'simple_rnn' : 'none');

  it('in inbound_nodes (walked for the previous layer\'s name): 100k nested arrays or objects', async () => {
    for (const kind of ['array', 'object'] as const) {
      const e = await refusal(fromTfjsLayers(functional((k) => (k === 1 ? deep(100_000, kind, prevName(k)) : [])), undefined, opts));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^SimpleRNN\.fromTfjsLayers: modelTopology\.config\.layers\[1\]\.inbound_nodes is nested deeper than 64 levels/);
    }
    // a real depth (Keras 3 nests the name about 6 levels down) imports
    const m = await fromTfjsLayers(functional((k) => (k === 1 ? [{ args: [{ config: { keras_history: [prevName(k), 0, 0] } }] }] : [])), undefined, opts);
    expect(m.config.hiddenSize).toBe(4);
    m.dispose();
  });

  it('anywhere else in a layer config, in the weights list or in the JSON text: never walked, or refused by name', async () => {
    const topo = structuredClone(art.modelTopology) as { config: { layers: { config: Record<string, unknown> }[] } };
    topo.config.layers[0].config.kernel_initializer = deep(100_000, 'object');
    topo.config.layers[1].config.kernel_constraint = deep(100_000, 'array');
    const m = await fromTfjsLayers({ ...art, modelTopology: topo }, undefined, opts);
    expect(m.config.hiddenSize).toBe(4);
    m.dispose();
    // a JSON string nested 100k deep
    const text = `{"modelTopology": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "weightSpecs": []}`;
    expect((await refusal(fromTfjsLayers(text, art.weightData))).message).toMatch(/^SimpleRNN\.fromTfjsLayers: modelTopology must be an object/);
    // 100k nested arrays as a Keras weight, as a weight spec, as a spec's shape
    const w = KERAS() as unknown[][][];
    w[0][0][0] = deep(100_000, 'array');
    expect((await refusal(fromKerasWeights(w as never, opts))).message).toMatch(/^SimpleRNN\.fromKerasWeights: weights\[0\] \(kernel\)\[0\]\[0\] must be a number; got an array/);
    const specs = structuredClone(art.weightSpecs!) as unknown[];
    specs[1] = deep(100_000, 'array');
    expect((await refusal(fromTfjsLayers({ ...art, weightSpecs: specs as never }, undefined, opts))).message).toMatch(/^SimpleRNN\.fromTfjsLayers: weightSpecs\[1\] must be a weight spec/);
    const shaped = structuredClone(art.weightSpecs!);
    shaped[1].shape = deep(100_000, 'array') as number[];
    expect((await refusal(fromTfjsLayers({ ...art, weightSpecs: shaped }, undefined, opts))).message).toMatch(/^SimpleRNN\.fromTfjsLayers: weightSpecs\[1\] '.*'\.shape\[0\] must be a dimension/);
  });
});

afterAll(() => {
  expect(Object.keys(Array.prototype)).toEqual([]);
});
