// `simple-rnn bench`: runs the performance comparison of bench/ (owned by the benchmark work) in a child process,
// passing the remaining arguments through. It exists in a clone of the repository, not in the npm package.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, type Command, type Values } from './args.js';

const options = {
  quick: { kind: 'boolean', help: 'the short run (under 2 minutes)' },
} as const;

export const benchCommand: Command<typeof options> = {
  name: 'bench',
  usage: 'bench [--quick] [-- ARGS...]',
  summary:
    'Runs the performance comparison in bench/ (ours on wasm and js against TF.js and brain.js on the same seeded data,\n' +
    'and against PyTorch and onnxruntime-web where they are installed) and prints its tables. Arguments after -- go to\n' +
    'the benchmark unchanged.',
  options,
  positionals: Infinity,
};

/** bench/run.mjs next to dist/ (the repository root is dist/..). */
export function benchEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'run.mjs');
}

export async function runBench(o: Values<typeof options>, rest: string[]): Promise<number> {
  const entry = benchEntry();
  if (!existsSync(entry)) {
    throw new UsageError(`bench: ${entry} not found; the benchmark ships with the repository, not the package (clone it and run npm run bench)`, 1);
  }
  const args = [entry, ...(o.quick ? ['--quick'] : []), ...rest];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('error', (e) => reject(new UsageError(`bench: could not start node ${entry}: ${e.message}`, 1)));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
