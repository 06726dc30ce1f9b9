// Reads and writes the safetensors format (the file PyTorch's state_dicts travel in): an 8-byte little-endian header
// length N, N bytes of a JSON header { name: { dtype, shape, data_offsets }, "__metadata__": { key: string } }, then
// the tensors' bytes. Hostile files are refused by name before any tensor is allocated; each header field is read once.
import { rangeError, typeError, describe } from '../errors.js';
import { LITTLE_ENDIAN, MAX_RANK, bytesOf, fieldsOf, halfToFloat, isObj, readList } from './read.js';

/** A tensor's element type as safetensors names it; the reader takes these four (F16 and BF16 widened to float32). */
export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'BF16';

/** One tensor of a safetensors file: its dtype as stored, its shape, and its values (row-major). */
export interface SafetensorsTensor {
  /** The dtype the file stores it in. */
  dtype: SafetensorsDtype;
  /** Its dimensions, outermost first. */
  shape: number[];
  /** Float64Array for F64, Float32Array for F32, F16 and BF16 (widened exactly). */
  data: Float32Array | Float64Array;
}

/** A safetensors file, read: its tensors by name (in the header's order) and its `__metadata__` (null when absent). */
export interface SafetensorsFile {
  /** Every tensor, by name, in the header's order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The header's `__metadata__` (string to string), or null when it has none. */
  metadata: Record<string, string> | null;
}

/** One tensor for writeSafetensors: written as F32, row-major. */
export interface SafetensorsInput {
  /** The tensor's name in the header (a state_dict key). */
  name: string;
  /** Its dimensions, outermost first; their product is data.length. */
  shape: number[];
  /** Its values, row-major (each rounded to float32). */
  data: ArrayLike<number>;
}

/** Most header bytes read (the reference implementation's limit, 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;
/** Most tensors in one file. */
export const MAX_TENSORS = 4096;
/** Most bytes of a file writeSafetensors makes. */
const MAX_FILE_BYTES = 2 ** 32;
/** Deepest JSON nesting of a header: the file, an entry, a shape (deeper is refused before it is walked). */
const MAX_DEPTH = 3;

const WIDTH: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
const DTYPES = Object.keys(WIDTH) as SafetensorsDtype[];
/** The other dtypes of the format: named in the error so that a file of integers says what it holds. */
const OTHER_DTYPES = ['BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'I32', 'U64', 'I64', 'F8_E4M3', 'F8_E5M2'];
const ENTRY_KEYS = ['dtype', 'shape', 'data_offsets'];
const META = '__metadata__';

/** A tensor name as the errors show it (JSON-quoted, long ones cut). */
const quote = (name: string): string => JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
const tensorField = (name: string): string => `tensors[${quote(name)}]`;

// ---- the header's JSON, parsed strictly ----

/** A JSON number as written (digits kept, so a size larger than 2^53 is seen exactly). */
class JsonNumber {
  constructor(readonly raw: string) {}
}
/** A JSON object: its members in order (duplicates are refused while parsing). */
class JsonObject {
  constructor(readonly members: Map<string, Json>) {}
}
type Json = null | boolean | string | JsonNumber | JsonObject | Json[];

/** A TypeError in the error grammar, for a JSON value described by jsonKind (not quoted again). */
const wrongType = (api: string, field: string, expected: string, v: Json | undefined): TypeError =>
  new TypeError(`SimpleRNN.${api}: ${field} must be ${expected}; got ${v === undefined ? 'nothing (the field is missing)' : jsonKind(v)}`);

const jsonKind = (v: Json): string =>
  v === null ? 'null' : v instanceof JsonNumber ? `the number ${v.raw.length > 30 ? `${v.raw.slice(0, 30)}…` : v.raw}` : v instanceof JsonObject ? 'an object' : Array.isArray(v) ? `an array of length ${v.length}` : describe(v);

/**
 * A strict JSON parser for the header: RFC 8259 syntax, a duplicate key refused (JSON.parse would keep the last one
 * silently), nesting deeper than MAX_DEPTH refused before it is walked, and at most MAX_TENSORS members at the top.
 */
class Parser {
  at = 0;
  constructor(private readonly api: string, private readonly s: string) {}

  error(what: string): TypeError {
    const near = this.s.slice(this.at, this.at + 20);
    return new TypeError(`SimpleRNN.${this.api}: header is not JSON: ${what} at character ${this.at}${near ? ` (near ${JSON.stringify(near)})` : ''}`);
  }

  ws(): void {
    const s = this.s;
    while (this.at < s.length) {
      const c = s.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.at++;
    }
  }

  document(): Json {
    this.ws();
    const v = this.value(1, 'header');
    this.ws();
    if (this.at !== this.s.length) throw this.error('unexpected text after the end of the value');
    return v;
  }

  value(depth: number, path: string): Json {
    const c = this.s[this.at];
    if (c === '{' || c === '[') {
      if (depth > MAX_DEPTH) throw rangeError(this.api, path, `is nested deeper than a safetensors header (${MAX_DEPTH} levels)`);
      return c === '{' ? this.object(depth, path) : this.array(depth, path);
    }
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    throw this.error(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  }

  object(depth: number, path: string): JsonObject {
    this.at++; // {
    const members = new Map<string, Json>();
    this.ws();
    if (this.s[this.at] === '}') {
      this.at++;
      return new JsonObject(members);
    }
    for (;;) {
      this.ws();
      if (this.s[this.at] !== '"') throw this.error('expected a string key');
      const key = this.string();
      const field = depth === 1 ? (key === META ? `header.${META}` : tensorField(key)) : `${path}.${key}`;
      if (members.has(key)) throw rangeError(this.api, field, `appears twice in ${depth === 1 ? 'the header' : path}; expected every name once`);
      if (depth === 1 && key !== META && members.size - (members.has(META) ? 1 : 0) >= MAX_TENSORS) {
        throw rangeError(this.api, 'header', `has more than ${MAX_TENSORS} tensors`);
      }
      this.ws();
      if (this.s[this.at] !== ':') throw this.error("expected ':'");
      this.at++;
      this.ws();
      members.set(key, this.value(depth + 1, field));
      this.ws();
      const c = this.s[this.at++];
      if (c === '}') return new JsonObject(members);
      if (c !== ',') {
        this.at--;
        throw this.error("expected ',' or '}'");
      }
    }
  }

  array(depth: number, path: string): Json[] {
    this.at++; // [
    const out: Json[] = [];
    this.ws();
    if (this.s[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1, `${path}[${out.length}]`));
      this.ws();
      const c = this.s[this.at++];
      if (c === ']') return out;
      if (c !== ',') {
        this.at--;
        throw this.error("expected ',' or ']'");
      }
    }
  }

  string(): string {
    const s = this.s;
    const start = ++this.at;
    let out = '';
    let run = start;
    for (;;) {
      if (this.at >= s.length) throw this.error('unterminated string');
      const c = s.charCodeAt(this.at);
      if (c === 0x22) break; // "
      if (c < 0x20) throw this.error('a control character in a string');
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      out += s.slice(run, this.at);
      const e = s[this.at + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && Object.hasOwn(simple, e)) {
        out += simple[e];
        this.at += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.at + 2, this.at + 6))) {
        out += String.fromCharCode(parseInt(s.slice(this.at + 2, this.at + 6), 16));
        this.at += 6;
      } else throw this.error('a bad escape in a string');
      run = this.at;
    }
    out += s.slice(run, this.at);
    this.at++; // "
    return out;
  }

  number(): JsonNumber {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.at;
    const r = m.exec(this.s);
    if (!r) throw this.error('a bad number');
    this.at += r[0].length;
    return new JsonNumber(r[0]);
  }
}

/** A size field (a shape dimension, an offset): a JSON integer in [0, 2^53). */
function size(api: string, field: string, v: Json): number {
  if (!(v instanceof JsonNumber)) throw wrongType(api, field, 'an integer >= 0', v);
  if (!/^(0|[1-9]\d*)$/.test(v.raw)) throw rangeError(api, field, `= ${v.raw} is not a size; expected an integer >= 0`);
  const n = Number(v.raw);
  if (!Number.isSafeInteger(n)) throw rangeError(api, field, `= ${v.raw} is too large; expected an integer below 2^53`);
  return n;
}

// ---- reading ----

/** One tensor's header entry, checked: its bytes are [begin, end) of the data section. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Elements: the product of shape. */
  count: number;
  begin: number;
  end: number;
}

/** A safetensors header, checked against the file: what readSafetensors decodes. No tensor is decoded yet. */
export interface SafetensorsHeader {
  /** The tensors in the header's order. */
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string> | null;
  /** The file's bytes (a view over the caller's memory: each tensor's bytes are read once, by decodeTensor). */
  bytes: Uint8Array;
  /** Byte offset of the data section in bytes. */
  dataStart: number;
}

/**
 * Reads and checks a safetensors header (each field once) against the file, before any tensor is decoded or
 * allocated: N within the file and below MAX_HEADER_BYTES, the header a JSON object (strict: a duplicate name is an
 * error), at most MAX_TENSORS tensors, every entry { dtype, shape, data_offsets } with a known float dtype, a shape of
 * integer dimensions whose product fits the file, and offsets that tile the data section exactly (in order, no gap,
 * no overlap, byte count = elements · dtype width); `__metadata__` an object of strings.
 */
export function readSafetensorsHeader(bytes: Uint8Array | ArrayBuffer, api = 'readSafetensors'): SafetensorsHeader {
  const b = bytesOf(bytes);
  if (!b) throw typeError(api, 'bytes', 'a Uint8Array or an ArrayBuffer (the bytes of a .safetensors file)', bytes);
  if (b.length < 8) throw rangeError(api, 'bytes', `has ${b.length} bytes; a safetensors file starts with an 8-byte header length`);
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > b.length - 8) throw rangeError(api, 'header length', `= ${n} bytes runs beyond the file (${b.length} bytes: at most ${b.length - 8} after the 8-byte length)`);
  if (n > MAX_HEADER_BYTES) throw rangeError(api, 'header length', `= ${n} bytes; the limit is ${MAX_HEADER_BYTES}`);
  if (n < 2) throw rangeError(api, 'header length', `= ${n} bytes; expected a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.slice(8, 8 + n)); // a copy: read once
  } catch {
    throw new TypeError(`SimpleRNN.${api}: header is not valid UTF-8`);
  }
  const root = new Parser(api, text).document();
  if (!(root instanceof JsonObject)) throw wrongType(api, 'header', 'a JSON object { name: { dtype, shape, data_offsets }, ... }', root);
  const dataStart = 8 + n;
  const dataBytes = b.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, v] of root.members) {
    if (name === META) {
      metadata = readMetadata(api, v);
      continue;
    }
    entries.set(name, readEntry(api, name, v, dataBytes));
  }
  // the entries, in offset order, must tile the data section: each begins where the one before ended
  const order = [...entries.values()].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = 0;
  let prev: SafetensorsEntry | null = null;
  for (const e of order) {
    if (e.begin !== at) {
      const f = `${tensorField(e.name)}.data_offsets`;
      if (e.begin < at) throw rangeError(api, f, `= [${e.begin}, ${e.end}] overlaps ${tensorField(prev!.name)} [${prev!.begin}, ${prev!.end}]`);
      throw rangeError(api, f, `= [${e.begin}, ${e.end}] leaves bytes [${at}, ${e.begin}) of the data unused; expected the tensors to tile the data`);
    }
    at = e.end;
    prev = e;
  }
  if (at !== dataBytes) throw rangeError(api, 'header', `describes ${at} bytes of tensor data; the file holds ${dataBytes} after the header`);
  return { entries, metadata, bytes: b, dataStart };
}

function readMetadata(api: string, v: Json): Record<string, string> | null {
  const f = `header.${META}`;
  if (v === null) return null; // the reference implementation writes null for no metadata
  if (!(v instanceof JsonObject)) throw wrongType(api, f, 'an object of strings', v);
  const out: Record<string, string> = {};
  for (const [k, s] of v.members) {
    if (typeof s !== 'string') throw wrongType(api, `${f}[${quote(k)}]`, 'a string', s);
    Object.defineProperty(out, k, { value: s, enumerable: true, writable: true, configurable: true }); // "__proto__" too
  }
  return out;
}

function readEntry(api: string, name: string, v: Json, dataBytes: number): SafetensorsEntry {
  const f = tensorField(name);
  if (!(v instanceof JsonObject)) throw wrongType(api, f, 'an object { dtype, shape, data_offsets }', v);
  for (const k of v.members.keys()) {
    if (!ENTRY_KEYS.includes(k)) throw rangeError(api, `${f}.${k.length > 40 ? `${k.slice(0, 40)}…` : k}`, `is not a field of a tensor; expected ${ENTRY_KEYS.join(', ')}`);
  }
  for (const k of ENTRY_KEYS) if (!v.members.has(k)) throw wrongType(api, `${f}.${k}`, k === 'dtype' ? `one of ${DTYPES.join(', ')}` : 'an array of integers', undefined);
  const dt = v.members.get('dtype')!;
  if (typeof dt !== 'string') throw wrongType(api, `${f}.dtype`, `one of ${DTYPES.join(', ')}`, dt);
  if (!(DTYPES as string[]).includes(dt)) {
    const known = OTHER_DTYPES.includes(dt) ? ' (a dtype of the format that holds no floats)' : '';
    throw rangeError(api, `${f}.dtype`, `= ${JSON.stringify(dt.slice(0, 20))}${known} is not supported; expected ${DTYPES.join(', ')}`);
  }
  const dtype = dt as SafetensorsDtype;
  const width = WIDTH[dtype];
  const sh = v.members.get('shape')!;
  if (!Array.isArray(sh)) throw wrongType(api, `${f}.shape`, 'an array of integers', sh);
  if (sh.length > MAX_RANK) throw rangeError(api, `${f}.shape`, `has ${sh.length} dimensions; expected at most ${MAX_RANK}`);
  const shape = sh.map((d, k) => size(api, `${f}.shape[${k}]`, d));
  // the product, checked against the data as it grows (no overflow: it stops at the first factor too many)
  const most = Math.floor(dataBytes / width);
  let count = shape.includes(0) ? 0 : 1;
  for (let k = 0; count && k < shape.length; k++) {
    count *= shape[k];
    if (count > most) throw rangeError(api, `${f}.shape`, `= [${shape}] describes more than ${most} ${dtype} elements, which is all the file's data holds`);
  }
  const off = v.members.get('data_offsets')!;
  if (!Array.isArray(off) || off.length !== 2) throw wrongType(api, `${f}.data_offsets`, 'an array [begin, end]', off);
  const begin = size(api, `${f}.data_offsets[0]`, off[0]);
  const end = size(api, `${f}.data_offsets[1]`, off[1]);
  if (end < begin) throw rangeError(api, `${f}.data_offsets`, `= [${begin}, ${end}] is out of order; expected begin <= end`);
  if (end > dataBytes) throw rangeError(api, `${f}.data_offsets`, `= [${begin}, ${end}] is out of range; the data section has ${dataBytes} bytes`);
  if (end - begin !== count * width) {
    throw rangeError(api, `${f}.data_offsets`, `= [${begin}, ${end}] spans ${end - begin} bytes; shape [${shape}] of ${dtype} needs ${count} × ${width} = ${count * width}`);
  }
  return { name, dtype, shape, count, begin, end };
}

/** One tensor's values, its bytes read once (copied, then viewed): F64 as Float64Array, the others as Float32Array. */
export function decodeTensor(h: SafetensorsHeader, e: SafetensorsEntry): Float32Array | Float64Array {
  const raw = h.bytes.slice(h.dataStart + e.begin, h.dataStart + e.end); // a copy: another thread cannot change it
  const n = e.count;
  const dv = new DataView(raw.buffer);
  if (e.dtype === 'F64') {
    if (LITTLE_ENDIAN) return new Float64Array(raw.buffer, 0, n);
    return Float64Array.from({ length: n }, (_, k) => dv.getFloat64(8 * k, true));
  }
  if (e.dtype === 'F32') {
    if (LITTLE_ENDIAN) return new Float32Array(raw.buffer, 0, n);
    return Float32Array.from({ length: n }, (_, k) => dv.getFloat32(4 * k, true));
  }
  const out = new Float32Array(n);
  if (e.dtype === 'F16') for (let k = 0; k < n; k++) out[k] = halfToFloat(dv.getUint16(2 * k, true));
  else {
    // BF16 is the high half of a float32: the bits, shifted into place
    const bits = new Uint32Array(out.buffer);
    for (let k = 0; k < n; k++) bits[k] = dv.getUint16(2 * k, true) << 16;
  }
  return out;
}

/**
 * Reads a safetensors file: every tensor (F32 and F64 as stored, F16 and BF16 widened exactly to float32) and the
 * `__metadata__` strings (null when the file has none). The header is checked first (readSafetensorsHeader: sizes,
 * offsets, dtypes, duplicates), so a forged file is refused, naming the tensor and the field, before anything is
 * allocated for it. `api` names the caller in the errors (default 'readSafetensors').
 */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer, api = 'readSafetensors'): SafetensorsFile {
  const h = readSafetensorsHeader(bytes, api);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, e] of h.entries) tensors.set(name, { dtype: e.dtype, shape: e.shape, data: decodeTensor(h, e) });
  return { tensors, metadata: h.metadata };
}

// ---- writing ----

/**
 * Writes tensors as a safetensors file of F32 tensors: names sorted, data in that order, the header padded with
 * spaces so that the data starts at a multiple of 8 bytes (as the format allows), and `metadata` (string values) as
 * `__metadata__`. Each tensor's name, shape and data are read once and checked (a unique non-empty name, integer
 * dimensions, data.length = the product of the shape, finite float32 values) before the file is allocated.
 */
export function writeSafetensors(tensors: SafetensorsInput[], metadata?: Record<string, string>): Uint8Array {
  const api = 'writeSafetensors';
  if (!Array.isArray(tensors)) throw typeError(api, 'tensors', 'an array of { name, shape, data }', tensors);
  const list = readList(api, 'tensors', tensors, 'a tensor { name, shape, data }', MAX_TENSORS);
  const taken: { name: string; shape: number[]; data: ArrayLike<number>; count: number }[] = [];
  const names = new Set<string>();
  list.forEach((t, k) => {
    const f = `tensors[${k}]`;
    if (!isObj(t)) throw typeError(api, f, 'a tensor { name, shape, data }', t);
    const get = fieldsOf(t);
    const name = get('name');
    if (typeof name !== 'string' || name === '') throw typeError(api, `${f}.name`, 'a non-empty string', name);
    if (name === META) throw rangeError(api, `${f}.name`, `= ${JSON.stringify(META)} is reserved for the metadata`);
    if (names.has(name)) throw rangeError(api, `${f}.name`, `= ${quote(name)} appears twice; expected every name once`);
    names.add(name);
    const shape = get('shape');
    if (!Array.isArray(shape)) throw typeError(api, `${f}.shape`, 'an array of integers >= 0', shape);
    const dims = readList(api, `${f}.shape`, shape, 'an integer >= 0', MAX_RANK);
    let count = 1;
    const sh = dims.map((d, j) => {
      if (typeof d !== 'number') throw typeError(api, `${f}.shape[${j}]`, 'an integer >= 0', d);
      if (!Number.isSafeInteger(d) || d < 0) throw rangeError(api, `${f}.shape[${j}]`, `= ${d} is not a size; expected an integer >= 0`);
      count *= d;
      return d;
    });
    if (count > MAX_FILE_BYTES / 4) throw rangeError(api, `${f}.shape`, `= [${sh}] has ${count} elements; a file holds at most ${MAX_FILE_BYTES} bytes`);
    const data = get('data');
    const isArrayLike = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
    if (!isArrayLike) throw typeError(api, `${f}.data`, `an array or typed array of ${count} numbers`, data);
    const len = (data as ArrayLike<number>).length;
    if (len !== count) throw rangeError(api, `${f}.data`, `has ${len} numbers; shape [${sh}] needs ${count}`);
    taken.push({ name, shape: sh, data: data as ArrayLike<number>, count });
  });
  let meta: [string, string][] = [];
  if (metadata !== undefined) {
    if (!isObj(metadata)) throw typeError(api, 'metadata', 'an object of strings', metadata);
    const get = fieldsOf(metadata);
    meta = Object.keys(metadata).sort().map((k) => {
      const v = get(k);
      if (typeof v !== 'string') throw typeError(api, `metadata[${quote(k)}]`, 'a string', v);
      return [k, v];
    });
  }
  taken.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  // the header, written by hand so that the order is ours (JSON.stringify would move integer-like names first)
  const parts: string[] = [];
  if (meta.length) parts.push(`${JSON.stringify(META)}:{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  let at = 0;
  for (const t of taken) {
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"F32","shape":[${t.shape.join(',')}],"data_offsets":[${at},${at + 4 * t.count}]}`);
    at += 4 * t.count;
  }
  const head = new TextEncoder().encode(`{${parts.join(',')}}`);
  const n = Math.ceil((8 + head.length) / 8) * 8 - 8;
  const total = 8 + n + at;
  if (total > MAX_FILE_BYTES) throw rangeError(api, 'tensors', `make a file of ${total} bytes; the limit is ${MAX_FILE_BYTES}`);
  // every value read once and checked before the file is allocated
  const values = new Float32Array(at / 4);
  let k = 0;
  for (const t of taken) {
    for (let j = 0; j < t.count; j++) {
      const x = t.data[j];
      if (typeof x !== 'number') throw typeError(api, `tensors[${quote(t.name)}].data[${j}]`, 'a number', x);
      if (!Number.isFinite(Math.fround(x))) throw rangeError(api, `tensors[${quote(t.name)}].data[${j}]`, `= ${x} is not a finite float32 number`);
      values[k++] = x;
    }
  }
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n, true); // n < 2^32: the high word stays 0
  out.set(head, 8);
  out.fill(0x20, 8 + head.length, 8 + n);
  if (LITTLE_ENDIAN) out.set(new Uint8Array(values.buffer), 8 + n);
  else for (let j = 0; j < values.length; j++) dv.setFloat32(8 + n + 4 * j, values[j], true);
  return out;
}
