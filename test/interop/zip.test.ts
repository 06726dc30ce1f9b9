// The zip reader of the Keras importer (src/interop/zip.ts): archives written by Python's zipfile (the fixtures, stored
// and deflated) read back member for member; then forged archives, each with one lie, refused with the field named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isZip, readEntry, readZip } from '../../src/interop/zip.js';
import { makeZip, type Member } from './zip-util.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/keras');
const API = 'test';
const enc = new TextEncoder();
const LIMIT = 1 << 20;

const read = (z: Uint8Array, name: string, max = LIMIT) => readEntry(API, readZip(API, z), name, max, 'options.maxBytes');
const refused = (z: Uint8Array) => () => readZip(API, z);

describe('zip reader: archives from Python zipfile', () => {
  it.each(['stacked.keras', 'functional-deflate.keras'])('%s: the members Keras writes, their bytes and CRC-32s', async (f) => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, f)));
    expect(isZip(bytes)).toBe(true);
    const zip = readZip(API, bytes);
    expect([...zip.entries.keys()]).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    expect(zip.entries.get('model.weights.h5')!.method).toBe(f.includes('deflate') ? 'deflate' : 'stored');
    const meta = JSON.parse(new TextDecoder().decode(await readEntry(API, zip, 'metadata.json', LIMIT, 'x'))) as Record<string, unknown>;
    expect(meta).toEqual({ keras_version: '3.16.0', date_saved: '2026-12-01@10:00:00' });
    const h5 = await readEntry(API, zip, 'model.weights.h5', LIMIT, 'x');
    expect(Array.from(h5.subarray(0, 8))).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(h5.length).toBe(zip.entries.get('model.weights.h5')!.size);
  });

  it('our writer and our reader agree (stored, deflate, a comment, a data descriptor)', async () => {
    const a = enc.encode('hello '.repeat(100));
    const z = makeZip([{ name: 'a.txt', data: a }, { name: 'dir/b.bin', data: a, method: 'deflate' }, { name: 'c', data: a, method: 'deflate', flags: 0x0808, local: { crc: 0, size: 0, compressedSize: 0 } }], { comment: enc.encode('a comment') });
    for (const n of ['a.txt', 'dir/b.bin', 'c']) expect(await read(z, n)).toEqual(a);
  });
});

describe('zip reader: forged archives', () => {
  const data = enc.encode('{"class_name": "Sequential"}');
  const one = (m: Partial<Member> = {}, end = {}) => makeZip([{ name: 'config.json', data, ...m }], end);

  it('not a zip, truncated, or no end record', () => {
    expect(refused(new Uint8Array(10))).toThrow(/^SimpleRNN\.test: bytes is not a readable zip archive: no end of central directory record/);
    const z = one();
    expect(refused(z.subarray(0, z.length - 5))).toThrow(/no end of central directory record/);
    const commented = one({}, { comment: enc.encode('a comment') });
    expect(refused(commented.subarray(0, commented.length - 3))).toThrow(/no end of central directory record/);
  });

  it('offsets and counts out of range', () => {
    expect(refused(one({}, { cdOffset: 1e6 }))).toThrow(/the central directory \(\d+ bytes at offset 1000000\) does not end where the end record starts/);
    expect(refused(one({}, { cdSize: 10 }))).toThrow(/does not end where the end record starts/);
    expect(refused(one({}, { total: 3 }))).toThrow(/the end record counts 3 members; a central directory of \d+ bytes holds at most 1/);
    expect(refused(one({ headerOffset: 5000 }))).toThrow(/member "config\.json" has no local header at offset 5000/);
    expect(refused(one({ headerOffset: 3 }))).toThrow(/member "config\.json" has no local header at offset 3/);
    expect(refused(one({ compressedSize: 100000, size: 100000 }))).toThrow(/says its data holds 100000 bytes from offset \d+; the data area ends at/);
    expect(refused(one({}, { disk: 1 }))).toThrow(/it spans several disks/);
  });

  it('sizes that lie: stored sizes that differ, a local header that disagrees', () => {
    expect(refused(one({ size: data.length + 1 }))).toThrow(/member "config\.json" is stored, but its sizes differ: \d+ bytes in the archive, \d+ declared/);
    expect(refused(one({ local: { size: 7, compressedSize: 7 } }))).toThrow(/has a local header whose CRC-32 or sizes .* disagree with the central directory/);
    expect(refused(one({ local: { name: 'other.json' } }))).toThrow(/has a local header of another name/);
    expect(refused(one({ local: { method: 8 } }))).toThrow(/has a local header of another compression method/);
    expect(refused(one({ local: { flags: 0x0808 } }))).toThrow(/flags disagree/);
  });

  it('names that leave the folder, and duplicate members', () => {
    for (const name of ['../config.json', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\b', './config.json', 'a//b', '']) {
      expect(refused(one({ name })), name).toThrow(/expected a relative path inside the archive|appears twice/);
    }
    const dup = makeZip([{ name: 'config.json', data }, { name: 'config.json', data: enc.encode('{}') }]);
    expect(refused(dup)).toThrow(/member "config\.json" appears twice in the central directory/);
  });

  it('ZIP64, encryption and unknown methods are refused', () => {
    expect(refused(one({}, { total: 0xffff }))).toThrow(/is a ZIP64 archive, which is not supported/);
    expect(refused(one({}, { zip64Locator: true }))).toThrow(/is a ZIP64 archive/);
    expect(refused(one({ size: 0xffffffff, compressedSize: 0xffffffff }))).toThrow(/ZIP64|has ZIP64 sizes/);
    expect(refused(one({ flags: 0x0801 }))).toThrow(/member "config\.json" is encrypted/);
    expect(refused(one({ method: 14 }))).toThrow(/uses compression method 14; expected 0 \(stored\) or 8 \(deflate\)/);
  });

  it('overlapping members (the overlap some zip bombs use) are refused', () => {
    // b's local header and data hidden inside a's data, and b's directory entry pointing there
    const x = enc.encode('shared bytes');
    const inner = makeZip([{ name: 'b', data: x }]).subarray(0, 30 + 1 + x.length);
    const z = makeZip([{ name: 'a', data: inner }, { name: 'b', data: x, headerOffset: 30 + 1 }]);
    expect(refused(z)).toThrow(/^SimpleRNN\.test: bytes member "b" overlaps member "a"; expected members side by side/);
  });

  it('a bad CRC-32 is refused when the member is read', async () => {
    const z = one();
    z[30 + 'config.json'.length + 2] ^= 0xff; // one byte of the stored data
    await expect(read(z, 'config.json')).rejects.toThrow(/member "config\.json" is corrupted: its CRC-32 is 0x[0-9a-f]{8}; the archive says 0x[0-9a-f]{8}/);
    await expect(read(one({ method: 'deflate', crc: 1234 }), 'config.json')).rejects.toThrow(/is corrupted: its CRC-32 is/);
  });

  it('zip bombs: a declared size past the limit is refused before inflating; a size that lies is stopped while inflating', async () => {
    const zeros = new Uint8Array(8 << 20); // 8 MiB of zeros deflate to about 8 KiB
    const bomb = new Uint8Array(deflateRawSync(zeros));
    expect(bomb.length).toBeLessThan(20000);
    // honest, but over the limit: refused before a byte is inflated (garbage data would fail to inflate)
    const honest = makeZip([{ name: 'w', data: zeros, method: 'deflate', raw: new Uint8Array(64).fill(0xff) }]);
    await expect(read(honest, 'w', 1 << 20)).rejects.toThrow(/member "w" declares 8388608 bytes; the limit is 1048576 \(options\.maxBytes\)/);
    // lying: declares 1000 bytes, inflates to 8 MiB: stopped at the declared size
    const liar = makeZip([{ name: 'w', data: zeros, method: 'deflate', raw: bomb, size: 1000 }]);
    await expect(read(liar, 'w')).rejects.toThrow(/member "w" inflates to more than the 1000 bytes it declares; refused \(a zip bomb, or a corrupted archive\)/);
    // lying the other way: declares more than it holds
    const short = makeZip([{ name: 'w', data: data, method: 'deflate', size: data.length + 10 }]);
    await expect(read(short, 'w')).rejects.toThrow(/member "w" inflates to \d+ bytes; it declares \d+/);
    // not deflate data at all
    const junk = makeZip([{ name: 'w', data, method: 'deflate', raw: new Uint8Array([0xff, 0xfe, 0xfd, 0xfc]) }]);
    await expect(read(junk, 'w')).rejects.toThrow(/member "w" is corrupted: its deflate data cannot be inflated/);
  });

  it('a member that is absent is named', async () => {
    await expect(read(one(), 'model.weights.h5')).rejects.toThrow(/member "model\.weights\.h5" is missing/);
  });
});
