// The protobuf wire format of src/interop/protobuf.ts: the writer against the encodings in protobuf's own
// documentation (varint 150, the string "testing", the packed [3, 270, 86942]), writer → reader round trips at the
// varint boundaries and for negative int64s, and the reader's refusals of hostile bytes, each named with its offset.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NESTING, ProtoReader, ProtoWriter, WIRE } from '../../src/interop/protobuf.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const reader = (b: number[] | Uint8Array) => new ProtoReader(Uint8Array.from(b), 'fromOnnx', '');

/** Reads one varint field's value with the given reader method. */
function readOne(bytes: Uint8Array, how: 'varint' | 'int64'): number {
  const r = new ProtoReader(bytes, 'fromOnnx', '');
  const h = r.next()!;
  expect(h.wire).toBe(WIRE.varint);
  const v = r[how]();
  expect(r.next()).toBeNull();
  return v;
}

describe('ProtoWriter', () => {
  it('writes the encodings of the protobuf documentation', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('08 96 01');
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('22 06 03 8e 02 9e a7 05');
    // a nested message: field 3 holding {1: 150}
    expect(hex(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)).finish())).toBe('1a 03 08 96 01');
  });

  it('writes a negative int64 as ten bytes of two\'s complement', () => {
    expect(hex(new ProtoWriter().int(1, -1).finish())).toBe('08 ff ff ff ff ff ff ff ff ff 01');
    expect(() => new ProtoWriter().int(1, 2 ** 53)).toThrow(/not a safe integer/);
  });

  it('keeps large byte fields by reference and joins them once, in order', () => {
    const big = Uint8Array.from({ length: 1000 }, (_, k) => k % 251);
    const inner = new ProtoWriter().bytes(1, big).int(2, 7);
    const w = new ProtoWriter().int(1, 1).message(2, inner).string(3, 'x'.repeat(300));
    const b = w.finish();
    expect(b.length).toBe(w.length);
    const r = reader(b);
    expect(r.next()).toEqual({ field: 1, wire: WIRE.varint });
    expect(r.varint()).toBe(1);
    expect(r.next()).toEqual({ field: 2, wire: WIRE.len });
    const m = r.message('inner');
    m.next();
    expect(Array.from(m.bytesField())).toEqual(Array.from(big));
    m.next();
    expect(m.varint()).toBe(7);
    expect(r.next()).toEqual({ field: 3, wire: WIRE.len });
    expect(r.string()).toBe('x'.repeat(300));
    expect(r.next()).toBeNull();
  });
});

describe('writer → reader', () => {
  it('varints at every boundary and signed int64s', () => {
    const unsigned = [0, 1, 127, 128, 255, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 49, 2 ** 53 - 1];
    for (const v of unsigned) expect(readOne(new ProtoWriter().int(5, v).finish(), 'varint'), String(v)).toBe(v);
    for (const v of [...unsigned, -1, -2, -128, -(2 ** 31), -(2 ** 32), -(2 ** 53 - 1)]) expect(readOne(new ProtoWriter().int(5, v).finish(), 'int64'), String(v)).toBe(v);
  });

  it('any safe integer round-trips (property)', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 2 ** 29 - 1 }), (v, field) => {
      const r = reader(new ProtoWriter().int(field, v).finish());
      expect(r.next()).toEqual({ field, wire: WIRE.varint });
      expect(r.int64()).toBe(v);
    }), { numRuns: 500, seed: 3 });
  });

  it('floats: one fixed32, packed runs and unpacked ones', () => {
    const v = [0, -0, 1.5, -3.25, 1e-30, 3.4028234663852886e38];
    const b = new ProtoWriter().float(1, 0.1).packedFloats(4, v).finish();
    const r = reader(b);
    r.next();
    expect(r.float()).toBe(Math.fround(0.1));
    const h = r.next()!;
    const run = r.floatRun(h, 'float_data');
    const f = new Float32Array(run.slice().buffer);
    expect(Array.from(f).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(v.map((x) => (Object.is(x, -0) ? '-0' : Math.fround(x))));
    const one = reader(new ProtoWriter().float(4, 2.5).finish());
    expect(Array.from(new Float32Array(one.floatRun(one.next()!, 'float_data').slice().buffer))).toEqual([2.5]);
  });

  it('repeated int64s, packed or one varint per occurrence', () => {
    const into: number[] = [];
    const r = reader([...new ProtoWriter().packedInts(1, [3, -1, 270]).finish(), ...new ProtoWriter().int(1, 9).finish()]);
    for (let h = r.next(); h; h = r.next()) r.int64s(h, into, 10, 'dims');
    expect(into).toEqual([3, -1, 270, 9]);
    const many = reader(new ProtoWriter().packedInts(1, [1, 2, 3, 4]).finish());
    expect(() => many.int64s(many.next()!, [], 3, 'dims')).toThrow(/has more than 3 values in dims/);
  });
});

describe('ProtoReader refuses hostile bytes', () => {
  it('a varint that runs past the end, is longer than 10 bytes, or holds more than 64 bits', () => {
    const r = reader([0x08, 0x80, 0x80]);
    r.next();
    expect(() => r.varint()).toThrow(/SimpleRNN\.fromOnnx: bytes is truncated: a varint runs past the end of the message \(at byte 1 of 3\)/);
    const long = reader([0x08, ...Array(10).fill(0x80), 0x01]);
    long.next();
    expect(() => long.varint()).toThrow(/varint longer than 10 bytes/);
    const wide = reader([0x08, ...Array(9).fill(0xff), 0x7f]);
    wide.next();
    expect(() => wide.int64()).toThrow(/varint of more than 64 bits/);
  });

  it('numbers beyond the safe integers', () => {
    const big = reader([0x08, ...Array(7).fill(0x80), 0x10]); // 2^53
    big.next();
    expect(() => big.varint()).toThrow(/beyond the safe integers/);
    const neg = reader([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]); // -2^63
    neg.next();
    expect(() => neg.int64()).toThrow(/int64 of -9223372036854775808, beyond the safe integers/);
    const i32 = reader(new ProtoWriter().int(1, 2 ** 31).finish());
    i32.next();
    expect(() => i32.int32()).toThrow(/int32 of 2147483648, beyond 32 bits/);
  });

  it('a length beyond the bytes left, in a message or a packed run', () => {
    const r = reader([0x12, 0x05, 0x61, 0x62]);
    r.next();
    expect(() => r.bytesField()).toThrow(/is truncated: a field says it holds 5 bytes, but 2 are left \(at byte 1 of 4\)/);
    // inside a nested message, the limit is the message's end, not the file's
    const outer = reader([0x1a, 0x03, 0x12, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]);
    outer.next();
    const m = outer.message('node[0]');
    m.next();
    expect(() => m.bytesField()).toThrow(/SimpleRNN\.fromOnnx: node\[0\] is truncated: a field says it holds 5 bytes, but 1 are left/);
    const floats = reader([0x22, 0x03, 0, 0, 0]);
    expect(() => floats.floatRun(floats.next()!, 'float_data')).toThrow(/packed float_data of 3 bytes, not a whole number of float32s/);
  });

  it(`nesting deeper than ${MAX_NESTING} messages`, () => {
    let w = new ProtoWriter().int(1, 1);
    for (let k = 0; k < MAX_NESTING + 2; k++) w = new ProtoWriter().message(1, w);
    let r = reader(w.finish());
    expect(() => {
      for (;;) {
        r.next();
        r = r.message('m');
      }
    }).toThrow(new RegExp(`m(\\.m)+ is nested deeper than ${MAX_NESTING} messages`));
  });

  it('groups, field number 0, wire types that do not exist, a wrong wire type, invalid UTF-8', () => {
    expect(() => reader([0x0b]).next()).toThrow(/wire type 3 \(group start\)/);
    expect(() => reader([0x0c]).next()).toThrow(/wire type 4 \(group end\)/);
    expect(() => reader([0x0e]).next()).toThrow(/wire type 6 \(unknown\)/);
    expect(() => reader([0x00]).next()).toThrow(/field number 0/);
    const r = reader([0x08, 0x01]);
    const h = r.next()!;
    expect(() => r.expect(h, WIRE.len, 'name')).toThrow(/field 1 \(name\) has wire type varint; expected length-delimited/);
    const s = reader([0x0a, 0x02, 0xc3, 0x28]);
    s.next();
    expect(() => s.string()).toThrow(/a string that is not valid UTF-8/);
  });

  it('skips unknown fields of every wire type, and refuses truncated fixed fields', () => {
    const b = [0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x01, 0x00, 0x25, 1, 2, 3, 4, 0x28, 0x05];
    const r = reader(b);
    for (let k = 0; k < 4; k++) r.skip(r.next()!);
    expect(r.next()).toEqual({ field: 5, wire: WIRE.varint });
    expect(r.varint()).toBe(5);
    const t = reader([0x11, 1, 2, 3]);
    expect(() => t.skip(t.next()!)).toThrow(/a fixed64 runs past the end/);
    const f = reader([0x0d, 1, 2]);
    f.next();
    expect(() => f.float()).toThrow(/a fixed32 runs past the end/);
  });
});
