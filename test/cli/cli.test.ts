// The command line end to end: the built dist/cli.js spawned as a user runs it (npm test builds it first).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSvg, expectOneLineError } from './checks.js';
import { cli, tempDir } from './util.js';

describe('simple-rnn --help', () => {
  it('lists every command', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['train', 'sample', 'eval', 'demo addition', 'demo sentiment', 'bench']) expect(r.stdout).toContain(c);
  });

  it.each([['train'], ['sample'], ['eval'], ['bench'], ['demo', 'addition'], ['demo', 'sentiment']])('%s %s --help shows usage and options', (...cmd) => {
    const r = cli([...cmd.filter(Boolean), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: simple-rnn ${cmd.filter(Boolean).join(' ')}`));
    expect(r.stdout).toContain('--help');
    expect(r.stderr).toBe('');
  });
});

describe('simple-rnn help COMMAND', () => {
  it('is COMMAND --help', () => {
    const r = cli(['help', 'eval']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(cli(['eval', '--help']).stdout);
  });
});

describe('bad arguments and files: one line on stderr, a non-zero exit, no stack trace', () => {
  it('unknown command', () => expectOneLineError(cli(['trian']), /unknown command "trian"/));
  it('unknown option', () => expectOneLineError(cli(['train', '--text', 'x', '--hiden-size', '3']), /unknown option --hiden-size/));
  it('non-numeric value', () => expectOneLineError(cli(['demo', 'addition', '--epochs', 'many']), /--epochs must be an integer; got "many"/));
  it('value out of range', () => expectOneLineError(cli(['demo', 'addition', '--batch-size', '0']), /--batch-size must be an integer in \[1, 4096\]; got 0/));
  it('missing value', () => expectOneLineError(cli(['train', '--text']), /--text needs a value/));
  it('bad choice', () => expectOneLineError(cli(['train', '--text', 'x', '--optimizer', 'adamm']), /--optimizer must be one of .*adam.*; got "adamm"/));
  it('unknown demo', () => expectOneLineError(cli(['demo', 'subtraction']), /unknown demo "subtraction"/));
  it('demo without a name', () => expectOneLineError(cli(['demo']), /demo: which one\? expected one of addition, sentiment/));
  it('missing required option', () => expectOneLineError(cli(['train']), /--text FILE is required/));
  it('missing file', () => expectOneLineError(cli(['train', '--text', '/nonexistent/x.txt']), /cannot read --text \/nonexistent\/x.txt: no such file/));
  it('a directory as a file', () => expectOneLineError(cli(['train', '--text', tempDir()]), /is a directory/));
  it('a plot in a missing directory', () => {
    expectOneLineError(cli(['demo', 'addition', '--epochs', '1', '--plot', '/nonexistent/dir/a.svg']), /directory \/nonexistent\/dir does not exist/);
  });
  it('an empty text', () => {
    const f = join(tempDir(), 'empty.txt');
    writeFileSync(f, '');
    expectOneLineError(cli(['train', '--text', f]), /is empty/);
  });
  it('a text too short for the batch', () => {
    const f = join(tempDir(), 'short.txt');
    writeFileSync(f, 'abcabc');
    expectOneLineError(cli(['train', '--text', f, '--val-split', '0']), /too few for --batch-size 32 x --seq-length 64/);
  });
});

describe('demo addition', () => {
  it('trains, prints the accuracy table and writes a well-formed SVG chart', () => {
    const dir = tempDir();
    const svg = join(dir, 'add.svg');
    const r = cli(['demo', 'addition', '--test', '16,40', '--test-count', '200', '--plot', svg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+16\s+200\/200\s+100%/m);
    expect(r.stdout).toMatch(/^\s+40\s+200\/200\s+100%/m);
    expect(r.stdout).toContain('training loss');
    const curves = checkSvg(svg);
    expect(Math.max(...curves)).toBeGreaterThan(100); // the per-batch curve, downsampled
  });
});

describe('demo sentiment', () => {
  it('reports held-out accuracy above chance and nearest neighbours', () => {
    const dir = tempDir();
    const svg = join(dir, 's.svg');
    const r = cli(['demo', 'sentiment', '--data', 'grammar', '--epochs', '6', '--train', '2000', '--test', '300', '--words', 'good,movie', '--plot', svg]);
    expect(r.code).toBe(0);
    const all = /^\s+all\s+(\d+)\/300/m.exec(r.stdout);
    expect(all).not.toBeNull();
    expect(Number(all![1])).toBeGreaterThan(270);
    expect(r.stdout).toMatch(/^\s+good\s+\w+ -?\d\.\d\d/m);
    expect(r.stdout).toMatch(/^\s+movie\s+\w+ -?\d\.\d\d/m);
    checkSvg(svg);
  });
});
