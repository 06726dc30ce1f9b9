// Memory soak: tens of thousands of create / trainBatch / predict / dispose cycles (600k training steps) keep
// wasm linear memory and the JS heap flat. Shapes rotate through a fixed set (4 model configs x 3 batch shapes),
// so after a warm-up that has seen every shape the allocator is in its steady state:
//   wasm: memory.buffer.byteLength must not change at all after the warm-up (the allocator reuses freed blocks);
//   JS heap: heapUsed after a full GC must stay within 8 MiB of the post-warm-up figure (generous: V8's heap moves
//   by a few hundred KiB between collections; a leak of one params copy per cycle would be > 50 MiB here), and so
//   must arrayBuffers (ArrayBuffer backing stores live outside heapUsed: the js backend's memory is there).
// gc is exposed at run time (v8.setFlagsFromString + a fresh context), so no node flag is needed.
import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { wasmBackend } from '../../src/backends/wasm.js';
import { Rng } from 'simple-rnn';
import { denseBatch, tokenBatch } from '../util.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MiB = 2 ** 20;
const CYCLES = { wasm: 50_000, js: 10_000 };
const STEPS_PER_CYCLE = 10;
const CHECKPOINTS = 8;

const CONFIGS: SimpleRNNOptions[] = [
  { inputSize: 4, hiddenSize: 8, outputSize: 3 },
  { inputSize: 6, hiddenSize: 13, outputSize: 2, outputActivation: 'linear', returnSequences: true },
  { vocabSize: 11, hiddenSize: 9, outputSize: 4 },
  { vocabSize: 7, embeddingSize: 3, hiddenSize: 6, outputSize: 2, outputActivation: 'sigmoid', returnSequences: true, learnInitialState: true },
];
const LENGTHS = [[5, 3, 4], [9], [2, 2, 7, 1, 3]];

/** Batches and targets for every (config, shape), made once: the soak measures the library, not the test's garbage. */
function makeData(rng: Rng): { inputs: unknown; targets: unknown }[][] {
  return CONFIGS.map((c) => LENGTHS.map((lengths) => {
    const inputs = c.vocabSize ? tokenBatch(rng, lengths, c.vocabSize) : denseBatch(rng, lengths, c.inputSize!);
    const O = c.outputSize;
    const one = () => (c.outputActivation === 'sigmoid' ? Array.from({ length: O }, () => rng.int(2)) : c.outputActivation === 'linear' ? Array.from({ length: O }, () => rng.uniform()) : rng.int(O));
    const targets = lengths.map((T) => (c.returnSequences ? Array.from({ length: T }, one) : one()));
    return { inputs, targets };
  }));
}

describe.each(['wasm', 'js'] as const)('memory soak (%s)', (backend) => {
  it(`create / ${STEPS_PER_CYCLE} x trainBatch / predict / dispose cycles keep wasm memory and the JS heap flat`, async () => {
    const be = await wasmBackend();
    const data = makeData(new Rng(7));
    const cycles = CYCLES[backend];
    let lossSum = 0;
    const cycle = async (k: number) => {
      const ci = k % CONFIGS.length;
      const d = data[ci][Math.floor(k / CONFIGS.length) % LENGTHS.length];
      const m = await SimpleRNN.create({ ...CONFIGS[ci], backend, seed: k });
      for (let s = 0; s < STEPS_PER_CYCLE; s++) lossSum += m.trainBatch(d.inputs as never, d.targets as never);
      m.predict(d.inputs as never);
      m.dispose();
    };
    const warm = 4 * CONFIGS.length * LENGTHS.length;
    for (let k = 0; k < warm; k++) await cycle(k);
    gc();
    const wasm0 = be.memoryBytes();
    const heap0 = process.memoryUsage().heapUsed;
    const ab0 = process.memoryUsage().arrayBuffers;
    let abMax = ab0;
    const rows: string[] = [];
    let wasmMax = wasm0;
    let heapMax = heap0;
    const per = Math.ceil(cycles / CHECKPOINTS);
    for (let c = 0; c < CHECKPOINTS; c++) {
      for (let k = 0; k < per; k++) await cycle(warm + c * per + k);
      gc();
      const w = be.memoryBytes();
      const { heapUsed: h, arrayBuffers: ab } = process.memoryUsage();
      abMax = Math.max(abMax, ab);
      wasmMax = Math.max(wasmMax, w);
      heapMax = Math.max(heapMax, h);
      rows.push(`${(c + 1) * per}: wasm ${w} B, heap ${(h / MiB).toFixed(2)} MiB, arrayBuffers ${(ab / MiB).toFixed(2)} MiB`);
    }
    const steps = CHECKPOINTS * per * STEPS_PER_CYCLE;
    console.log(
      `soak ${backend}: ${CHECKPOINTS * per} cycles, ${steps} training steps; wasm memory ${wasm0} B -> max ${wasmMax} B; ` +
      `heapUsed after gc ${(heap0 / MiB).toFixed(2)} MiB -> max ${(heapMax / MiB).toFixed(2)} MiB (+${((heapMax - heap0) / MiB).toFixed(2)}); ` +
      `arrayBuffers ${(ab0 / MiB).toFixed(2)} MiB -> max ${(abMax / MiB).toFixed(2)} MiB\n  ${rows.join('\n  ')}`,
    );
    expect(Number.isFinite(lossSum)).toBe(true);
    expect(wasmMax, 'wasm memory grew after the warm-up').toBe(wasm0);
    expect(heapMax - heap0, 'JS heap grew after the warm-up').toBeLessThan(8 * MiB);
    expect(abMax - ab0, 'ArrayBuffer memory grew after the warm-up').toBeLessThan(8 * MiB);
  });
});
