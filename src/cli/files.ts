// File access for the CLI: every failure becomes one UsageError line naming the file and what is wrong with it.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './args.js';

function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  return String((e as Error).message ?? e).split('\n')[0];
}

export function readBytes(what: string, path: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${reason(e)}`, 1);
  }
}

/** A UTF-8 text file; an empty one is refused (nothing to train on). */
export function readText(what: string, path: string): string {
  const text = new TextDecoder('utf-8').decode(readBytes(what, path));
  if (text.length === 0) throw new UsageError(`${what} ${path} is empty`, 1);
  return text;
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same directory, are flushed to disk, and the
 * temporary file is renamed over the target. A reader (or a crash) sees the old file or the new one, never a mix.
 */
export function writeAtomic(what: string, path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
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

/** Fails early (before a long run) when a file could not be written later. */
export function checkWritable(what: string, path: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(''), { code: 'ENOTDIR' });
  } catch (e) {
    throw new UsageError(`cannot write ${what} ${path}: ${(e as { code?: string }).code === 'ENOENT' ? `directory ${dir} does not exist` : reason(e)}`, 1);
  }
}
