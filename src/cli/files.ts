// File access for the CLI: every read and write of a command goes through here, and every failure becomes one
// UsageError line naming the flag, the file and what is wrong with it. Reads take regular files only, up to a size
// limit for the file's role; writes are atomic (a temporary file renamed over the target), never over one of the
// command's inputs, and the temporary files an interrupted save left behind are removed by the next run.
import {
  closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, readdirSync, realpathSync, renameSync,
  rmSync, statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';

const MiB = 2 ** 20;

/**
 * What a file is to a command, and how large it may be. The limits keep a mistaken path (a multi-gigabyte dump,
 * a disk image) from being read until memory runs out; each is far above what the role needs.
 */
export const ROLES = {
  /** Training or evaluation text: it becomes one string (V8 strings stop near 512M characters) and 4 bytes of id per token. */
  text: { noun: 'a text', limit: 256 * MiB },
  /** GloVe / word2vec text format, parsed as one string (glove.6B.100d.txt is 347 MB). */
  vectors: { noun: 'a vectors file', limit: 400 * MiB },
  /** A checkpoint: parameters and optimizer state of one model (wasm32 memory holds at most 4 GiB). */
  checkpoint: { noun: 'a checkpoint', limit: 2048 * MiB },
} as const;

export type Role = keyof typeof ROLES;

/** 1536 -> "1.5 KiB", for sizes in messages. */
export function bytesText(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let k = 0;
  while (n >= 1024 && k < units.length - 1) {
    n /= 1024;
    k++;
  }
  return k === 0 ? `${n} bytes` : `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[k]}`;
}

function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'EROFS') return 'read-only file system';
  return String((e as Error).message ?? e).split('\n')[0];
}

/** What a non-regular file is, for "not a regular file (a FIFO)". */
function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A problem found by our own checks, with the reason as it goes into the message. */
class Refused extends Error {}

function checkRegular(s: Stats, role: Role, limit: number): void {
  if (s.isDirectory()) throw new Refused('is a directory');
  if (!s.isFile()) throw new Refused(`is not a regular file (${kindOf(s)})`);
  if (s.size > limit) throw new Refused(`it is ${bytesText(s.size)}, more than ${ROLES[role].noun} may be (${bytesText(limit)})`);
}

/**
 * The bytes of a regular file, at most the role's limit. The path is checked before it is opened (a FIFO would block
 * the open, /dev/zero never ends), the open file again (the path may have changed in between), and the limit holds
 * while reading: at most limit + 1 bytes are read, and one byte too many refuses the file (it grew, or its size lied,
 * as files in /proc do).
 */
export function readBytes(role: Role, flag: string, path: string, limit: number = ROLES[role].limit): Uint8Array {
  let fd: number | undefined;
  try {
    checkRegular(statSync(path), role, limit);
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)); // a FIFO swapped in after the stat opens at once
    const s = fstatSync(fd);
    checkRegular(s, role, limit);
    let buf = new Uint8Array(Math.min(s.size, limit) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > limit) throw new Refused(`it grew past ${bytesText(limit)} (the limit for ${ROLES[role].noun}) while being read`);
        const bigger = new Uint8Array(Math.min(limit + 1, Math.max(2 * buf.length, 64 * 1024)));
        bigger.set(buf);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (e) {
    throw new UsageError(`cannot read ${flag} ${path}: ${e instanceof Refused ? e.message : reason(e)}`, 1);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A UTF-8 text file (readBytes' checks and limit); an empty one is refused (nothing to train on). */
export function readText(role: Role, flag: string, path: string, limit?: number): string {
  const text = new TextDecoder('utf-8').decode(readBytes(role, flag, path, limit));
  if (text.length === 0) throw new UsageError(`${flag} ${path} is empty`, 1);
  return text;
}

// --- writing ---

/** Temporary files of writeAtomic: `.NAME.simple-rnn-PID-RANDOM.tmp` next to the target NAME. */
const TEMP = /^\.(.+)\.simple-rnn-(\d+)-[0-9a-f]{8}\.tmp$/;

export function tempPath(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.simple-rnn-${pid}-${randomBytes(4).toString('hex')}.tmp`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // it exists, under another user
  }
}

/**
 * Removes the temporary files an interrupted writeAtomic of `path` left behind: regular files (never followed
 * through a link) named for this target, last written before this process started, by a process that is gone.
 * A save in progress in another live process is left alone. Returns the names removed.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  const started = performance.timeOrigin;
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const m = TEMP.exec(entry);
    if (!m || m[1] !== name) continue;
    const pid = Number(m[2]);
    const p = join(dir, entry);
    try {
      const s = lstatSync(p);
      if (!s.isFile() || s.mtimeMs >= started) continue;
      if (pid !== process.pid && alive(pid)) continue;
      unlinkSync(p);
      removed.push(entry);
    } catch {
      // gone already (another run cleaned it), or not ours to remove: leave it
    }
  }
  return removed;
}

/**
 * Writes a file atomically: the bytes go to a new temporary file in the same directory (created exclusively, so a
 * link planted at its name is not followed), are flushed to disk, and the temporary file is renamed over the target.
 * A reader (or a crash) sees the old file or the new one, never a mix.
 */
export function writeAtomic(what: string, path: string, data: Uint8Array | string): void {
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${what} ${path}: ${reason(e)}`, 1);
  }
}

/**
 * Fails early (before a long run) when a file could not be written later: its directory must exist, and the target,
 * if it exists, must be a regular file. Removes the temporary files of an earlier, interrupted save of it.
 */
export function checkWritable(what: string, path: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(''), { code: 'ENOTDIR' });
  } catch (e) {
    throw new UsageError(`cannot write ${what} ${path}: ${(e as { code?: string }).code === 'ENOENT' ? `directory ${dir} does not exist` : reason(e)}`, 1);
  }
  let s: Stats | undefined;
  try {
    s = statSync(path);
  } catch {
    // does not exist yet (or a dangling link, which the rename replaces)
  }
  if (s && !s.isFile()) throw new UsageError(`cannot write ${what} ${path}: it ${s.isDirectory() ? 'is a directory' : `is not a regular file (${kindOf(s)})`}`, 1);
  removeStaleTemps(path);
}

/** A file a command names: its flag, its path, and whether the command reads it, writes it, or both. */
export interface FileUse {
  flag: string;
  path: string | undefined;
  read?: boolean;
  write?: boolean;
}

/**
 * Which file a path names, however it is spelled: device and inode of an existing file (through links, hard links
 * included); for a file yet to be written, the real path of its directory and its name.
 */
export function fileIdentity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    if (s.ino !== 0n) return `inode ${s.dev}:${s.ino}`;
  } catch {
    // does not exist yet
  }
  const full = resolve(path);
  try {
    return `path ${join(realpathSync(dirname(full)), basename(full))}`;
  } catch {
    return `path ${full}`;
  }
}

/**
 * Before a command starts: refuses two of its files that are the same file when either is written (train
 * --checkpoint X --text X would write over its text, --plot X --checkpoint X one output over the other), then checks
 * that every written file can be written (checkWritable). A file both read and written (train --resume's
 * --checkpoint) is one use.
 */
export function checkFiles(cmd: string, uses: FileUse[]): void {
  const given = uses.filter((u): u is FileUse & { path: string } => u.path !== undefined);
  const ids = given.map((u) => fileIdentity(u.path));
  for (let a = 0; a < given.length; a++) {
    for (let b = a + 1; b < given.length; b++) {
      const [x, y] = [given[a], given[b]];
      if (ids[a] !== ids[b] || !(x.write || y.write)) continue;
      const [w, o] = x.write ? [x, y] : [y, x];
      const what = o.write ? 'one would overwrite the other' : `${cmd} would write over its input`;
      throw new UsageError(`${cmd}: ${w.flag} ${w.path} and ${o.flag} ${o.path} are the same file; ${what}`);
    }
  }
  for (const u of given) if (u.write) checkWritable(u.flag, u.path);
}
