import { describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { BACKENDS } from './util.js';

describe('create validates its options', () => {
  it.each([
    [{ hiddenSize: 4, outputSize: 2 }, TypeError, /exactly one of inputSize.*vocabSize/],
    [{ inputSize: 3, vocabSize: 5, hiddenSize: 4, outputSize: 2 }, TypeError, /exactly one of inputSize/],
    [{ inputSize: 0, hiddenSize: 4, outputSize: 2 }, RangeError, /options\.inputSize = 0/],
    [{ inputSize: 3, hiddenSize: 2.5, outputSize: 2 }, RangeError, /options\.hiddenSize = 2\.5/],
    [{ inputSize: 3, hiddenSize: '4', outputSize: 2 }, TypeError, /options\.hiddenSize must be an integer/],
    [{ inputSize: 3, hiddenSize: 4, outputSize: 1 }, RangeError, /options\.outputSize = 1 is too small for softmax/],
    [{ inputSize: 3, hiddenSize: 4, outputSize: 2, activation: 'gelu' }, TypeError, /options\.activation must be one of 'tanh'/],
    [{ inputSize: 3, hiddenSize: 4, outputSize: 2, backend: 'gpu' }, TypeError, /options\.backend/],
    [{ inputSize: 3, hiddenSize: 4, outputSize: 2, precision: 'float64' }, RangeError, /float64.*backend: 'js'/],
    [{ inputSize: 3, hiddenSize: 4, outputSize: 2, learningRate: -1 }, RangeError, /options\.learningRate/],
    [{ inputSize: 60000, hiddenSize: 60000, outputSize: 2 }, RangeError, /limit is/],
  ])('%j', async (opts, Err, re) => {
    await expect(SimpleRNN.create(opts as never)).rejects.toThrow(Err);
    await expect(SimpleRNN.create(opts as never)).rejects.toThrow(re);
  });
});

describe.each(BACKENDS)('bad inputs and targets on %s name the field and change nothing', (backend) => {
  it.each([
    ['not an array', 'x', undefined, TypeError, /inputs must be an array of sequences/],
    ['empty batch', [], undefined, RangeError, /inputs is empty/],
    ['empty sequence', [[[1, 2]], []], undefined, RangeError, /inputs\[1\] is empty/],
    ['wrong step width', [[[1, 2]], [[1, 2], [3]]], undefined, RangeError, /inputs\[1\]\[1\] has length 1; expected inputSize=2/],
    ['NaN', [[[1, NaN]]], undefined, RangeError, /inputs\[0\]\[0\]\[1\] = NaN is not finite/],
    ['flat array not a multiple of I', [new Float32Array(3)], undefined, RangeError, /inputs\[0\] has 3 numbers/],
    // flat typed arrays: the first bad value of the batch is named, in the second sequence here
    ['NaN in a Float32Array', [new Float32Array(8), new Float32Array([1, 2, 3, 4, 5, NaN, 7, 8])], undefined, RangeError, /inputs\[1\]\[2\]\[1\] = NaN is not finite in float32/],
    ['-Infinity in a Float32Array', [new Float32Array([0, 1, -Infinity, 3])], undefined, RangeError, /inputs\[0\]\[1\]\[0\] = -Infinity is not finite/],
    ['a float64 past float32 range', [new Float64Array([0, 1]), new Float64Array([0, 1, 2, -1e39])], undefined, RangeError, /inputs\[1\]\[1\]\[1\] = -1e\+39 is not finite in float32/],
    ['a Float64Array whose bad value follows good ones', [new Float64Array(64).fill(3.4e38).map((v, k) => (k === 63 ? 3.5e38 : v))], undefined, RangeError, /inputs\[0\]\[31\]\[1\] = 3\.5e\+38 is not finite/],
    ['string step', [[[1, 2], 'ab']], undefined, TypeError, /inputs\[0\]\[1\] must be an input vector/],
    ['too few targets', [[[1, 2]], [[3, 4]]], [0], RangeError, /targets has 1 entries; expected one per sequence \(2\)/],
    ['class out of range', [[[1, 2]]], [3], RangeError, /targets\[0\] = 3 is not a class index; expected an integer in \[0, outputSize=3\)/],
    ['class not a number', [[[1, 2]]], ['1'], TypeError, /targets\[0\] must be a class index/],
  ])('%s', async (_name, inputs, targets, Err, re) => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 5, outputSize: 3, backend, seed: 1 });
    const before = m.getParams();
    const call = () => (targets === undefined ? m.predict(inputs as never) : m.trainBatch(inputs as never, targets as never));
    expect(call).toThrow(Err);
    expect(call).toThrow(re);
    expect(m.getParams()).toEqual(before);
    expect(m.predict([[[0.5, -0.5]]])[0]).toHaveLength(3); // still usable
    m.dispose();
  });

  it('token ids are checked against vocabSize', async () => {
    const m = await SimpleRNN.create({ vocabSize: 65, hiddenSize: 4, outputSize: 2, backend });
    const inputs = [[1, 2], [0], [5, 6, 7], [1, 1, 1, 1, 1, 1, 1, 65]];
    expect(() => m.predict(inputs)).toThrow(/inputs\[3\]\[7\] = 65 is not a token id; expected an integer in \[0, vocabSize=65\)/);
    expect(() => m.predict([[1.5]])).toThrow(/inputs\[0\]\[0\] = 1\.5 is not a token id/);
    expect(() => m.predict([new Float32Array([1])] as never)).toThrow(TypeError);
    m.dispose();
  });

  it('returnSequences targets need one per real step; sigmoid targets lie in [0, 1]', async () => {
    const m = await SimpleRNN.create({ inputSize: 1, hiddenSize: 4, outputSize: 2, returnSequences: true, outputActivation: 'sigmoid', backend });
    expect(() => m.trainBatch([[[1], [2]]], [[[0, 1]]])).toThrow(/targets\[0\] has 1 targets; expected one per step of inputs\[0\] \(2\)/);
    expect(() => m.trainBatch([[[1]]], [[[0, 2]]])).toThrow(/targets\[0\]\[0\]\[1\] = 2 is outside \[0, 1\]/);
    m.dispose();
  });

  it('a non-finite loss aborts trainBatch with the weights untouched', async () => {
    const m = await SimpleRNN.create({ inputSize: 1, hiddenSize: 3, outputSize: 2, outputActivation: 'linear', activation: 'linear', backend, learningRate: 1 });
    m.setParams({ Wo: new Float32Array(6).fill(3e38), Ws: new Float32Array(12).fill(3e38) });
    const before = m.getParams();
    expect(() => m.trainBatch([[[1e30], [1e30]]], [[0, 0]])).toThrow(/not finite; the step was not applied/);
    expect(m.getParams()).toEqual(before);
    m.dispose();
  });
});

describe("backend: 'auto'", () => {
  it('resolves to wasm where SIMD validates, and js where it does not', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend: 'auto' });
    expect(m.config.backend).toBe('wasm');
    m.dispose();
    const validate = WebAssembly.validate;
    WebAssembly.validate = () => false;
    try {
      const j = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend: 'auto' });
      expect(j.config.backend).toBe('js');
      expect(j.predict([[[1, 2]]])[0]).toHaveLength(2);
      j.dispose();
    } finally {
      WebAssembly.validate = validate;
    }
  });
});
