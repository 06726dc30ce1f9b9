// The options of the Trainer (jobs, requests, protocol messages) and of simple-rnn/browser, read by the validator
// kit (src/options.ts): every unknown key is refused, naming it, with the library's message. In-process and from
// src/: a Trainer is wired to serve() through a fake worker on this thread (the real workers are node-worker.test.ts
// and browser.test.ts).
import { describe, expect, test } from 'vitest';
import { deleteCheckpoint, listCheckpoints, loadCheckpoint, loadModel, saveCheckpoint, saveModel } from 'simple-rnn/browser';
import { demoTasks } from 'simple-rnn/worker';
import { resolveJob, serve } from 'simple-rnn/worker';
import { Trainer } from 'simple-rnn/worker';
import type { HostMessage, WorkerMessage } from 'simple-rnn/worker';

const TEXT = 'the cat sat on the mat. the dog sat on the log.\n'.repeat(4);

/** A Trainer and serve() on this thread, joined by a fake worker (messages cross through a macrotask, as in a worker). */
function local(): { trainer: Trainer; posted: WorkerMessage[]; send: (m: unknown) => void } {
  const toHost: ((e: { data: WorkerMessage }) => void)[] = [];
  let toWorker: (m: HostMessage) => void = () => {};
  const posted: WorkerMessage[] = [];
  serve({
    post: (m) => {
      posted.push(m);
      setTimeout(() => toHost.forEach((fn) => fn({ data: m })), 0);
    },
    listen: (handler) => (toWorker = handler),
  }, demoTasks);
  const worker = {
    postMessage: (m: unknown) => setTimeout(() => toWorker(structuredClone(m) as HostMessage), 0),
    addEventListener: (type: string, fn: (e: { data: WorkerMessage }) => void) => type === 'message' && toHost.push(fn),
    terminate: () => {},
  };
  return { trainer: new Trainer(worker), posted, send: (m) => toWorker(m as HostMessage) };
}

describe('Trainer jobs: resolveJob', () => {
  test('an unknown key is refused, naming it, with the accepted keys and a close match', () => {
    expect(() => resolveJob({ task: 'text', stepz: 3 }, demoTasks)).toThrow(
      /^SimpleRNN\.Trainer\.start: job\.stepz is not an option; expected one of task, steps, timeBudgetMs, batchSize, hiddenSize, learningRate, seed, backend, modelOptions, progressIntervalMs, snapshotEvery, seqLength, sampleEvery, sampleLength, temperature; did you mean steps\?$/,
    );
    expect(() => resolveJob({ task: 'text', stepz: 3 }, demoTasks)).toThrow(RangeError);
    // a key of another task is unknown to this one
    expect(() => resolveJob({ task: 'addition', seqLength: 8 }, demoTasks)).toThrow(/job\.seqLength is not an option; expected one of .*maxDigits, testLengths, testCount, evalEvery, exampleLength$/);
    expect(() => resolveJob({ task: 'text', modelOptions: { optimzer: 'adam' } }, demoTasks)).toThrow(/^SimpleRNN\.Trainer\.start: job\.modelOptions\.optimzer is not an option; expected one of .*; did you mean optimizer\?$/);
    expect(() => resolveJob({ task: 'text', modelOptions: { learningRate: 1 } }, demoTasks)).toThrow('SimpleRNN.Trainer.start: job.modelOptions.learningRate is set by the job; use job.learningRate');
    expect(() => resolveJob({ task: 'addition', modelOptions: { inputSize: 3 } }, demoTasks)).toThrow('SimpleRNN.Trainer.start: job.modelOptions.inputSize is fixed by the addition task');
  });

  test('values are checked with the library grammar; defaults depend on the task', () => {
    expect(() => resolveJob({ task: 'text', batchSize: 0 }, demoTasks)).toThrow('SimpleRNN.Trainer.start: job.batchSize = 0 is out of range; expected an integer in [1, 4096]');
    expect(() => resolveJob({ task: 'text', temperature: '1' }, demoTasks)).toThrow(TypeError);
    expect(() => resolveJob({ task: 'addition', testLengths: [8, 0] }, demoTasks)).toThrow(/job\.testLengths\[1\] = 0 is out of range/);
    expect(() => resolveJob({ task: 'essay' }, demoTasks)).toThrow(`SimpleRNN.Trainer.start: job.task must be 'text' or 'addition'; got "essay"`);
    expect(() => resolveJob(null, demoTasks)).toThrow(TypeError);
    const t = resolveJob({ task: 'text' }, demoTasks);
    expect(t).toMatchObject({ steps: 500, batchSize: 16, hiddenSize: 128, learningRate: 0.1, backend: 'auto', timeBudgetMs: Infinity });
    expect(t.taskOptions).toEqual({ seqLength: 32, sampleEvery: 0, sampleLength: 200, temperature: 0.8 });
    const a = resolveJob({ task: 'addition', testLengths: [4, 12] }, demoTasks);
    expect(a).toMatchObject({ hiddenSize: 64, learningRate: 0.01 });
    expect(a.taskOptions).toMatchObject({ exampleLength: 12, maxDigits: 8 });
  });
});

describe('Trainer and serve() on one thread', () => {
  test('the constructor refuses what is not a worker, naming it', () => {
    expect(() => new Trainer({} as never)).toThrow('SimpleRNN.Trainer: worker must be a Worker (postMessage, terminate, and addEventListener or on); got an object (Object)');
    const { trainer } = local();
    expect(() => trainer.on('progres' as never, () => {})).toThrow(/SimpleRNN\.Trainer\.on: type must be one of 'started', 'progress'/);
  });

  test('a text job trains; a sample request with an unknown key is refused before it is posted', async () => {
    const { trainer } = local();
    const r = await trainer.start({ task: 'text', steps: 3, hiddenSize: 8, seqLength: 8, batchSize: 2, progressIntervalMs: 1 }, TEXT);
    expect(r.step).toBe(3);
    expect(r.vocab!.slice(0, 3)).toEqual(['', '\uFFFD', '\n']);
    await expect(trainer.sample({ lenght: 5 } as never)).rejects.toThrow('SimpleRNN.Trainer.sample: request.lenght is not an option; expected one of prompt, length, temperature, topK, seed; did you mean length?');
    await expect(trainer.sample({ length: -1 })).rejects.toThrow('SimpleRNN.Trainer.sample: request.length = -1 is out of range; expected an integer in [0, 1000000]');
    const text = await trainer.sample({ prompt: 'the ', length: 12, seed: 3 });
    expect(Array.from(text)).toHaveLength(12);
    expect(Array.from(text).every((c) => TEXT.includes(c))).toBe(true);
    expect(await trainer.sample({ prompt: 'the ', length: 12, seed: 3 })).toBe(text);
    const model = await r.toModel();
    expect(model.stepCount).toBe(3);
    model.dispose();
  });

  test('a job with an unknown key rejects, naming it; the worker keeps serving', async () => {
    const { trainer } = local();
    await expect(trainer.start({ task: 'addition', steps: 2, evalEvry: 1 }, undefined)).rejects.toThrow(/^SimpleRNN\.Trainer\.start: job\.evalEvry is not an option; .*did you mean evalEvery\?$/);
    await expect(trainer.start({ task: 'addition', steps: 2 }, 'text')).rejects.toThrow(/SimpleRNN\.Trainer\.start: data must be undefined/);
    const r = await trainer.start({ task: 'addition', steps: 2, testLengths: [2], testCount: 2, hiddenSize: 8 });
    expect(r.step).toBe(2);
    await expect(trainer.sample()).rejects.toThrow('SimpleRNN.Trainer.sample: no text model yet: the addition task does not sample text; start a text job or load() a text checkpoint first');
    await expect(trainer.load([1, 2] as never)).rejects.toThrow('SimpleRNN.Trainer.load: checkpoint must be a Uint8Array (model.save() bytes); got an array of length 2');
  });

  test('protocol messages: an unknown type or key is answered with an error event naming it', async () => {
    const { send, posted } = local();
    send({ type: 'stop', now: true });
    send({ type: 'sampel', id: 1 });
    send({ type: 'sample', id: 2, promt: 'a' });
    send({ type: 'load', id: 0, checkpoint: new Uint8Array(1) });
    send('stop');
    await new Promise((ok) => setTimeout(ok, 10));
    expect(posted).toEqual([
      { type: 'error', name: 'RangeError', message: "SimpleRNN.Trainer: message.now is not a field of a 'stop' message; expected one of type" },
      { type: 'error', name: 'TypeError', message: `SimpleRNN.Trainer: message.type must be one of 'start', 'stop', 'sample', 'load', 'dispose'; got "sampel"`, id: 1 },
      { type: 'error', name: 'RangeError', message: "SimpleRNN.Trainer: message.promt is not a field of a 'sample' message; expected one of type, id, prompt, length, temperature, topK, seed; did you mean prompt?", id: 2 },
      { type: 'error', name: 'RangeError', message: 'SimpleRNN.Trainer: message.id = 0 is out of range; expected an integer in [1, 9007199254740991]', id: 0 },
      { type: 'error', name: 'TypeError', message: `SimpleRNN.Trainer: message must be a message object { type: 'start' | 'stop' | 'sample' | 'load' | 'dispose', ... }; got "stop"` },
    ]);
  });

  test('serve() refuses a task list it cannot serve', () => {
    const ep = { post: () => {}, listen: () => {} };
    expect(() => serve(ep, [])).toThrow(TypeError);
    expect(() => serve(ep, [demoTasks[0], demoTasks[0]])).toThrow('SimpleRNN.serve: tasks[1].name = "text" is a duplicate; every task needs its own name');
  });
});

describe('simple-rnn/browser options', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const model = { save: () => bytes };
  test.each([
    ['saveCheckpoint', () => saveCheckpoint('k', bytes, { dbname: 'x' } as never)],
    ['loadCheckpoint', () => loadCheckpoint('k', { dbname: 'x' } as never)],
    ['listCheckpoints', () => listCheckpoints({ dbname: 'x' } as never)],
    ['deleteCheckpoint', () => deleteCheckpoint('k', { dbname: 'x' } as never)],
    ['saveModel', () => saveModel('k', model, { dbname: 'x' } as never)],
    ['loadModel', () => loadModel('k', { dbname: 'x' } as never)],
  ])('%s refuses an unknown store option, naming it (before it needs IndexedDB)', async (api, call) => {
    await expect(call()).rejects.toThrow(`SimpleRNN.${api}: options.dbname is not an option; expected one of dbName, storeName; did you mean dbName?`);
  });

  test('store options and keys: types and empty names are refused; without IndexedDB a clear error', async () => {
    await expect(listCheckpoints({ storeName: '' })).rejects.toThrow('SimpleRNN.listCheckpoints: options.storeName is empty; expected a non-empty string');
    await expect(listCheckpoints('db' as never)).rejects.toThrow(TypeError);
    await expect(saveCheckpoint('', bytes)).rejects.toThrow('SimpleRNN.saveCheckpoint: key is empty; expected a non-empty string');
    await expect(saveCheckpoint('k', [1] as never)).rejects.toThrow('SimpleRNN.saveCheckpoint: bytes must be a Uint8Array; got an array of length 1');
    await expect(saveModel('k', {} as never)).rejects.toThrow('SimpleRNN.saveModel: model must be a model (anything with save()); got an object (Object)');
    await expect(listCheckpoints({ dbName: 'x' })).rejects.toThrow('SimpleRNN.listCheckpoints: IndexedDB is not available here');
  });
});
