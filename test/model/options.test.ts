// Every options object of the model's API refuses an unknown key (naming it, listing the accepted ones, suggesting
// a close match), and is read once: a getter on an option runs exactly once per call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from '../../src/index.js';
import { BACKENDS, counted, expectAllOnce } from '../util.js';


describe('SimpleRNN.create options', () => {
  const base = { inputSize: 3, hiddenSize: 4, outputSize: 2 };

  it.each([
    ['returnSequence', 'returnSequences'],
    ['learningrate', 'learningRate'],
    ['hiddensize', 'hiddenSize'],
    ['optimiser', 'optimizer'],
  ])('refuses %s and suggests %s', async (typo, real) => {
    const p = SimpleRNN.create({ ...base, [typo]: true } as never);
    await expect(p).rejects.toThrow(RangeError);
    await expect(SimpleRNN.create({ ...base, [typo]: true } as never)).rejects.toThrow(
      new RegExp(`^SimpleRNN\\.create: options\\.${typo} is not an option; expected one of .*${real}.*; did you mean ${real}\\?$`),
    );
  });

  it('refuses a key with no close match without a suggestion', async () => {
    await expect(SimpleRNN.create({ ...base, zzzzzz: 1 } as never)).rejects.toThrow(/options\.zzzzzz is not an option; expected one of [^?]*$/);
  });

  it('reads every option once', async () => {
    const { o, reads } = counted({ ...base, learningRate: 0.05, activation: 'relu', optimizer: 'adam', threads: 1, threadSplit: 'rows', simd: 'strict', backend: 'js', seed: 3 });
    const m = await SimpleRNN.create(o as never);
    expectAllOnce(reads);
    expect(m.training.learningRate).toBe(0.05);
    expect(m.config.activation).toBe('relu');
    m.dispose();
  });

  it('keeps the learning rate in one place: training, not config (and a checkpoint holds the current one)', async () => {
    const m = await SimpleRNN.create({ ...base, backend: 'js', learningRate: 0.05 });
    expect('learningRate' in m.config).toBe(false);
    await m.fit([[[1, 2, 3]]], [1], { learningRate: 0.2, epochs: 1 });
    const back = await SimpleRNN.load(m.save());
    expect(back.training.learningRate).toBe(0.2);
    back.dispose();
    m.dispose();
  });
});

describe.each(BACKENDS)('options of every model method, on %s', (backend) => {
  let dense: SimpleRNN;
  let lm: SimpleRNN;
  beforeAll(async () => {
    dense = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 3, backend, seed: 1 });
    lm = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 4, outputSize: 5, returnSequences: true, backend, seed: 1 });
  });
  afterAll(() => {
    dense.dispose();
    lm.dispose();
  });
  const x = [[[0.5, -0.5], [0.25, 0.75]]];
  const y = [1];
  const tokens = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];

  const cases: [string, RegExp, () => unknown][] = [
    ['predict', /SimpleRNN\.predict: options\.outptu is not an option; expected one of output, initialStates, returnState; did you mean output\?/, () => dense.predict(x, { outptu: 'typed' } as never)],
    ['trainBatch', /SimpleRNN\.trainBatch: options\.onNonfinite is not an option.*did you mean onNonFinite\?/, () => dense.trainBatch(x, y, { onNonfinite: 'skip' } as never)],
    ['evaluate', /SimpleRNN\.evaluate: options\.batchsize is not an option.*did you mean batchSize\?/, () => dense.evaluate(x, y, { batchsize: 2 } as never)],
    ['generate', /SimpleRNN\.generate: options\.lenght is not an option.*did you mean length\?/, () => lm.generate({ prompt: [1], lenght: 3 } as never)],
    ['evaluateStream', /SimpleRNN\.evaluateStream: options\.seqLen is not an option.*seqLength/, () => lm.evaluateStream(tokens, { seqLen: 3 } as never)],
    ['setParams', /SimpleRNN\.setParams: params\.bS is not a parameter.*did you mean bs\?/, () => dense.setParams({ bS: new Float32Array(4) } as never)],
  ];
  it.each(cases)('%s refuses an unknown key', (_name, message, call) => {
    const before = JSON.stringify(dense.predict(x));
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
    expect(JSON.stringify(dense.predict(x))).toBe(before);
  });

  it('fit and fitStream refuse an unknown key, nested ones too', async () => {
    await expect(dense.fit(x, y, { epoch: 2 } as never)).rejects.toThrow(/SimpleRNN\.fit: options\.epoch is not an option.*did you mean epochs\?/);
    await expect(dense.fit(x, y, { earlyStopping: { patiense: 1 } } as never)).rejects.toThrow(/options\.earlyStopping\.patiense is not an option.*did you mean patience\?/);
    await expect(dense.fit(x, y, { callbacks: { onBatchend: () => {} } } as never)).rejects.toThrow(/options\.callbacks\.onBatchend is not an option.*did you mean onBatchEnd\?/);
    await expect(lm.fitStream(tokens, { seqlength: 3 } as never)).rejects.toThrow(/SimpleRNN\.fitStream: options\.seqlength is not an option.*did you mean seqLength\?/);
    await expect(dense.fit(x, y, { optimizer: { type: 'adam', beta: 0.9 } } as never)).rejects.toThrow(/options\.optimizer\.beta is not an option of 'adam'/);
  });

  it('SimpleRNN.load refuses an unknown key and reads each option once', async () => {
    const bytes = dense.save();
    await expect(SimpleRNN.load(bytes, { thread: 2 } as never)).rejects.toThrow(/SimpleRNN\.load: options\.thread is not an option; expected one of backend, threads, threadSplit, simd; did you mean threads\?/);
    const { o, reads } = counted({ backend, threads: 1, threadSplit: 'columns', simd: 'strict' });
    const m = await SimpleRNN.load(bytes, o as never);
    expectAllOnce(reads);
    expect(JSON.stringify(m.predict(x))).toBe(JSON.stringify(dense.predict(x)));
    m.dispose();
  });

  it('fit, generate and trainBatch read each option once', async () => {
    const fitOpts = counted({ epochs: 1, batchSize: 4, shuffle: false, learningRate: 0.01 });
    await dense.fit(x, y, fitOpts.o as never);
    expectAllOnce(fitOpts.reads);
    const gen = counted({ prompt: [1, 2], length: 3, temperature: 0 });
    expect(lm.generate(gen.o as never)).toHaveLength(3);
    expectAllOnce(gen.reads);
    const tb = counted({ onNonFinite: 'skip' });
    dense.trainBatch(x, y, tb.o as never);
    expectAllOnce(tb.reads);
  });
});
