// train / sample / eval with a deep model (--layers 2, a --hidden-size per layer, dropout), at the char and word
// levels: the model line, the checkpoint's model and run metadata, exact resume, sampling and scoring; and the flags'
// one-line errors (a bidirectional language model is refused, dropout where it cannot apply, sizes that disagree).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { expectOneLineError } from './checks.js';
import { cli, tempDir, tinyText } from './util.js';

const SMALL = ['--batch-size', '4', '--chunks', '4', '--lr', '0.01', '--sample-every', '0'];

async function load(path: string): Promise<SimpleRNN> {
  return SimpleRNN.load(new Uint8Array(readFileSync(path)));
}

/** Every parameter as its bit pattern: equal means bit for bit. */
function bits(m: SimpleRNN): Record<string, string> {
  const p = m.getParams();
  return Object.fromEntries(m.paramNames.map((k) => [k, Buffer.from(p[k].buffer, p[k].byteOffset, p[k].byteLength).toString('hex')]));
}

// char: 4 tracks x 16 steps x 4 chunks = 256 tokens per segment; word: 4 x 8 x 4 = 128
const LEVELS = [
  { level: 'char', flags: ['--seq-length', '16', '--recurrent-dropout', '0.1'], unit: 'char' },
  { level: 'word', flags: ['--level', 'word', '--embedding-size', '8', '--seq-length', '8', '--input-dropout', '0.1', '--recurrent-dropout', '0.1'], unit: 'word' },
] as const;

describe.each(LEVELS)('--layers 2 at the $level level', ({ level, flags, unit }) => {
  const dir = tempDir();
  const text = join(dir, 'tiny.txt');
  const a = join(dir, 'a.rnn');
  const DEEP = [...SMALL, ...flags, '--layers', '2', '--hidden-size', '16,12', '--dropout', '0.1'];
  let trained: ReturnType<typeof cli>;

  beforeAll(() => {
    writeFileSync(text, tinyText(level === 'word' ? 600 : 200));
    trained = cli(['train', '--text', text, ...DEEP, '--steps', '48', '--checkpoint', a]);
  });

  it('trains: the model line names the layers, sizes and dropout; the checkpoint holds that model and run', async () => {
    expect(trained.stderr).not.toMatch(/simple-rnn:/);
    expect(trained.code).toBe(0);
    const drop = level === 'word' ? 'dropout 0.1, input dropout 0.1, recurrent dropout 0.1' : 'dropout 0.1, recurrent dropout 0.1';
    expect(trained.stdout).toMatch(new RegExp(`^model: 2 layers, H=16,12, ${drop}, [\\d.]+k? parameters; adam lr 0\\.01`, 'm'));
    expect(trained.stdout).toMatch(new RegExp(`Stopped at step 48, .* training loss \\d+\\.\\d+ nats/${unit}, validation \\d+\\.\\d+`));
    const m = await load(a);
    expect(m.stepCount).toBe(48);
    expect(m.config).toMatchObject({ layers: 2, hiddenSize: [16, 12], dropout: 0.1, recurrentDropout: 0.1, bidirectional: false });
    expect(m.stateSize).toBe(28);
    expect(m.paramNames).toContain('Ws_l1');
    expect((m.metadata as { run: object }).run).toMatchObject({
      layers: 2, hiddenSize: [16, 12], dropout: 0.1, inputDropout: level === 'word' ? 0.1 : 0, recurrentDropout: 0.1,
    });
    m.dispose();
  });

  it('learns something: the training loss is below the uniform guess', () => {
    const V = Number(/vocabulary (\d+)/.exec(trained.stdout)![1]);
    const loss = Number(/training loss (\d+\.\d+)/.exec(trained.stdout)![1]);
    expect(loss).toBeLessThan(0.9 * Math.log(V));
  });

  it('--resume continues exactly: 24 steps, then 24 more, equal 48 straight (every layer, bit for bit, dropout included)', async () => {
    const b = join(dir, 'b.rnn');
    expect(cli(['train', '--text', text, ...DEEP, '--steps', '24', '--checkpoint', b]).code).toBe(0);
    const r = cli(['train', '--text', text, '--sample-every', '0', '--resume', '--steps', '48', '--checkpoint', b]);
    expect(r.stderr).not.toMatch(/simple-rnn:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('resuming at step 24');
    expect(r.stdout).toMatch(/^model: 2 layers, H=16,12, dropout 0\.1/m);
    const [x, y] = [await load(a), await load(b)];
    expect(y.stepCount).toBe(48);
    expect(bits(y)).toEqual(bits(x));
    x.dispose();
    y.dispose();
  });

  it('--resume refuses the model flags, as the other shaping flags', () => {
    expectOneLineError(cli(['train', '--text', text, '--resume', '--layers', '2', '--checkpoint', a]), /--resume continues with the settings .* drop --layers$/);
    expectOneLineError(cli(['train', '--text', text, '--resume', '--dropout', '0.1', '--recurrent-dropout', '0.1', '--checkpoint', a]), /drop --dropout, --recurrent-dropout$/);
  });

  it('sample: seeded and deterministic from the stacked state', () => {
    const s1 = cli(['sample', '--model', a, '--length', '40', '--seed', '3']);
    const s2 = cli(['sample', '--model', a, '--length', '40', '--seed', '3']);
    const s3 = cli(['sample', '--model', a, '--length', '40', '--seed', '4']);
    expect(s1.stderr).toBe('');
    expect(s1.code).toBe(0);
    expect(s1.stdout).toBe(s2.stdout);
    expect(s1.stdout).not.toBe(s3.stdout);
    if (level === 'char') expect(Array.from(s1.stdout).length).toBe(1 + 40 + 1); // "\n", 40 chars, a final newline
    else expect(s1.stdout.trim().split(/\s+/).length).toBeGreaterThan(5);
  });

  it('eval: windows and --carry; perplexity = exp(loss)', () => {
    for (const extra of [[], ['--carry']]) {
      const e = cli(['eval', '--model', a, '--text', text, ...extra]);
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
      const m = new RegExp(`loss (\\d+\\.\\d+) nats/${unit} .* perplexity (\\d+\\.\\d+)`).exec(e.stdout);
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBeCloseTo(Math.exp(Number(m![1])), 2);
    }
  });
});

describe('the model flags: one-line errors', () => {
  const dir = tempDir();
  const text = join(dir, 'tiny.txt');
  writeFileSync(text, tinyText(60));
  const train = (...args: string[]) => cli(['train', '--text', text, '--steps', '1', '--sample-every', '0', ...args]);
  const x = join(dir, 'x.rnn');

  it.each([
    [['--bidirectional'], /^simple-rnn: train: --bidirectional is refused: train fits a next-token model on a stream with carried state, and a reverse direction would read each chunk from its end, seeing the tokens it must predict; use --layers for depth$/],
    [['--bidirectional', '--merge', 'sum'], /train: --bidirectional is refused/],
    [['--merge', 'ave'], /train: --merge \(it joins the directions of --bidirectional\) is refused/],
    [['--merge', 'max'], /--merge must be one of concat, sum, mul, ave; got "max"/],
    [['--layers', '0'], /train: --layers must be an integer in \[1, 16\]; got 0$/],
    [['--layers', '17'], /--layers must be an integer in \[1, 16\]; got 17/],
    [['--hidden-size', '16,x'], /train: --hidden-size must be an integer in \[1, 4096\] or a comma list of them, such as 128,64; got "16,x"/],
    [['--hidden-size', '16,0'], /--hidden-size must be an integer in \[1, 4096\] or a comma list of them, such as 128,64; got 16,0$/],
    [['--hidden-size', '16,'], /--hidden-size must be .*; got "16,"/],
    [['--hidden-size', '-4'], /--hidden-size must be .*; got -4/],
    [['--hidden-size', '16,12', '--layers', '3'], /train: --hidden-size 16,12 gives 2 sizes but --layers is 3; give one size for every layer, or one per layer$/],
    [['--hidden-size', Array(17).fill(4).join(',')], /--hidden-size gives 17 sizes; a model has at most 16 layers/],
    [['--dropout', '0.2'], /train: --dropout drops the states passed between layers, so it needs --layers 2 or more; with one layer use --recurrent-dropout$/],
    [['--layers', '2', '--dropout', '1'], /--dropout must be a number in \[0, 1\); got 1$/],
    [['--recurrent-dropout', '-0.1'], /--recurrent-dropout must be a number in \[0, 1\); got -0\.1/],
    [['--input-dropout', '0.1'], /train: --input-dropout drops token vectors, so it needs an embedding layer \(--level word, or --embedding-size N\)$/],
  ])('%j', (args, message) => {
    expectOneLineError(train(...args, '--checkpoint', x), message);
  });

  it('--layers 3 with one --hidden-size gives every layer that size; --input-dropout works with --embedding-size', async () => {
    const m = join(dir, 'three.rnn');
    const r = train('--layers', '3', '--hidden-size', '8', '--embedding-size', '4', '--input-dropout', '0.2', '--batch-size', '2', '--seq-length', '8', '--chunks', '1', '--checkpoint', m);
    expect(r.stderr).not.toMatch(/simple-rnn:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model: 3 layers, H=8, input dropout 0\.2, /m);
    const model = await load(m);
    expect(model.config).toMatchObject({ layers: 3, hiddenSize: 8, inputDropout: 0.2 });
    expect(model.stateSize).toBe(24);
    model.dispose();
  });
});
