// toOnnx's bytes in a real browser: headless Chromium (playwright-core) loads onnxruntime-web's own dist files from
// node_modules, runs the bytes the test made in Node on ort-web's wasm backend, and the test compares what comes back
// with our predict. Tolerance {atol: 1e-5, rtol: 0}, as test/interop/onnx.test.ts: our rational tanh (|err| <= 1e-6
// per step) and float32 sums in other orders than onnxruntime's.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, chromiumStatus, collectErrors, launch, serveStatic, type Browser, type StaticServer } from './harness.js';
import { SimpleRNN, type SimpleRNNOptions } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import { toOnnx } from '../../src/interop/onnx-export.js';
import { expectClose, flat } from '../util.js';

const status = chromiumStatus();
const TOL = { atol: 1e-5, rtol: 0 };
const PAGE = '/onnx-runtime-page.html'; // answered by the test itself (page.route), on the static server's origin

// The page: onnxruntime-web's wasm build as an ES module, one thread (a page that is not crossOriginIsolated has no
// SharedArrayBuffer), and a function that runs a model's bytes on given feeds.
const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>onnx in the browser</title><link rel="icon" href="data:,"></head>
<body><p id="status">loading</p>
<script type="module">
  import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
  ort.env.wasm.numThreads = 1;
  window.runOnnx = async ({ bytes, input, dims, tokens, lengths }) => {
    const session = await ort.InferenceSession.create(Uint8Array.from(bytes), { executionProviders: ['wasm'] });
    const feeds = {
      input: tokens ? new ort.Tensor('int64', BigInt64Array.from(input.map(BigInt)), dims) : new ort.Tensor('float32', Float32Array.from(input), dims),
      lengths: new ort.Tensor('int32', Int32Array.from(lengths), [lengths.length]),
    };
    const r = await session.run(feeds);
    const out = { output: Array.from(r.output.data), dims: r.output.dims, state: Array.from(r.state.data) };
    await session.release();
    return out;
  };
  document.getElementById('status').textContent = 'ready';
</script></body></html>`;

declare global {
  interface Window {
    runOnnx: (a: { bytes: number[]; input: number[]; dims: number[]; tokens: boolean; lengths: number[] }) => Promise<{ output: number[]; dims: number[]; state: number[] }>;
  }
}

const MODELS: [string, SimpleRNNOptions][] = [
  ['2 bidirectional layers (concat), dense, many-to-one', { inputSize: 3, hiddenSize: [5, 4], layers: 2, bidirectional: true, outputSize: 3 }],
  ['goBackwards tokens, learned s0, returnSequences', { vocabSize: 7, hiddenSize: 6, layers: 2, goBackwards: true, learnInitialState: true, outputSize: 4, returnSequences: true, outputActivation: 'sigmoid' }],
  ['embedding, bidirectional sum, relu, returnSequences', { vocabSize: 9, embeddingSize: 4, hiddenSize: 5, bidirectional: true, merge: 'sum', activation: 'relu', outputSize: 3, returnSequences: true }],
];
const LENGTHS = [6, 2, 4];

describe.skipIf(!status.run)('toOnnx in onnxruntime-web in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    server = await serveStatic(ROOT);
    browser = await launch();
    page = await browser.context.newPage();
    errors = collectErrors(page);
    await page.route(`${server.url}${PAGE}`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: HTML }));
    await page.goto(`${server.url}${PAGE}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test.each(MODELS)('%s: output and state equal predict', async (_, options) => {
    const m = await SimpleRNN.create({ ...options, seed: 4 });
    const rng = new Rng(8);
    const p = m.getParams();
    const set: Record<string, Float32Array> = {};
    for (const k of m.paramNames) if (k.startsWith('bs') || k === 'bo' || (options.learnInitialState && k.startsWith('s0'))) set[k] = Float32Array.from(p[k], () => rng.uniform() - 0.5);
    m.setParams(set);
    const tokens = !!options.vocabSize;
    const I = options.inputSize ?? 0;
    const seqs = LENGTHS.map((n) => Array.from({ length: n }, () => (tokens ? rng.int(options.vocabSize!) : Array.from({ length: I }, () => 2 * rng.uniform() - 1))));
    const T = Math.max(...LENGTHS);
    const padded = seqs.flatMap((q) => [...q, ...Array(T - q.length).fill(tokens ? 0 : Array(I).fill(0))]);
    const r = await page.evaluate((a) => window.runOnnx(a), {
      bytes: Array.from(toOnnx(m)), input: flat(padded), dims: tokens ? [LENGTHS.length, T] : [LENGTHS.length, T, I], tokens, lengths: LENGTHS,
    });
    const ref = m.predict(seqs as number[][], { returnState: true });
    const O = options.outputSize;
    const out = options.returnSequences
      ? LENGTHS.map((n, b) => Array.from({ length: n }, (_, t) => r.output.slice((b * T + t) * O, (b * T + t + 1) * O)))
      : LENGTHS.map((_, b) => r.output.slice(b * O, (b + 1) * O));
    expectClose(flat(out), flat(ref.outputs), { ...TOL, label: 'output' });
    expectClose(r.state, flat(ref.states), { ...TOL, label: 'state' });
    if (options.returnSequences) {
      const pads = LENGTHS.flatMap((n, b) => r.output.slice((b * T + n) * O, (b + 1) * T * O));
      expect(pads.every((v) => v === 0)).toBe(true);
    }
    m.dispose();
    expect(errors).toEqual([]);
  });
});
