// Writes zip archives for the zip and Keras-file tests: well-formed ones, and forged ones whose every field can be made
// to lie (sizes, CRC-32, offsets, counts, flags, names), stored or deflated (node:zlib, raw deflate).
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/checkpoint.js';

/** One member to write, and the lies to tell about it. */
export interface Member {
  name: string;
  data: Uint8Array;
  /** 'stored' (default) or 'deflate'; or the raw method number to write. */
  method?: 'stored' | 'deflate' | number;
  /** Bytes written as the member's data instead of the (compressed) data. */
  raw?: Uint8Array;
  /** What the central directory (and the local header, unless `local` says otherwise) declares. */
  size?: number;
  compressedSize?: number;
  crc?: number;
  flags?: number;
  /** The local header's own fields, when they should disagree with the central directory. */
  local?: { name?: string; size?: number; compressedSize?: number; crc?: number; method?: number; flags?: number };
  /** The local header offset the central directory gives (default: where it is). */
  headerOffset?: number;
}

/** The archive's end record, and the lies to tell there. */
export interface EndLies {
  total?: number;
  cdSize?: number;
  cdOffset?: number;
  disk?: number;
  comment?: Uint8Array;
  /** Bytes written between the last member and the central directory. */
  gap?: Uint8Array;
  /** Write a ZIP64 end-of-central-directory locator before the end record. */
  zip64Locator?: boolean;
}

const enc = new TextEncoder();

/** A zip archive of the members, in order. */
export function makeZip(members: Member[], end: EndLies = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method === undefined || m.method === 'stored' ? 0 : m.method === 'deflate' ? 8 : m.method;
    const stored = m.raw ?? (method === 8 ? new Uint8Array(deflateRawSync(m.data)) : m.data);
    const name = enc.encode(m.name);
    const crc = m.crc ?? crc32(m.data);
    const size = m.size ?? m.data.length;
    const compressedSize = m.compressedSize ?? stored.length;
    const flags = m.flags ?? 0x0800;
    const l = m.local ?? {};
    const lname = l.name === undefined ? name : enc.encode(l.name);
    const header = new Uint8Array(30 + lname.length);
    const h = new DataView(header.buffer);
    h.setUint32(0, 0x04034b50, true);
    h.setUint16(4, 20, true);
    h.setUint16(6, l.flags ?? flags, true);
    h.setUint16(8, l.method ?? method, true);
    h.setUint32(14, l.crc ?? crc, true);
    h.setUint32(18, l.compressedSize ?? compressedSize, true);
    h.setUint32(22, l.size ?? size, true);
    h.setUint16(26, lname.length, true);
    header.set(lname, 30);
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, compressedSize, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, m.headerOffset ?? offset, true);
    c.set(name, 46);
    central.push(c);
    parts.push(header, stored);
    offset += header.length + stored.length;
  }
  if (end.gap) {
    parts.push(end.gap);
    offset += end.gap.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  parts.push(...central);
  if (end.zip64Locator) {
    const loc = new Uint8Array(20);
    new DataView(loc.buffer).setUint32(0, 0x07064b50, true);
    parts.push(loc);
  }
  const comment = end.comment ?? new Uint8Array(0);
  const e = new Uint8Array(22 + comment.length);
  const ev = new DataView(e.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(4, end.disk ?? 0, true);
  ev.setUint16(8, end.total ?? members.length, true);
  ev.setUint16(10, end.total ?? members.length, true);
  ev.setUint32(12, end.cdSize ?? cdSize, true);
  ev.setUint32(16, end.cdOffset ?? offset, true);
  ev.setUint16(20, comment.length, true);
  e.set(comment, 22);
  parts.push(e);
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
