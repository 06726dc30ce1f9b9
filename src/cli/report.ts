// How the CLI fails: whatever is thrown, wherever (a command's promise, an event handler, a broken stdout), the
// user sees one line on stderr and a non-zero exit code, never a stack trace (SIMPLE_RNN_DEBUG=1 adds it).
import { UsageError } from './args.js';

/** Node's system errors that a user can act on (a full disk, a pipe closed early), in words. */
const SYSTEM: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EPIPE: 'broken pipe',
  ENOMEM: 'out of memory',
  EMFILE: 'too many open files',
};

/** V8's and WebAssembly's words for memory that could not be had. */
const OUT_OF_MEMORY = /allocation failed|out of memory|Maximum memory size exceeded|WebAssembly\.Memory|Invalid (string|array|typed array) length/i;

const first = (s: string): string => s.split('\n')[0].trim();

/** The one line (without the `simple-rnn: ` prefix) and the exit code for anything thrown. */
export function describeFailure(err: unknown): { line: string; code: number } {
  if (err instanceof UsageError) return { line: first(err.message), code: err.code };
  if (!(err instanceof Error)) return { line: `internal error: something other than an Error was thrown (${first(String(err))}); please report it`, code: 1 };
  const msg = first(err.message);
  const code = (err as NodeJS.ErrnoException).code;
  // the library's own errors name the API and the field: SimpleRNN.fit: inputs[3][7] = 65 is not a token id; ...
  if (msg.startsWith('SimpleRNN.')) return { line: msg, code: 1 };
  if (code && Object.hasOwn(SYSTEM, code)) return { line: `${SYSTEM[code]}${msg ? ` (${msg})` : ''}`, code: 1 };
  if (err instanceof RangeError && OUT_OF_MEMORY.test(msg)) return { line: `out of memory (${msg}); try a smaller model, batch or text`, code: 1 };
  return { line: `internal error: ${err.name}${msg ? `: ${msg}` : ''} (a bug in simple-rnn; SIMPLE_RNN_DEBUG=1 shows where)`, code: 1 };
}

/** Writes the failure's line to stderr (and the stack with SIMPLE_RNN_DEBUG); returns the exit code. */
export function report(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s), debug = Boolean(process.env.SIMPLE_RNN_DEBUG)): number {
  const { line, code } = describeFailure(err);
  write(`simple-rnn: ${line}\n`);
  if (debug && err instanceof Error && err.stack) write(`${err.stack}\n`);
  return code;
}

let failed = false;

/** Reports and exits at once: for failures outside the command's promise, where nothing else would catch them. */
function fail(err: unknown): void {
  if (failed) return; // a second error while exiting (e.g. stderr broken too) changes nothing
  failed = true;
  let code = 1;
  try {
    code = report(err);
  } catch {
    // stderr itself is gone: the exit code is all that is left
  }
  process.exit(code);
}

/**
 * Makes every failure outside the command's promise one line too: an uncaught exception or an unhandled rejection
 * (a callback, a worker), and an error writing stdout: EPIPE ends quietly with 0 (`simple-rnn sample ... | head`
 * closed the pipe), anything else (a full disk) is reported and exits with 1. Errors writing stderr are ignored.
 */
export function guardProcess(): void {
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    fail(new UsageError(`cannot write to standard output: ${SYSTEM[e.code ?? ''] ?? first(e.message)}`, 1));
  });
  // stderr carries progress and notes: when it breaks, the run goes on (its results are on stdout, its code is kept)
  process.stderr.on('error', () => {});
}
