// Model files for the commands: reading a model in any importable format (by extension or --from) and writing it in
// any exportable one (by extension or --to), each failure one UsageError line naming the flag and the file, and a
// one-line summary of a model. The formats and their importers are those of simple-rnn/node (src/node/formats.ts).
import { statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { SimpleRNN } from '../model.js';
import { toPytorch } from '../interop/pytorch.js';
import { toOnnx } from '../interop/onnx-export.js';
import { MODEL_FORMATS, formatOf, importBytes, tfjsFolderOf, type ModelFormat } from '../node/formats.js';
import { loadTfjsLayers, saveTfjsLayers } from '../node/tfjs.js';
import { UsageError } from './args.js';
import { readBytes, writeAtomic } from './files.js';

export const FORMATS = Object.keys(MODEL_FORMATS) as ModelFormat[];

/** The library's message without its `SimpleRNN.api: ` prefix, for a line that names the file instead. */
export const plain = (e: unknown): string => String((e as Error).message ?? e).split('\n')[0].replace(/^SimpleRNN\.[\w.]+: /, '');

/** A folder path (an existing directory) is a TF.js folder: its model.json. */
const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * The format of a path named by `flag`: `given` (--from / --to), else by its extension (a folder: TF.js). With
 * `fallback`, a path whose extension names no format is taken as that format (a checkpoint of train may have any
 * name); without it, that is a UsageError.
 */
export function formatFor(flag: string, path: string, given?: string, fallback?: ModelFormat): ModelFormat {
  if (given === undefined && isDir(path)) return 'tfjs';
  if (given === undefined && fallback && !FORMATS.some((f) => MODEL_FORMATS[f].extensions.includes(extname(path).toLowerCase()))) return fallback;
  try {
    return formatOf(path, given, 'cli', flag);
  } catch (e) {
    const ext = extname(path);
    const known = FORMATS.flatMap((f) => MODEL_FORMATS[f].extensions).join(', ');
    throw new UsageError(`${flag} ${path}: ${given !== undefined ? `unknown format "${given}"` : ext ? `the extension ${ext} names no model format` : plain(e)}; expected ${known}, a TF.js folder, or --from/--to (${FORMATS.join(', ')})`);
  }
}

/** Import options a format's file does not carry (the flags of convert): each importer takes only its own. */
export interface ModelFlags {
  activation?: string;
  outputActivation?: string;
  returnSequences?: boolean;
  merge?: string;
  goBackwards?: boolean;
}

/** Which of the ModelFlags each importer takes. */
const TAKES: Record<ModelFormat, readonly (keyof ModelFlags)[]> = {
  rnn: [],
  tfjs: [],
  keras: [],
  safetensors: ['activation', 'outputActivation', 'returnSequences', 'merge', 'goBackwards'],
  onnx: ['outputActivation', 'returnSequences'],
};

const kebab = (k: string): string => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * Reads the model at `path` (named by `flag` in messages) in `format`: the flags the format does not carry go to its
 * importer; a flag it does carry (or has no use for) is refused, not ignored.
 */
export async function readModel(
  flag: string, path: string, format: ModelFormat, flags: ModelFlags = {}, run: { backend?: 'wasm' | 'js'; threads?: number; simd?: 'strict' | 'relaxed' } = {},
): Promise<SimpleRNN> {
  const given = (Object.keys(flags) as (keyof ModelFlags)[]).filter((k) => flags[k] !== undefined);
  const extra = given.filter((k) => !TAKES[format].includes(k));
  if (extra.length) {
    throw new UsageError(`${extra.map(kebab).join(', ')}: ${MODEL_FORMATS[format].what} carries ${extra.length > 1 ? 'these' : 'this'} itself${TAKES[format].length ? `; for this format give only ${TAKES[format].map(kebab).join(', ')}` : ''}`);
  }
  const imp: Record<string, unknown> = {};
  for (const k of given) imp[k] = flags[k];
  if (run.backend) imp.backend = run.backend;
  // a checkpoint takes where it runs (its options are SimpleRNN.load's); the importers take the flags and the backend
  const options = format === 'rnn'
    ? { ...(run.backend ? { backend: run.backend } : {}), ...(run.threads ? { threads: run.threads } : {}), ...(run.simd ? { simd: run.simd } : {}) }
    : imp;
  try {
    // a folder (or a name without an extension) holds model.json; any other path names model.json itself
    if (format === 'tfjs') return await loadTfjsLayers(isDir(path) || extname(path) === '' ? join(path, 'model.json') : path, imp);
    return await importBytes(format, readBytes('checkpoint', flag, path), options);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot load model ${path}: ${plain(e)}`, 1);
  }
}

/** Writes the model to `path` in `format` (atomically for one-file formats; TF.js: model.json + weights.bin in a folder). */
export async function writeModel(flag: string, model: SimpleRNN, path: string, format: ModelFormat): Promise<string[]> {
  if (!MODEL_FORMATS[format].write) throw new UsageError(`${flag} ${path}: ${MODEL_FORMATS[format].what} can be read but not written; write .rnn, .safetensors, .onnx or a TF.js folder`);
  try {
    switch (format) {
      case 'rnn': writeAtomic(flag, path, model.save()); return [path];
      case 'safetensors': {
        const out = toPytorch(model);
        const py = join(dirname(path), basename(path, extname(path)) + '.py');
        writeAtomic(flag, path, out.safetensors);
        writeAtomic(flag, py, out.module);
        return [path, py];
      }
      case 'onnx': writeAtomic(flag, path, toOnnx(model)); return [path];
      case 'tfjs': {
        const r = await saveTfjsLayers(model, tfjsFolderOf(path));
        return [r.modelJsonPath, r.weightsPath];
      }
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot write ${flag} ${path}: ${plain(e)}`, 1);
  }
  return [];
}

/** One line about a model: inputs, layers, directions, sizes, activations, parameters. */
export function summary(model: SimpleRNN): string {
  const c = model.config;
  const H = typeof c.hiddenSize === 'number' ? String(c.hiddenSize) : c.hiddenSize.join('/');
  const inputs = c.vocabSize ? `token ids (V=${c.vocabSize}${c.embeddingSize ? `, embedding ${c.embeddingSize}` : ''})` : `dense inputs (I=${c.inputSize})`;
  const dirs = c.bidirectional ? `bidirectional (merge ${c.merge})` : c.goBackwards ? 'backwards' : 'forward';
  const params = Object.values(model.getParams()).reduce((n, a) => n + a.length, 0);
  return `${c.layers} layer${c.layers > 1 ? 's' : ''} of H=${H}, ${dirs}, ${inputs}, ${c.activation} state, ${c.outputActivation} head of O=${c.outputSize}` +
    `${c.returnSequences ? ' at every step' : ' on the final state'}${c.learnInitialState ? ', learned s0' : ''}; ${params.toLocaleString('en-US')} parameters`;
}
