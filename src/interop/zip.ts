// Reads zip archives held in memory (a .keras file is one): the end of central directory record, the central
// directory and each local header, every offset and size checked against the bytes before it is used; members stored
// or deflated, inflated through DecompressionStream('deflate-raw') with the output capped while it streams, and their
// CRC-32 checked. ZIP64, multi-disk and encrypted archives are refused.
import { crc32 } from '../checkpoint.js';
import { rangeError } from '../errors.js';

/** One member of an archive, as its central directory entry says and its local header confirms. */
export interface ZipEntry {
  name: string;
  method: 'stored' | 'deflate';
  /** Bytes the member takes in the archive. */
  compressedSize: number;
  /** Bytes the member holds (declared; inflating checks it). */
  size: number;
  /** CRC-32 of the member's bytes (declared; checked after reading). */
  crc: number;
  /** Offset of the member's local header, and of its data (after that header). */
  headerOffset: number;
  dataOffset: number;
}

/** An archive's members by name, over the archive's bytes. */
export interface ZipArchive {
  /** What the errors call the archive (`bytes`). */
  field: string;
  bytes: Uint8Array;
  entries: Map<string, ZipEntry>;
}

/** Local file header, central directory entry and end of central directory signatures ('PK\x03\x04', ...). */
const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
const END_SIZE = 22;
/** Flag bits: 0 encrypted, 3 sizes in a data descriptor after the data, 6 strong encryption, 11 UTF-8 names. */
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_STRONG = 0x0040;
const FLAG_UTF8 = 0x0800;

/** Whether the bytes start like a zip archive's first local header ('PK\x03\x04'). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** A member name that stays inside the archive's folder: no absolute path, drive, backslash, NUL, '.' or '..' segment. */
function checkName(api: string, field: string, name: string): void {
  const bad =
    name === '' ? 'is empty'
      : name.includes('\0') ? 'holds a NUL'
        : name.includes('\\') ? 'holds a backslash'
          : name.startsWith('/') || /^[A-Za-z]:/.test(name) ? 'is an absolute path'
            : name.split('/').some((s, k, all) => s === '..' || s === '.' || (s === '' && k < all.length - 1)) ? "has a '.', '..' or empty segment"
              : null;
  if (bad) throw rangeError(api, `${field} member ${JSON.stringify(name.slice(0, 80))}`, `${bad}; expected a relative path inside the archive`);
}

/**
 * Reads an archive's directory: the end record (the last one whose comment reaches the end of the bytes), the central
 * directory it points to (ending where the end record starts), and every member's local header. Refused: ZIP64,
 * several disks, encryption, methods other than stored (0) and deflate (8), a stored member whose sizes differ, a
 * name that leaves the folder, two members of one name, a local header that disagrees with the central directory,
 * and members whose data overlap or run into the central directory (the overlap is how some zip bombs multiply).
 */
export function readZip(api: string, bytes: Uint8Array, field = 'bytes'): ZipArchive {
  const n = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  const u16 = (at: number) => dv.getUint16(at, true);
  const u32 = (at: number) => dv.getUint32(at, true);
  const bad = (what: string) => rangeError(api, field, `is not a readable zip archive: ${what}`);
  // ---- end of central directory: 22 bytes and a comment of up to 65535 ----
  let end = -1;
  for (let at = n - END_SIZE; at >= Math.max(0, n - END_SIZE - 0xffff); at--) {
    if (u32(at) === END && at + END_SIZE + u16(at + 20) === n) {
      end = at;
      break;
    }
  }
  if (end < 0) throw bad('no end of central directory record (truncated, or not a zip)');
  const [disk, cdDisk, onDisk, total, cdSize, cdOffset] = [u16(end + 4), u16(end + 6), u16(end + 8), u16(end + 10), u32(end + 12), u32(end + 16)];
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || (end >= 20 && u32(end - 20) === ZIP64_LOCATOR)) {
    throw rangeError(api, field, 'is a ZIP64 archive, which is not supported (a .keras file needs ZIP64 only past 4 GiB or 65535 members)');
  }
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) throw bad(`it spans several disks (disk ${disk}, directory on disk ${cdDisk}, ${onDisk} of ${total} members here)`);
  if (cdOffset + cdSize !== end) throw bad(`the central directory (${cdSize} bytes at offset ${cdOffset}) does not end where the end record starts (offset ${end})`);
  if (total * CENTRAL_SIZE > cdSize) throw bad(`the end record counts ${total} members; a central directory of ${cdSize} bytes holds at most ${Math.floor(cdSize / CENTRAL_SIZE)}`);
  // ---- the central directory ----
  const entries = new Map<string, ZipEntry>();
  const flags = new Map<string, number>();
  let at = cdOffset;
  for (let k = 0; k < total; k++) {
    const f = `${field} central directory entry ${k}`;
    if (at + CENTRAL_SIZE > end || u32(at) !== CENTRAL) throw rangeError(api, f, `is missing or malformed (offset ${at})`);
    const flag = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const [nameLen, extraLen, commentLen] = [u16(at + 28), u16(at + 30), u16(at + 32)];
    const startDisk = u16(at + 34);
    const headerOffset = u32(at + 42);
    const next = at + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (next > end) throw rangeError(api, f, `runs past the central directory (${next} > ${end})`);
    const rawName = bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLen);
    let name: string;
    try {
      name = new TextDecoder(flag & FLAG_UTF8 ? 'utf-8' : 'latin1', { fatal: true }).decode(rawName);
    } catch {
      throw rangeError(api, f, 'has a name that is not valid UTF-8');
    }
    checkName(api, field, name);
    const m = `${field} member ${JSON.stringify(name)}`;
    if (compressedSize === 0xffffffff || size === 0xffffffff || headerOffset === 0xffffffff) throw rangeError(api, m, 'has ZIP64 sizes, which are not supported');
    if (flag & (FLAG_ENCRYPTED | FLAG_STRONG)) throw rangeError(api, m, 'is encrypted; expected an unencrypted member');
    if (method !== 0 && method !== 8) throw rangeError(api, m, `uses compression method ${method}; expected 0 (stored) or 8 (deflate)`);
    if (startDisk !== 0) throw rangeError(api, m, `starts on disk ${startDisk}; expected 0`);
    if (method === 0 && compressedSize !== size) throw rangeError(api, m, `is stored, but its sizes differ: ${compressedSize} bytes in the archive, ${size} declared`);
    if (entries.has(name)) throw rangeError(api, m, 'appears twice in the central directory; expected each member once');
    entries.set(name, { name, method: method === 0 ? 'stored' : 'deflate', compressedSize, size, crc, headerOffset, dataOffset: -1 });
    flags.set(name, flag);
    at = next;
  }
  if (at !== end) throw bad(`the central directory holds ${end - at} bytes after its ${total} members`);
  // ---- the local headers, and where each member's data lies ----
  const spans: [number, number, string][] = [];
  for (const e of entries.values()) {
    const m = `${field} member ${JSON.stringify(e.name)}`;
    const h = e.headerOffset;
    if (h + LOCAL_SIZE > cdOffset || u32(h) !== LOCAL) throw rangeError(api, m, `has no local header at offset ${h}`);
    const flag = u16(h + 6);
    const nameLen = u16(h + 26);
    const dataOffset = h + LOCAL_SIZE + nameLen + u16(h + 28);
    if (dataOffset > cdOffset) throw rangeError(api, m, `has a local header that runs into the central directory (${dataOffset} > ${cdOffset})`);
    const local = bytes.subarray(h + LOCAL_SIZE, h + LOCAL_SIZE + nameLen);
    const central = new TextEncoder().encode(e.name);
    const sameName = flags.get(e.name)! & FLAG_UTF8 ? local.length === central.length && local.every((b, k) => b === central[k]) : new TextDecoder('latin1').decode(local) === e.name;
    if (!sameName) throw rangeError(api, m, 'has a local header of another name');
    if (u16(h + 8) !== (e.method === 'stored' ? 0 : 8)) throw rangeError(api, m, 'has a local header of another compression method');
    if ((flag & FLAG_DESCRIPTOR) !== (flags.get(e.name)! & FLAG_DESCRIPTOR)) throw rangeError(api, m, 'has a local header whose flags disagree with the central directory');
    if (!(flag & FLAG_DESCRIPTOR) && (u32(h + 14) !== e.crc || u32(h + 18) !== e.compressedSize || u32(h + 22) !== e.size)) {
      throw rangeError(api, m, `has a local header whose CRC-32 or sizes (${hex(u32(h + 14))}, ${u32(h + 18)}, ${u32(h + 22)}) disagree with the central directory (${hex(e.crc)}, ${e.compressedSize}, ${e.size})`);
    }
    if (dataOffset + e.compressedSize > cdOffset) throw rangeError(api, m, `says its data holds ${e.compressedSize} bytes from offset ${dataOffset}; the data area ends at ${cdOffset}`);
    e.dataOffset = dataOffset;
    spans.push([h, dataOffset + e.compressedSize, e.name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < spans.length; k++) {
    if (spans[k][0] < spans[k - 1][1]) throw rangeError(api, `${field} member ${JSON.stringify(spans[k][2])}`, `overlaps member ${JSON.stringify(spans[k - 1][2])}; expected members side by side`);
  }
  return { field, bytes, entries };
}

/** Compressed bytes handed to the inflater at a time (so that a stop halts it within one piece). */
const PIECE = 1 << 16;

/** The member's bytes, inflated into a buffer of the declared size; more or fewer bytes than declared is an error. */
async function inflate(api: string, m: string, data: Uint8Array, size: number): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') throw new Error(`SimpleRNN.${api}: ${m} is deflated, and this platform has no DecompressionStream('deflate-raw') (Node >= 20 and current browsers have it)`);
  const out = new Uint8Array(size);
  let given = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (given >= data.length) c.close();
      else {
        c.enqueue(data.slice(given, given + PIECE));
        given += PIECE;
      }
    },
  });
  const reader = source.pipeThrough(new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  let got = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > size) {
        throw rangeError(api, m, `inflates to more than the ${size} bytes it declares; refused (a zip bomb, or a corrupted archive)`);
      }
      out.set(value, got);
      got += value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof RangeError && e.message.startsWith(`SimpleRNN.${api}:`)) throw e;
    throw rangeError(api, m, `is corrupted: its deflate data cannot be inflated (${(e as Error)?.message ?? String(e)})`);
  }
  if (got !== size) throw rangeError(api, m, `inflates to ${got} bytes; it declares ${size}`);
  return out;
}

/**
 * A member's bytes (a copy): refused before anything is inflated when it declares more than maxBytes (`limitName`
 * says which option sets it); inflated with the output capped at the declared size; its CRC-32 checked.
 */
export async function readEntry(api: string, zip: ZipArchive, name: string, maxBytes: number, limitName: string): Promise<Uint8Array> {
  const e = zip.entries.get(name);
  const m = `${zip.field} member ${JSON.stringify(name)}`;
  if (!e) throw rangeError(api, m, 'is missing');
  if (e.size > maxBytes) throw rangeError(api, m, `declares ${e.size} bytes; the limit is ${maxBytes} (${limitName})`);
  const data = zip.bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  const out = e.method === 'stored' ? data.slice() : await inflate(api, m, data, e.size);
  const crc = crc32(out);
  if (crc !== e.crc) throw rangeError(api, m, `is corrupted: its CRC-32 is ${hex(crc)}; the archive says ${hex(e.crc)}`);
  return out;
}
