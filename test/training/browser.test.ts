// Training in Chromium (the built dist/, wasm backend): the same seed gives the same checkpoint bytes as in Node, a
// checkpoint written in one environment resumes exactly in the other, and fit keeps the page's timers running.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SimpleRNN } from 'simple-rnn';
import { ROOT, chromiumStatus, collectErrors, launch, serveStatic, type Browser, type StaticServer } from '../browser/harness.js';

const status = chromiumStatus();

const OPTS = {
  vocabSize: 6, hiddenSize: 12, outputSize: 6, returnSequences: true, seed: 21, backend: 'wasm',
  optimizer: 'adamw', weightDecay: 0.01, clipNorm: 2, schedule: { type: 'cosine', warmupSteps: 3, decaySteps: 40 },
} as const;
const TOKENS = Array.from({ length: 300 }, (_, k) => (k * 5 + (k >> 2)) % 6);
const SEQS = Array.from({ length: 24 }, (_, k) => TOKENS.slice(k * 7, k * 7 + 2 + (k % 9)));
const NEXT = SEQS.map((s, k) => s.map((_, t) => TOKENS[k * 7 + t + 1]));

/** The same session in both environments: fitStream, then fit with shuffling and bucketing (the RNG moves). */
async function session(m: SimpleRNN): Promise<void> {
  await m.fitStream(TOKENS, { seqLength: 9, batchSize: 3 });
  await m.fit(SEQS, NEXT, { epochs: 2, batchSize: 5, bucketByLength: true });
}

describe.skipIf(!status.run)('training in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run npm run build first (npm test does)');
    server = await serveStatic(ROOT);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('same seed, same checkpoint bytes as Node; checkpoints resume exactly across environments; fit keeps timers running', async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/browser/fixtures/plain.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');

    const node = await SimpleRNN.create(OPTS);
    await session(node);
    const nodeBytes = node.save({ from: 'node' });

    const r = await page.evaluate(
      async ({ opts, tokens, seqs, next, nodeBytes }) => {
        const { SimpleRNN } = (window as unknown as { lib: { SimpleRNN: typeof import('simple-rnn').SimpleRNN } }).lib;
        const SEQS = seqs;
        const NEXT = next;
        const m = await SimpleRNN.create(opts);
        let ticks = 0;
        const timer = setInterval(() => ticks++, 0);
        // session(), as in Node
        await m.fitStream(tokens, { seqLength: 9, batchSize: 3 });
        await m.fit(SEQS, NEXT, { epochs: 2, batchSize: 5, bucketByLength: true });
        // the page's timers ran while fit and fitStream trained (they yield between batches)
        const ticksDuring = ticks;
        const mine = Array.from(m.save({ from: 'node' }));
        // continue a Node checkpoint here, and a browser one in Node
        const fromNode = await SimpleRNN.load(new Uint8Array(nodeBytes));
        await fromNode.fit(SEQS, NEXT, { epochs: 1, batchSize: 5, bucketByLength: true });
        clearInterval(timer);
        return { mine, continued: Array.from(fromNode.save()), ticksDuring, backend: fromNode.config.backend };
      },
      { opts: OPTS, tokens: TOKENS, seqs: SEQS, next: NEXT, nodeBytes: Array.from(nodeBytes) },
    );
    expect(r.backend).toBe('wasm');
    expect(r.ticksDuring).toBeGreaterThan(0);
    expect(new Uint8Array(r.mine)).toEqual(nodeBytes); // bit-identical training in Chromium and in Node
    await node.fit(SEQS, NEXT, { epochs: 1, batchSize: 5, bucketByLength: true });
    expect(new Uint8Array(r.continued)).toEqual(node.save({ from: 'node' })); // a loaded model keeps its metadata
    const fromBrowser = await SimpleRNN.load(new Uint8Array(r.mine));
    expect(fromBrowser.getParams()).toEqual((await SimpleRNN.load(nodeBytes)).getParams());
    expect(errors).toEqual([]);
    node.dispose();
    await page.close();
  });
});
