// fromKerasFile in a browser: src/keras.ts (with jsfive, the HDF5 reader, and the wasm) bundled by esbuild into a
// temporary folder, loaded by headless Chromium, reading .keras and .h5 fixtures fetched as bytes; its parameters and
// predictions must equal those of the same import in Node, bit for bit (the same code on the same bytes).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromKerasFile } from '../../src/interop/keras-file.js';
import { ROOT, chromiumStatus, collectErrors, launch, serveStatic, type Browser, type StaticServer } from './harness.js';

const status = chromiumStatus();
const FIXTURES = ['stacked.keras', 'bidirectional-mul.h5', 'embedding.keras', 'functional-deflate.keras'];

/** What the page and Node compare: every parameter's bits, and the predictions' bits. */
interface Result {
  params: Record<string, number[]>;
  out: number[];
}

describe.skipIf(!status.run)('fromKerasFile in Chromium', () => {
  let dir: string;
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simple-rnn-keras-'));
    await build({
      entryPoints: [join(ROOT, 'src/keras.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
      loader: { '.wasm': 'binary' }, outfile: join(dir, 'keras.js'), logLevel: 'error',
    });
    for (const f of FIXTURES) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'test/fixtures/keras', f)));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">import * as k from "./keras.js"; window.keras = k;</script>');
    server = await serveStatic(dir);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The import's parameters and the predictions on a few sequences, as bits. */
  const run = async (fromKeras: typeof fromKerasFile, bytes: Uint8Array, backend: 'js' | 'wasm'): Promise<Result> => {
    const m = await fromKeras(bytes, { backend });
    const bitsOf = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
    const params = Object.fromEntries(Object.entries(m.getParams()).map(([k, v]) => [k, bitsOf(v as Float32Array)]));
    const c = m.config;
    const inputs = c.vocabSize ? [[1, 2, 3, 4], [5, 6]] : [Array.from({ length: 4 }, (_, t) => Array.from({ length: c.inputSize }, (_, i) => Math.sin(t + i)))];
    const out = bitsOf((m.predict(inputs as number[][], { output: 'typed' }) as Float32Array[]).flatMap((a) => Array.from(a)));
    m.dispose();
    return { params, out };
  };

  it.each(FIXTURES)('%s: the same parameters and predictions as in Node, on both backends', async (file) => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => 'keras' in window);
    for (const backend of ['js', 'wasm'] as const) {
      const inPage = (await page.evaluate(
        // the same steps as `run`, in the page, on the bytes it fetches
        async ([f, b]) => {
          const k = (window as unknown as { keras: { fromKerasFile: typeof fromKerasFile } }).keras;
          const bytes = new Uint8Array(await (await fetch(`/${f}`)).arrayBuffer());
          const m = await k.fromKerasFile(bytes, { backend: b as 'js' });
          const bitsOf = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
          const params = Object.fromEntries(Object.entries(m.getParams()).map(([key, v]) => [key, bitsOf(v as Float32Array)]));
          const c = m.config;
          const inputs = c.vocabSize ? [[1, 2, 3, 4], [5, 6]] : [Array.from({ length: 4 }, (_, t) => Array.from({ length: c.inputSize }, (_, i) => Math.sin(t + i)))];
          const out = bitsOf((m.predict(inputs as number[][], { output: 'typed' }) as Float32Array[]).flatMap((a) => Array.from(a)));
          m.dispose();
          return { params, out };
        },
        [file, backend],
      )) as Result;
      const inNode = await run(fromKerasFile, new Uint8Array(readFileSync(join(ROOT, 'test/fixtures/keras', file))), backend);
      expect(inPage.params, `${file} (${backend}): parameters`).toEqual(inNode.params);
      expect(inPage.out, `${file} (${backend}): predictions`).toEqual(inNode.out);
    }
    // a forged file is refused in the page as in Node, with the library's message
    const refused = await page.evaluate(async () => {
      const k = (window as unknown as { keras: { fromKerasFile: typeof fromKerasFile } }).keras;
      return k.fromKerasFile(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])).then(() => 'imported', (e: Error) => e.message);
    });
    expect(refused).toMatch(/^SimpleRNN\.fromKerasFile: bytes is not a readable zip archive: no end of central directory record/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
