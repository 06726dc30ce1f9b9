// The CLI against hostile files and arguments: reads that are refused up front (a directory, a FIFO, /dev/zero, a
// file past its role's limit, one that grows while read), writes that would destroy an input, the leftovers of an
// interrupted save, forged checkpoint metadata, negative numbers, and failures that are not the caller's. The
// modules are tested directly; a few checks spawn the built CLI (test/cli/util.ts) for what only a process shows.
import { spawnSync } from 'node:child_process';
import {
  existsSync, linkSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, symlinkSync, truncateSync, utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../src/checkpoint.js';
import { SimpleRNN } from '../../src/model.js';
import { UsageError, parseCommand, type Command } from '../../src/cli/args.js';
import { ROLES, checkFiles, fileIdentity, readBytes, readText, removeStaleTemps, tempPath, writeAtomic } from '../../src/cli/files.js';
import { loadCheckpoint } from '../../src/cli/lm.js';
import { readTrainMetadata, type TrainMetadata } from '../../src/cli/metadata.js';
import { describeFailure, report } from '../../src/cli/report.js';
import { buildTokenizer } from '../../src/cli/tokenizer.js';
import { expectOneLineError } from './checks.js';
import { CLI, cli, tempDir, tinyText } from './util.js';

const posix = process.platform !== 'win32';
const linux = process.platform === 'linux';

/** A pid that was alive a moment ago and is not now. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

const mkfifo = (path: string): void => {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed`);
};

describe('reading: regular files only, up to the role limit', () => {
  const dir = tempDir();

  it('refuses a directory and a missing file, naming the flag and the file', () => {
    expect(() => readBytes('text', '--text', dir)).toThrow(`cannot read --text ${dir}: is a directory`);
    expect(() => readBytes('checkpoint', '--model', join(dir, 'none.rnn'))).toThrow(/^cannot read --model .*none\.rnn: no such file$/);
  });

  it('refuses a file past its role limit by its size, without reading it (a sparse file of limit + 1 bytes)', () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, '');
    truncateSync(big, ROLES.text.limit + 1);
    expect(() => readText('text', '--text', big)).toThrow(/^cannot read --text .*big\.txt: it is 256\.0 MiB, more than a text may be \(256 MiB\)$/);
    const huge = join(dir, 'huge.rnn');
    writeFileSync(huge, '');
    truncateSync(huge, 5 * 2 ** 30);
    expect(() => readBytes('checkpoint', '--model', huge)).toThrow(/it is 5 GiB, more than a checkpoint may be \(2 GiB\)/);
  });

  it.skipIf(!posix)('refuses a FIFO, /dev/zero and /dev/null up front', () => {
    const fifo = join(dir, 'fifo');
    mkfifo(fifo);
    expect(() => readBytes('text', '--text', fifo)).toThrow(/is not a regular file \(a FIFO\)/);
    expect(() => readBytes('vectors', '--vectors', '/dev/zero')).toThrow('cannot read --vectors /dev/zero: is not a regular file (a character device)');
    expect(() => readBytes('text', '--text', '/dev/null')).toThrow(/a character device/);
  });

  it.skipIf(!linux)('holds the limit while reading: a file whose size lies (/proc, size 0) is cut at limit + 1 bytes and refused', () => {
    const status = readFileSync('/proc/self/status');
    expect(status.length).toBeGreaterThan(64);
    expect(() => readBytes('text', '--text', '/proc/self/status', 64)).toThrow(/^cannot read --text \/proc\/self\/status: it grew past 64 bytes \(the limit for a text\) while being read$/);
    expect(readBytes('text', '--text', '/proc/self/status', 1 << 20).length).toBeGreaterThan(64); // under the limit it is read whole
  });

  it('reads a file exactly at the limit, and an empty text is refused by name', () => {
    const f = join(dir, 'exact.txt');
    writeFileSync(f, 'x'.repeat(100));
    expect(readBytes('text', '--text', f, 100).length).toBe(100);
    expect(() => readBytes('text', '--text', f, 99)).toThrow(/it is 100 bytes, more than a text may be \(99 bytes\)/);
    writeFileSync(f, '');
    expect(() => readText('text', '--text', f)).toThrow(`--text ${f} is empty`);
  });

  it.skipIf(!posix)('spawned: a FIFO and /dev/zero as --text fail at once with one line (they used to block or read forever)', () => {
    const fifo = join(dir, 'fifo2');
    mkfifo(fifo);
    const f = cli(['train', '--text', fifo], dir, 20_000);
    expect(f.code).not.toBeNull(); // not killed by the timeout
    expectOneLineError(f, /cannot read --text .*fifo2: is not a regular file \(a FIFO\)/);
    expectOneLineError(cli(['eval', '--model', '/dev/zero', '--text', '/dev/zero'], dir, 20_000), /cannot read --text \/dev\/zero: is not a regular file/);
  });
});

describe('writing: never over an input, outputs distinct, no leftovers', () => {
  const dir = tempDir();
  const text = join(dir, 't.txt');
  writeFileSync(text, 'some text\n');

  it('the same file by any spelling: path, ./ and .., a symlink, a hard link; a file yet to be written by its real directory', () => {
    const id = fileIdentity(text);
    expect(fileIdentity(`${dir}/./t.txt`)).toBe(id);
    mkdirSync(join(dir, 'sub'));
    expect(fileIdentity(`${dir}/sub/../t.txt`)).toBe(id);
    expect(fileIdentity(`${dir}/sub/../new.rnn`)).toBe(fileIdentity(join(dir, 'new.rnn')));
    if (posix) {
      symlinkSync(text, join(dir, 'link.txt'));
      linkSync(text, join(dir, 'hard.txt'));
      expect(fileIdentity(join(dir, 'link.txt'))).toBe(id);
      expect(fileIdentity(join(dir, 'hard.txt'))).toBe(id);
      symlinkSync(dir, join(dir, 'dirlink'));
      expect(fileIdentity(join(dir, 'dirlink', 'new.rnn'))).toBe(fileIdentity(join(dir, 'new.rnn')));
    }
    expect(fileIdentity(join(dir, 'new.rnn'))).not.toBe(fileIdentity(join(dir, 'other.rnn')));
  });

  it('checkFiles refuses an output that is an input or another output, and allows a file read and written in one use', () => {
    const uses = (ckpt: string, plot?: string, resume = false) => [
      { flag: '--text', path: text, read: true },
      { flag: '--vectors', path: undefined, read: true },
      { flag: '--checkpoint', path: ckpt, read: resume, write: true },
      { flag: '--plot', path: plot, write: true },
    ];
    expect(() => checkFiles('train', uses(text))).toThrow(`train: --checkpoint ${text} and --text ${text} are the same file; train would write over its input`);
    expect(() => checkFiles('train', uses(`${dir}/sub/../t.txt`))).toThrow(/are the same file; train would write over its input/);
    if (posix) expect(() => checkFiles('train', uses(join(dir, 'hard.txt')))).toThrow(/--checkpoint .*hard\.txt and --text .*t\.txt are the same file/);
    expect(() => checkFiles('train', uses(join(dir, 'm.rnn'), `${dir}/sub/../m.rnn`))).toThrow(/--checkpoint .*m\.rnn and --plot .*m\.rnn are the same file; one would overwrite the other/);
    expect(() => checkFiles('train', uses(join(dir, 'm.rnn'), text))).toThrow(/--plot .*t\.txt and --text .*t\.txt are the same file/);
    expect(() => checkFiles('train', uses(join(dir, 'm.rnn'), join(dir, 'm.svg'), true))).not.toThrow();
    expect(() => checkFiles('eval', [{ flag: '--model', path: text, read: true }, { flag: '--text', path: text, read: true }])).not.toThrow();
    const e = (() => {
      try {
        checkFiles('train', uses(text));
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe(2); // a command-line mistake
  });

  it('checkFiles refuses a directory (or a device) as an output before the run, not after it', () => {
    expect(() => checkFiles('train', [{ flag: '--checkpoint', path: dir, write: true }])).toThrow(`cannot write --checkpoint ${dir}: it is a directory`);
    if (posix) expect(() => checkFiles('train', [{ flag: '--plot', path: '/dev/null', write: true }])).toThrow(/it is not a regular file \(a character device\)/);
  });

  it('writeAtomic names its temporary file after the target and leaves none behind', () => {
    const target = join(dir, 'w.rnn');
    expect(tempPath(target)).toMatch(new RegExp(`/\\.w\\.rnn\\.simple-rnn-${process.pid}-[0-9a-f]{8}\\.tmp$`));
    writeAtomic('--checkpoint', target, 'abc');
    expect(readFileSync(target, 'utf8')).toBe('abc');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('removeStaleTemps removes the leftovers of a dead process for this target only, older than this process, never a link or a live save', () => {
    const d = tempDir();
    const target = join(d, 'm.rnn');
    const past = new Date(Date.now() - 3600_000);
    const dead = deadPid();
    const make = (name: string, old = true) => {
      writeFileSync(join(d, name), 'partial');
      if (old) utimesSync(join(d, name), past, past);
      return name;
    };
    const stale = make(`.m.rnn.simple-rnn-${dead}-0123abcd.tmp`);
    const samePid = make(`.m.rnn.simple-rnn-${process.pid}-00000000.tmp`); // an earlier process with our pid (containers)
    const fresh = make(`.m.rnn.simple-rnn-${dead}-11111111.tmp`, false); // written after this process started
    const live = make(`.m.rnn.simple-rnn-${process.ppid}-22222222.tmp`); // a save in progress in a live process
    const other = make(`.n.rnn.simple-rnn-${dead}-33333333.tmp`); // another target's
    const lookalike = make(`.m.rnn.${dead}.tmp`); // not our pattern
    const victim = join(d, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const link = `.m.rnn.simple-rnn-${dead}-44444444.tmp`;
    if (posix) symlinkSync(victim, join(d, link));
    const removed = removeStaleTemps(target).sort();
    expect(removed).toEqual([stale, samePid].sort());
    const left = readdirSync(d);
    for (const f of [fresh, live, other, lookalike, 'victim.txt', ...(posix ? [link] : [])]) expect(left).toContain(f);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });
});

describe('spawned train: inputs and outputs', () => {
  const dir = tempDir();
  const text = join(dir, 'tiny.txt');
  const SMALL = ['--hidden-size', '8', '--batch-size', '2', '--seq-length', '8', '--chunks', '2', '--steps', '4', '--sample-every', '0'];
  writeFileSync(text, tinyText(60));

  it('refuses --checkpoint over its --text (also through a symlink) and leaves the text as it was', () => {
    expectOneLineError(cli(['train', '--text', text, ...SMALL, '--checkpoint', text]), /--checkpoint .*tiny\.txt and --text .*tiny\.txt are the same file; train would write over its input/);
    if (posix) {
      symlinkSync(text, join(dir, 'alias.txt'));
      expectOneLineError(cli(['train', '--text', join(dir, 'alias.txt'), ...SMALL, '--checkpoint', text]), /are the same file/);
    }
    expect(readFileSync(text, 'utf8')).toBe(tinyText(60));
  });

  it('refuses --plot equal to --checkpoint', () => {
    const m = join(dir, 'm.rnn');
    expectOneLineError(cli(['train', '--text', text, ...SMALL, '--checkpoint', m, '--plot', `${dir}/./m.rnn`]), /one would overwrite the other/);
    expect(existsSync(m)).toBe(false);
  });

  it("removes the temporary file of an interrupted save of its checkpoint, and only that", () => {
    const m = join(dir, 'k.rnn');
    const past = new Date(Date.now() - 3600_000);
    const stale = join(dir, `.k.rnn.simple-rnn-${deadPid()}-abcdef01.tmp`);
    const unrelated = join(dir, `.x.rnn.simple-rnn-${deadPid()}-abcdef02.tmp`);
    for (const f of [stale, unrelated]) {
      writeFileSync(f, 'half a checkpoint');
      utimesSync(f, past, past);
    }
    const r = cli(['train', '--text', text, ...SMALL, '--checkpoint', m]);
    expect(r.stderr).not.toMatch(/simple-rnn:/);
    expect(r.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(unrelated)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('.k.rnn'))).toEqual([]);
  });
});

// --- checkpoint metadata ---

function goodMeta(text = tinyText(60)): TrainMetadata {
  const tok = buildTokenizer('char', text);
  return {
    format: 'simple-rnn/cli-train',
    version: 1,
    vocabulary: tok.toJSON(),
    cursor: { segment: 3, steps: 12, seconds: 1.5 },
    run: {
      text: 'tiny.txt', textCrc: crc32(new TextEncoder().encode(text)), textTokens: text.length, level: 'char', valSplit: 0.1,
      seqLength: 8, batchSize: 2, chunks: 2, seed: 1, optimizer: 'adam', layers: 1, hiddenSize: 4, dropout: 0, inputDropout: 0, recurrentDropout: 0,
    },
    history: { train: [[4, 2.5], [8, 2.1]], val: [[0, 3.0], [8, 2.2]] },
  };
}

/** goodMeta with one field replaced: path 'run.batchSize', or 'history' (a whole section). */
function forged(path: string, value: unknown): unknown {
  const m = JSON.parse(JSON.stringify(goodMeta()));
  const keys = path.split('.');
  let o = m;
  for (const k of keys.slice(0, -1)) o = o[k];
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return m;
}

describe('checkpoint metadata is checked like the flags that set it', () => {
  it('reads what train writes', () => {
    expect(readTrainMetadata(JSON.parse(JSON.stringify(goodMeta())))).toEqual(goodMeta());
    const deep = forged('run.hiddenSize', [8, 4]) as TrainMetadata;
    deep.run.layers = 2;
    expect(readTrainMetadata(deep).run).toMatchObject({ layers: 2, hiddenSize: [8, 4] });
  });

  it('reads a checkpoint of train before --layers (no model settings in run): they are left to the model', () => {
    const old = goodMeta();
    for (const k of ['layers', 'hiddenSize', 'dropout', 'inputDropout', 'recurrentDropout'] as const) delete old.run[k];
    expect(readTrainMetadata(JSON.parse(JSON.stringify(old)))).toEqual(old);
  });

  it.each([
    ['run.batchSize', 0, /^SimpleRNN\.cli: checkpoint metadata run\.batchSize = 0 is out of range; expected an integer in \[1, 4096\]$/],
    ['run.batchSize', 2.5, /run\.batchSize = 2\.5 is out of range; expected an integer in \[1, 4096\]/],
    ['run.batchSize', '2', /run\.batchSize must be an integer in \[1, 4096\]; got "2"/],
    ['run.batchSize', undefined, /run\.batchSize must be an integer in \[1, 4096\]; got undefined/],
    ['run.seqLength', 1e6, /run\.seqLength = 1000000 is out of range; expected an integer in \[1, 100000\]/],
    ['run.chunks', 1e12, /run\.chunks = 1000000000000 is out of range; expected an integer in \[1, 100000\]/],
    ['run.valSplit', 0.9, /run\.valSplit = 0\.9 is out of range; expected a number in \[0, 0\.5\]/],
    ['run.seed', 1e300, /run\.seed = 1e\+300 is out of range/],
    ['run.level', 'byte', /run\.level must be 'char' or 'word'; got "byte"/],
    ['run.optimizer', 'lbfgs', /run\.optimizer must be one of 'sgd', .*; got "lbfgs"/],
    ['run.textCrc', -1, /run\.textCrc = -1 is out of range/],
    ['run.text', 7, /run\.text must be a string; got 7/],
    ['run.extra', 1, /checkpoint metadata run\.extra is not a field; expected one of text, textCrc/],
    ['run.layers', 0, /run\.layers = 0 is out of range; expected an integer in \[1, 16\]/],
    ['run.layers', 2.5, /run\.layers = 2\.5 is out of range/],
    ['run.hiddenSize', 0, /run\.hiddenSize = 0 is out of range; expected an integer in \[1, 4096\]/],
    ['run.hiddenSize', '4', /run\.hiddenSize must be an integer in \[1, 4096\]; got "4"/],
    ['run.hiddenSize', [4, 4], /run\.hiddenSize has 2 sizes; expected one per layer \(run\.layers = 1\)/],
    ['run.hiddenSize', [null], /run\.hiddenSize\[0\] must be an integer in \[1, 4096\]; got null/],
    ['run.dropout', 1, /run\.dropout = 1 is out of range; expected a number in \[0, 1\)/],
    ['run.inputDropout', -0.5, /run\.inputDropout = -0\.5 is out of range/],
    ['run.recurrentDropout', 'x', /run\.recurrentDropout must be a number in \[0, 1\); got "x"/],
    ['run', [], /checkpoint metadata run must be an object \{ text, textCrc, .* \}; got an array of length 0/],
    ['cursor.segment', -1, /cursor\.segment = -1 is out of range; expected an integer in \[0, 9007199254740991\]/],
    ['cursor.steps', -3, /cursor\.steps = -3 is out of range/],
    ['cursor.seconds', -1, /cursor\.seconds = -1 is out of range/],
    ['cursor', undefined, /checkpoint metadata cursor must be an object \{ segment, steps, seconds \}; got undefined/],
    ['history', { train: {}, val: [] }, /checkpoint metadata history\.train must be an array of \[step, loss\] pairs; got an object \(Object\)/],
    ['history.val', [[1]], /history\.val\[0\] must be a \[step, loss\] pair; got an array of length 1/],
    ['history.val', [[1, null]], /history\.val\[0\]\[1\] must be a number in \[0, ∞\); got null/],
    ['history.train', [[-1, 2]], /history\.train\[0\]\[0\] = -1 is out of range/],
    ['version', 2, /checkpoint metadata version must be 1 .*; got 2/],
  ])('%s = %j is refused by name', (path, value, message) => {
    expect(() => readTrainMetadata(forged(path, value))).toThrow(message);
  });
});

describe('loadCheckpoint: a forged checkpoint is one line naming the file and the field', () => {
  const dir = tempDir();

  async function write(name: string, meta: unknown, vocabSize = buildTokenizer('char', tinyText(60)).vocabSize): Promise<string> {
    const model = await SimpleRNN.create({ vocabSize, hiddenSize: 4, outputSize: vocabSize, returnSequences: true, backend: 'js', optimizer: 'adam', learningRate: 0.01 });
    const path = join(dir, name);
    writeFileSync(path, model.save(meta));
    model.dispose();
    return path;
  }

  it('a good one loads', async () => {
    const r = await loadCheckpoint('--model', await write('good.rnn', goodMeta()));
    expect(r.meta.run.batchSize).toBe(2);
    expect(r.tokenizer.level).toBe('char');
    r.model.dispose();
  });

  it.each([
    ['run.batchSize', 0, /checkpoint metadata run\.batchSize = 0 is out of range; expected an integer in \[1, 4096\]/],
    ['history', { train: 'x', val: [] }, /checkpoint metadata history\.train must be an array/],
    ['cursor.segment', -5, /checkpoint metadata cursor\.segment = -5 is out of range/],
  ])('%s = %j', async (path, value, message) => {
    const file = await write('bad.rnn', forged(path, value));
    const err = await loadCheckpoint('--checkpoint', file).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/^cannot load model .*bad\.rnn: /);
    expect((err as UsageError).message).toMatch(message);
    expect((err as UsageError).message).not.toMatch(/SimpleRNN\./);
  });

  it('metadata that disagrees with the model: layers, hidden size, dropout', async () => {
    const two = forged('run.layers', 2) as TrainMetadata;
    two.run.hiddenSize = [4, 4];
    await expect(loadCheckpoint('--model', await write('L.rnn', two))).rejects.toThrow(/checkpoint metadata run\.layers = 2 does not match the model's layers \(1\)/);
    await expect(loadCheckpoint('--model', await write('H.rnn', forged('run.hiddenSize', 8)))).rejects.toThrow(/run\.hiddenSize = 8 does not match the model's hiddenSize \(4\)/);
    await expect(loadCheckpoint('--model', await write('D.rnn', forged('run.recurrentDropout', 0.5)))).rejects.toThrow(/run\.recurrentDropout = 0\.5 does not match the model's recurrentDropout \(0\)/);
    const old = forged('run.layers', undefined) as TrainMetadata;
    delete old.run.hiddenSize;
    const r = await loadCheckpoint('--model', await write('old.rnn', old));
    expect(r.meta.run.layers).toBeUndefined();
    r.model.dispose();
  });

  it('metadata that disagrees with the model: the vocabulary size, the level, and the optimizer when train resumes', async () => {
    await expect(loadCheckpoint('--model', await write('v.rnn', goodMeta(), 5))).rejects.toThrow(/checkpoint metadata vocabulary size = \d+ does not match the model's vocabSize \(5\)/);
    const wordLevel = forged('run.level', 'word');
    await expect(loadCheckpoint('--model', await write('l.rnn', wordLevel))).rejects.toThrow(/run\.level = "word" does not match the model's vocabulary level \("char"\)/);
    await expect(loadCheckpoint('--checkpoint', await write('o.rnn', forged('run.optimizer', 'sgd')), { resume: true })).rejects.toThrow(/run\.optimizer = "sgd" does not match the model's optimizer \("adam"\)/);
  });
});

describe('spawned train --resume of a forged checkpoint', () => {
  const dir = tempDir();
  const text = join(dir, 'tiny.txt');
  const good = join(dir, 'good.rnn');
  beforeAll(() => {
    writeFileSync(text, tinyText(60));
    const r = cli(['train', '--text', text, '--hidden-size', '8', '--batch-size', '2', '--seq-length', '8', '--chunks', '2', '--steps', '4', '--sample-every', '0', '--checkpoint', good]);
    expect(r.code).toBe(0);
  });

  async function forge(name: string, edit: (m: Record<string, any>) => void): Promise<string> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const model = await SimpleRNN.load(new Uint8Array(readFileSync(good)));
    const meta = JSON.parse(JSON.stringify(model.metadata));
    edit(meta);
    const path = join(dir, name);
    writeFileSync(path, model.save(meta));
    model.dispose();
    return path;
  }

  it('batchSize 0 is refused at once (it used to loop forever)', async () => {
    const f = await forge('b0.rnn', (m) => (m.run.batchSize = 0));
    const r = cli(['train', '--text', text, '--resume', '--checkpoint', f, '--steps', '8', '--sample-every', '0'], dir, 30_000);
    expect(r.code).not.toBeNull(); // not killed by the timeout
    expectOneLineError(r, /cannot load model .*b0\.rnn: checkpoint metadata run\.batchSize = 0 is out of range; expected an integer in \[1, 4096\]/);
  });

  it('a history that is not an array is refused by name (it used to end in "x.at is not a function")', async () => {
    const f = await forge('h.rnn', (m) => (m.history.train = { 0: [4, 2] }));
    expectOneLineError(cli(['train', '--text', text, '--resume', '--checkpoint', f, '--steps', '8'], dir, 30_000), /checkpoint metadata history\.train must be an array of \[step, loss\] pairs/);
  });

  it('sample and eval check the metadata too', async () => {
    const f = await forge('c.rnn', (m) => (m.run.chunks = 1e9));
    expectOneLineError(cli(['eval', '--model', f, '--text', text], dir, 30_000), /checkpoint metadata run\.chunks = 1000000000 is out of range/);
    expectOneLineError(cli(['sample', '--model', f], dir, 30_000), /run\.chunks/);
  });
});

// --- negative numbers ---

const table = {
  steps: { kind: 'int', min: 1, help: '' },
  lr: { kind: 'float', min: 0, help: '' },
  seed: { kind: 'int', help: '' },
  n: { kind: 'int', min: 1, max: 10, short: 'n', help: '' },
  time: { kind: 'seconds', min: 0, help: '' },
  prompt: { kind: 'string', help: '' },
} as const;
const cmd: Command<typeof table> = { name: 'x', usage: 'x', summary: '', options: table, positionals: 5 };

describe('a negative number after a numeric flag is its value, range-checked', () => {
  it.each([
    [['--steps', '-5'], 'x: --steps must be an integer >= 1; got -5'],
    [['--lr', '-0.5'], 'x: --lr must be a number >= 0; got -0.5'],
    [['--lr', '-.5'], 'x: --lr must be a number >= 0; got -.5'],
    [['--steps', '-1e3'], 'x: --steps must be an integer >= 1; got -1e3'],
    [['-n', '-2'], 'x: --n must be an integer in [1, 10]; got -2'],
    [['--steps=-5'], 'x: --steps must be an integer >= 1; got -5'],
  ])('%j', (argv, message) => {
    expect(() => parseCommand(cmd, argv)).toThrow(message);
  });

  it('a flag without a range takes it; a non-number, a string option and anything after -- are left to parseArgs', () => {
    expect(parseCommand(cmd, ['--seed', '-3']).values.seed).toBe(-3);
    expect(() => parseCommand(cmd, ['--time', '-5s'])).toThrow(/--time must be a duration such as 90, 45s, 2m or 1h; got "-5s"/);
    expect(() => parseCommand(cmd, ['--steps', '-h'])).toThrow(/x: /); // -h is an option, not a number
    expect(() => parseCommand(cmd, ['--prompt', '-5'])).toThrow(UsageError); // a string value starting with - stays ambiguous
    expect(parseCommand(cmd, ['--', '--steps', '-5']).positionals).toEqual(['--steps', '-5']);
  });

  it('spawned: one line with the range', () => {
    expectOneLineError(cli(['train', '--text', 'x.txt', '--steps', '-5']), /^simple-rnn: train: --steps must be an integer >= 1; got -5$/);
    expectOneLineError(cli(['sample', '--model', 'x.rnn', '--length', '-10']), /--length must be an integer in \[1, 10000000\]; got -10/);
  });
});

// --- failures that are not the caller's ---

describe('report: every failure is one line and a non-zero code', () => {
  it.each([
    [new UsageError('train: --text FILE is required', 2), 'train: --text FILE is required', 2],
    [new RangeError('SimpleRNN.fit: inputs[3][7] = 65 is not a token id; expected an integer in [0, vocabSize=65)\nmore'), 'SimpleRNN.fit: inputs[3][7] = 65 is not a token id; expected an integer in [0, vocabSize=65)', 1],
    [Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'no space left on device (ENOSPC: no space left on device, write)', 1],
    [new RangeError('Array buffer allocation failed'), 'out of memory (Array buffer allocation failed); try a smaller model, batch or text', 1],
  ])('%s', (err, line, code) => {
    expect(describeFailure(err)).toEqual({ line, code });
  });

  it('an internal error says so, in one line, without a stack', () => {
    const lines: string[] = [];
    const code = report(new TypeError('x.at is not a function'), (s) => lines.push(s), false);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^simple-rnn: internal error: TypeError: x\.at is not a function \(a bug in simple-rnn; SIMPLE_RNN_DEBUG=1 shows where\)\n$/);
    expect(describeFailure(new Error('')).line).toMatch(/^internal error: Error \(/);
    expect(describeFailure('boom').line).toMatch(/^internal error: .*\(boom\)/);
    expect(describeFailure(undefined).code).toBe(1);
    expect(describeFailure(new UsageError('a\nb')).line).toBe('a');
  });

  it('with SIMPLE_RNN_DEBUG the stack follows the line', () => {
    const out: string[] = [];
    report(new TypeError('boom'), (s) => out.push(s), true);
    expect(out.join('')).toMatch(/^simple-rnn: internal error: TypeError: boom .*\n.*\n\s+at /s);
  });

  it.skipIf(!linux)('spawned: a stdout that cannot be written (a full disk) is one line and exit code 1, not a silent 0', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [CLI, '--help'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expectOneLineError({ code: r.status, stderr: r.stderr }, /^simple-rnn: cannot write to standard output: no space left on device$/);
      expect(r.status).toBe(1);
    } finally {
      closeSync(fd);
    }
  });
});
