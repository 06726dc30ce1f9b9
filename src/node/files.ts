// Safe file access for the Node entry (simple-rnn/node): regular files only, checked by stat before they are opened
// (a FIFO would block the open, /dev/zero never ends), re-checked once open (the same device and inode, the same
// size), read to exactly the size checked; atomic writes (a temporary file renamed over the target). Every failure
// is the library's error: `SimpleRNN.<api>: <field> = "<path>" cannot be read: no such file or directory (ENOENT)`.
import { constants, type Stats } from 'node:fs';
import { open, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { rangeError, typeError } from '../errors.js';

/** A Node system error as the library's Error: `SimpleRNN.<api>: <field> = "<path>" cannot be <what>: <reason> (<code>)`. */
export function fsError(api: string, field: string, path: string, what: string, e: unknown): Error {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string') return e as Error;
  const reason = {
    ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'operation not permitted', ENOTDIR: 'a part of the path is not a directory',
    EEXIST: 'a file is in the way', EISDIR: 'it is a directory', ELOOP: 'too many symbolic links', ENOSPC: 'no space left on the device', EROFS: 'a read-only file system',
  }[code] ?? 'the file system refused';
  return new Error(`SimpleRNN.${api}: ${field} = ${JSON.stringify(path)} cannot be ${what}: ${reason} (${code})`);
}

/** What a file that is not regular is, for "must be a regular file; got a FIFO". */
export function kindOf(s: Stats): string {
  return s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : s.isSocket() ? 'a socket' : 'not a regular file';
}

/** A regular file (its path as checked), checked by stat before it is opened. */
export interface Checked {
  path: string;
  size: number;
  st: Stats;
}

/** Checks that `path` is a regular file (symlinks followed) of at most `maxBytes` bytes, before anything opens it. */
export async function checkFile(api: string, field: string, path: string, shown: string, maxBytes = Infinity): Promise<Checked> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    throw fsError(api, field, shown, 'read', e);
  }
  if (!st.isFile()) throw new TypeError(`SimpleRNN.${api}: ${field} = ${JSON.stringify(shown)} must be a regular file; got ${kindOf(st)}`);
  if (st.size > maxBytes) throw rangeError(api, field, `= ${JSON.stringify(shown)} has ${st.size} bytes; expected at most ${maxBytes}`);
  return { path, size: st.size, st };
}

/**
 * Reads the file checked before, and only it: opened without following a symlink and without blocking, it must be
 * the same regular file (device and inode) and hold the same bytes; exactly that many are read.
 */
export async function readChecked(api: string, field: string, c: Checked, shown: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(c.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fsError(api, field, shown, 'read', e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.dev !== c.st.dev || st.ino !== c.st.ino || st.size !== c.size) {
      throw new Error(`SimpleRNN.${api}: ${field} = ${JSON.stringify(shown)} changed while it was read; expected the regular file of ${c.size} bytes checked before`);
    }
    const out = new Uint8Array(c.size);
    for (let got = 0; got < c.size; ) {
      const { bytesRead } = await fh.read(out, got, c.size - got, got);
      if (bytesRead === 0) throw new Error(`SimpleRNN.${api}: ${field} = ${JSON.stringify(shown)} ended at byte ${got}; expected ${c.size} bytes (it changed while it was read)`);
      got += bytesRead;
    }
    return out;
  } catch (e) {
    throw e instanceof Error && e.message.startsWith('SimpleRNN.') ? e : fsError(api, field, shown, 'read', e);
  } finally {
    await fh.close();
  }
}

/** A path argument: a non-empty string without NUL. */
export function pathArg(api: string, field: string, p: unknown, expected: string): string {
  if (typeof p !== 'string' || p === '' || p.includes('\0')) throw typeError(api, field, expected, p);
  return p;
}

/**
 * The bytes of one model file the caller named: a regular file (a symlink is followed: the path is the caller's own)
 * of at most maxBytes, checked before it is opened and read to exactly its checked size.
 */
export async function readModelFile(api: string, field: string, path: string, maxBytes: number): Promise<Uint8Array> {
  const c = await checkFile(api, field, path, path, maxBytes);
  // the open refuses a symlink (O_NOFOLLOW), so open what the checked path resolves to; readChecked re-checks its inode
  let real: string;
  try {
    real = await realpath(path);
  } catch (e) {
    throw fsError(api, field, path, 'read', e);
  }
  return readChecked(api, field, { ...c, path: real }, path);
}

/**
 * Writes bytes to path atomically: into a temporary file beside it, then renamed over it, so a reader sees the old
 * file or the new one, never half of one; the temporary file is removed when the write fails.
 */
export async function writeModelFile(api: string, field: string, path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.simple-rnn-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw fsError(api, field, path, 'written', e);
  }
}
