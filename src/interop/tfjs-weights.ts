// The weights of a TF.js layers model: the weight specs (weightSpecs, or a weightsManifest's groups) read once into a
// byte layout, the bytes present checked against it before anything is decoded, and only the weights a model takes
// decoded (float32, or uint8 / uint16 / float16 quantized), straight from the buffers as given (never joined).
import { rangeError, typeError, describe } from '../errors.js';
import { MAX_BYTES } from '../layout.js';
import { LITTLE_ENDIAN, MAX_RANK, bytesOf, fieldsOf, halfToFloat, isObj, readList } from './read.js';
import { weightBase, weightDirection, weightLayer, type Direction } from './tfjs-format.js';

type Kind = 'float32' | 'float16' | 'uint8' | 'uint16';
const WIDTH: Record<Kind, number> = { float32: 4, float16: 2, uint16: 2, uint8: 1 };

/** One weight spec, read once, and where its bytes are. */
export interface Spec {
  /** The spec in the caller's JSON, with its name: `weightSpecs[2] 'simple_rnn/bias'`. */
  field: string;
  name: string;
  shape: number[];
  kind: Kind;
  /** Affine dequantization of uint8 / uint16: raw · scale + min. */
  scale: number;
  min: number;
  /** Floats; the spec's bytes are count · WIDTH[kind], from byte `offset` of the weights. */
  count: number;
  offset: number;
}

/** The specs in byte order, the bytes they describe, and per manifest group its paths (as given) and bytes. */
export interface Layout {
  specs: Spec[];
  bytes: number;
  groups: { field: string; paths: unknown; bytes: number }[];
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : describe(v));

function readSpec(api: string, field: string, v: unknown, offset: number): Spec {
  if (!isObj(v)) throw typeError(api, field, 'a weight spec { name, shape, dtype }', v);
  const get = fieldsOf(v);
  const name = get('name');
  const shape = get('shape');
  if (typeof name !== 'string' || !Array.isArray(shape)) throw typeError(api, field, 'a weight spec { name, shape, dtype }', v);
  const f = `${field} '${name}'`;
  const dims = readList(api, `${f}.shape`, shape, 'a dimension', MAX_RANK);
  let count = 1;
  dims.forEach((d, k) => {
    if (typeof d !== 'number') throw typeError(api, `${f}.shape[${k}]`, `a dimension (an integer in [0, ${MAX_BYTES}])`, d);
    if (!Number.isInteger(d) || d < 0 || d > MAX_BYTES) throw rangeError(api, `${f}.shape[${k}]`, `= ${d} is not a dimension; expected an integer in [0, ${MAX_BYTES}]`);
    count *= d;
  });
  const q = get('quantization');
  let kind: Kind = 'float32';
  let scale = 1;
  let min = 0;
  if (q === undefined || q === null) {
    const dtype = get('dtype');
    if (dtype !== 'float32') throw rangeError(api, `${f}.dtype`, `= ${show(dtype)} is not supported; expected 'float32' (or a uint8 / uint16 / float16 quantization)`);
  } else {
    if (!isObj(q)) throw typeError(api, `${f}.quantization`, '{ dtype, scale, min }', q);
    const qget = fieldsOf(q);
    const dtype = qget('dtype');
    if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'float16') {
      throw rangeError(api, `${f}.quantization.dtype`, `= ${show(dtype)} is not supported; expected 'uint8', 'uint16' or 'float16'`);
    }
    kind = dtype;
    if (kind !== 'float16') {
      const s = qget('scale') ?? 1;
      const m = qget('min') ?? 0;
      if (typeof s !== 'number' || !Number.isFinite(s)) throw typeError(api, `${f}.quantization.scale`, 'a finite number', s);
      if (typeof m !== 'number' || !Number.isFinite(m)) throw typeError(api, `${f}.quantization.min`, 'a finite number', m);
      scale = s;
      min = m;
    }
  }
  return { field, name, shape: dims as number[], kind, scale, min, count, offset };
}

/**
 * The weight specs of an artifact (`weightSpecs`) or of a model.json (`weightsManifest`), read once into their byte
 * layout (checkLayout bounds it, once the model's own sizes are checked).
 */
export function readLayout(api: string, weightSpecs: unknown, weightsManifest: unknown): Layout {
  const specs: Spec[] = [];
  const groups: Layout['groups'] = [];
  let at = 0;
  const add = (field: string, list: unknown[]): number => {
    const start = at;
    list.forEach((v, k) => {
      const s = readSpec(api, `${field}[${k}]`, v, at);
      at += s.count * WIDTH[s.kind]; // exact: at most MAX_ITEMS specs of at most MAX_RANK dims of at most 2^31
      specs.push(s);
    });
    return at - start;
  };
  if (weightSpecs !== undefined) {
    if (!Array.isArray(weightSpecs)) throw typeError(api, 'modelJson.weightSpecs', 'an array of weight specs (or a weightsManifest)', weightSpecs);
    add('weightSpecs', readList(api, 'weightSpecs', weightSpecs, 'a weight spec'));
  } else {
    if (!Array.isArray(weightsManifest)) throw typeError(api, 'modelJson.weightSpecs', 'an array of weight specs (or a weightsManifest)', weightSpecs);
    readList(api, 'modelJson.weightsManifest', weightsManifest, 'a weights group { paths, weights }').forEach((g, k) => {
      const field = `modelJson.weightsManifest[${k}]`;
      if (!isObj(g)) throw typeError(api, field, 'a weights group { paths, weights }', g);
      const get = fieldsOf(g);
      const weights = get('weights');
      if (!Array.isArray(weights)) throw typeError(api, `${field}.weights`, 'an array of weight specs', weights);
      const bytes = add(`${field}.weights`, readList(api, `${field}.weights`, weights, 'a weight spec'));
      groups.push({ field, paths: get('paths'), bytes });
    });
  }
  return { specs, bytes: at, groups };
}

/** The specs together may describe at most MAX_BYTES: the largest model block (params, grads, optimizer state). */
export function checkLayout(api: string, layout: Layout): void {
  if (layout.bytes > MAX_BYTES) {
    throw rangeError(api, 'weightSpecs', `describe ${layout.bytes} bytes; the weights may hold at most ${MAX_BYTES} (the largest model block, with gradients and optimizer state)`);
  }
}

/**
 * The last spec of a layer's weight (Keras names may nest a cell and end in ':0'), or null. A Bidirectional
 * wrapper's weights are told apart by their direction (`bidirectional/forward_simple_rnn/kernel`).
 */
export function findSpec(layout: Layout, layer: string, base: string, direction?: Direction): Spec | null {
  let hit: Spec | null = null;
  for (const s of layout.specs) {
    if (weightLayer(s.name) === layer && weightBase(s.name) === base && (!direction || weightDirection(s.name) === direction)) hit = s;
  }
  return hit;
}

// ---- bytes ----

/** The weight bytes as given (one buffer or view, or one per weights file in manifest order): views, never joined. */
export interface Bytes {
  parts: Uint8Array[];
  /** Byte offset of each part in the whole. */
  starts: number[];
  total: number;
}

/** Reads the weight bytes and checks them against the layout before anything is decoded. */
export function readBytes(api: string, data: unknown, layout: Layout): Bytes {
  const one = bytesOf(data);
  let parts: Uint8Array[];
  if (one) parts = [one];
  else if (Array.isArray(data)) {
    parts = readList(api, 'weightData', data, 'an ArrayBuffer').map((d, k) => {
      const b = bytesOf(d);
      if (!b) throw typeError(api, `weightData[${k}]`, 'an ArrayBuffer', d);
      return b;
    });
  } else {
    throw typeError(api, 'weightData', 'an ArrayBuffer, an array of ArrayBuffers (one per weights file, in manifest order) or a Uint8Array', data);
  }
  const starts: number[] = [];
  let total = 0;
  for (const p of parts) {
    starts.push(total);
    total += p.length;
  }
  if (total !== layout.bytes) {
    throw rangeError(api, 'weightData', `has ${total} bytes; the weight specs describe ${layout.bytes} ${total < layout.bytes ? '(truncated or the wrong file?)' : '(the wrong weights file?)'}`);
  }
  return { parts, starts, total };
}

/** Bytes [at, at + n) of the weights: a view when they lie in one part, else a copy of the pieces. */
function slice(b: Bytes, at: number, n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  let k = b.parts.length - 1;
  while (k > 0 && b.starts[k] > at) k--;
  const first = b.parts[k];
  const o = at - b.starts[k];
  if (o + n <= first.length) return first.subarray(o, o + n);
  const out = new Uint8Array(n);
  for (let got = 0; got < n; k++) {
    const p = b.parts[k].subarray(got === 0 ? o : 0);
    const take = Math.min(p.length, n - got);
    out.set(p.subarray(0, take), got);
    got += take;
  }
  return out;
}

/** A weight's values, each value read once, checked finite in float32. The layout's sizes were checked first. */
export function decode(api: string, spec: Spec, b: Bytes): Float64Array {
  const { kind, count: n, scale, min } = spec;
  const bytes = slice(b, spec.offset, n * WIDTH[kind]);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // aligned float32 on a little-endian host: one 4-byte load per value (a DataView may read shared memory byte by
  // byte, so a value another thread rewrites meanwhile could come back torn: half of the old bytes, half of the new)
  const f32 = kind === 'float32' && LITTLE_ENDIAN && bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, n) : null;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const x =
      f32 ? f32[j]
      : kind === 'float32' ? dv.getFloat32(4 * j, true)
      : kind === 'float16' ? halfToFloat(dv.getUint16(2 * j, true))
      : (kind === 'uint8' ? dv.getUint8(j) : dv.getUint16(2 * j, true)) * scale + min;
    if (!Number.isFinite(Math.fround(x))) throw rangeError(api, `weight '${spec.name}'[${j}]`, `= ${x} is not finite in float32`);
    out[j] = x;
  }
  return out;
}
