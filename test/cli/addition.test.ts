// The seed's claim as a test: trained on numbers of at most 8 digits, the adder gets every 64-digit sum right.
// Fixed seed, the demo's own defaults; not timed.
import { describe, expect, it } from 'vitest';
import { encodeAddition, runAddition } from '../../src/demos/addition.js';
import { expectOneLineError } from './checks.js';
import { cli } from './util.js';

describe('addition demo', () => {
  it('encodes one step per digit pair, least significant first, with the final carry as an extra step', () => {
    // 95 + 17 = 112: digits a = [5, 9], b = [7, 1]
    const { x, y } = encodeAddition({ a: [5, 9], b: [7, 1] });
    expect(y).toEqual([2, 1, 1]);
    expect(x.length).toBe(3 * 20);
    expect(Array.from(x.subarray(0, 20)).flatMap((v, k) => (v ? [k] : []))).toEqual([5, 10 + 7]);
    expect(Array.from(x.subarray(40, 60)).every((v, k) => v === (k === 0 || k === 10 ? 1 : 0))).toBe(true);
  });

  it('trained on <= 8 digits, adds 64-digit numbers exactly (every sum of 1000)', async () => {
    const r = await runAddition({ testLengths: [8, 64], testCount: 1000, seed: 1 });
    expect(r.steps).toBe(Math.ceil(30000 / 32) * 6);
    const at64 = r.accuracy.find((a) => a.digits === 64)!;
    expect(at64).toMatchObject({ correct: 1000, total: 1000 });
    expect(r.losses[r.losses.length - 1]).toBeLessThan(0.05 * r.losses[0]);
  });

  it('a 2-layer bidirectional adder (--layers 2 --bidirectional) also gets every 64-digit sum right, in half the epochs', async () => {
    const r = await runAddition({ layers: 2, bidirectional: true, epochs: 3, testLengths: [16, 64], testCount: 200, seed: 1 });
    expect(r.config).toMatchObject({ layers: 2, bidirectional: true });
    for (const a of r.accuracy) expect(a, `${a.digits} digits`).toMatchObject({ correct: 200, total: 200 });
  });

  it('spawned: --layers and --bidirectional reach the model line; bad values are one line', () => {
    const r = cli(['demo', 'addition', '--layers', '2', '--bidirectional', '--epochs', '1', '--train', '64', '--test', '4', '--test-count', '5']);
    expect(r.stderr).not.toMatch(/simple-rnn:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Training on 64 sums of 1-8 digit numbers, 1 epochs: adam lr 0\.01 \(cosine\), 2 layers, H=64, bidirectional, wasm, seed 1\.$/m);
    expectOneLineError(cli(['demo', 'addition', '--layers', '0']), /demo addition: --layers must be an integer in \[1, 16\]; got 0$/);
    expectOneLineError(cli(['demo', 'addition', '--bidirectional=yes']), /option --bidirectional takes no value/);
  });
});
