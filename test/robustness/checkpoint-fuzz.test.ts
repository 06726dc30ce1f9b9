// Every single-bit flip and every truncation of a checkpoint is rejected with a clear error, nothing half-loads,
// and wasm memory stays where it was. A file of a small model with Adam state is ~1 KB: ~10k flipped files.
import { describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { wasmBackend } from '../../src/backends/wasm.js';

describe('checkpoint corruption, exhaustively', () => {
  it('every bit flipped and every prefix cut is refused by SimpleRNN.load with a message naming bytes', async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 4, outputSize: 5, returnSequences: true, optimizer: 'adam', seed: 3 });
    m.trainBatch([[1, 2, 3], [4, 0]], [[2, 3, 4], [0, 1]]);
    const good = m.save({ note: 'fuzz' });
    m.dispose();
    const ok = await SimpleRNN.load(good); // the intact file loads
    ok.dispose();
    const be = await wasmBackend();
    const before = be.memoryBytes();
    let tried = 0;
    const refuse = async (bytes: Uint8Array, what: string) => {
      tried++;
      let err: unknown = null;
      try {
        (await SimpleRNN.load(bytes)).dispose();
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(Error);
      expect((err as Error).message, what).toMatch(/^SimpleRNN\.load: bytes /);
    };
    for (let at = 0; at < good.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const c = good.slice();
        c[at] ^= 1 << bit;
        await refuse(c, `byte ${at} bit ${bit}`);
      }
    }
    for (let n = 0; n < good.length; n++) await refuse(good.slice(0, n), `cut at ${n}`);
    expect(be.memoryBytes()).toBe(before);
    console.log(`checkpoint fuzz: ${tried} corrupted files (${good.length} bytes, every bit and every cut) refused`);
  });
});
