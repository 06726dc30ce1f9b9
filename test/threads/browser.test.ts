// threads in Chromium (built dist/): inside a Web Worker of a crossOriginIsolated page the model trains on 2 threads
// (nested Web Workers on a shared memory) and gives the bits Node gives, split by rows, and split by columns the bits
// of one thread; a training thread terminated from outside
// leaves the model on one thread (a call that meets it stopped throws and changes nothing); a page that is not
// isolated, and a page's main thread, fall back to one thread and say why.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, chromiumStatus, collectErrors, launch, type Browser } from '../browser/harness.js';
import { SimpleRNN } from 'simple-rnn';
import { Rng } from 'simple-rnn';

const status = chromiumStatus();

/** A static server over the repository; `isolated` adds the COOP/COEP headers that make a page crossOriginIsolated. */
async function serve(isolated: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const file = normalize(join(ROOT, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!file.startsWith(ROOT + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    const type = { '.html': 'text/html', '.js': 'text/javascript' }[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' };
    if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

interface Run {
  threads: number;
  split: 'rows' | 'columns' | null;
  fallback: string | null;
  losses: number[];
  bytes: number[];
}
interface Result {
  crossOriginIsolated: boolean;
  one: Run;
  two: Run;
  /** H = 40: on 1 thread, and on 2 threads split by columns. */
  colsOne: Run;
  cols: Run;
  error?: string;
}

/** What test/threads/fixtures/kill-worker.js reports of a call after a training thread was terminated. */
interface KillRun {
  threadsBefore: number;
  error: string | null;
  ms: number;
  /** The checkpoint after the call is the one before it / the one of an untouched twin after the same step. */
  unchanged: boolean;
  asTwin: boolean;
  threads: number;
  fallback: string | null;
  /** The next step equals a one-thread model's loaded from the checkpoint after the call. */
  nextAsOneThread: boolean;
}
interface KillResult {
  crossOriginIsolated: boolean;
  between: KillRun;
  midJob: KillRun;
  warnings: string[];
}

/** What test/threads/fixtures/train.js computes, here in Node from src/. */
async function nodeRun(threads: number): Promise<Run> {
  const rng = new Rng(21);
  const lengths = [9, 3, 12, 7, 12, 1, 5, 8, 10, 4, 6];
  const inputs = lengths.map((T) => Array.from({ length: T }, () => Array.from({ length: 5 }, () => 2 * rng.uniform() - 1)));
  const targets = lengths.map(() => rng.int(4));
  const m = await SimpleRNN.create({ inputSize: 5, hiddenSize: 12, outputSize: 4, seed: 4, threads, optimizer: 'sgd', learningRate: 0.1 });
  const losses: number[] = [];
  for (let k = 0; k < 4; k++) losses.push(m.trainBatch(inputs, targets));
  const r = { threads: m.threads, split: m.threadSplit, fallback: m.threadsFallback, losses, bytes: Array.from(m.save()) };
  m.dispose();
  return r;
}

describe.skipIf(!status.run)('threads in Chromium', () => {
  let browser: Browser;
  let isolated: Awaited<ReturnType<typeof serve>>;
  let plain: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run npm run build first (npm test does)');
    [isolated, plain] = await Promise.all([serve(true), serve(false)]);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
  });

  /** What a module Web Worker of the test page running fixtures/`script` posts (or the error it fails with). */
  async function inWorker<R = Result>(base: string, script = 'worker.js'): Promise<{ r: R & { error?: string }; errors: string[] }> {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${base}/test/threads/fixtures/page.html`);
    const r = await page.evaluate(
      (url) =>
        new Promise<R & { error?: string }>((resolve) => {
          const w = new Worker(url, { type: 'module' });
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => resolve({ error: e.message } as R & { error?: string });
        }),
      `/test/threads/fixtures/${script}`,
    );
    await page.close();
    return { r, errors };
  }

  test('a worker of a crossOriginIsolated page trains on 2 threads, with the bits of Node on 2 threads', async () => {
    const { r, errors } = await inWorker(isolated.url);
    expect(r.error).toBeUndefined();
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.two.threads).toBe(2);
    expect(r.two.fallback).toBeNull();
    const node2 = await nodeRun(2);
    expect(r.two.losses).toEqual(node2.losses);
    expect(r.two.bytes).toEqual(node2.bytes); // the checkpoint: params, optimizer state, step count, bit for bit
    expect(r.one.bytes).toEqual((await nodeRun(1)).bytes);
    // a model whose threads split by columns: the one-thread bits, in Chromium too
    expect([r.two.split, r.cols.threads, r.cols.split, r.colsOne.split]).toEqual(['rows', 2, 'columns', null]);
    expect(r.cols.losses).toEqual(r.colsOne.losses);
    expect(r.cols.bytes).toEqual(r.colsOne.bytes);
    expect(errors).toEqual([]);
  });

  test('a page that is not crossOriginIsolated falls back to one thread and says why', async () => {
    const { r } = await inWorker(plain.url);
    expect(r.error).toBeUndefined();
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.two.threads).toBe(1);
    expect(r.two.fallback).toMatch(/not crossOriginIsolated/);
    expect(r.two.bytes).toEqual(r.one.bytes); // one thread either way
  });

  test('a training thread terminated from outside: between calls the next call throws and changes nothing; during a job the job ends first; then one thread', async () => {
    const { r, errors } = await inWorker<KillResult>(isolated.url, 'kill-worker.js');
    expect(r.error).toBeUndefined();
    expect(r.crossOriginIsolated).toBe(true);
    const { between, midJob } = r;
    expect([between.threadsBefore, midJob.threadsBefore]).toEqual([2, 2]);
    expect(between.error).toMatch(/^SimpleRNN\.trainBatch: training thread 1 stopped \(terminated\); the batch was not applied \(no parameter changed\)/);
    expect(between.ms).toBeLessThan(5_000);
    expect(between.unchanged).toBe(true);
    // a browser stops a busy worker late (Chromium: after its parent yields): the pool lets the job end, then ends it
    expect(midJob.error).toBeNull();
    expect(midJob.asTwin).toBe(true); // the step of a model left alone, bit for bit
    for (const run of [between, midJob]) {
      expect([run.threads, run.fallback]).toEqual([1, 'training thread 1 stopped (terminated)']);
      expect(run.nextAsOneThread).toBe(true);
    }
    expect(r.warnings).toEqual(['SimpleRNN: threads fall back to one thread: training thread 1 stopped (terminated)']); // once per reason
    expect(errors).toEqual([]);
  });

  test("an isolated page's main thread falls back (Atomics.wait is not allowed there)", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${isolated.url}/test/threads/fixtures/page.html`);
    // a string, so that vitest's transform leaves the page's dynamic import alone
    const r = (await page.evaluate("import('/test/threads/fixtures/train.js').then((m) => m.train())")) as Result;
    await page.close();
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.two.threads).toBe(1);
    expect(r.two.fallback).toMatch(/Atomics\.wait is not allowed on a page's main thread/);
  });
});
