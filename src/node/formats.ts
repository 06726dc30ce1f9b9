// Model files in Node (simple-rnn/node), one pair of functions per format and loadModel/saveModel choosing by the
// file's extension (or an explicit format): .rnn checkpoints, TF.js model.json folders, .safetensors (PyTorch),
// .onnx, and .keras / .h5 (Keras; import only). Every file read is a regular file checked before it is opened.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { SimpleRNN, type LoadOptions } from '../model.js';
import { rangeError, typeError } from '../errors.js';
import type { ImportOptions } from '../interop/build.js';
import type { TfjsExportOptions } from '../interop/tfjs-export.js';
import { fromPytorch, toPytorch, type PytorchImportOptions } from '../interop/pytorch.js';
import { fromOnnx, type OnnxImportOptions } from '../interop/onnx-import.js';
import { toOnnx, type OnnxExportOptions } from '../interop/onnx-export.js';
import { fromKerasFile, type KerasFileOptions } from '../interop/keras-file.js';
import { fsError, pathArg, readModelFile, writeModelFile } from './files.js';
import { loadTfjsLayers, saveTfjsLayers } from './tfjs.js';

/** Largest model file read: a model block may hold 2 GiB (parameters, gradients and optimizer state). */
export const MAX_FILE_BYTES = 2 ** 31;

/**
 * The model file formats: 'rnn' (this library's checkpoint), 'tfjs' (a TF.js layers model.json folder),
 * 'safetensors' (a PyTorch state_dict), 'onnx', 'keras' (.keras or legacy .h5; import only).
 */
export type ModelFormat = 'rnn' | 'tfjs' | 'safetensors' | 'onnx' | 'keras';

/** What MODEL_FORMATS says about one format. */
export interface FormatInfo {
  /** The file extensions that name it (lower case, with the dot). */
  extensions: readonly string[];
  /** Whether this library writes it (Keras files are read only). */
  write: boolean;
  /** The format in words, for messages. */
  what: string;
}

/** Every ModelFormat, and whether this library can write it. */
export const MODEL_FORMATS: Readonly<Record<ModelFormat, FormatInfo>> = {
  rnn: { extensions: ['.rnn'], write: true, what: 'a simple-rnn checkpoint' },
  tfjs: { extensions: ['.json'], write: true, what: 'a TF.js layers model (model.json and its weights files)' },
  safetensors: { extensions: ['.safetensors'], write: true, what: 'a PyTorch state_dict as safetensors' },
  onnx: { extensions: ['.onnx'], write: true, what: 'an ONNX model' },
  keras: { extensions: ['.keras', '.h5', '.hdf5'], write: false, what: 'a Keras model file (.keras zip or legacy .h5)' },
};

const FORMAT_NAMES = Object.keys(MODEL_FORMATS) as ModelFormat[];

/**
 * The format of a model path: `format` when given, else by the extension (a path without one, or a folder, is a
 * TF.js folder holding model.json). Throws a RangeError naming the extensions it knows.
 */
export function formatOf(path: string, format?: unknown, api = 'formatOf', field = 'path'): ModelFormat {
  if (format !== undefined) {
    if (typeof format !== 'string' || !(FORMAT_NAMES as string[]).includes(format)) throw typeError(api, 'options.format', `one of ${FORMAT_NAMES.map((f) => `'${f}'`).join(', ')}`, format);
    return format as ModelFormat;
  }
  const ext = extname(path).toLowerCase();
  if (ext === '') return 'tfjs';
  for (const f of FORMAT_NAMES) if (MODEL_FORMATS[f].extensions.includes(ext)) return f;
  const known = FORMAT_NAMES.flatMap((f) => MODEL_FORMATS[f].extensions).join(', ');
  throw rangeError(api, field, `= ${JSON.stringify(path)} has the extension ${JSON.stringify(ext)}, which names no model format; expected one of ${known}, a folder holding model.json, or options.format`);
}

// ---- one pair per format ----

/** Reads a .rnn checkpoint (SimpleRNN.save's bytes) and loads it (SimpleRNN.load). */
export async function loadCheckpoint(path: string, options?: LoadOptions): Promise<SimpleRNN> {
  const api = 'loadCheckpoint';
  const bytes = await readModelFile(api, 'path', pathArg(api, 'path', path, 'a path to a .rnn file'), MAX_FILE_BYTES);
  return SimpleRNN.load(bytes, options);
}

/** Writes model.save(metadata) to path atomically (a reader sees the old file or the new one). */
export async function saveCheckpoint(model: SimpleRNN, path: string, metadata?: unknown): Promise<void> {
  const api = 'saveCheckpoint';
  pathArg(api, 'path', path, 'a path to write the .rnn file to');
  const bytes = arguments.length > 2 ? model.save(metadata) : model.save();
  await writeModelFile(api, 'path', path, bytes);
}

/** Reads a .safetensors file holding a PyTorch state_dict and imports it (fromPytorch). */
export async function loadPytorch(path: string, options?: PytorchImportOptions): Promise<SimpleRNN> {
  const api = 'loadPytorch';
  const bytes = await readModelFile(api, 'path', pathArg(api, 'path', path, 'a path to a .safetensors file'), MAX_FILE_BYTES);
  return fromPytorch(bytes, options);
}

/** Options of savePytorch. */
export interface SavePytorchOptions {
  /** Also write the Python source of the generated nn.Module here. Default: not written. */
  modulePath?: string;
}

/**
 * Writes toPytorch(model)'s safetensors to path, and with `modulePath` the Python source of the nn.Module that loads
 * it. Returns the module source either way.
 */
export async function savePytorch(model: SimpleRNN, path: string, options?: SavePytorchOptions): Promise<{
  /** The Python source of the generated nn.Module. */
  module: string;
}> {
  const api = 'savePytorch';
  pathArg(api, 'path', path, 'a path to write the .safetensors file to');
  const modulePath = options?.modulePath;
  if (modulePath !== undefined) pathArg(api, 'options.modulePath', modulePath, 'a path to write the Python module to');
  const out = toPytorch(model);
  await writeModelFile(api, 'path', path, out.safetensors);
  if (modulePath !== undefined) await writeModelFile(api, 'options.modulePath', modulePath, out.module);
  return { module: out.module };
}

/** Reads an .onnx file and imports it (fromOnnx: the graphs toOnnx writes and torch.onnx.export's nn.RNN graphs). */
export async function loadOnnx(path: string, options?: OnnxImportOptions): Promise<SimpleRNN> {
  const api = 'loadOnnx';
  const bytes = await readModelFile(api, 'path', pathArg(api, 'path', path, 'a path to an .onnx file'), MAX_FILE_BYTES);
  return fromOnnx(bytes, options);
}

/** Writes toOnnx(model, options) to path atomically. */
export async function saveOnnx(model: SimpleRNN, path: string, options?: OnnxExportOptions): Promise<void> {
  const api = 'saveOnnx';
  pathArg(api, 'path', path, 'a path to write the .onnx file to');
  await writeModelFile(api, 'path', path, toOnnx(model, options));
}

/** Reads a Keras model file (.keras, or a legacy .h5) and imports it (fromKerasFile). */
export async function loadKeras(path: string, options?: KerasFileOptions): Promise<SimpleRNN> {
  const api = 'loadKeras';
  const bytes = await readModelFile(api, 'path', pathArg(api, 'path', path, 'a path to a .keras or .h5 file'), MAX_FILE_BYTES);
  return fromKerasFile(bytes, options);
}

// ---- by extension ----

/** Options of loadModel: the format (default: by extension) and the chosen format's import options. */
export interface LoadModelOptions {
  /** The file's format. Default: by its extension (formatOf). */
  format?: ModelFormat;
  /** The chosen format's import options (SimpleRNN.load's, or the importer's), checked by that importer. */
  [option: string]: unknown;
}

/** Options of saveModel: the format (default: by extension) and the chosen format's export options. */
export interface SaveModelOptions {
  /** The file's format. Default: by its extension (formatOf). */
  format?: ModelFormat;
  /** The chosen format's export options (toTfjsFiles', toOnnx's, savePytorch's, or a checkpoint's metadata). */
  [option: string]: unknown;
}

/** The options object without `format`, read once (a getter on it is read here, once). */
function rest(api: string, options: unknown): { format: unknown; others: Record<string, unknown> | undefined } {
  if (options === undefined) return { format: undefined, others: undefined };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw typeError(api, 'options', 'an options object', options);
  const others: Record<string, unknown> = {};
  let format: unknown;
  for (const k of Object.keys(options)) {
    const v = (options as Record<string, unknown>)[k];
    if (k === 'format') format = v;
    else others[k] = v;
  }
  return { format, others: Object.keys(others).length ? others : undefined };
}

/** model.json inside a TF.js folder path (a path naming model.json itself, or any .json, is taken as it is). */
const modelJsonOf = (path: string): string => (extname(path).toLowerCase() === '.json' ? path : join(path, 'model.json'));

/** The folder a TF.js model is written to: the path, or the folder of a path naming its model.json. */
export const tfjsFolderOf = (path: string): string => (extname(path).toLowerCase() === '.json' ? dirname(path) : path);

/**
 * Imports the bytes of a one-file format with its importer (SimpleRNN.load, fromPytorch, fromOnnx, fromKerasFile),
 * which checks the options.
 */
export function importBytes(format: Exclude<ModelFormat, 'tfjs'>, bytes: Uint8Array, options?: Record<string, unknown>): Promise<SimpleRNN> {
  switch (format) {
    case 'rnn': return SimpleRNN.load(bytes, options as LoadOptions);
    case 'safetensors': return fromPytorch(bytes, options as PytorchImportOptions);
    case 'onnx': return fromOnnx(bytes, options as OnnxImportOptions);
    case 'keras': return fromKerasFile(bytes, options as KerasFileOptions);
  }
}

/**
 * Loads a model from any format this library reads, chosen by options.format or the path's extension (a folder:
 * TF.js). The other options go to that format's importer (SimpleRNN.load, loadTfjsLayers, fromPytorch, fromOnnx,
 * fromKerasFile), which checks them.
 */
export async function loadModel(path: string, options?: LoadModelOptions): Promise<SimpleRNN> {
  const api = 'loadModel';
  pathArg(api, 'path', path, 'a path to a model file or folder');
  const { format, others } = rest(api, options);
  const f = formatOf(path, format, api);
  switch (f) {
    case 'rnn': return loadCheckpoint(path, others as LoadOptions);
    case 'tfjs': return loadTfjsLayers(modelJsonOf(path), others as ImportOptions);
    case 'safetensors': return loadPytorch(path, others as PytorchImportOptions);
    case 'onnx': return loadOnnx(path, others as OnnxImportOptions);
    case 'keras': return loadKeras(path, others as KerasFileOptions);
  }
}

/**
 * Saves a model in any format this library writes ('rnn', 'tfjs', 'safetensors', 'onnx'), chosen by options.format
 * or the path's extension (a folder, or a path ending in model.json: TF.js). Keras files are import only.
 */
export async function saveModel(model: SimpleRNN, path: string, options?: SaveModelOptions): Promise<void> {
  const api = 'saveModel';
  pathArg(api, 'path', path, 'a path to write the model to');
  const { format, others } = rest(api, options);
  const f = formatOf(path, format, api);
  if (!MODEL_FORMATS[f].write) throw rangeError(api, format === undefined ? 'path' : 'options.format', `names ${MODEL_FORMATS[f].what}, which this library reads but does not write; expected one of .rnn, .safetensors, .onnx or a TF.js folder`);
  switch (f) {
    case 'rnn': {
      if (others && Object.keys(others).some((k) => k !== 'metadata')) throw rangeError(api, 'options', `for a checkpoint may hold only metadata; got ${Object.keys(others).join(', ')}`);
      return others && 'metadata' in others ? saveCheckpoint(model, path, others.metadata) : saveCheckpoint(model, path);
    }
    case 'tfjs': {
      const dir = tfjsFolderOf(path);
      if (extname(path).toLowerCase() === '.json' && basename(path) !== 'model.json') throw rangeError(api, 'path', `= ${JSON.stringify(path)} names a .json file; a TF.js model is written as model.json in a folder: give the folder or …/model.json`);
      try {
        await mkdir(dir, { recursive: true });
      } catch (e) {
        throw fsError(api, 'path', dir, 'written', e);
      }
      await saveTfjsLayers(model, dir, others as TfjsExportOptions);
      return;
    }
    case 'safetensors': {
      await savePytorch(model, path, others as SavePytorchOptions);
      return;
    }
    case 'onnx': return saveOnnx(model, path, others as OnnxExportOptions);
  }
}
