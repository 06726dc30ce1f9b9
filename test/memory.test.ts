import { describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { wasmBackend } from '../src/backends/wasm.js';
import { Rng } from 'simple-rnn';
import { denseBatch } from './util.js';

describe('wasm memory ownership', () => {
  it('1000 create / train / dispose cycles leave memory.buffer.byteLength unchanged', async () => {
    const be = await wasmBackend();
    const rng = new Rng(1);
    const inputs = denseBatch(rng, [12, 5, 9], 8);
    const cycle = async (k: number) => {
      const m = await SimpleRNN.create({ inputSize: 8, hiddenSize: 32 + (k % 3), outputSize: 4, seed: k });
      m.trainBatch(inputs, [0, 1, 2]); // allocates the activation workspace too
      m.dispose();
    };
    for (let k = 0; k < 20; k++) await cycle(k); // reach the steady state of the allocator
    const before = be.memoryBytes();
    for (let k = 0; k < 1000; k++) await cycle(k);
    expect(be.memoryBytes()).toBe(before);
  });

  it('views are refreshed after memory.grow: a model made before a large allocation still reads its params', async () => {
    const be = await wasmBackend();
    const m = await SimpleRNN.create({ inputSize: 4, hiddenSize: 8, outputSize: 2, seed: 2 });
    const p = m.getParams();
    const before = be.memoryBytes();
    const big = await SimpleRNN.create({ inputSize: 512, hiddenSize: 1024, outputSize: 512, seed: 3 }); // ~24 MB block
    expect(be.memoryBytes()).toBeGreaterThan(before); // memory grew, so old views were detached
    expect(Array.from(m.getParams().Ws)).toEqual(Array.from(p.Ws));
    expect(m.predict([[[1, 0, 0, 0]]])[0]).toHaveLength(2);
    big.dispose();
    m.dispose();
  });
});
