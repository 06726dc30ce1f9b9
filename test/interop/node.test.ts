// The Node file helpers (simple-rnn/node) speak the library's error grammar, never a raw ENOENT / EISDIR /
// SyntaxError, and read only regular files inside the model's folder: a manifest path with '..', an absolute path, a
// symlink out of the folder, a FIFO or a device, or a file of another size than the manifest says is refused before
// it is opened for reading (a FIFO would block the read forever; a sparse 8 GiB file would be read whole).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimpleRNN } from '../../src/model.js';
import { loadTfjsLayers, saveTfjsLayers } from 'simple-rnn/node';

let root: string;
let model: SimpleRNN;
let json: { weightsManifest: { paths: string[] }[] } & Record<string, unknown>;
const fifos: string[] = [];

/** A folder holding model.json (its manifest naming `path`) and weights.bin; returns model.json's path. */
async function folder(name: string, path = 'weights.bin'): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await copyFile(join(root, 'saved', 'weights.bin'), join(dir, 'weights.bin'));
  const j = structuredClone(json);
  j.weightsManifest[0].paths = [path];
  await writeFile(join(dir, 'model.json'), JSON.stringify(j));
  return join(dir, 'model.json');
}

/** The error a promise rejects with; a promise still pending after 2 s (a FIFO being read) fails the test. */
async function refusal(p: Promise<unknown>): Promise<Error> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('still reading after 2 s')), 2000)));
  const r = await Promise.race([p.then((m) => ((m as SimpleRNN | null)?.dispose?.(), null)), hung]).then((v) => v, (e: unknown) => e as Error);
  clearTimeout(timer);
  expect(r, 'the call succeeded').not.toBeNull();
  expect((r as Error).message).not.toMatch(/still reading/);
  expect(r).not.toHaveProperty('code'); // not a Node system error passed through
  expect((r as Error).message).not.toMatch(/\n\s+at /); // no stack trace inside the message
  return r as Error;
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
  fifos.push(path);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'simple-rnn-node-'));
  model = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, backend: 'js', seed: 5 });
  const { modelJsonPath } = await saveTfjsLayers(model, join(root, 'saved'));
  json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  await copyFile(join(root, 'saved', 'weights.bin'), join(root, 'outside.bin'));
});
afterAll(async () => {
  // a reader left blocked on a FIFO (by a loader that opened it) gets its EOF here
  for (const f of fifos) {
    try {
      closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader
    }
  }
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('loadTfjsLayers', () => {
  it('a missing file, a directory, text that is not JSON: the library\'s errors, naming the path', async () => {
    let e = await refusal(loadTfjsLayers(join(root, 'nope', 'model.json')));
    expect(e.constructor).toBe(Error);
    expect(e.message).toMatch(/^SimpleRNN\.loadTfjsLayers: modelJsonPath = ".*nope\/model\.json" cannot be read: no such file or directory \(ENOENT\)$/);
    e = await refusal(loadTfjsLayers(join(root, 'saved')));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^SimpleRNN\.loadTfjsLayers: modelJsonPath = ".*saved" must be a regular file; got a directory$/);
    await writeFile(join(root, 'bad.json'), '{"modelTopology": ');
    e = await refusal(loadTfjsLayers(join(root, 'bad.json')));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^SimpleRNN\.loadTfjsLayers: modelJsonPath = ".*bad\.json" must hold valid JSON \(.*\)/);
    e = await refusal(loadTfjsLayers(await folder('missing', 'gone.bin')));
    expect(e.message).toMatch(/^SimpleRNN\.loadTfjsLayers: modelJson\.weightsManifest\[0\]\.paths\[0\] = "gone\.bin" cannot be read: no such file or directory \(ENOENT\)$/);
    const fifo = join(root, 'fifo.json');
    mkfifo(fifo);
    e = await refusal(loadTfjsLayers(fifo));
    expect(e.message).toMatch(/^SimpleRNN\.loadTfjsLayers: modelJsonPath = ".*fifo\.json" must be a regular file; got a FIFO$/);
    // what fromTfjsLayers refuses is named as loadTfjsLayers's
    await writeFile(join(root, 'topo.json'), JSON.stringify({ ...json, modelTopology: 5 }));
    e = await refusal(loadTfjsLayers(join(root, 'topo.json')));
    expect(e.message).toMatch(/^SimpleRNN\.loadTfjsLayers: modelTopology must be an object/);
  });

  it('a manifest path with \'..\', an absolute path, a symlink out of the folder, a FIFO, a device: refused before it is opened', async () => {
    // inside the folder: a subfolder, and a symlink that stays inside, are read
    const back = await loadTfjsLayers(join(root, 'saved', 'model.json'), { backend: 'js' });
    expect(back.getParams()).toEqual(model.getParams());
    back.dispose();
    const p = await folder('inside', 'sub/w.bin');
    await mkdir(join(root, 'inside', 'sub'));
    await symlink(join(root, 'inside', 'weights.bin'), join(root, 'inside', 'sub', 'w.bin'));
    const m = await loadTfjsLayers(p, { backend: 'js' });
    expect(m.getParams()).toEqual(model.getParams());
    m.dispose();
    const cases: [string, RegExp][] = [
      ['../outside.bin', /paths\[0\] = "\.\.\/outside\.bin" is outside the model's folder; expected a path relative to model\.json, without '\.\.'/],
      [join(root, 'outside.bin'), /paths\[0\] = ".*outside\.bin" is outside the model's folder; expected a path relative to model\.json, without '\.\.'/],
      ['link.bin', /paths\[0\] = "link\.bin" leads outside the model's folder \(to ".*outside\.bin"\)/],
      ['fifo.bin', /paths\[0\] = "fifo\.bin" must be a regular file; got a FIFO/],
      ['', /paths\[0\] must be a path relative to model\.json; got ""/],
    ];
    for (const [path, re] of cases) {
      const p = await folder(`bad-${cases.findIndex((c) => c[0] === path)}`, path);
      if (path === 'link.bin') await symlink(join(root, 'outside.bin'), join(p, '..', 'link.bin'));
      if (path === 'fifo.bin') mkfifo(join(p, '..', 'fifo.bin'));
      const e = await refusal(loadTfjsLayers(p, { backend: 'js' }));
      expect(e.message, path).toMatch(/^SimpleRNN\.loadTfjsLayers: modelJson\.weightsManifest\[0\]\.paths\[0\]/);
      expect(e.message, path).toMatch(re);
    }
    // a character device inside the folder (mknod needs root: elsewhere the FIFO above stands for it)
    const dev = await folder('device', 'null.bin');
    let made = true;
    try {
      execFileSync('mknod', [join(dev, '..', 'null.bin'), 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      made = false;
    }
    if (made) expect((await refusal(loadTfjsLayers(dev))).message).toMatch(/paths\[0\] = "null\.bin" must be a regular file; got a character device/);
  });

  it('a weights file of another size than the manifest says is refused before it is read (a sparse 8 GiB file)', async () => {
    const p = await folder('huge');
    const bytes = (await readFile(join(root, 'saved', 'weights.bin'))).length;
    await truncate(join(p, '..', 'weights.bin'), 2 ** 33);
    let e = await refusal(loadTfjsLayers(p, { backend: 'js' }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(new RegExp(`^SimpleRNN\\.loadTfjsLayers: modelJson\\.weightsManifest\\[0\\]\\.paths hold 8589934592 bytes; the manifest's weights of this group describe ${bytes}$`));
    await truncate(join(p, '..', 'weights.bin'), bytes - 4);
    e = await refusal(loadTfjsLayers(p, { backend: 'js' }));
    expect(e.message).toMatch(new RegExp(`paths hold ${bytes - 4} bytes; the manifest's weights of this group describe ${bytes}$`));
  });
});

describe('saveTfjsLayers', () => {
  it('a folder that is a file, a weightsPath outside the folder: the library\'s errors, nothing written outside', async () => {
    await writeFile(join(root, 'a-file'), 'x');
    let e = await refusal(saveTfjsLayers(model, join(root, 'a-file')));
    expect(e.message).toMatch(/^SimpleRNN\.saveTfjsLayers: dir = ".*a-file" cannot be written: .*\((EEXIST|ENOTDIR)\)$/);
    e = await refusal(saveTfjsLayers(model, join(root, 'a-file', 'sub')));
    expect(e.message).toMatch(/^SimpleRNN\.saveTfjsLayers: dir = ".*sub" cannot be written: .*\(ENOTDIR\)$/);
    for (const weightsPath of ['../escaped.bin', join(root, 'escaped.bin'), 'sub/../../escaped.bin']) {
      e = await refusal(saveTfjsLayers(model, join(root, 'out'), { weightsPath } as never));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^SimpleRNN\.saveTfjsLayers: options\.weightsPath = ".*" is outside the model's folder; expected a path relative to model\.json, without '\.\.'/);
    }
    await expect(readFile(join(root, 'escaped.bin'))).rejects.toThrow(/ENOENT/);
  });
});
