// The options objects of the importers and exporters go through src/options.ts: each is read once, an unknown key is
// refused by name (with the accepted keys and a close match), and the options handed on to SimpleRNN.create are
// checked by create and named as the caller's. No TF.js here: a fake tf.LayersModel hands over our own artifacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import { fromKerasWeights, fromTfjsLayers, fromTfjsModel, toTfjsFiles, toTfjsLayers, type TfjsArtifacts } from '../../src/interop/index.js';

let dense: SimpleRNN;
let tokens: SimpleRNN;
let art: TfjsArtifacts;

/** Something with tf.LayersModel's save(handler), counting the calls. */
function fakeModel(a: TfjsArtifacts): { save(h: unknown): Promise<unknown>; saves: number } {
  return {
    saves: 0,
    async save(h: unknown) {
      this.saves++;
      return (h as { save(a: TfjsArtifacts): Promise<unknown> }).save(a);
    },
  };
}

// get_weights() of a Keras SimpleRNN(2) → Dense(3) on 3 inputs
const KERAS = [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[1, 0], [0, 1]], [0, 0.1], [[0.5, -0.5, 0.1], [0.2, 0.3, 0.4]], [0, 0, 0]];

beforeAll(async () => {
  dense = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, backend: 'js' });
  tokens = await SimpleRNN.create({ vocabSize: 6, hiddenSize: 3, outputSize: 3, backend: 'js' });
  art = toTfjsLayers(dense);
});
afterAll(() => {
  dense.dispose();
  tokens.dispose();
});

describe('an unknown option key is refused, naming it, the accepted keys and a close match', () => {
  const IMPORT = 'foldEmbedding, backend, precision, seed, learningRate';
  it.each([
    ['fromTfjsLayers', { foldEmbeding: true }, 'foldEmbeding', IMPORT, 'foldEmbedding'],
    ['fromTfjsModel', { backnd: 'js' }, 'backnd', IMPORT, 'backend'],
    ['fromKerasWeights', { backend: 'js', returnSequnces: true }, 'returnSequnces', `activation, outputActivation, returnSequences, embedding, useBias, denseUseBias, layers, bidirectional, merge, goBackwards, dropout, inputDropout, recurrentDropout, ${IMPORT}`, 'returnSequences'],
    ['toTfjsLayers', { maskzero: true }, 'maskzero', 'maskValue, maskZero', 'maskZero'],
    ['toTfjsFiles', { weightPath: 'w.bin' }, 'weightPath', 'maskValue, maskZero, weightsPath', 'weightsPath'],
  ] as const)('%s', async (api, options, key, keys, near) => {
    const call = (): unknown => {
      const o = options as never;
      switch (api) {
        case 'fromTfjsLayers': return fromTfjsLayers(art, undefined, o);
        case 'fromTfjsModel': return fromTfjsModel(fakeModel(art), o);
        case 'fromKerasWeights': return fromKerasWeights(KERAS, o);
        case 'toTfjsLayers': return toTfjsLayers(dense, o);
        case 'toTfjsFiles': return toTfjsFiles(dense, o);
      }
    };
    const err = await Promise.resolve().then(call).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    const msg = (err as Error).message;
    expect(msg).toMatch(new RegExp(`^SimpleRNN\\.${api}: options\\.${key} is not an option; `));
    expect(msg).toContain(`expected one of ${keys}`);
    expect(msg).toContain(`did you mean ${near}?`);
  });

  it('a key of another function is refused too (no close match: no suggestion)', async () => {
    expect(() => toTfjsLayers(dense, { weightsPath: 'w.bin' } as never)).toThrow(/^SimpleRNN\.toTfjsLayers: options\.weightsPath is not an option; expected one of maskValue, maskZero$/);
    // the sizes and settings of an import come from the imported model, not from create's options
    await expect(fromTfjsLayers(art, undefined, { hiddenSize: 8 } as never)).rejects.toThrow(/^SimpleRNN\.fromTfjsLayers: options\.hiddenSize is not an option/);
    await expect(fromKerasWeights(KERAS, { threads: 2 } as never)).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.threads is not an option/);
  });

  it('is refused before any work: a tf.LayersModel is not asked to save', async () => {
    const m = fakeModel(art);
    await expect(fromTfjsModel(m, { sead: 3 } as never)).rejects.toThrow(/options\.sead is not an option.*did you mean seed\?/);
    expect(m.saves).toBe(0);
  });
});

describe('option values', () => {
  it('each options object is read once (a getter runs once)', async () => {
    let reads = 0;
    const o = { get backend() { reads++; return 'js' as const; } };
    const m = await fromTfjsLayers(art, undefined, o);
    expect(reads).toBe(1);
    expect(m.config.backend).toBe('js');
    m.dispose();
    reads = 0;
    const k = { get activation() { reads++; return 'relu' as const; }, backend: 'js' as const };
    const mk = await fromKerasWeights(KERAS, k);
    expect(reads).toBe(1);
    expect(mk.config.activation).toBe('relu');
    mk.dispose();
  });

  it('options handed on to SimpleRNN.create are checked there and named as the caller\'s', async () => {
    await expect(fromKerasWeights(KERAS, { backend: 'js', seed: 1.5 })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.seed = 1\.5 is out of range/);
    await expect(fromTfjsModel(fakeModel(art), { backend: 'js', precision: 'float16' as never })).rejects.toThrow(/^SimpleRNN\.fromTfjsModel: options\.precision must be 'float32' or 'float64'; got "float16"/);
    const m = await fromTfjsLayers(art, undefined, { backend: 'js', precision: 'float64', seed: 7, learningRate: 0.5 });
    expect(m.config).toMatchObject({ backend: 'js', precision: 'float64', seed: 7 });
    expect(m.training.learningRate).toBe(0.5);
    m.dispose();
  });

  it('the importers\' and exporters\' own options are checked by the kit, naming the field', async () => {
    await expect(fromTfjsLayers(art, undefined, { foldEmbedding: 'yes' as never })).rejects.toThrow(/^SimpleRNN\.fromTfjsLayers: options\.foldEmbedding must be a boolean or 'auto'; got "yes"/);
    await expect(fromKerasWeights(KERAS, { useBias: 1 as never })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.useBias must be a boolean; got 1/);
    await expect(fromKerasWeights(KERAS, { activation: 'softmax' as never })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: options\.activation must be one of 'tanh', 'relu', 'sigmoid', 'linear'; got "softmax"/);
    await expect(fromKerasWeights(KERAS, 'js' as never)).rejects.toThrow(TypeError);
    expect(() => toTfjsLayers(dense, { maskValue: '0' as never })).toThrow(/^SimpleRNN\.toTfjsLayers: options\.maskValue must be a number/);
    expect(() => toTfjsLayers(dense, { maskValue: NaN })).toThrow(/^SimpleRNN\.toTfjsLayers: options\.maskValue = NaN is out of range/);
    expect(() => toTfjsLayers(tokens, { maskValue: 0 })).toThrow(/^SimpleRNN\.toTfjsLayers: options\.maskValue applies to dense-input models/);
    expect(() => toTfjsFiles(tokens, { maskZero: 'true' as never })).toThrow(/^SimpleRNN\.toTfjsFiles: options\.maskZero must be a boolean/);
    expect(() => toTfjsFiles(dense, { weightsPath: 5 as never })).toThrow(/^SimpleRNN\.toTfjsFiles: options\.weightsPath must be a string; got 5/);
    expect(() => toTfjsLayers(dense, 5 as never)).toThrow(/^SimpleRNN\.toTfjsLayers: options must be an options object \{ maskValue, maskZero \}; got 5/);
  });

  it('undefined and null options are the defaults', async () => {
    expect(toTfjsLayers(dense, null as never)).toEqual(toTfjsLayers(dense));
    expect(toTfjsFiles(dense, null as never).weightsPath).toBe('weights.bin');
    expect(JSON.parse(toTfjsFiles(dense, { weightsPath: 'w.bin', maskValue: 0 }).modelJson).weightsManifest[0].paths).toEqual(['w.bin']);
    const m = await fromTfjsLayers(art, undefined, null as never);
    expect(m.config.backend).toBe('wasm');
    m.dispose();
  });
});
