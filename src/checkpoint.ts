// Checkpoints: a model's whole training state as bytes, in a documented, versioned format (docs/checkpoints.md).
// Only web-platform APIs (DataView, TextEncoder, TextDecoder), so the same bytes load in Node and in browsers.
//
// Layout, little-endian, version 2 (version 1, written before deep models, has the same layout; its config JSON has
// no layers / bidirectional / dropout keys and a copy of the learning rate in "model": both still load):
//   offset  size  field
//   0       4     magic "SRNN" (53 52 4E 4E)
//   4       4     u32 format version (2; 1 is read too)
//   8       4     u32 total length of the file in bytes, checksum included
//   12      4     u32 C: bytes of the config JSON
//   16      4     u32 M: bytes of the metadata JSON (0: no metadata)
//   20      4     u32 float bytes: 4 (float32) or 8 (float64 js models)
//   24      4     u32 P: floats per section (the model's paramCount, alignment padding included)
//   28      4     u32 S: optimizer state sections stored (0 sgd; 1 momentum, nesterov, rmsprop, adagrad; 2 adam, adamw)
//   32      8     f64 step count (optimizer updates applied)
//   40      4     u32 RNG state (xorshift32)
//   44      4     u32 skipped steps (non-finite steps skipped)
//   48      C     config JSON (UTF-8): { "model": ModelConfig, "training": TrainingOptions }
//   48+C    M     metadata JSON (UTF-8), the caller's
//   ...     0-7   zero padding to a multiple of 8
//   ...     P*fb  parameters (the params section, the layout of getParams' keys in block order)
//   ...     S*P*fb optimizer state sections, in order
//   end-4   4     u32 CRC-32 (IEEE 802.3, as zlib/PNG) of every byte before it
import { MODEL_KEYS, resolveModel, storedModelOptions, type ModelConfig, type ResolvedCreate } from './config.js';
import { rangeError, typeError } from './errors.js';
import { paramLayout } from './layout.js';
import { resolveTraining, stateSections, TRAINING_KEYS, type TrainingConfig, type TrainingOptions } from './optim.js';
import { readOptions } from './options.js';

export const MAGIC = 0x4e4e5253; // "SRNN" read as a little-endian u32
/** The checkpoint format version that save() writes (2); load() also reads version 1. */
export const FORMAT_VERSION = 2;
/** Versions this library reads. */
export const READ_VERSIONS: readonly number[] = [1, 2];
const HEADER = 48;

let table: Uint32Array | null = null;

/** CRC-32 (IEEE, reflected polynomial 0xEDB88320), as zlib's crc32. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let k = start; k < end; k++) c = table[(c ^ bytes[k]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface Checkpoint {
  model: ModelConfig;
  training: TrainingOptions;
  metadata: unknown;
  floatBytes: 4 | 8;
  paramCount: number;
  /** sections[0] = params, then the optimizer state sections. */
  sections: (Float32Array | Float64Array)[];
  stepCount: number;
  rngState: number;
  skippedSteps: number;
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;

export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const enc = new TextEncoder();
  const config = enc.encode(JSON.stringify({ model: ck.model, training: ck.training }));
  let meta = new Uint8Array(0);
  if (ck.metadata !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(ck.metadata);
    } catch (e) {
      throw typeError('save', 'metadata', `JSON-serialisable (${(e as Error).message})`, ck.metadata);
    }
    if (json === undefined) throw typeError('save', 'metadata', 'JSON-serialisable', ck.metadata);
    meta = enc.encode(json);
  }
  const fb = ck.floatBytes;
  const P = ck.paramCount;
  const S = ck.sections.length - 1;
  const dataAt = HEADER + config.length + meta.length;
  const floatsAt = dataAt + pad8(dataAt);
  const total = floatsAt + (S + 1) * P * fb + 4;
  if (total > 0xffffffff) throw rangeError('save', 'model', `needs ${total} bytes; a checkpoint holds at most 4 GiB`);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, config.length, true);
  dv.setUint32(16, meta.length, true);
  dv.setUint32(20, fb, true);
  dv.setUint32(24, P, true);
  dv.setUint32(28, S, true);
  dv.setFloat64(32, ck.stepCount, true);
  dv.setUint32(40, ck.rngState >>> 0, true);
  dv.setUint32(44, ck.skippedSteps >>> 0, true);
  out.set(config, HEADER);
  out.set(meta, HEADER + config.length);
  let at = floatsAt;
  for (const sec of ck.sections) {
    if (sec.length !== P) throw new Error(`SimpleRNN.save: internal: a section has ${sec.length} floats, expected ${P}`);
    if (fb === 4) for (let k = 0; k < P; k++, at += 4) dv.setFloat32(at, sec[k], true);
    else for (let k = 0; k < P; k++, at += 8) dv.setFloat64(at, sec[k], true);
  }
  dv.setUint32(total - 4, crc32(out, 0, total - 4), true);
  return out;
}

/**
 * Reads and checks a checkpoint: size, magic, version, length, checksum, then the config JSON and the section sizes.
 * Throws a RangeError naming what is wrong; returns copies (nothing refers to `bytes` afterwards).
 */
export function decodeCheckpoint(bytes: unknown): Checkpoint {
  const api = 'load';
  let u8: Uint8Array;
  // one copy, read once: the checksum and the parser see the same bytes, whatever writes the caller's buffer
  if (ArrayBuffer.isView(bytes) && bytes instanceof Uint8Array) u8 = Uint8Array.prototype.slice.call(bytes);
  else if (bytes instanceof ArrayBuffer) u8 = new Uint8Array(bytes.slice(0));
  else throw typeError(api, 'bytes', 'a Uint8Array (from model.save()) or an ArrayBuffer', bytes);
  const n = u8.length;
  if (n < HEADER + 4) throw rangeError(api, 'bytes', `is truncated: ${n} bytes; a checkpoint has at least ${HEADER + 4}`);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic !== MAGIC) {
    const got = Array.from(u8.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw rangeError(api, 'bytes', `is not a simple-rnn checkpoint: magic is ${got}; expected 53 52 4e 4e ("SRNN")`);
  }
  const version = dv.getUint32(4, true);
  if (!READ_VERSIONS.includes(version)) {
    throw rangeError(api, 'bytes', `has format version ${version}; this library reads versions ${READ_VERSIONS.join(' and ')}`);
  }
  const total = dv.getUint32(8, true);
  if (n < total) throw rangeError(api, 'bytes', `is truncated: ${n} bytes; the header says ${total}`);
  if (n > total) throw rangeError(api, 'bytes', `has ${n - total} trailing bytes after the ${total} the header declares`);
  const stored = dv.getUint32(total - 4, true);
  const computed = crc32(u8, 0, total - 4);
  if (stored !== computed) {
    throw rangeError(api, 'bytes', `is corrupted: CRC-32 is 0x${computed.toString(16).padStart(8, '0')}; the file says 0x${stored.toString(16).padStart(8, '0')}`);
  }
  const C = dv.getUint32(12, true);
  const M = dv.getUint32(16, true);
  const fb = dv.getUint32(20, true);
  const P = dv.getUint32(24, true);
  const S = dv.getUint32(28, true);
  if (fb !== 4 && fb !== 8) throw rangeError(api, 'bytes', `has float size ${fb}; expected 4 or 8`);
  if (S > 2) throw rangeError(api, 'bytes', `has ${S} optimizer state sections; expected 0, 1 or 2`);
  const dataAt = HEADER + C + M;
  const floatsAt = dataAt + pad8(dataAt);
  const expect = floatsAt + (S + 1) * P * fb + 4;
  if (expect !== total) {
    throw rangeError(api, 'bytes', `is inconsistent: config ${C} B, metadata ${M} B and ${S + 1} sections of ${P} floats need ${expect} bytes; the file has ${total}`);
  }
  const dec = new TextDecoder('utf-8', { fatal: true });
  let config: { model: ModelConfig; training: TrainingOptions };
  let metadata: unknown;
  try {
    config = JSON.parse(dec.decode(u8.subarray(HEADER, HEADER + C)));
    metadata = M ? JSON.parse(dec.decode(u8.subarray(HEADER + C, HEADER + C + M))) : undefined;
  } catch (e) {
    throw rangeError(api, 'bytes', `has an unreadable config or metadata JSON (${(e as Error).message})`);
  }
  if (!config || typeof config !== 'object' || !config.model || typeof config.model !== 'object' || !config.training || typeof config.training !== 'object') {
    throw rangeError(api, 'bytes', 'has a config JSON without its "model" and "training" objects');
  }
  const sections: (Float32Array | Float64Array)[] = [];
  let at = floatsAt;
  for (let s = 0; s <= S; s++) {
    const a = fb === 4 ? new Float32Array(P) : new Float64Array(P);
    if (fb === 4) for (let k = 0; k < P; k++, at += 4) a[k] = dv.getFloat32(at, true);
    else for (let k = 0; k < P; k++, at += 8) a[k] = dv.getFloat64(at, true);
    sections.push(a);
  }
  return {
    model: config.model,
    training: config.training,
    metadata,
    floatBytes: fb,
    paramCount: P,
    sections,
    stepCount: dv.getFloat64(32, true),
    rngState: dv.getUint32(40, true),
    skippedSteps: dv.getUint32(44, true),
  };
}

/**
 * A checkpoint's config, resolved and checked against the floats it holds before anything is allocated: the model it
 * describes must have exactly the file's paramCount floats per section and the optimizer's number of sections, its
 * parameters and optimizer state must be finite (second moments >= 0), and its counters in range.
 */
export function resolveCheckpoint(ck: Checkpoint, backend: 'wasm' | 'js' | 'auto' | undefined): Omit<ResolvedCreate, 'threads' | 'threadSplit' | 'simd'> {
  const api = 'load';
  const m = ck.model as unknown as Record<string, unknown>;
  const precision = ck.floatBytes === 8 ? 'float64' : 'float32';
  if (m.precision !== precision) {
    throw rangeError(api, 'bytes', `is inconsistent: config precision is ${String(m.precision)} but the floats are ${ck.floatBytes}-byte`);
  }
  if ((backend ?? m.backend) === 'wasm' && precision === 'float64') {
    throw rangeError(api, 'options.backend', "= 'wasm' cannot hold a float64 checkpoint (saved from a js float64 model); use backend: 'js'");
  }
  let model: ModelConfig;
  let training: TrainingConfig;
  try {
    for (const k of Object.keys(m)) {
      // version-1 files also stored the learning rate here (the training options hold it)
      if (k !== 'learningRate' && !(MODEL_KEYS as readonly string[]).includes(k)) throw rangeError(api, `config.model.${k}`, 'is not a model option');
    }
    const opts = storedModelOptions(m);
    if (backend !== undefined) opts.backend = backend;
    model = resolveModel(api, opts);
    training = resolveTraining(api, readOptions(api, ck.training, TRAINING_KEYS, 'config.training') as TrainingOptions, undefined, 'config.training');
  } catch (e) {
    throw rangeError(api, 'bytes', `holds a config this library cannot build: ${(e as Error).message}`);
  }
  const L = paramLayout(model, ck.floatBytes);
  if (ck.paramCount !== L.count) {
    throw rangeError(api, 'bytes', `is mismatched: its config describes ${L.count} floats per section, the file holds ${ck.paramCount}`);
  }
  const S = stateSections(training.optimizer.type);
  if (ck.sections.length !== S + 1) {
    throw rangeError(api, 'bytes', `is mismatched: optimizer '${training.optimizer.type}' keeps ${S} state sections, the file holds ${ck.sections.length - 1}`);
  }
  if (!Number.isInteger(ck.stepCount) || ck.stepCount < 0 || ck.stepCount > 2 ** 53) {
    throw rangeError(api, 'bytes', `has step count ${ck.stepCount}; expected an integer >= 0`);
  }
  // adam's v (its second section), and the single state of rmsprop and adagrad, are running means of g²
  const squares = training.optimizer.type === 'adam' || training.optimizer.type === 'adamw' ? 2 : training.optimizer.type === 'rmsprop' || training.optimizer.type === 'adagrad' ? 1 : -1;
  for (let s = 0; s < ck.sections.length; s++) {
    const a = ck.sections[s];
    const what = s === 0 ? 'parameter' : `optimizer state value (section ${s})`;
    for (let k = 0; k < ck.paramCount; k++) {
      if (!Number.isFinite(a[k])) throw rangeError(api, 'bytes', `has a non-finite ${what} (${a[k]}) at float ${k}`);
      if (s === squares && a[k] < 0) throw rangeError(api, 'bytes', `has a negative ${what} (${a[k]}) at float ${k}; a running mean of squares is >= 0`);
    }
  }
  return { model, training };
}
