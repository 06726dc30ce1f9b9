// Node-only file helpers for the TF.js layers format: they read only regular files inside the model's folder, each
// checked (path, kind, size against the manifest) before it is opened, and speak the library's error grammar. Not
// exported from src/index.ts (which stays platform-neutral): the CLI and the tests import this module directly.
import { constants, type Stats } from 'node:fs';
import { mkdir, open, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, sep, win32 } from 'node:path';
import type { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import type { ImportOptions } from './build.js';
import { HOLE, MAX_ITEMS, holeError, item, lengthOf } from './read.js';
import { importTfjs, readImportOptions, tfjsWeightFiles } from './tfjs-import.js';
import { toTfjsFiles, type TfjsExportOptions } from './tfjs-export.js';

/** Largest model.json read: it holds the topology and the manifest (the weights are in the weights files). */
const MAX_JSON_BYTES = 2 ** 27;

/** A Node system error as the library's Error: `SimpleRNN.<api>: <field> = "<path>" cannot be <what>: <reason> (<code>)`. */
function fsError(api: string, field: string, path: string, what: string, e: unknown): Error {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string') return e as Error;
  const reason = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'operation not permitted', ENOTDIR: 'a part of the path is not a directory', EEXIST: 'a file is in the way', EISDIR: 'it is a directory', ELOOP: 'too many symbolic links', ENOSPC: 'no space left on the device', EROFS: 'a read-only file system' }[code] ?? 'the file system refused';
  return new Error(`SimpleRNN.${api}: ${field} = ${JSON.stringify(path)} cannot be ${what}: ${reason} (${code})`);
}

/** A manifest or export path: relative to model.json, inside its folder ('..', absolute and drive paths refused). */
function relativePath(api: string, field: string, p: unknown): string {
  if (typeof p !== 'string' || p === '' || p.includes('\0')) throw typeError(api, field, 'a path relative to model.json', p);
  if (isAbsolute(p) || posix.isAbsolute(p) || win32.isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
    throw rangeError(api, field, `= ${JSON.stringify(p)} is outside the model's folder; expected a path relative to model.json, without '..'`);
  }
  return p;
}

function kindOf(s: Stats): string {
  return s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : s.isSocket() ? 'a socket' : 'not a regular file';
}

/** A regular file (its real path, symlinks resolved), checked by stat before it is opened. */
interface Checked {
  path: string;
  size: number;
  st: Stats;
}

async function checkFile(api: string, field: string, path: string, shown: string): Promise<Checked> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    throw fsError(api, field, shown, 'read', e);
  }
  if (!st.isFile()) throw new TypeError(`SimpleRNN.${api}: ${field} = ${JSON.stringify(shown)} must be a regular file; got ${kindOf(st)}`);
  return { path, size: st.size, st };
}

/**
 * Reads the file checked before, and only it: opened without following a symlink and without blocking, it must be
 * the same regular file (device and inode) and hold the same bytes; exactly that many are read.
 */
async function readChecked(api: string, field: string, c: Checked, shown: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(c.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fsError(api, field, shown, 'read', e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.dev !== c.st.dev || st.ino !== c.st.ino || st.size !== c.size) {
      throw new Error(`SimpleRNN.${api}: ${field} = ${JSON.stringify(shown)} changed while it was read; expected the regular file of ${c.size} bytes checked before`);
    }
    const out = new Uint8Array(c.size);
    for (let got = 0; got < c.size; ) {
      const { bytesRead } = await fh.read(out, got, c.size - got, got);
      if (bytesRead === 0) throw new Error(`SimpleRNN.${api}: ${field} = ${JSON.stringify(shown)} ended at byte ${got}; expected ${c.size} bytes (it changed while it was read)`);
      got += bytesRead;
    }
    return out;
  } catch (e) {
    throw e instanceof Error && e.message.startsWith('SimpleRNN.') ? e : fsError(api, field, shown, 'read', e);
  } finally {
    await fh.close();
  }
}

/** Writes dir/model.json and dir/weights.bin, which tf.loadLayersModel('file://…/model.json') or a web server can load. */
export async function saveTfjsLayers(model: SimpleRNN, dir: string, options?: TfjsExportOptions): Promise<{ modelJsonPath: string; weightsPath: string }> {
  const api = 'saveTfjsLayers';
  if (typeof dir !== 'string' || dir === '') throw typeError(api, 'dir', 'a directory path', dir);
  const files = toTfjsFiles(model, options);
  relativePath(api, 'options.weightsPath', files.weightsPath);
  const modelJsonPath = join(dir, 'model.json');
  const weightsPath = join(dir, files.weightsPath);
  try {
    await mkdir(dirname(weightsPath), { recursive: true });
  } catch (e) {
    throw fsError(api, 'dir', dir, 'written', e);
  }
  for (const [path, data] of [[weightsPath, files.weights], [modelJsonPath, files.modelJson]] as const) {
    try {
      await writeFile(path, data);
    } catch (e) {
      throw fsError(api, 'dir', dir, 'written', e);
    }
  }
  return { modelJsonPath, weightsPath };
}

/**
 * Reads a model.json and the weights files its manifest names, and imports the model. Only regular files inside the
 * model's folder are read: a manifest path with '..', an absolute path, a symlink out of the folder, a FIFO or a
 * device, or files of another size than the manifest's weights describe are refused before they are opened, and the
 * model's sizes are checked before a weights file is read.
 */
export async function loadTfjsLayers(modelJsonPath: string, options?: ImportOptions): Promise<SimpleRNN> {
  const api = 'loadTfjsLayers';
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw typeError(api, 'modelJsonPath', 'a path to model.json', modelJsonPath);
  const imp = readImportOptions(api, options);
  let jsonReal: string;
  try {
    jsonReal = await realpath(modelJsonPath);
  } catch (e) {
    throw fsError(api, 'modelJsonPath', modelJsonPath, 'read', e);
  }
  const jsonFile = await checkFile(api, 'modelJsonPath', jsonReal, modelJsonPath);
  if (jsonFile.size > MAX_JSON_BYTES) throw rangeError(api, 'modelJsonPath', `= ${JSON.stringify(modelJsonPath)} has ${jsonFile.size} bytes; a model.json may have at most ${MAX_JSON_BYTES}`);
  const text = new TextDecoder().decode(await readChecked(api, 'modelJsonPath', jsonFile, modelJsonPath));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`SimpleRNN.${api}: modelJsonPath = ${JSON.stringify(modelJsonPath)} must hold valid JSON (${(e as Error).message})`);
  }
  // the topology, the manifest and every size, before any weights file is looked at
  const groups = tfjsWeightFiles(api, json, imp);
  let folder: string;
  try {
    folder = await realpath(dirname(modelJsonPath));
  } catch (e) {
    throw fsError(api, 'modelJsonPath', modelJsonPath, 'read', e);
  }
  const files: { field: string; path: string; c: Checked }[] = [];
  for (const g of groups) {
    const field = `${g.field}.paths`;
    if (!Array.isArray(g.paths)) throw typeError(api, field, 'an array of paths relative to model.json', g.paths);
    const n = lengthOf(api, field, g.paths, MAX_ITEMS);
    let bytes = 0;
    for (let k = 0; k < n; k++) {
      const p = item(g.paths, k);
      if (p === HOLE) throw holeError(api, `${field}[${k}]`, 'a path relative to model.json');
      const f = `${field}[${k}]`;
      const rel = relativePath(api, f, p);
      let real: string;
      try {
        real = await realpath(join(folder, rel));
      } catch (e) {
        throw fsError(api, f, rel, 'read', e);
      }
      const inside = relative(folder, real);
      if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
        throw rangeError(api, f, `= ${JSON.stringify(rel)} leads outside the model's folder (to ${JSON.stringify(real)})`);
      }
      const c = await checkFile(api, f, real, rel);
      bytes += c.size;
      files.push({ field: f, path: rel, c });
    }
    if (bytes !== g.bytes) throw rangeError(api, field, `hold ${bytes} bytes; the manifest's weights of this group describe ${g.bytes}`);
  }
  const buffers: Uint8Array[] = [];
  for (const f of files) buffers.push(await readChecked(api, f.field, f.c, f.path));
  return importTfjs(api, json, buffers, imp);
}
