// Node-only file helpers for the TF.js layers format. Not exported from src/index.ts (which stays platform-neutral):
// the CLI and the tests import this module directly.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SimpleRNN } from '../model.js';
import { typeError } from '../errors.js';
import { fromTfjsLayers, toTfjsFiles, type ImportOptions, type TfjsExportOptions, type TfjsModelJson } from './tfjs.js';

/** Writes dir/model.json and dir/weights.bin, which tf.loadLayersModel('file://…/model.json') or a web server can load. */
export async function saveTfjsLayers(model: SimpleRNN, dir: string, options?: TfjsExportOptions): Promise<{ modelJsonPath: string; weightsPath: string }> {
  if (typeof dir !== 'string' || dir === '') throw typeError('saveTfjsLayers', 'dir', 'a directory path', dir);
  const files = toTfjsFiles(model, options);
  await mkdir(dir, { recursive: true });
  const modelJsonPath = join(dir, 'model.json');
  const weightsPath = join(dir, files.weightsPath);
  await writeFile(weightsPath, files.weights);
  await writeFile(modelJsonPath, files.modelJson);
  return { modelJsonPath, weightsPath };
}

/** Reads a model.json and the weights files its manifest names (relative to it), and imports the model. */
export async function loadTfjsLayers(modelJsonPath: string, options?: ImportOptions): Promise<SimpleRNN> {
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw typeError('loadTfjsLayers', 'modelJsonPath', 'a path to model.json', modelJsonPath);
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as TfjsModelJson;
  const paths = (json.weightsManifest ?? []).flatMap((g) => g.paths);
  const parts = await Promise.all(paths.map((p) => readFile(join(dirname(modelJsonPath), p))));
  const buffers = parts.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  return fromTfjsLayers(json, buffers, options);
}
