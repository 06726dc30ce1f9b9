// Runs the built CLI (dist/cli.js) as a user would, in a temporary directory.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll } from 'vitest';

// SIMPLE_RNN_CLI: another build of the CLI to test (a private bundle, while dist/ belongs to another build)
const BUILT = process.env.SIMPLE_RNN_CLI ? resolve(process.env.SIMPLE_RNN_CLI) : resolve(__dirname, '../../dist/cli.js');
if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first (npm test does)`);
// A private copy, so that a rebuild of dist/ while the tests run (another build in the same tree) cannot break them:
// cli.js and the ESM chunks next to it that it imports (code splitting: the commands, the relaxed and threads wasm).
// It stays inside the repository (test-artifacts/ is ignored by git) so that cli-progress resolves from node_modules.
const copyDir = resolve(__dirname, '../../test-artifacts');
mkdirSync(copyDir, { recursive: true });
export const CLI = join(mkdtempSync(join(copyDir, 'cli-')), 'cli.js');
for (const f of readdirSync(dirname(BUILT))) if (f.endsWith('.js') && f !== 'cli.js') copyFileSync(join(dirname(BUILT), f), join(dirname(CLI), f));
copyFileSync(BUILT, CLI);
afterAll(() => rmSync(dirname(CLI), { recursive: true, force: true }));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to the end; with `timeout` (ms) it is killed then (code null), for runs that must not hang. */
export function cli(args: string[], cwd = process.cwd(), timeout?: number): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...(timeout ? { timeout, killSignal: 'SIGKILL' as const } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI; resolves when it exits. `onStdout` sees output as it comes (to send a signal at the right time). */
export function cliAsync(args: string[], cwd: string, onStdout?: (all: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      onStdout?.(stdout, (sig) => child.kill(sig));
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'simple-rnn-cli-'));

/** A small text with structure a tiny model can pick up quickly. */
export function tinyText(lines = 200): string {
  const words = ['the cat sat on the mat', 'a dog ran in the park', 'we like to read books', 'rain falls on the hill'];
  let s = '';
  for (let k = 0; k < lines; k++) s += `${words[k % words.length]}.\n`;
  return s;
}
