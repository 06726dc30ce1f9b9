// `simple-rnn convert IN OUT` on the built CLI: a checkpoint of train through every writable format and back (the
// summary line, the same model: eval gives the same loss), sample and eval reading a converted model directly, the
// flags a format does not carry, and the one-line errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError } from './checks.js';
import { cli, tempDir, tinyText } from './util.js';

const SMALL = ['--hidden-size', '8', '--seq-length', '8', '--batch-size', '4', '--layers', '2', '--sample-every', '0'];
const dir = tempDir();
const text = join(dir, 'tiny.txt');
const ckpt = join(dir, 'tiny.rnn');

beforeAll(() => {
  writeFileSync(text, tinyText(60));
  const r = cli(['train', '--text', text, ...SMALL, '--steps', '8', '--checkpoint', ckpt]);
  expect(r.code, r.stderr).toBe(0);
});

/** eval's loss line of a model file. */
const lossOf = (model: string): string => {
  const r = cli(['eval', '--model', model, '--text', text]);
  expect(r.code, r.stderr).toBe(0);
  return /loss (\d+\.\d+) nats/.exec(r.stdout)![1];
};

describe('convert', () => {
  it('a checkpoint of train through .onnx, .safetensors and a TF.js folder and back: eval and sample agree', () => {
    const loss = lossOf(ckpt);
    const onnx = join(dir, 'm.onnx');
    let r = cli(['convert', ckpt, onnx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^read .*tiny\.rnn \(rnn\): 2 layers of H=8, forward, token ids \(V=\d+\), tanh state, softmax head of O=\d+ at every step; [\d,]+ parameters\n/);
    expect(r.stdout).toMatch(/wrote .*m\.onnx \(onnx\)\n$/);
    const st = join(dir, 'm.safetensors');
    expect(cli(['convert', onnx, st]).code).toBe(0);
    expect(existsSync(join(dir, 'm.py'))).toBe(true); // the nn.Module beside the tensors
    expect(readFileSync(join(dir, 'm.py'), 'utf8')).toMatch(/nn\.RNN\(/);
    const folder = join(dir, 'tfjs');
    expect(cli(['convert', st, folder]).code).toBe(0);
    expect(existsSync(join(folder, 'model.json'))).toBe(true);
    const back = join(dir, 'back.rnn');
    expect(cli(['convert', folder, back]).code).toBe(0);
    // the f32 weights travel unchanged through every format: the same loss to the printed digit
    for (const m of [onnx, st, folder, back]) expect(lossOf(m), m).toBe(loss);
    const a = cli(['sample', '--model', ckpt, '--length', '40', '--seed', '3']);
    const b = cli(['sample', '--model', onnx, '--length', '40', '--seed', '3']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('--from and --to name formats a file name does not', () => {
    const out = join(dir, 'model.bin');
    expect(cli(['convert', ckpt, out, '--to', 'onnx']).code).toBe(0);
    const r = cli(['convert', out, join(dir, 'again.rnn'), '--from', 'onnx']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(onnx\)/);
  });

  it('one-line errors: unknown extension, Keras as a target, a flag the format carries, a missing input', () => {
    expectOneLineError(cli(['convert', ckpt, join(dir, 'x.pt')]), /OUT .*x\.pt: the extension \.pt names no model format; expected \.rnn, /);
    expectOneLineError(cli(['convert', ckpt, join(dir, 'x.keras')]), /OUT .*x\.keras: Keras files can be read but not written/);
    expectOneLineError(cli(['convert', ckpt, join(dir, 'y.onnx'), '--activation', 'relu']), /--activation: a simple-rnn checkpoint carries this itself/);
    expectOneLineError(cli(['convert', join(dir, 'none.onnx'), join(dir, 'z.rnn')]), /cannot read IN .*none\.onnx: no such file/);
    expectOneLineError(cli(['convert', ckpt]), /convert: give IN and OUT/);
    expectOneLineError(cli(['convert', ckpt, ckpt]), /are the same file/);
  });

  it('a forged input is one line naming the file', () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f));
    expectOneLineError(cli(['convert', bad, join(dir, 'bad.rnn')]), /cannot load model .*bad\.onnx: /);
  });
});
