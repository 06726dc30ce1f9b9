// Sizes are checked before anything is allocated: every importer derives its model's sizes from the topology, the
// manifest or the arrays' lengths, checks them against SimpleRNN.create's limits (each size, and the 2^31-byte
// model block: params | grads | 2 optimizer states) and against the bytes present, and only then decodes, folds and
// allocates. A refusal is the importer's error naming the field the size came from, and leaves the shared wasm memory
// (and a bystander model) as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import { fromKerasWeights, fromTfjsLayers, type TfjsArtifacts } from '../../src/interop/index.js';
import { BACKENDS } from '../util.js';

const memoryBytes = (m: SimpleRNN) => (m as unknown as { be: { memoryBytes(): number } }).be.memoryBytes();
const bits = (m: SimpleRNN) => Object.values(m.getParams()).map((a) => Array.from(new Uint8Array(a.buffer.slice(0))));

interface Sizes {
  V?: number;
  D?: number;
  I?: number;
  H: number;
  O: number;
}

/** TF.js artifacts of [Embedding(V, D) | dense I] → SimpleRNN(H) → Dense(O), with `bytes` zero bytes of weights. */
function artifacts(s: Sizes, bytes?: number): TfjsArtifacts {
  const layers: unknown[] = [];
  const specs: { name: string; shape: number[]; dtype: string }[] = [];
  const rows = s.V ? s.D! : s.I!;
  if (s.V) {
    layers.push({ class_name: 'Embedding', config: { name: 'embedding', input_dim: s.V, output_dim: s.D } });
    specs.push({ name: 'embedding/embeddings', shape: [s.V, s.D!], dtype: 'float32' });
  }
  layers.push({ class_name: 'SimpleRNN', config: { name: 'simple_rnn', units: s.H } });
  layers.push({ class_name: 'Dense', config: { name: 'dense', units: s.O, activation: 'linear' } });
  specs.push(
    { name: 'simple_rnn/kernel', shape: [rows, s.H], dtype: 'float32' },
    { name: 'simple_rnn/recurrent_kernel', shape: [s.H, s.H], dtype: 'float32' },
    { name: 'simple_rnn/bias', shape: [s.H], dtype: 'float32' },
    { name: 'dense/kernel', shape: [s.H, s.O], dtype: 'float32' },
    { name: 'dense/bias', shape: [s.O], dtype: 'float32' },
  );
  const need = specs.reduce((a, w) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0);
  return { modelTopology: { class_name: 'Sequential', config: { layers } }, weightSpecs: specs, weightData: new ArrayBuffer(bytes ?? need) };
}

describe.each(BACKENDS)('import sizes are checked before anything is allocated (%s)', (backend) => {
  let bystander: SimpleRNN;
  let before: { memory: number; bits: number[][] };
  beforeAll(async () => {
    bystander = await SimpleRNN.create({ inputSize: 3, hiddenSize: 5, outputSize: 2, backend, seed: 3 });
    before = { memory: memoryBytes(bystander), bits: bits(bystander) };
  });
  afterAll(() => {
    expect(memoryBytes(bystander)).toBe(before.memory); // no refused import grew the shared memory
    expect(bits(bystander)).toEqual(before.bits);
    expect(bystander.predict([[[0.1, 0.2, 0.3]]])).toHaveLength(1);
    bystander.dispose();
  });

  it('foldEmbedding: E (V, D) · K (D, H) → (V, H) is refused by the folded model\'s size, before E·K is allocated', async () => {
    // megabytes in (E 8 MB, the recurrent kernel 16 MB), 32 GiB of f64 out: V·H = 2^21 · 2048 floats
    const V = 2 ** 21;
    const H = 2048;
    const keras = [new Float32Array(V), new Float32Array(H), new Float32Array(H * H), new Float32Array(H), new Float32Array(H * 2), new Float32Array(2)];
    await expect(fromKerasWeights(keras, { backend, embedding: true, foldEmbedding: true })).rejects.toThrow(
      /^SimpleRNN\.fromKerasWeights: the imported model \(vocabSize 2097152 from weights\[0\] \(embeddings\).*hiddenSize 2048 from weights\[2\] \(recurrent_kernel\).*\) describes \d+ parameters \(\d+ bytes with gradients and optimizer state\); the limit is 2147483648 bytes/,
    );
    await expect(fromTfjsLayers(artifacts({ V, D: 1, H, O: 2 }), undefined, { backend, foldEmbedding: true })).rejects.toThrow(
      /^SimpleRNN\.fromTfjsLayers: the imported model \(vocabSize 2097152 from modelTopology\.config\.layers\[0\] \(Embedding 'embedding'\)\.config\.input_dim.*\) describes .* the limit is 2147483648 bytes/,
    );
  });

  it('each size against SimpleRNN.create\'s limit, naming the field it came from, before the bytes are looked at', async () => {
    const none = 0; // no weight bytes at all: the size is refused first
    const cases: [Sizes, RegExp][] = [
      [{ I: 3, H: 65537, O: 2 }, /layers\[0\] \(SimpleRNN 'simple_rnn'\)\.config\.units = 65537 is out of range; expected an integer in \[1, 65536\] \(SimpleRNN\.create's hiddenSize\)/],
      [{ V: 2 ** 24 + 1, D: 2, H: 4, O: 2 }, /layers\[0\] \(Embedding 'embedding'\)\.config\.input_dim = 16777217 is out of range; expected an integer in \[1, 16777216\] \(SimpleRNN\.create's vocabSize\)/],
      [{ V: 5, D: 65537, H: 4, O: 2 }, /layers\[0\] \(Embedding 'embedding'\)\.config\.output_dim = 65537 is out of range; expected an integer in \[1, 65536\] \(SimpleRNN\.create's embeddingSize\)/],
      [{ I: 2 ** 20 + 1, H: 4, O: 2 }, /weightSpecs\[0\] 'simple_rnn\/kernel'\.shape\[0\] = 1048577 is out of range; expected an integer in \[1, 1048576\] \(SimpleRNN\.create's inputSize\)/],
      [{ I: 3, H: 4, O: 2 ** 24 + 1 }, /layers\[1\] \(Dense 'dense'\)\.config\.units = 16777217 is out of range; expected an integer in \[1, 16777216\] \(SimpleRNN\.create's outputSize\)/],
      // every size in range, the block not: (H+I)·H + ... floats x 4 sections x 4 bytes > 2^31
      [{ I: 2 ** 20, H: 256, O: 2 }, /the imported model \(inputSize 1048576 from weightSpecs\[0\] 'simple_rnn\/kernel'\.shape\[0\], hiddenSize 256 from .*\.config\.units.*\) describes \d+ parameters \(\d+ bytes with gradients and optimizer state\); the limit is 2147483648 bytes/],
    ];
    for (const [s, re] of cases) {
      const err = await fromTfjsLayers(artifacts(s, none), undefined, { backend }).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(s)).toBeInstanceOf(RangeError);
      expect((err as Error).message, JSON.stringify(s)).toMatch(/^SimpleRNN\.fromTfjsLayers: /);
      expect((err as Error).message, JSON.stringify(s)).toMatch(re);
    }
    // a stacked layer's units name that layer; a bidirectional stack's block counts both directions
    const deep = (units: number[], bidirectional = false): TfjsArtifacts => {
      const rnn = (u: number, k: number) => ({ class_name: 'SimpleRNN', config: { name: `rnn${k}`, units: u, return_sequences: k < units.length - 1 } });
      const layers = units.map((u, k) => (bidirectional ? { class_name: 'Bidirectional', config: { name: `bi${k}`, layer: rnn(u, k) } } : rnn(u, k)));
      const specs = units.flatMap((u, k) => (bidirectional ? ['forward', 'backward'] : ['']).flatMap((d) => {
        const at = bidirectional ? `bi${k}/${d}_rnn${k}` : `rnn${k}`;
        const In = k ? (bidirectional ? 2 : 1) * units[k - 1] : 3;
        return [{ name: `${at}/kernel`, shape: [In, u], dtype: 'float32' }, { name: `${at}/recurrent_kernel`, shape: [u, u], dtype: 'float32' }, { name: `${at}/bias`, shape: [u], dtype: 'float32' }];
      }));
      const top = (bidirectional ? 2 : 1) * units[units.length - 1];
      specs.push({ name: 'dense/kernel', shape: [top, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' });
      return { modelTopology: { class_name: 'Sequential', config: { layers: [...layers, { class_name: 'Dense', config: { name: 'dense', units: 2 } }] } }, weightSpecs: specs, weightData: new ArrayBuffer(0) };
    };
    await expect(fromTfjsLayers(deep([4, 65537, 3]), undefined, { backend })).rejects.toThrow(
      /^SimpleRNN\.fromTfjsLayers: modelTopology\.config\.layers\[1\] \(SimpleRNN 'rnn1'\)\.config\.units = 65537 is out of range; expected an integer in \[1, 65536\] \(SimpleRNN\.create's hiddenSize\)/,
    );
    await expect(fromTfjsLayers(deep([8192, 8192], true), undefined, { backend })).rejects.toThrow(
      /^SimpleRNN\.fromTfjsLayers: the imported model \(inputSize 3 from .*, hiddenSize\[0\] 8192 from .*layers\[0\] \(Bidirectional 'bi0'\)\.config\.layer \(SimpleRNN\)\.config\.units, hiddenSize\[1\] 8192 from .*, bidirectional\) describes \d+ parameters/,
    );
    // float64 storage doubles the block: a model that fits in float32 does not
    const f64 = { I: 2 ** 16, H: 1024, O: 2 }; // (1024 + 65536)·1024 floats x 4 sections: 1.1 GB in f32, 2.2 GB in f64
    await expect(fromTfjsLayers(artifacts(f64, none), undefined, { backend: 'js', precision: 'float64' })).rejects.toThrow(/describes \d+ parameters \(\d+ bytes with gradients and optimizer state\); the limit is 2147483648 bytes/);
  });

  it('Keras: sizes come from the arrays\' lengths, checked before any value is read (a length may lie)', async () => {
    let reads = 0;
    const row = new Array<number>(70000).fill(0);
    /** An array that says it has n rows and holds one (every other row is a hole). */
    const lying = (n: number) => new Proxy([row], { get: (t, k, r) => (k === 'length' ? n : (k !== '0' || ++reads, Reflect.get(t, k, r))) });
    const err = await fromKerasWeights([[row], lying(70000), row, lying(70000), row], { backend }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/^SimpleRNN\.fromKerasWeights: weights\[1\] \(recurrent_kernel\) rows = 70000 is out of range; expected an integer in \[1, 65536\] \(SimpleRNN\.create's hiddenSize\)/);
    expect(reads).toBeLessThanOrEqual(2); // the first row of each (its length gives the columns), nothing else
  });

  it('the bytes present against the manifest, before any weight is decoded or the buffers are joined', async () => {
    const s = { I: 3, H: 4, O: 2 };
    const need = (artifacts(s).weightData as ArrayBuffer).byteLength; // 42 floats
    await expect(fromTfjsLayers(artifacts(s, need - 4), undefined, { backend })).rejects.toThrow(/^SimpleRNN\.fromTfjsLayers: weightData has 164 bytes; the weight specs describe 168 \(truncated or the wrong file\?\)/);
    // 2048 references to one 8 MiB buffer are 16 GiB joined: refused by the manifest's 168 bytes, nothing is joined
    const parts = new Array<ArrayBuffer>(2048).fill(new ArrayBuffer(2 ** 23));
    await expect(fromTfjsLayers({ ...artifacts(s), weightData: parts }, undefined, { backend })).rejects.toThrow(/^SimpleRNN\.fromTfjsLayers: weightData has 17179869184 bytes; the weight specs describe 168/);
    // a shape is a list of non-negative integers (no [-2, -2] counted as 4 floats)
    const neg = artifacts(s);
    neg.weightSpecs![1].shape = [-2, -2];
    await expect(fromTfjsLayers({ ...neg, weightData: new ArrayBuffer(need - 48) }, undefined, { backend })).rejects.toThrow(
      /^SimpleRNN\.fromTfjsLayers: weightSpecs\[1\] 'simple_rnn\/recurrent_kernel'\.shape\[0\] = -2 is not a dimension; expected an integer in \[0, 2147483648\]/,
    );
    // a uint8-quantized weight the model does not use is not decoded (1 byte in would be 8 bytes of f64 out): its
    // quantization is read once, not once per byte
    let reads = 0;
    const quantization = { dtype: 'uint8', get scale() { reads++; return 1; }, min: 0 };
    const extra = artifacts(s);
    extra.weightSpecs!.push({ name: 'optimizer/junk', shape: [2 ** 20], dtype: 'float32', quantization });
    const m = await fromTfjsLayers({ ...extra, weightData: new ArrayBuffer(need + 2 ** 20) }, undefined, { backend });
    expect(reads).toBeLessThanOrEqual(1);
    expect(m.config).toMatchObject({ inputSize: 3, hiddenSize: 4, outputSize: 2 });
    m.dispose();
  });
});
