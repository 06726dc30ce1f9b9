// The trainer's Node side: the same Trainer API in a worker_thread (the built dist/, ESM and CJS), and the backend
// choice when WebAssembly SIMD is missing. The browser side is in browser.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ROOT } from './harness.js';
import type { ProgressEvent, StartedEvent, Trainer } from '../../src/worker/index.js';

const TEXT = 'abcabd abcabd abcabd. the cat sat on the mat.\n'.repeat(20);

describe('Trainer in a Node worker_thread (dist/worker-node)', () => {
  let trainer: Trainer;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/worker-node.js'))) throw new Error('dist/worker-node.js is missing: run npm run build first (npm test does)');
    const { createNodeTrainer } = await import(join(ROOT, 'dist/worker-node.js'));
    trainer = createNodeTrainer();
  });
  afterAll(async () => {
    await trainer?.terminate();
  });

  test('a text job: started, progress (step, loss, tokens/s) with a falling loss, samples, done with params and a checkpoint', async () => {
    const started: StartedEvent[] = [];
    const progress: ProgressEvent[] = [];
    const periodic: string[] = [];
    const offs = [
      trainer.on('started', (e) => started.push(e)),
      trainer.on('progress', (e) => progress.push(e)),
      trainer.on('sample', (e) => e.id === 0 && periodic.push(e.text)),
    ];
    const job = { task: 'text', steps: 120, hiddenSize: 32, seqLength: 16, batchSize: 8, learningRate: 0.01, seed: 3,
      sampleEvery: 60, sampleLength: 30, progressIntervalMs: 5, modelOptions: { optimizer: 'adam' } } as const;
    const r = await trainer.start(job, TEXT);
    offs.forEach((off) => off());

    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ task: 'text', backend: 'wasm', backendReason: 'WebAssembly SIMD validated', steps: 120 });
    expect(started[0].vocab).toEqual([...new Set(TEXT)].sort());
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.map((p) => p.step)).toEqual([...progress.map((p) => p.step)].sort((a, b) => a - b));
    expect(progress.at(-1)!.step).toBe(120);
    for (const p of progress) {
      expect(p.tokensPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(p.loss)).toBe(true);
    }
    expect(progress.at(-1)!.loss).toBeLessThan(0.6 * progress[0].loss);
    expect(periodic).toHaveLength(2); // at steps 60 and 120
    expect(periodic[0]).toHaveLength(30);

    expect(r.reason).toBe('completed');
    expect(r.step).toBe(120);
    expect(r.params.Ws).toBeInstanceOf(Float32Array);
    expect(r.params.Ws.length).toBe((32 + r.vocab!.length) * 32);
    expect(r.checkpoint!.length).toBeGreaterThan(1000);

    // the trained model on this thread: from the checkpoint, same parameters, same greedy text as the worker
    const model = await r.toModel();
    expect(model.getParams().Ws).toEqual(r.params.Ws);
    expect((model as unknown as { metadata: unknown }).metadata).toEqual({ task: 'text', vocab: r.vocab });
    const ids = (s: string) => Array.from(s, (c) => r.vocab!.indexOf(c));
    const local = model.generate({ prompt: ids('the c'), length: 20, temperature: 0 }).map((k) => r.vocab![k]).join('');
    expect(await trainer.sample({ prompt: 'the c', length: 20, temperature: 0 })).toBe(local);
    model.dispose();
  });

  test('stop() ends a job at a batch boundary with reason "stopped"; a time budget ends it with reason "time"', async () => {
    const job = { task: 'text', steps: 1_000_000, hiddenSize: 16, seqLength: 8, batchSize: 4, progressIntervalMs: 5 } as const;
    const running = trainer.start(job, TEXT);
    await new Promise<void>((ok) => {
      const off = trainer.on('progress', (e) => e.step >= 20 && (off(), ok()));
    });
    expect(trainer.running).toBe(true);
    trainer.stop();
    const r = await running;
    expect(r.reason).toBe('stopped');
    expect(r.step).toBeGreaterThanOrEqual(20);
    expect(r.step).toBeLessThan(1_000_000);
    expect(trainer.running).toBe(false);

    const t = await trainer.start({ ...job, timeBudgetMs: 200 }, TEXT);
    expect(t.reason).toBe('time');
  });

  test('an addition job reports accuracy per tested length', async () => {
    const evals: { step: number; accuracy: { length: number; accuracy: number }[] }[] = [];
    const off = trainer.on('evaluation', (e) => evals.push(e));
    const r = await trainer.start({ task: 'addition', steps: 1500, evalEvery: 750, testLengths: [8, 24], testCount: 50, seed: 2,
      hiddenSize: 64, batchSize: 32, learningRate: 0.01, modelOptions: { optimizer: 'adam', clipNorm: 1 } });
    off();
    expect(evals.map((e) => e.step)).toEqual([750, 1500]);
    expect(evals[1].accuracy.map((a) => a.length)).toEqual([8, 24]);
    for (const a of evals[1].accuracy) expect(a.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.modelOptions).toMatchObject({ inputSize: 20, outputSize: 10, returnSequences: true });
  });

  test('bad jobs and requests reject with errors naming the field', async () => {
    await expect(trainer.start({ task: 'text', steps: 0 }, TEXT)).rejects.toThrow(/^SimpleRNN\.Trainer\.start: job\.steps = 0 is invalid; expected an integer in \[1, 1000000000\]$/);
    await expect(trainer.start({ task: 'text', seqLength: 40 }, 'short text')).rejects.toThrow(RangeError);
    await expect(trainer.start({ task: 'text' }, 'short text')).rejects.toThrow(/text has 10 characters; expected at least seqLength \+ 2 = 34/);
    await expect(trainer.start({ task: 'text' } as never)).rejects.toThrow(/a text job needs the text as the second argument/);
    await expect(trainer.start({ task: 'poetry' } as never)).rejects.toThrow(/job\.task must be 'text' or 'addition'; got "poetry"/);
    await expect(trainer.start({ task: 'text', backend: 'gpu' } as never, TEXT)).rejects.toThrow(/job\.backend must be 'auto', 'wasm' or 'js'; got "gpu"/);
    await expect(trainer.start({ task: 'addition', modelOptions: { optimizer: 'lion' } } as never)).rejects.toThrow(/optimizer/);
    // the worker still works after failures; the last model is an addition model: no text to sample
    await expect(trainer.sample()).rejects.toThrow(/no text model yet/);
    await expect(trainer.load(new Uint8Array([1, 2, 3]))).rejects.toThrow(/SimpleRNN\.load/);
    const r = await trainer.start({ task: 'text', steps: 2, hiddenSize: 8, seqLength: 8, batchSize: 2 }, TEXT);
    expect(r.reason).toBe('completed');
    await expect(trainer.sample({ prompt: 'xyz' })).rejects.toThrow(/prompt\[0\] = "x" is not in the training text's vocabulary/);
  });

  test('the js backend in the worker, and a loaded checkpoint', async () => {
    let backend = '';
    const off = trainer.on('started', (e) => (backend = `${e.backend}: ${e.backendReason}`));
    const r = await trainer.start({ task: 'text', steps: 5, hiddenSize: 8, seqLength: 8, batchSize: 2, backend: 'js' }, TEXT);
    off();
    expect(backend).toBe("js: backend: 'js' was requested");
    const loaded = await trainer.load(r.checkpoint!);
    expect(loaded).toMatchObject({ stepCount: 5, vocab: r.vocab, paramCount: expect.any(Number) });
    expect(await trainer.sample({ length: 12, seed: 1 })).toHaveLength(12);
  });

  test('a checkpoint of `simple-rnn train` (character Vocabulary in its metadata) loads into the worker and samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simple-rnn-cli-'));
    try {
      writeFileSync(join(dir, 'text.txt'), TEXT);
      execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'train', '--text', join(dir, 'text.txt'), '--steps', '4', '--hidden-size', '16',
        '--seq-length', '8', '--batch-size', '2', '--chunks', '1', '--sample-every', '0', '--checkpoint', join(dir, 'model.rnn')], { stdio: 'pipe' });
      const loaded = await trainer.load(new Uint8Array(readFileSync(join(dir, 'model.rnn'))));
      expect(loaded.stepCount).toBe(4);
      expect(loaded.vocab!.slice(0, 3)).toEqual(['', '\uFFFD', '\n']); // pad, unk, eos
      for (const c of new Set(TEXT)) expect(loaded.vocab).toContain(c);
      const text = await trainer.sample({ prompt: 'the ', length: 40, seed: 2 });
      expect(Array.from(text).every((c) => loaded.vocab!.includes(c))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the CJS build starts the same worker', async () => {
    const require = createRequire(import.meta.url);
    const { createNodeTrainer } = require(join(ROOT, 'dist/worker-node.cjs'));
    const t = createNodeTrainer();
    try {
      const r = await t.start({ task: 'addition', steps: 3, testLengths: [2], testCount: 2 });
      expect(r.step).toBe(3);
    } finally {
      await t.terminate();
    }
  });
});

describe('package entries', () => {
  /** Every module an entry loads, following relative imports (the ESM chunks). */
  function imports(entry: string): { file: string; specifiers: string[] }[] {
    const seen = new Map<string, string[]>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      const src = readFileSync(file, 'utf8');
      const specs = [...src.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
      seen.set(file, specs);
      for (const s of specs) if (s.startsWith('.')) visit(join(dirname(file), s));
    };
    visit(join(ROOT, 'dist', entry));
    return [...seen].map(([file, specifiers]) => ({ file, specifiers }));
  }

  test.each(['index.js', 'worker.js', 'worker-web.js', 'browser.js', 'index.cjs', 'worker.cjs', 'worker-web.cjs', 'browser.cjs'])(
    'dist/%s (browser-safe) loads nothing but its own chunks: no node: built-ins, no bare imports',
    (entry) => {
      const mods = imports(entry);
      expect(mods.length).toBeGreaterThan(0);
      for (const m of mods) expect(m.specifiers.filter((s) => !s.startsWith('./')), m.file).toEqual([]);
    },
  );

  test('dist/worker-node.js is the entry that imports worker_threads', () => {
    expect(imports('worker-node.js')[0].specifiers.filter((s) => /^(node:)?worker_threads$/.test(s))).toHaveLength(1);
  });
});

describe('backend choice', () => {
  test("without WebAssembly SIMD: backend 'wasm' throws a clear error, 'auto' resolves to 'js' with the reason", async () => {
    vi.resetModules();
    const spy = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const { SimpleRNN, resolveBackend, wasmSimdSupported } = await import('../../src/index.js');
      expect(wasmSimdSupported()).toBe(false);
      await expect(SimpleRNN.create({ vocabSize: 3, hiddenSize: 4, outputSize: 3 })).rejects.toThrow(
        'SimpleRNN: this runtime does not support WebAssembly SIMD (the wasm backend needs it); use backend: "js"',
      );
      expect(resolveBackend('auto')).toEqual({ backend: 'js', reason: 'WebAssembly SIMD is not supported here; using the pure-JS backend' });
      expect(resolveBackend('wasm').backend).toBe('wasm'); // an explicit choice is kept (and create() then throws)
      const m = await SimpleRNN.create({ vocabSize: 3, hiddenSize: 4, outputSize: 3, backend: resolveBackend().backend });
      expect(m.config.backend).toBe('js');
      m.dispose();
    } finally {
      spy.mockRestore();
    }
    const { resolveBackend } = await import('../../src/index.js');
    expect(resolveBackend('auto')).toEqual({ backend: 'wasm', reason: 'WebAssembly SIMD validated' });
    expect(() => resolveBackend('gpu' as never)).toThrow(/backend must be one of 'auto', 'wasm', 'js'; got gpu/);
  });
});
