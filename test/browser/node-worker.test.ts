// The trainer's Node side: the same Trainer API in a worker_thread (the built dist/, ESM and CJS), and the backend
// choice when WebAssembly SIMD is missing. The browser side is in browser.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ROOT } from './harness.js';
import type { ProgressEvent, StartedEvent, Trainer } from 'simple-rnn/worker';
import { Vocabulary, type VocabularyJSON } from 'simple-rnn';

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
    // the library's char Vocabulary: reserved ids (pad '', unk U+FFFD, eos a line break), then the text's characters
    expect(started[0].vocab!.slice(0, 3)).toEqual(['', '\uFFFD', '\n']);
    expect(new Set(started[0].vocab!.slice(3))).toEqual(new Set(TEXT));
    expect(started[0].vocab).toHaveLength(3 + new Set(TEXT).size);
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
    const meta = (model as unknown as { metadata: { task: string; vocabulary: VocabularyJSON } }).metadata;
    expect(meta.task).toBe('text');
    const vocab = Vocabulary.fromJSON(meta.vocabulary);
    expect(vocab.tokenizer.level).toBe('char');
    expect(vocab.size).toBe(r.vocab!.length);
    const ids = (s: string) => Array.from(vocab.encode(s));
    const local = model.generate({ prompt: ids('the c'), length: 20, temperature: 0 }).map((k) => r.vocab![k]).join('');
    expect(await trainer.sample({ prompt: 'the c', length: 20, temperature: 0 })).toBe(local);
    model.dispose();
  });

  test('a 2-layer text job (a hidden size per layer, dropout): the loss falls; sampling steps the stacked state', async () => {
    const progress: ProgressEvent[] = [];
    let started: StartedEvent | undefined;
    const offs = [trainer.on('progress', (e) => progress.push(e)), trainer.on('started', (e) => (started = e))];
    const job = { task: 'text', steps: 150, hiddenSize: [32, 24], seqLength: 16, batchSize: 8, learningRate: 0.01, seed: 3,
      sampleEvery: 75, sampleLength: 20, progressIntervalMs: 5, modelOptions: { optimizer: 'adam', layers: 2, dropout: 0.1, recurrentDropout: 0.05 } } as const;
    const r = await trainer.start(job, TEXT);
    offs.forEach((off) => off());
    expect(r.reason).toBe('completed');
    expect(progress.at(-1)!.loss).toBeLessThan(0.6 * progress[0].loss);
    const V = r.vocab!.length;
    expect(r.modelOptions).toMatchObject({ layers: 2, hiddenSize: [32, 24], dropout: 0.1, recurrentDropout: 0.05, vocabSize: V });
    expect(r.params.Ws.length).toBe((32 + V) * 32); // layer 0 reads the token ids
    expect((r.params as unknown as Record<string, Float32Array>).Ws_l1.length).toBe((24 + 32) * 24); // layer 1 reads layer 0's states
    expect(started!.paramCount).toBeGreaterThanOrEqual(Object.values(r.params).reduce((n, p) => n + p.length, 0)); // + alignment

    const model = await r.toModel();
    expect(model.config).toMatchObject({ layers: 2, hiddenSize: [32, 24] });
    expect(model.stateSize).toBe(56);
    const vocab = Vocabulary.fromJSON((model as unknown as { metadata: { vocabulary: VocabularyJSON } }).metadata.vocabulary);
    const local = model.generate({ prompt: Array.from(vocab.encode('the c')), length: 20, temperature: 0 }).map((k) => r.vocab![k]).join('');
    expect(await trainer.sample({ prompt: 'the c', length: 20, temperature: 0 })).toBe(local);
    model.dispose();
    // the checkpoint loads back into the worker and samples there too
    expect(await trainer.load(r.checkpoint!)).toMatchObject({ task: 'text', stepCount: 150, modelOptions: { layers: 2, hiddenSize: [32, 24] } });
    expect(await trainer.sample({ prompt: 'the c', length: 20, temperature: 0 })).toBe(local);
  });

  test('a text job refuses a model that reads backwards; hidden sizes must be one per layer; an addition job may be bidirectional', async () => {
    await expect(trainer.start({ task: 'text', modelOptions: { bidirectional: true } }, TEXT)).rejects.toThrow(
      /^SimpleRNN\.Trainer\.start: job\.modelOptions\.bidirectional = true cannot train the text task: it predicts each next character, and such a model reads each window from its end, so it would see the characters it must predict, and it cannot be sampled step by step$/,
    );
    await expect(trainer.start({ task: 'text', modelOptions: { goBackwards: true } }, TEXT)).rejects.toThrow(/job\.modelOptions\.goBackwards = true cannot train the text task/);
    await expect(trainer.start({ task: 'text', hiddenSize: [16, 8] }, TEXT)).rejects.toThrow(/^SimpleRNN\.Trainer\.start: job\.hiddenSize has 2 sizes; expected one per layer \(job\.modelOptions\.layers = 1 by default\)$/);
    await expect(trainer.start({ task: 'text', hiddenSize: [16, 0], modelOptions: { layers: 2 } }, TEXT)).rejects.toThrow(/job\.hiddenSize\[1\] = 0 is out of range; expected an integer in \[1, 4096\]/);
    await expect(trainer.start({ task: 'text', modelOptions: { layers: 2, dropuot: 0.1 } as never }, TEXT)).rejects.toThrow(/job\.modelOptions\.dropuot is not an option; .*did you mean dropout\?/);
    await expect(trainer.start({ task: 'text', modelOptions: { dropout: 0.1 } }, TEXT)).rejects.toThrow(/options\.dropout = 0\.1 needs layers >= 2/);

    const evals: { accuracy: { length: number; accuracy: number }[] }[] = [];
    const off = trainer.on('evaluation', (e) => evals.push(e));
    const r = await trainer.start({ task: 'addition', steps: 600, evalEvery: 600, testLengths: [8], testCount: 50, seed: 2, hiddenSize: 32,
      batchSize: 32, learningRate: 0.01, modelOptions: { optimizer: 'adam', clipNorm: 1, bidirectional: true } });
    off();
    expect(r.modelOptions).toMatchObject({ bidirectional: true });
    expect(evals).toHaveLength(1);
    expect(evals[0].accuracy[0].accuracy).toBeGreaterThanOrEqual(0.5); // it reads whole sums with predict

    // a bidirectional model saved with a text vocabulary is refused at load, by name
    const lib = await import(join(ROOT, 'dist/index.js'));
    const vocab = Vocabulary.fromText(TEXT, { level: 'char' });
    const bi = await lib.SimpleRNN.create({ vocabSize: vocab.size, hiddenSize: 8, outputSize: vocab.size, returnSequences: true, bidirectional: true });
    const bytes = bi.save({ task: 'text', vocabulary: vocab.toJSON() });
    bi.dispose();
    await expect(trainer.load(bytes)).rejects.toThrow(/^SimpleRNN\.Trainer\.load: checkpoint has a model with bidirectional: true, which reads each window from its end, .*; a text model must read forward only$/);
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
    await expect(trainer.start({ task: 'text', steps: 0 }, TEXT)).rejects.toThrow(/^SimpleRNN\.Trainer\.start: job\.steps = 0 is out of range; expected an integer in \[1, 1000000000\]$/);
    await expect(trainer.start({ task: 'text', stepz: 10 }, TEXT)).rejects.toThrow(/^SimpleRNN\.Trainer\.start: job\.stepz is not an option; expected one of task, steps, .*seqLength.*; did you mean steps\?$/);
    await expect(trainer.start({ task: 'addition', seqLength: 10 })).rejects.toThrow(/job\.seqLength is not an option; expected one of .*maxDigits/);
    await expect(trainer.start({ task: 'text', modelOptions: { optimzer: 'adam' } as never }, TEXT)).rejects.toThrow(/job\.modelOptions\.optimzer is not an option; .*did you mean optimizer\?/);
    await expect(trainer.start({ task: 'text', modelOptions: { hiddenSize: 8 } }, TEXT)).rejects.toThrow(/job\.modelOptions\.hiddenSize is set by the job; use job\.hiddenSize/);
    await expect(trainer.start({ task: 'text', modelOptions: { vocabSize: 8 } }, TEXT)).rejects.toThrow(/job\.modelOptions\.vocabSize is fixed by the text task/);
    await expect(trainer.sample({ prompt: 'a', temperatur: 0 } as never)).rejects.toThrow(/^SimpleRNN\.Trainer\.sample: request\.temperatur is not an option; expected one of prompt, length, temperature, topK, seed; did you mean temperature\?$/);
    await expect(trainer.start({ task: 'text', seqLength: 40 }, 'short text')).rejects.toThrow(RangeError);
    await expect(trainer.start({ task: 'text' }, 'short text')).rejects.toThrow(/text has 10 characters; expected at least seqLength \+ 2 = 34/);
    await expect(trainer.start({ task: 'text' } as never)).rejects.toThrow(/text must be a string \(a text job trains on the text, start\(\)'s second argument\); got undefined/);
    await expect(trainer.start({ task: 'poetry' } as never)).rejects.toThrow(/job\.task must be 'text' or 'addition'; got "poetry"/);
    await expect(trainer.start({ task: 'text', backend: 'gpu' } as never, TEXT)).rejects.toThrow(/job\.backend must be one of 'auto', 'wasm', 'js'; got "gpu"/);
    await expect(trainer.start({ task: 'addition', modelOptions: { optimizer: 'lion' } } as never)).rejects.toThrow(/optimizer/);
    // the worker still works after failures; the last model is an addition model: no text to sample
    await expect(trainer.sample()).rejects.toThrow(/no text model yet/);
    await expect(trainer.load(new Uint8Array([1, 2, 3]))).rejects.toThrow(/SimpleRNN\.load/);
    const r = await trainer.start({ task: 'text', steps: 2, hiddenSize: 8, seqLength: 8, batchSize: 2 }, TEXT);
    expect(r.reason).toBe('completed');
    await expect(trainer.sample({ prompt: 'xyz' })).rejects.toThrow(/request\.prompt\[0\] = "x" is not in the training text's vocabulary/);
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
      const { SimpleRNN, resolveBackend, wasmSimdSupported } = await import('simple-rnn');
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
    const { resolveBackend } = await import('simple-rnn');
    expect(resolveBackend('auto')).toEqual({ backend: 'wasm', reason: 'WebAssembly SIMD validated' });
    expect(() => resolveBackend('gpu' as never)).toThrow(/backend must be one of 'auto', 'wasm', 'js'; got gpu/);
  });
});
