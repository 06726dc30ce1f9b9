// TF.js layers model folders in Node (simple-rnn/node): model.json and the weights files its manifest names, read
// only when they are regular files inside the model's own folder, each checked (path, kind, size against the
// manifest) before it is opened; written as tf.loadLayersModel('file://…') and web servers expect them.
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, sep, win32 } from 'node:path';
import type { SimpleRNN } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import type { ImportOptions } from '../interop/build.js';
import { HOLE, MAX_ITEMS, holeError, item, lengthOf } from '../interop/read.js';
import { importTfjs, readImportOptions, tfjsWeightFiles } from '../interop/tfjs-import.js';
import { toTfjsFiles, type TfjsExportOptions } from '../interop/tfjs-export.js';
import { checkFile, fsError, readChecked, type Checked } from './files.js';

/** Largest model.json read: it holds the topology and the manifest (the weights are in the weights files). */
const MAX_JSON_BYTES = 2 ** 27;

/** A manifest or export path: relative to model.json, inside its folder ('..', absolute and drive paths refused). */
function relativePath(api: string, field: string, p: unknown): string {
  if (typeof p !== 'string' || p === '' || p.includes('\0')) throw typeError(api, field, 'a path relative to model.json', p);
  if (isAbsolute(p) || posix.isAbsolute(p) || win32.isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
    throw rangeError(api, field, `= ${JSON.stringify(p)} is outside the model's folder; expected a path relative to model.json, without '..'`);
  }
  return p;
}

/** Writes dir/model.json and dir/weights.bin, which tf.loadLayersModel('file://…/model.json') or a web server can load. */
export async function saveTfjsLayers(
  model: SimpleRNN, dir: string, options?: TfjsExportOptions,
): Promise<{
  /** The path of the model.json written. */
  modelJsonPath: string;
  /** The path of the weights file written. */
  weightsPath: string;
}> {
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
