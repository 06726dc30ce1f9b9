// train --decay cosine and --preset fast: the run's learning-rate curve is fixed at its start from its bounds,
// stored in the checkpoint, followed segment by segment, followed again by --resume, and checked when read back.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { decayedRate, readTrainMetadata, type Decay, type TrainMetadata } from '../../src/cli/metadata.js';
import { expectOneLineError } from './checks.js';
import { cli, tempDir, tinyText } from './util.js';

// 4 tracks x 16 steps x 4 chunks: 4 steps per segment, so --steps 16 is 4 segments
const SMALL = ['--hidden-size', '8', '--batch-size', '4', '--seq-length', '16', '--chunks', '4', '--lr', '0.01', '--sample-every', '0'];

const load = (path: string) => SimpleRNN.load(new Uint8Array(readFileSync(path)));

describe('decayedRate', () => {
  const d: Decay = { type: 'cosine', lr: 0.004, floor: 0.1, maxSteps: 100, maxSeconds: 0 };
  it('starts at lr, ends at lr·floor, and is halfway between at f = 1/2', () => {
    expect(decayedRate(d, 0, 5)).toBe(0.004);
    expect(decayedRate(d, 100, 0)).toBeCloseTo(0.0004, 15);
    expect(decayedRate(d, 250, 0)).toBeCloseTo(0.0004, 15); // past the end: the floor
    expect(decayedRate(d, 50, 0)).toBeCloseTo(0.004 * (0.1 + 0.9 / 2), 15);
    expect(decayedRate(d, 25, 0)).toBeGreaterThan(decayedRate(d, 26, 0)); // falls step by step
  });
  it('follows the larger of the two fractions when the run has both bounds', () => {
    const both: Decay = { ...d, maxSteps: 100, maxSeconds: 60 };
    expect(decayedRate(both, 10, 30)).toBeCloseTo(decayedRate(d, 50, 0), 15); // 30 s of 60 is further than 10 steps of 100
    expect(decayedRate(both, 80, 30)).toBeCloseTo(decayedRate(d, 80, 0), 15);
  });
});

describe('train --decay cosine, --preset fast', () => {
  const dir = tempDir();
  const text = join(dir, 'tiny.txt');
  beforeAll(() => writeFileSync(text, tinyText()));

  it('stores the curve of the run and ends on its floor; --resume continues it', async () => {
    const path = join(dir, 'd.rnn');
    const r = cli(['train', '--text', text, ...SMALL, '--steps', '16', '--decay', 'cosine', '--checkpoint', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/adam lr 0\.01 with a cosine decay to 0\.001/);
    const m = await load(path);
    const meta = readTrainMetadata(m.metadata) as TrainMetadata;
    expect(meta.run.decay).toEqual({ type: 'cosine', lr: 0.01, floor: 0.1, maxSteps: 16, maxSeconds: 0 });
    // the last segment (steps 12..16) trained at the rate of f = 12/16
    expect(m.training.learningRate).toBe(decayedRate(meta.run.decay!, 12, 0));
    m.dispose();
    const more = cli(['train', '--text', text, '--steps', '24', '--checkpoint', path, '--resume', '--sample-every', '0']);
    expect(more.code, more.stderr).toBe(0);
    const m2 = await load(path);
    expect(m2.stepCount).toBe(24);
    expect(m2.training.learningRate).toBeCloseTo(0.001, 15); // past the run's 16 steps: the floor
    m2.dispose();
  });

  it('--preset fast stands for its flags, and a flag given beside it wins', async () => {
    const path = join(dir, 'f.rnn');
    const r = cli(['train', '--text', text, '--preset', 'fast', '--hidden-size', '8', '--batch-size', '4', '--chunks', '2', '--steps', '4', '--checkpoint', path, '--sample-every', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/H=8, recurrent dropout 0\.1, .*adam lr 0\.004 with a cosine decay to 0\.0004/);
    expect(r.stdout).toMatch(/4 tracks x 32 steps/);
    expect(r.stdout).toMatch(/2 threads|1 thread \(/);
    const m = await load(path);
    expect(m.config.hiddenSize).toBe(8);
    expect(m.config.recurrentDropout).toBe(0.1);
    m.dispose();
  });

  it('--resume refuses --decay and --preset; a forged decay in a checkpoint is one line naming it', () => {
    const path = join(dir, 'd.rnn');
    expectOneLineError(cli(['train', '--text', text, '--checkpoint', path, '--resume', '--decay', 'cosine']), /--resume continues with the settings the run started with; drop --decay/);
    expectOneLineError(cli(['train', '--text', text, '--checkpoint', path, '--resume', '--preset', 'fast']), /drop --preset/);
    expect(() => readTrainMetadata({ ...goodMeta(), run: { ...goodMeta().run, decay: { type: 'cosine', lr: 0.01, floor: 2, maxSteps: 1, maxSeconds: 0 } } }))
      .toThrow(/checkpoint metadata run\.decay\.floor = 2/);
    expect(() => readTrainMetadata({ ...goodMeta(), run: { ...goodMeta().run, decay: { type: 'linear', lr: 0.01, floor: 0.1, maxSteps: 1, maxSeconds: 0 } } }))
      .toThrow(/checkpoint metadata run\.decay\.type must be one of 'cosine'/);
  });
});

/** A well-formed metadata object of train (fields as train writes them). */
function goodMeta(): TrainMetadata {
  return {
    format: 'simple-rnn/cli-train', version: 1, vocabulary: null, cursor: { segment: 0, steps: 0, seconds: 0 },
    run: { text: 'x', textCrc: 1, textTokens: 10, level: 'char', valSplit: 0.1, seqLength: 8, batchSize: 2, chunks: 2, seed: 1, optimizer: 'adam' },
    history: { train: [], val: [] },
  };
}
