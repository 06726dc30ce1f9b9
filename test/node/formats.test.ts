// simple-rnn/node: every writable format saved and loaded back through loadModel / saveModel (by extension and by
// options.format), the model's predictions unchanged, its metadata carried; and the reads a hostile path could turn
// into a hang or a huge allocation (a FIFO, a device, a directory, a sparse file past the limit, a symlink to a FIFO)
// refused before the file is opened, with the library's own error (no raw ENOENT, no stack trace in the message).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimpleRNN } from 'simple-rnn';
import { MAX_FILE_BYTES, MODEL_FORMATS, formatOf, loadCheckpoint, loadModel, saveCheckpoint, saveModel } from 'simple-rnn/node';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'simple-rnn-node-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small padded batch of token or dense sequences. */
function batch(model: SimpleRNN): number[][] | number[][][] {
  const c = model.config;
  const lens = [5, 3, 1];
  if (c.vocabSize) return lens.map((n, b) => Array.from({ length: n }, (_, t) => (3 * b + 5 * t + 1) % c.vocabSize));
  return lens.map((n, b) => Array.from({ length: n }, (_, t) => Array.from({ length: c.inputSize }, (_, k) => Math.sin(1 + b + 0.7 * t + 0.3 * k))));
}

const MODELS: [string, Parameters<typeof SimpleRNN.create>[0]][] = [
  ['dense, 1 layer', { inputSize: 3, hiddenSize: 5, outputSize: 2, seed: 3 }],
  ['tokens, 2 layers, bidirectional', { vocabSize: 7, hiddenSize: 4, outputSize: 7, layers: 2, bidirectional: true, returnSequences: true, seed: 4 }],
  ['dense, relu, 3 layers', { inputSize: 2, hiddenSize: [6, 5, 4], outputSize: 3, layers: 3, activation: 'relu', outputActivation: 'sigmoid', seed: 5 }],
];

/** Where each format goes: a path by extension, or options.format with a neutral name. */
const PATHS: [string, string, Record<string, unknown> | undefined][] = [
  ['rnn', 'm.rnn', undefined],
  ['tfjs', 'tfjs-folder', undefined],
  ['safetensors', 'm.safetensors', undefined],
  ['onnx', 'm.onnx', undefined],
  ['rnn (by options.format)', 'model.bin', { format: 'rnn' }],
];

describe.each(MODELS)('%s: saveModel then loadModel, every writable format', (_, options) => {
  it.each(PATHS)('%s', async (_f, name, fmt) => {
    const model = await SimpleRNN.create(options);
    model.metadata = { vocabulary: ['a', 'b'], note: 'carried' };
    const path = join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
    await saveModel(model, path, fmt);
    const back = await loadModel(path, fmt);
    try {
      expect(back.config.layers).toBe(model.config.layers);
      expect(back.config.bidirectional).toBe(model.config.bidirectional);
      expect(back.config.activation).toBe(model.config.activation);
      expect(back.config.outputActivation).toBe(model.config.outputActivation);
      expect(back.config.returnSequences).toBe(model.config.returnSequences);
      // every format here stores the f32 weights as they are and rebuilds the same computation: the same bits
      expect(back.predict(batch(model))).toEqual(model.predict(batch(model)));
      expect(back.metadata).toEqual(model.metadata);
    } finally {
      back.dispose();
      model.dispose();
    }
  });
});

describe('formats by extension', () => {
  it('knows every extension, a folder is TF.js, and options.format wins', () => {
    expect(formatOf('a/b.rnn')).toBe('rnn');
    expect(formatOf('a/b.ONNX')).toBe('onnx');
    expect(formatOf('a/b.safetensors')).toBe('safetensors');
    expect(formatOf('a/model.json')).toBe('tfjs');
    expect(formatOf('a/folder')).toBe('tfjs');
    expect(formatOf('x.keras')).toBe('keras');
    expect(formatOf('x.h5')).toBe('keras');
    expect(formatOf('x.bin', 'onnx')).toBe('onnx');
    expect(() => formatOf('x.pt')).toThrow(/path = "x\.pt" has the extension "\.pt", which names no model format; expected one of \.rnn, /);
    expect(() => formatOf('x.rnn', 'pickle')).toThrow(/options\.format must be one of 'rnn', 'tfjs', 'safetensors', 'onnx', 'keras'/);
    expect(MODEL_FORMATS.keras.write).toBe(false);
  });

  it('refuses to write Keras files, and a .json that is not model.json', async () => {
    const model = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    try {
      await expect(saveModel(model, join(dir, 'x.keras'))).rejects.toThrow(/SimpleRNN\.saveModel: path names a Keras model file .* reads but does not write/);
      await expect(saveModel(model, join(dir, 'other.json'))).rejects.toThrow(/names a \.json file; a TF\.js model is written as model\.json in a folder/);
      await expect(saveModel(model, join(dir, 'x.rnn'), { format: 'rnn', weightsPath: 'w.bin' })).rejects.toThrow(/options for a checkpoint may hold only metadata/);
    } finally {
      model.dispose();
    }
  });
});

/** The error a promise rejects with; still pending after 3 s (a FIFO being read) fails the test. */
async function refusal(p: Promise<unknown>): Promise<Error> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('still reading after 3 s')), 3000)));
  const r = await Promise.race([p.then((m) => ((m as SimpleRNN | null)?.dispose?.(), null)), hung]).then((v) => v, (e: unknown) => e as Error);
  clearTimeout(timer);
  expect(r, 'the call succeeded').not.toBeNull();
  const e = r as Error;
  expect(e.message).not.toMatch(/still reading/);
  expect(e).not.toHaveProperty('code'); // not a Node system error passed through
  expect(e.message).not.toMatch(/\n\s+at /);
  expect(e.message).toMatch(/^SimpleRNN\.load/);
  return e;
}

describe.skipIf(process.platform !== 'linux')('hostile paths are refused before they are opened', () => {
  it('a missing file, a directory, a FIFO, a character device, a symlink to a FIFO', async () => {
    expect((await refusal(loadModel(join(dir, 'none.onnx')))).message).toMatch(/path = ".*none\.onnx" cannot be read: no such file or directory \(ENOENT\)/);
    expect((await refusal(loadModel(dir, { format: 'onnx' }))).message).toMatch(/must be a regular file; got a directory/);
    const fifo = join(dir, 'fifo.safetensors');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect((await refusal(loadModel(fifo))).message).toMatch(/must be a regular file; got a FIFO/);
    expect((await refusal(loadModel('/dev/zero', { format: 'rnn' }))).message).toMatch(/must be a regular file; got a character device/);
    const link = join(dir, 'link.onnx');
    symlinkSync(fifo, link);
    expect((await refusal(loadModel(link))).message).toMatch(/must be a regular file; got a FIFO/);
    expect((await refusal(loadCheckpoint(fifo))).message).toMatch(/SimpleRNN\.loadCheckpoint: path = .* got a FIFO/);
  });

  it('a sparse file past the limit is refused by its size, before a byte is read', async () => {
    const big = join(dir, 'big.rnn');
    writeFileSync(big, '');
    truncateSync(big, MAX_FILE_BYTES + 1); // sparse: no disk used, but reading it would allocate 2 GiB
    const before = process.memoryUsage().arrayBuffers;
    expect((await refusal(loadModel(big))).message).toMatch(new RegExp(`path = ".*big\\.rnn" has ${MAX_FILE_BYTES + 1} bytes; expected at most ${MAX_FILE_BYTES}`));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 26);
  });

  it('a write into a missing folder fails with the library error and leaves no temporary file', async () => {
    const model = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    try {
      await expect(saveCheckpoint(model, join(dir, 'no', 'such', 'x.rnn'))).rejects.toThrow(/SimpleRNN\.saveCheckpoint: path = ".*x\.rnn" cannot be written: no such file or directory \(ENOENT\)/);
    } finally {
      model.dispose();
    }
  });
});
