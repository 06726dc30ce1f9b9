// The protobuf wire format, both ways, for the ONNX interop: varints, length-delimited fields, fixed32/64, packed
// repeated numbers. Our own small writer and reader with no dependency: the ONNX files we read and write use six
// messages of onnx.proto (model, graph, node, attribute, tensor, value info and their small parts), and protobufjs,
// the usual library, is larger than this whole library. Only the wire format lives here; the field numbers are in
// onnx-format.ts. The reader assumes hostile bytes: every length is checked against the bytes left before anything
// is sliced, a varint may not run past its 10 bytes or the end, numbers must be safe integers, and nesting is capped.
import { rangeError } from '../errors.js';

/** Wire types (protobuf encoding: VARINT, I64, LEN, I32; 3 and 4 are the deprecated groups). */
export const WIRE = { varint: 0, i64: 1, len: 2, i32: 5 } as const;
/** One of the wire types this code reads and writes. */
export type WireType = (typeof WIRE)[keyof typeof WIRE];

const WIRE_NAMES: Record<number, string> = { 0: 'varint', 1: 'fixed64', 2: 'length-delimited', 3: 'group start', 4: 'group end', 5: 'fixed32' };

/** Deepest nesting of messages the reader follows (onnx.proto's deepest path we read has 6 levels). */
export const MAX_NESTING = 32;

const TWO32 = 2 ** 32;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// ---- writer ----

/**
 * Builds one message. Small values go into a scratch buffer; large byte fields and nested messages are kept as
 * references and joined once by finish(), so a weight is copied once however deep it sits.
 */
export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private at = 0;
  /** Bytes written so far. */
  length = 0;

  /** Makes room for n bytes in the scratch buffer (moving what it holds to the parts). */
  private room(n: number): void {
    if (this.at + n <= this.scratch.length) return;
    this.flush();
    if (n > this.scratch.length) this.scratch = new Uint8Array(n);
  }

  private flush(): void {
    if (this.at === 0) return;
    this.parts.push(this.scratch.slice(0, this.at));
    this.at = 0;
  }

  private put(byte: number): void {
    this.scratch[this.at++] = byte;
    this.length++;
  }

  /** An unsigned varint, or a negative int64 as its 10-byte two's complement (how protobuf writes int64 < 0). */
  private varint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not a safe integer`);
    this.room(10);
    if (v >= 0) {
      while (v >= 0x80) {
        this.put((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.put(v);
      return;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    for (let k = 0; k < 9; k++) {
      this.put(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.put(Number(u));
  }

  private tag(field: number, wire: WireType): void {
    this.varint(field * 8 + wire);
  }

  /** A varint field (int32, int64, enum, bool): negative numbers are written as 64-bit two's complement. */
  int(field: number, v: number): this {
    this.tag(field, WIRE.varint);
    this.varint(v);
    return this;
  }

  /** A length-delimited field holding these bytes (kept by reference until finish when large). */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, WIRE.len);
    this.varint(b.length);
    if (b.length <= 64) {
      this.room(b.length);
      this.scratch.set(b, this.at);
      this.at += b.length;
    } else {
      this.flush();
      this.parts.push(b);
    }
    this.length += b.length;
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A nested message (its parts are taken over, not copied). */
  message(field: number, m: ProtoWriter): this {
    m.flush();
    this.tag(field, WIRE.len);
    this.varint(m.length);
    this.flush();
    for (const p of m.parts) this.parts.push(p);
    this.length += m.length;
    return this;
  }

  /** A float field (fixed32, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, WIRE.i32);
    this.room(4);
    new DataView(this.scratch.buffer).setFloat32(this.at, v, true);
    this.at += 4;
    this.length += 4;
    return this;
  }

  /** A packed repeated float field: the float32s' little-endian bytes. */
  packedFloats(field: number, v: ArrayLike<number>): this {
    const b = new Uint8Array(v.length * 4);
    const dv = new DataView(b.buffer);
    for (let k = 0; k < v.length; k++) dv.setFloat32(4 * k, v[k], true);
    return this.bytes(field, b);
  }

  /** A packed repeated varint field (int64 / int32). */
  packedInts(field: number, v: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const x of v) inner.varint(x);
    return this.bytes(field, inner.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.flush();
    if (this.parts.length === 1) return this.parts[0];
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

// ---- reader ----

/** One field's header: its number and wire type. */
export interface FieldHeader {
  field: number;
  wire: number;
}

/**
 * Reads one message's fields in order. `path` names the message in errors (`graph.node[3]`; '' is the top-level
 * message, named `bytes`); positions are byte offsets in the whole file. Errors are RangeErrors of `SimpleRNN.<api>`.
 */
export class ProtoReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly api: string,
    readonly path: string,
    readonly depth = 0,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** A RangeError naming this message and the byte offset. */
  fail(message: string, at = this.pos): RangeError {
    return rangeError(this.api, this.path || 'bytes', `${message} (at byte ${at} of ${this.bytes.length})`);
  }

  /** The next field's header, or null at the end of the message. */
  next(): FieldHeader | null {
    if (this.pos >= this.end) return null;
    const at = this.pos;
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw this.fail('has a field number 0, which protobuf never writes', at);
    if (wire === 3 || wire === 4 || wire > 5) throw this.fail(`has field ${field} of wire type ${wire} (${WIRE_NAMES[wire] ?? 'unknown'}); onnx.proto is written with varint, fixed32, fixed64 and length-delimited fields only`, at);
    return { field, wire };
  }

  /** Refuses a field of a known number written with another wire type. */
  expect(h: FieldHeader, wire: WireType, name: string): void {
    if (h.wire !== wire) throw this.fail(`field ${h.field} (${name}) has wire type ${WIRE_NAMES[h.wire]}; expected ${WIRE_NAMES[wire]}`);
  }

  /** An unsigned varint that must be a safe integer (< 2^53). */
  varint(): number {
    const { lo, hi, at } = this.varint64();
    if (hi >= 0x200000) throw this.fail(`has a varint of ${BigInt(hi) * 2n ** 32n + BigInt(lo)}, beyond the safe integers (2^53)`, at);
    return hi * TWO32 + lo;
  }

  /** A signed int64 varint (two's complement) that must be a safe integer. */
  int64(): number {
    const { lo, hi, at } = this.varint64();
    const v = hi >= 0x80000000 ? (hi - TWO32) * TWO32 + lo : hi * TWO32 + lo;
    if (!Number.isSafeInteger(v)) throw this.fail(`has an int64 of ${BigInt.asIntN(64, BigInt(hi) * 2n ** 32n + BigInt(lo))}, beyond the safe integers (±2^53)`, at);
    return v;
  }

  /** A signed int32 varint (protobuf writes a negative int32 as a 10-byte int64). */
  int32(): number {
    const at = this.pos;
    const v = this.int64();
    if (v < -(2 ** 31) || v >= 2 ** 31) throw this.fail(`has an int32 of ${v}, beyond 32 bits`, at);
    return v;
  }

  /** The 64 bits of a varint as two 32-bit halves. */
  private varint64(): { lo: number; hi: number; at: number } {
    const at = this.pos;
    const b = this.bytes;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < 10; k++) {
      if (this.pos >= this.end) throw this.fail('is truncated: a varint runs past the end of the message', at);
      const byte = b[this.pos++];
      const bits = byte & 0x7f;
      if (k < 4) lo += bits * 2 ** (7 * k);
      else if (k === 4) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >> 4;
      } else hi += bits * 2 ** (7 * k - 32);
      if (byte < 0x80) {
        if (k === 9 && bits > 1) throw this.fail('has a varint of more than 64 bits', at);
        return { lo, hi: hi % TWO32, at };
      }
    }
    throw this.fail('has a varint longer than 10 bytes', at);
  }

  /** The bytes of a length-delimited field: a view into the file (no copy), checked against what is left. */
  bytesField(): Uint8Array {
    const at = this.pos;
    const n = this.varint();
    if (n > this.end - this.pos) throw this.fail(`is truncated: a field says it holds ${n} bytes, but ${this.end - this.pos} are left`, at);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A string field (UTF-8; invalid UTF-8 is refused). */
  string(): string {
    const at = this.pos;
    const b = this.bytesField();
    try {
      return utf8Decoder.decode(b);
    } catch {
      throw this.fail('has a string that is not valid UTF-8', at);
    }
  }

  /** A nested message, as a reader over its bytes; nesting deeper than MAX_NESTING is refused. */
  message(name: string): ProtoReader {
    const at = this.pos;
    const b = this.bytesField();
    const path = this.path ? `${this.path}.${name}` : name;
    if (this.depth + 1 > MAX_NESTING) throw rangeError(this.api, path, `is nested deeper than ${MAX_NESTING} messages (at byte ${at} of ${this.bytes.length})`);
    return new ProtoReader(this.bytes, this.api, path, this.depth + 1, b.byteOffset - this.bytes.byteOffset, b.byteOffset - this.bytes.byteOffset + b.length);
  }

  /** A fixed32 float. */
  float(): number {
    if (this.end - this.pos < 4) throw this.fail('is truncated: a fixed32 runs past the end of the message');
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** Skips a field of an unknown number. */
  skip(h: FieldHeader): void {
    if (h.wire === WIRE.varint) this.varint64();
    else if (h.wire === WIRE.len) this.bytesField();
    else {
      const n = h.wire === WIRE.i64 ? 8 : 4;
      if (this.end - this.pos < n) throw this.fail(`is truncated: a fixed${8 * n} runs past the end of the message`);
      this.pos += n;
    }
  }

  /**
   * A repeated int64 field's values from one occurrence: packed (length-delimited, the proto3 default) or a single
   * varint (what proto2 writers emit); each a safe integer. `max` bounds the values kept over all occurrences.
   */
  int64s(h: FieldHeader, into: number[], max: number, name: string): void {
    if (h.wire === WIRE.varint) {
      if (into.length >= max) throw this.fail(`has more than ${max} values in ${name}`);
      into.push(this.int64());
      return;
    }
    this.expect(h, WIRE.len, name);
    const b = this.bytesField();
    const r = new ProtoReader(this.bytes, this.api, this.path, this.depth, b.byteOffset - this.bytes.byteOffset, b.byteOffset - this.bytes.byteOffset + b.length);
    while (r.pos < r.end) {
      if (into.length >= max) throw this.fail(`has more than ${max} values in ${name}`);
      into.push(r.int64());
    }
  }

  /**
   * A repeated float field's bytes from one occurrence: a packed run (its little-endian float32 bytes, a view) or a
   * single fixed32 (unpacked writers). The caller joins the runs.
   */
  floatRun(h: FieldHeader, name: string): Uint8Array {
    if (h.wire === WIRE.i32) {
      if (this.end - this.pos < 4) throw this.fail(`is truncated: a float of ${name} runs past the end`);
      const out = this.bytes.subarray(this.pos, this.pos + 4);
      this.pos += 4;
      return out;
    }
    this.expect(h, WIRE.len, name);
    const at = this.pos;
    const b = this.bytesField();
    if (b.length % 4 !== 0) throw this.fail(`has a packed ${name} of ${b.length} bytes, not a whole number of float32s`, at);
    return b;
  }

  /** A repeated double field's bytes from one occurrence (packed run or one fixed64). */
  doubleRun(h: FieldHeader, name: string): Uint8Array {
    if (h.wire === WIRE.i64) {
      if (this.end - this.pos < 8) throw this.fail(`is truncated: a double of ${name} runs past the end`);
      const out = this.bytes.subarray(this.pos, this.pos + 8);
      this.pos += 8;
      return out;
    }
    this.expect(h, WIRE.len, name);
    const at = this.pos;
    const b = this.bytesField();
    if (b.length % 8 !== 0) throw this.fail(`has a packed ${name} of ${b.length} bytes, not a whole number of float64s`, at);
    return b;
  }
}
