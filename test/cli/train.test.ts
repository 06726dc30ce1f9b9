// train / sample / eval end to end on a tiny generated text: checkpoints, exact resume, Ctrl-C, plots, bad files.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { checkSvg, expectOneLineError } from './checks.js';
import { cli, cliAsync, tempDir, tinyText } from './util.js';

// 4 tracks x 16 steps x 4 chunks = 256 tokens per segment; the text has ~4.2k training chars, 16 segments per epoch
const SMALL = ['--hidden-size', '16', '--batch-size', '4', '--seq-length', '16', '--chunks', '4', '--lr', '0.01', '--sample-every', '0'];

async function load(path: string): Promise<SimpleRNN> {
  return SimpleRNN.load(new Uint8Array(readFileSync(path)));
}

/** The checkpoint at `path` is the run of `ref` computed another way: `steps` steps, every parameter within 1e-3. */
async function expectSameRun(ref: string, path: string, steps: number): Promise<void> {
  const [one, other] = [await load(ref), await load(path)];
  expect(other.stepCount).toBe(steps);
  const p1 = one.getParams();
  const p2 = other.getParams();
  for (const k of ['Ws', 'bs', 'Wo', 'bo'] as const) p2[k].forEach((v, j) => expect(Math.abs(v - p1[k][j])).toBeLessThan(1e-3));
  one.dispose();
  other.dispose();
}

describe('train, sample, eval', () => {
  const dir = tempDir();
  const text = join(dir, 'tiny.txt');
  const a = join(dir, 'a.rnn');
  let trained: ReturnType<typeof cli>;

  beforeAll(() => {
    writeFileSync(text, tinyText());
    trained = cli(['train', '--text', text, ...SMALL, '--steps', '64', '--checkpoint', a, '--plot', join(dir, 'a.svg')]);
  });

  it('trains, reports training and validation loss, writes a checkpoint and a plot', async () => {
    expect(trained.stderr).not.toMatch(/simple-rnn:/);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/vocabulary \d+; training on/);
    const m = /Stopped at step 64, .* training loss (\d+\.\d+) nats\/char, validation (\d+\.\d+) \(perplexity (\d+\.\d+)\)/.exec(trained.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![3])).toBeCloseTo(Math.exp(Number(m![2])), 1);
    const model = await load(a);
    expect(model.stepCount).toBe(64);
    expect(model.config.hiddenSize).toBe(16);
    model.dispose();
    const curves = checkSvg(join(dir, 'a.svg'));
    expect(curves.length).toBeGreaterThanOrEqual(2); // training and validation
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // the temporary file was renamed
  });

  it('--threads 2 trains the same run data-parallel: parameters equal the one-thread run within f32 rounding', async () => {
    const t = join(dir, 't.rnn');
    const r = cli(['train', '--text', text, ...SMALL, '--steps', '64', '--checkpoint', t, '--threads', '2']);
    expect(r.stderr).not.toMatch(/simple-rnn:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/steps per epoch; 2 threads/);
    // the sub-batch gradient sums group f32 rows differently; 64 Adam steps keep the drift far below 1e-3
    await expectSameRun(a, t, 64);
  });

  it('--simd relaxed trains on the relaxed build (also with --threads 2 and on --resume): the same run within f32 rounding', async () => {
    const r = join(dir, 'r.rnn');
    const run = cli(['train', '--text', text, ...SMALL, '--steps', '32', '--checkpoint', r, '--simd', 'relaxed']);
    expect(run.code, run.stderr).toBe(0);
    // Node 20 runs it once the library has turned on its V8 flag; elsewhere the header says why it runs strict
    expect(run.stdout).toMatch(/steps per epoch; (relaxed SIMD|strict SIMD \(.*relaxed SIMD.*\))\n/);
    const more = cli(['train', '--text', text, '--steps', '64', '--checkpoint', r, '--resume', '--simd', 'relaxed', '--threads', '2', '--sample-every', '0']);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stdout).toMatch(/steps per epoch; (2 threads|1 thread \(.*\)); (relaxed SIMD|strict SIMD)/);
    // fused multiply-adds round once where the strict build rounds twice; 64 Adam steps keep the drift below 1e-3
    await expectSameRun(a, r, 64);
    expectOneLineError(cli(['train', '--text', text, '--simd', 'fast']), /--simd/);
  });

  it('learns something: the loss falls below the uniform guess', () => {
    const V = Number(/vocabulary (\d+)/.exec(trained.stdout)![1]);
    const loss = Number(/training loss (\d+\.\d+)/.exec(trained.stdout)![1]);
    expect(loss).toBeLessThan(0.8 * Math.log(V));
  });

  it('--resume continues exactly: 32 steps, then 32 more, equal 64 straight (bit for bit)', async () => {
    const b = join(dir, 'b.rnn');
    expect(cli(['train', '--text', text, ...SMALL, '--steps', '32', '--checkpoint', b]).code).toBe(0);
    const half = await load(b);
    expect(half.stepCount).toBe(32);
    half.dispose();
    const r = cli(['train', '--text', text, '--sample-every', '0', '--resume', '--steps', '64', '--checkpoint', b]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('resuming at step 32');
    const [x, y] = [await load(a), await load(b)];
    expect(y.stepCount).toBe(64);
    const px = x.getParams();
    const py = y.getParams();
    for (const k of ['Ws', 'bs', 'Wo', 'bo'] as const) expect(Buffer.from(py[k].buffer).equals(Buffer.from(px[k].buffer))).toBe(true);
    x.dispose();
    y.dispose();
  });

  it('--resume refuses settings that would change the run, and another text', () => {
    expectOneLineError(cli(['train', '--text', text, '--resume', '--hidden-size', '32', '--checkpoint', a]), /--resume continues with the settings .* drop --hidden-size/);
    const other = join(dir, 'other.txt');
    writeFileSync(other, tinyText(300));
    expectOneLineError(cli(['train', '--text', other, '--resume', '--checkpoint', a]), /is not the text .* was trained on/);
  });

  it('Ctrl-C finishes the segment, saves and exits with 130', async () => {
    const c = join(dir, 'c.rnn');
    let sent = false;
    const r = await cliAsync(['train', '--text', text, ...SMALL, '--time', '120s', '--checkpoint', c, '--checkpoint-every', '0'], dir, (out, kill) => {
      if (!sent && out.includes('steps per epoch')) {
        sent = true;
        setTimeout(() => kill('SIGINT'), 1500);
      }
    });
    expect(r.code).toBe(130);
    const m = /Interrupted at step (\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const model = await load(c);
    expect(model.stepCount).toBe(Number(m![1]));
    expect((model.metadata as { cursor: { steps: number } }).cursor.steps).toBe(model.stepCount); // stopped between segments
    model.dispose();
  });

  it('sample: seeded, deterministic, the requested length', () => {
    const s1 = cli(['sample', '--model', a, '--length', '80', '--seed', '3']);
    const s2 = cli(['sample', '--model', a, '--length', '80', '--seed', '3']);
    const s3 = cli(['sample', '--model', a, '--length', '80', '--seed', '4']);
    expect(s1.code).toBe(0);
    expect(s1.stdout).toBe(s2.stdout);
    expect(s1.stdout).not.toBe(s3.stdout);
    expect(Array.from(s1.stdout).length).toBe(1 + 80 + 1); // the default prompt "\n", 80 chars, a final newline
  });

  it('sample: a prompt is continued; temperature 0 is greedy (no seed dependence)', () => {
    const g1 = cli(['sample', '--model', a, '--prompt', 'the cat', '--length', '40', '--temperature', '0', '--seed', '1']);
    const g2 = cli(['sample', '--model', a, '--prompt', 'the cat', '--length', '40', '--temperature', '0', '--seed', '2']);
    expect(g1.code).toBe(0);
    expect(g1.stdout.startsWith('the cat')).toBe(true);
    expect(g1.stdout).toBe(g2.stdout);
    const k1 = cli(['sample', '--model', a, '--length', '40', '--top-k', '1', '--seed', '5']);
    const k2 = cli(['sample', '--model', a, '--length', '40', '--top-k', '1', '--seed', '6']);
    expect(k1.stdout).toBe(k2.stdout);
  });

  it('eval: loss per char and perplexity = exp(loss), lower on the training text than on shuffled text', () => {
    const e = cli(['eval', '--model', a, '--text', text]);
    expect(e.code).toBe(0);
    const m = /loss (\d+\.\d+) nats\/char .* perplexity (\d+\.\d+)/.exec(e.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeCloseTo(Math.exp(Number(m![1])), 2);
    const noise = join(dir, 'noise.txt');
    const chars = Array.from(tinyText());
    let x = 12345;
    for (let k = chars.length - 1; k > 0; k--) {
      x = (x * 1103515245 + 12345) >>> 0;
      const j = x % (k + 1);
      [chars[k], chars[j]] = [chars[j], chars[k]];
    }
    writeFileSync(noise, chars.join(''));
    const n = /loss (\d+\.\d+)/.exec(cli(['eval', '--model', a, '--text', noise]).stdout);
    expect(Number(n![1])).toBeGreaterThan(Number(m![1]) + 0.3);
  });

  it('bad model files: one line each', () => {
    expectOneLineError(cli(['sample', '--model', join(dir, 'none.rnn')]), /cannot read --model .*none\.rnn: no such file/);
    const bytes = readFileSync(a);
    const cut = join(dir, 'cut.rnn');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    expectOneLineError(cli(['sample', '--model', cut]), /cannot load model .*cut\.rnn: /);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1] ^= 0xff;
    const bad = join(dir, 'bad.rnn');
    writeFileSync(bad, flipped);
    expectOneLineError(cli(['eval', '--model', bad, '--text', text]), /cannot load model .*bad\.rnn: /);
    expectOneLineError(cli(['eval', '--model', text, '--text', text]), /cannot load model /);
    expect(existsSync(a)).toBe(true);
  });
});
