// The safetensors reader and writer: files round trip (names sorted, the data 8-byte aligned, F32/F64/F16/BF16 read
// exactly), the files scripts/pytorch-fixtures.py wrote with plain Python read back, and forged files are refused,
// each naming the tensor and the field, before anything is allocated for them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_TENSORS, readSafetensors, readSafetensorsHeader, writeSafetensors } from '../../src/interop/safetensors.js';
import { fromPytorch } from '../../src/interop/pytorch.js';
import { counted, expectAllOnce } from '../util.js';

/** A file of the given header (an object, or the header's text as is) and data bytes. */
function file(header: object | string, data: number | Uint8Array = 0, n?: number): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n ?? text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}
const f32 = (dtype = 'F32', shape = [2], at = 0) => ({ dtype, shape, data_offsets: [at, at + 4 * shape.reduce((a, b) => a * b, 1)] });

describe('writeSafetensors → readSafetensors', () => {
  it('round trips names, shapes, values and metadata; names sorted, data aligned, header padded with spaces', () => {
    const b = writeSafetensors(
      [
        { name: 'w', shape: [2, 3], data: [1, 2, 3, 4, 5, -0] },
        { name: '10', shape: [1], data: new Float64Array([0.1]) },
        { name: '9', shape: [], data: [7] },
        { name: 'empty', shape: [0, 4], data: [] },
      ],
      { b: 'x', a: '{"json": true}' },
    );
    const n = Number(new DataView(b.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const head = new TextDecoder().decode(b.subarray(8, 8 + n));
    expect(head).toMatch(/^\{"__metadata__":\{"a":.*\}\}( *)$/);
    expect(head.indexOf('"10"')).toBeLessThan(head.indexOf('"9"')); // sorted as strings, not moved as JSON.stringify would
    const f = readSafetensors(b);
    expect([...f.tensors.keys()]).toEqual(['10', '9', 'empty', 'w']);
    expect(f.metadata).toEqual({ a: '{"json": true}', b: 'x' });
    const w = f.tensors.get('w')!;
    expect(w.dtype).toBe('F32');
    expect(w.shape).toEqual([2, 3]);
    expect(Object.is(w.data[5], -0)).toBe(true);
    expect(f.tensors.get('10')!.data[0]).toBe(Math.fround(0.1));
    expect(f.tensors.get('9')!.shape).toEqual([]);
    expect(f.tensors.get('empty')!.data.length).toBe(0);
    expect(readSafetensors(writeSafetensors([])).tensors.size).toBe(0);
    expect(readSafetensors(writeSafetensors([{ name: 'a', shape: [1], data: [1] }])).metadata).toBeNull();
  });

  it('reads F64 as stored and F16 / BF16 widened exactly, from an ArrayBuffer or a view at any offset', () => {
    const data = new Uint8Array(8 + 8 + 2 * 4 + 4);
    const dv = new DataView(data.buffer);
    dv.setFloat64(0, 0.1, true);
    dv.setFloat64(8, -3.5e300, true);
    [0x3c00, 0x8000, 0x0001, 0x7bff].forEach((h, k) => dv.setUint16(16 + 2 * k, h, true)); // 1, -0, 2^-24, 65504
    [0x3f80, 0xc049].forEach((h, k) => dv.setUint16(24 + 2 * k, h, true)); // 1, -3.140625
    const b = file({ d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, h: { dtype: 'F16', shape: [2, 2], data_offsets: [16, 24] }, z: { dtype: 'BF16', shape: [2], data_offsets: [24, 28] } }, data);
    const shifted = new Uint8Array(b.length + 3);
    shifted.set(b, 3);
    for (const input of [b.buffer, shifted.subarray(3)]) {
      const f = readSafetensors(input as ArrayBuffer);
      expect(f.tensors.get('d')!.data).toEqual(new Float64Array([0.1, -3.5e300]));
      expect(Array.from(f.tensors.get('h')!.data)).toEqual([1, -0, 2 ** -24, 65504]);
      expect(Object.is(f.tensors.get('h')!.data[1], -0)).toBe(true);
      expect(f.tensors.get('h')!.data).toBeInstanceOf(Float32Array);
      expect(Array.from(f.tensors.get('z')!.data)).toEqual([1, -3.140625]);
    }
  });

  it('reads the files the fixture script wrote with struct + json', () => {
    const b = readFileSync(join(import.meta.dirname, '../fixtures/pytorch/rnn1_f64.safetensors'));
    const f = readSafetensors(new Uint8Array(b));
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.tensors.get('rnn.weight_ih_l0')).toMatchObject({ dtype: 'F64', shape: [3, 2] });
  });

  it('reads each field of the tensors it is given once', () => {
    const { o, reads } = counted({ name: 'a', shape: [2], data: [1, 2] });
    writeSafetensors([o]);
    expectAllOnce(reads);
  });

  it('refuses what it cannot write, naming the tensor and the field', () => {
    const bad: [unknown, RegExp][] = [
      [[{ name: 'a', shape: [2], data: [1] }], /tensors\[0\]\.data has 1 numbers; shape \[2\] needs 2/],
      [[{ name: 'a', shape: [1], data: [1] }, { name: 'a', shape: [1], data: [2] }], /tensors\[1\]\.name = "a" appears twice/],
      [[{ name: '__metadata__', shape: [1], data: [1] }], /is reserved for the metadata/],
      [[{ name: '', shape: [1], data: [1] }], /tensors\[0\]\.name must be a non-empty string/],
      [[{ name: 'a', shape: [-1], data: [] }], /tensors\[0\]\.shape\[0\] = -1 is not a size/],
      [[{ name: 'a', shape: [1.5], data: [] }], /tensors\[0\]\.shape\[0\] = 1.5 is not a size/],
      [[{ name: 'a', shape: [2 ** 20, 2 ** 20], data: [] }], /tensors\[0\]\.shape = \[1048576,1048576\] has 1099511627776 elements/],
      [[{ name: 'a', shape: [1], data: [NaN] }], /tensors\["a"\]\.data\[0\] = NaN is not a finite float32 number/],
      [[{ name: 'a', shape: [1], data: [1e39] }], /= 1e\+39 is not a finite float32 number/],
      [[{ name: 'a', shape: [1], data: 'x' }], /tensors\[0\]\.data must be an array or typed array/],
      ['x', /tensors must be an array/],
    ];
    for (const [t, re] of bad) expect(() => writeSafetensors(t as never), String(re)).toThrow(re);
    expect(() => writeSafetensors([], { a: 1 } as never)).toThrow(/metadata\["a"\] must be a string/);
  });
});

describe('readSafetensors refuses a forged file, naming the field', () => {
  const cases: [string, Uint8Array | unknown, RegExp][] = [
    ['not bytes', 'abc', /TypeError|bytes must be a Uint8Array or an ArrayBuffer/],
    ['shorter than the length field', new Uint8Array(5), /bytes has 5 bytes; a safetensors file starts with an 8-byte header length/],
    ['N beyond the file', file('{}', 0, 3), /header length = 3 bytes runs beyond the file/],
    ['N of 2^40', file('{}', 0, 2 ** 40), /header length = 1099511627776 bytes runs beyond the file/],
    ['a header that is not UTF-8', ((b) => ((b[9] = 0xff), b))(file('{}  ')), /header is not valid UTF-8/],
    ['a header that is not JSON', file('{"a": ]'), /header is not JSON: unexpected "]" at character 6/],
    ['trailing text', file('{} x'), /header is not JSON: unexpected text after the end/],
    ['a header that is an array', file('[1]'), /header must be a JSON object .*; got an array of length 1/],
    ['nesting deeper than a header', file('{"a": {"shape": [[[1]]]}}'), /tensors\["a"\]\.shape\[0\] is nested deeper than a safetensors header/],
    ['a duplicate name', file(`{"a": ${JSON.stringify(f32())}, "a": ${JSON.stringify(f32())}}`, 8), /tensors\["a"\] appears twice in the header/],
    ['a duplicate field', file('{"a": {"dtype": "F32", "dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', 8), /tensors\["a"\]\.dtype appears twice/],
    ['an entry that is not an object', file({ a: 3 }), /tensors\["a"\] must be an object \{ dtype, shape, data_offsets \}; got the number 3/],
    ['an unknown field', file({ a: { ...f32(), offsets: 1 } }, 8), /tensors\["a"\]\.offsets is not a field of a tensor/],
    ['a missing field', file({ a: { dtype: 'F32', shape: [2] } }, 8), /tensors\["a"\]\.data_offsets must be an array of integers; got nothing/],
    ['an integer dtype', file({ a: f32('I64') }, 8), /tensors\["a"\]\.dtype = "I64" \(a dtype of the format that holds no floats\) is not supported; expected F32, F64, F16, BF16/],
    ['an unknown dtype', file({ a: f32('F99') }, 8), /tensors\["a"\]\.dtype = "F99" is not supported/],
    ['a shape that is not an array', file({ a: { ...f32(), shape: 2 } }, 8), /tensors\["a"\]\.shape must be an array of integers; got the number 2/],
    ['a negative dimension', file({ a: { ...f32(), shape: [-2] } }, 8), /tensors\["a"\]\.shape\[0\] = -2 is not a size/],
    ['a fractional dimension', file('{"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}', 8), /tensors\["a"\]\.shape\[0\] = 2\.0 is not a size; expected an integer >= 0/],
    ['a dimension beyond 2^53', file('{"a": {"dtype": "F32", "shape": [99999999999999999999], "data_offsets": [0, 8]}}', 8), /tensors\["a"\]\.shape\[0\] = 99999999999999999999 is too large/],
    ['a product that overflows', file({ a: { ...f32(), shape: [2 ** 26, 2 ** 26, 2 ** 26] } }, 8), /tensors\["a"\]\.shape = \[67108864,67108864,67108864\] describes more than 2 F32 elements/],
    ['too many dimensions', file({ a: { ...f32(), shape: new Array(33).fill(1) } }, 8), /tensors\["a"\]\.shape has 33 dimensions; expected at most 32/],
    ['offsets out of order', file({ a: { ...f32(), data_offsets: [8, 0] } }, 8), /tensors\["a"\]\.data_offsets = \[8, 0\] is out of order/],
    ['offsets out of range', file({ a: { ...f32(), data_offsets: [8, 16] } }, 8), /tensors\["a"\]\.data_offsets = \[8, 16\] is out of range; the data section has 8 bytes/],
    ['offsets not matching the shape', file({ a: { ...f32(), data_offsets: [0, 4] } }, 8), /tensors\["a"\]\.data_offsets = \[0, 4\] spans 4 bytes; shape \[2\] of F32 needs 2 × 4 = 8/],
    ['offsets of three numbers', file({ a: { ...f32(), data_offsets: [0, 4, 8] } }, 8), /tensors\["a"\]\.data_offsets must be an array \[begin, end\]/],
    ['a negative offset', file({ a: { ...f32(), data_offsets: [-8, 0] } }, 8), /tensors\["a"\]\.data_offsets\[0\] = -8 is not a size/],
    ['overlapping tensors', file({ a: f32('F32', [2], 0), b: f32('F32', [2], 4) }, 12), /tensors\["b"\]\.data_offsets = \[4, 12\] overlaps tensors\["a"\] \[0, 8\]/],
    ['a gap between tensors', file({ a: f32('F32', [1], 0), b: f32('F32', [1], 8) }, 12), /tensors\["b"\]\.data_offsets = \[8, 12\] leaves bytes \[4, 8\) of the data unused/],
    ['bytes after the last tensor', file({ a: f32() }, 12), /header describes 8 bytes of tensor data; the file holds 12 after the header/],
    ['metadata that is not an object', file({ __metadata__: ['x'] }), /header\.__metadata__ must be an object of strings; got an array/],
    ['a metadata value that is not a string', file({ __metadata__: { format: 1 } }), /header\.__metadata__\["format"\] must be a string; got the number 1/],
    ['more tensors than the limit', file(Object.fromEntries(Array.from({ length: MAX_TENSORS + 1 }, (_, k) => [`t${k}`, { dtype: 'F32', shape: [0], data_offsets: [0, 0] }]))), new RegExp(`header has more than ${MAX_TENSORS} tensors`)],
  ];

  it.each(cases)('%s', (_, bytes, re) => {
    expect(() => readSafetensors(bytes as Uint8Array)).toThrow(re);
  });

  it('reports errors as the calling API, and fromPytorch reads through it', async () => {
    expect(() => readSafetensorsHeader(file({ a: f32('I32') }, 8), 'fromPytorch')).toThrow(/^SimpleRNN\.fromPytorch: tensors\["a"\]\.dtype/);
    await expect(fromPytorch(file({ a: f32() }, 8, 9999))).rejects.toThrow(/^SimpleRNN\.fromPytorch: header length = 9999 bytes runs beyond the file/);
  });

  it('accepts what the format allows: null metadata, a header padded with spaces, "__proto__" as a metadata key', () => {
    const f = readSafetensors(file(`{"__metadata__": null, "a": ${JSON.stringify(f32())}}    `, 8));
    expect(f.metadata).toBeNull();
    expect(f.tensors.get('a')!.data).toEqual(new Float32Array(2));
    const g = readSafetensors(file('{"__metadata__": {"__proto__": "x"}}'));
    expect(Object.keys(g.metadata!)).toEqual(['__proto__']);
    expect(g.metadata!.__proto__).toBe('x');
  });

  it('decodes a tensor from a copy of its bytes (a writer of the same memory cannot change it afterwards)', () => {
    const b = writeSafetensors([{ name: 'a', shape: [1], data: [1] }]);
    const f = readSafetensors(b);
    b.fill(0xff, b.length - 4);
    expect(f.tensors.get('a')!.data[0]).toBe(1);
  });
});
