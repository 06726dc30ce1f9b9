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

describe('the workspace grows by rows, not by the product of the largest B and the largest T seen', () => {
  it('3 long sequences, then 32 short ones: room for the larger batch, not for 32 x 512', async () => {
    const m = await SimpleRNN.create({ vocabSize: 20, hiddenSize: 64, outputSize: 20, returnSequences: true, backend: 'js' });
    const be = (m as unknown as { be: { memoryBytes(): number } }).be;
    const base = be.memoryBytes();
    const rng = new Rng(1);
    const long = Array.from({ length: 3 }, () => Array.from({ length: 512 }, () => rng.int(20)));
    const short = Array.from({ length: 32 }, () => Array.from({ length: 64 }, () => rng.int(20)));
    m.predict(long);
    m.trainBatch(short, short);
    // per row the workspace holds about (4 H + 6 O + 12) floats: 2,080 rows here; 32 x 513 rows would be ~8x more
    const perRow = (4 * 64 + 6 * 20 + 12) * 4;
    expect(be.memoryBytes() - base).toBeLessThan(1.5 * 2080 * perRow);
    m.dispose();
  });
});
