// The worker side of the protocol: runs one job at a time on one of the tasks it serves, reports progress, answers
// sample and load requests. It is the same code in a Web Worker and in a Node worker_thread; only the endpoint differs
// (web.ts, node.ts). Every message and every job is read with the validator kit (src/options.ts): an unknown key is
// refused by name, and the error travels back to the host as an `error` event with the library's message.
import { resolveBackend } from '../backends/wasm.js';
import { CREATE_KEYS, storedModelOptions } from '../config.js';
import { rangeError, stateError, typeError } from '../errors.js';
import { SimpleRNN, type Params, type SimpleRNNOptions } from '../model.js';
import { int, num, oneOf, readOptions } from '../options.js';
import { Rng } from '../random.js';
import { MESSAGE_KEYS, type BackendChoice, type HostMessage, type Job, type SampleRequest, type WorkerEndpoint, type WorkerMessage } from './protocol.js';
import type { TaskSession, TrainerTask } from './task.js';

/** The keys of JobBase (and `task`): every job may carry them. */
export const JOB_KEYS = [
  'task', 'steps', 'timeBudgetMs', 'batchSize', 'hiddenSize', 'learningRate', 'seed', 'backend', 'modelOptions',
  'progressIntervalMs', 'snapshotEvery',
] as const;

/** create options a job sets itself (so job.modelOptions may not). */
const SET_BY_JOB = { hiddenSize: 'job.hiddenSize', learningRate: 'job.learningRate', backend: 'job.backend', seed: 'job.seed' } as const;

/** A job with every common option resolved, its task and the task's own resolved options. */
export interface ResolvedJob {
  /** The job's task. */
  task: TrainerTask;
  /** The task's own options, as its resolve() returned them. */
  taskOptions: unknown;
  /** Optimizer steps to run. */
  steps: number;
  /** Milliseconds before the job ends by time (Infinity: no limit). */
  timeBudgetMs: number;
  /** Sequences per batch. */
  batchSize: number;
  /** H: one for every layer, or one per layer (modelOptions.layers of them). */
  hiddenSize: number | number[];
  /** The learning rate. */
  learningRate: number;
  /** The seed of the model and of the batches. */
  seed: number;
  /** The backend asked for ('auto' is resolved when the model is built). */
  backend: BackendChoice;
  /** More SimpleRNN.create options. */
  modelOptions: Partial<SimpleRNNOptions>;
  /** Minimum milliseconds between progress events. */
  progressIntervalMs: number;
  /** Steps between snapshot events (0: none). */
  snapshotEvery: number;
}

/** Checks that `tasks` is a list of tasks with distinct names. */
function checkTasks(tasks: unknown): readonly TrainerTask[] {
  if (!Array.isArray(tasks) || tasks.length === 0) throw typeError('serve', 'tasks', 'a non-empty array of TrainerTask', tasks);
  const seen = new Set<string>();
  tasks.forEach((t: Partial<TrainerTask>, k) => {
    if (t === null || typeof t !== 'object' || typeof t.name !== 'string' || typeof t.resolve !== 'function' || typeof t.start !== 'function') {
      throw typeError('serve', `tasks[${k}]`, 'a TrainerTask { name, keys, fixes, defaults, resolve, start }', t);
    }
    if (seen.has(t.name)) throw rangeError('serve', `tasks[${k}].name`, `= "${t.name}" is a duplicate; every task needs its own name`);
    seen.add(t.name);
  });
  return tasks;
}

/**
 * job.hiddenSize: one size for every layer, or an array of one per layer (job.modelOptions.layers, default 1; the
 * layer count itself is checked by SimpleRNN.create).
 */
function hiddenSizeOf(api: string, v: unknown, layers: unknown, dflt: number): number | number[] {
  if (!Array.isArray(v)) return int(api, 'job.hiddenSize', v, 1, 4096, dflt);
  const L = typeof layers === 'number' ? layers : 1;
  if (v.length !== L) {
    throw rangeError(api, 'job.hiddenSize', `has ${v.length} sizes; expected one per layer (job.modelOptions.layers = ${layers ?? '1 by default'})`);
  }
  return v.map((h: unknown, l) => int(api, `job.hiddenSize[${l}]`, h, 1, 4096));
}

/** Reads a job once: its task, the common options, the task's options; throws naming the field (job.<key>). */
export function resolveJob(job: unknown, tasks: readonly TrainerTask[]): ResolvedJob {
  const api = 'Trainer.start';
  const names = tasks.map((t) => t.name);
  if (job === null || typeof job !== 'object' || Array.isArray(job)) throw typeError(api, 'job', `a job object { task: ${names.map((n) => `'${n}'`).join(' | ')}, ... }`, job);
  const name = oneOf(api, 'job.task', (job as { task?: unknown }).task, names);
  const task = tasks.find((t) => t.name === name)!;
  const o = readOptions(api, job, [...JOB_KEYS, ...task.keys], 'job');
  const modelOptions = readOptions(api, o.modelOptions, CREATE_KEYS, 'job.modelOptions');
  for (const k of Object.keys(modelOptions)) {
    if (k in SET_BY_JOB) throw rangeError(api, `job.modelOptions.${k}`, `is set by the job; use ${SET_BY_JOB[k as keyof typeof SET_BY_JOB]}`);
    if ((task.fixes as readonly string[]).includes(k)) throw rangeError(api, `job.modelOptions.${k}`, `is fixed by the ${name} task`);
  }
  task.checkModel?.(api, modelOptions as Partial<SimpleRNNOptions>);
  return {
    task,
    taskOptions: task.resolve(api, o),
    steps: int(api, 'job.steps', o.steps, 1, 1e9, 500),
    timeBudgetMs: num(api, 'job.timeBudgetMs', o.timeBudgetMs, { min: 0, max: Infinity, minOpen: true }, Infinity),
    batchSize: int(api, 'job.batchSize', o.batchSize, 1, 4096, 16),
    hiddenSize: hiddenSizeOf(api, o.hiddenSize, modelOptions.layers, task.defaults.hiddenSize),
    learningRate: num(api, 'job.learningRate', o.learningRate, { min: 0, max: Infinity, minOpen: true }, task.defaults.learningRate),
    seed: int(api, 'job.seed', o.seed, -(2 ** 31), 2 ** 32, 1),
    backend: oneOf(api, 'job.backend', o.backend, ['auto', 'wasm', 'js'] as const, 'auto'),
    modelOptions: modelOptions as Partial<SimpleRNNOptions>,
    progressIntervalMs: num(api, 'job.progressIntervalMs', o.progressIntervalMs, { min: 1, max: Infinity }, 100),
    snapshotEvery: int(api, 'job.snapshotEvery', o.snapshotEvery, 0, 1e9, 0),
  };
}

/** Reads a host message once: its type, then its keys (an unknown key is refused). */
function readMessage(msg: unknown): HostMessage {
  const api = 'Trainer';
  const types = Object.keys(MESSAGE_KEYS) as HostMessage['type'][];
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw typeError(api, 'message', `a message object { type: ${types.map((t) => `'${t}'`).join(' | ')}, ... }`, msg);
  const type = oneOf(api, 'message.type', (msg as { type?: unknown }).type, types);
  const m = readOptions(api, msg, MESSAGE_KEYS[type], 'message', `a field of a '${type}' message`) as Record<string, unknown>;
  if (MESSAGE_KEYS[type].includes('id')) int(api, 'message.id', m.id, 1, Number.MAX_SAFE_INTEGER);
  return { ...m, type } as HostMessage;
}

const now = () => performance.now();
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function paramBuffers(p: Params): ArrayBuffer[] {
  return Object.values(p).map((a) => (a as Float32Array).buffer as ArrayBuffer);
}

/** Runs the worker's message loop on an endpoint, for jobs of the given tasks. */
export function serve(ep: WorkerEndpoint, tasks: readonly TrainerTask[]): void {
  checkTasks(tasks);
  let model: SimpleRNN | null = null;
  let session: TaskSession | null = null;
  let sessionTask = '';
  let running = false;
  let stopRequested = false;
  let disposeRequested = false;
  let step = 0;
  const disposeModel = () => {
    model?.dispose();
    model = null;
    session = null;
  };

  const post = (m: WorkerMessage, transfer?: Transferable[]) => ep.post(m, transfer);
  const fail = (e: unknown, id?: number) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', name: err.name, message: err.message, ...(id === undefined ? {} : { id }) });
  };

  const run = async (rawJob: Job, data: unknown): Promise<void> => {
    const api = 'Trainer.start';
    const o = resolveJob(rawJob, tasks);
    const next = o.task.start(api, o.taskOptions, data, o.seed);
    const { backend, reason } = resolveBackend(o.backend);
    const opts = {
      ...o.modelOptions, ...next.model, hiddenSize: o.hiddenSize, learningRate: o.learningRate, backend, seed: o.seed,
    } as SimpleRNNOptions;
    disposeModel();
    model = await SimpleRNN.create(opts);
    session = next;
    sessionTask = o.task.name;
    step = 0;
    post({ type: 'started', task: o.task.name, backend, backendReason: reason, paramCount: model.paramCount, vocab: next.vocab, steps: o.steps });

    const rng = new Rng(o.seed + 1); // batches; the model's own rng is left to the model
    const t0 = now();
    let lastLoss = NaN;
    let endReason: 'completed' | 'stopped' | 'time' = 'completed';
    const periodic = (every: number) => every > 0 && step % every === 0;
    while (true) {
      if (stopRequested) {
        endReason = 'stopped';
        break;
      }
      if (step >= o.steps) break;
      if (now() - t0 >= o.timeBudgetMs) {
        endReason = 'time';
        break;
      }
      const sliceStart = now();
      let lossSum = 0;
      let n = 0;
      let tokens = 0;
      do {
        const b = next.batch(rng, o.batchSize);
        const loss = model.trainBatch(b.inputs, b.targets);
        tokens += b.tokens;
        step++;
        n++;
        lossSum += loss;
        if (next.due(step) || periodic(o.snapshotEvery)) break;
      } while (step < o.steps && now() - sliceStart < o.progressIntervalMs);
      const dt = (now() - sliceStart) / 1000;
      lastLoss = lossSum / n;
      post({ type: 'progress', step, steps: o.steps, loss: lastLoss, tokensPerSecond: dt > 0 ? tokens / dt : 0, elapsedMs: now() - t0 });
      for (const e of next.report(model, step)) post(e);
      if (periodic(o.snapshotEvery)) {
        const params = model.getParams();
        post({ type: 'snapshot', step, params }, paramBuffers(params));
      }
      await yieldToMessages();
    }
    for (const e of next.finish(model, step)) post(e);
    const params = model.getParams();
    const checkpoint = model.save(next.metadata());
    const transfer = [...paramBuffers(params), checkpoint.buffer as ArrayBuffer];
    post({
      type: 'done', reason: endReason, step, loss: lastLoss, elapsedMs: now() - t0,
      modelOptions: { ...opts }, params, checkpoint, vocab: next.vocab,
    }, transfer);
  };

  const loadCheckpoint = async (bytes: unknown) => {
    const api = 'Trainer.load';
    if (!(bytes instanceof Uint8Array)) throw typeError(api, 'checkpoint', 'a Uint8Array (model.save() bytes)', bytes);
    const loaded = await SimpleRNN.load(bytes);
    let restored: TaskSession | null = null;
    let name = '';
    try {
      for (const t of tasks) {
        restored = t.restore?.(api, loaded) ?? null;
        if (restored) {
          name = t.name;
          break;
        }
      }
    } catch (e) {
      loaded.dispose();
      throw e;
    }
    disposeModel();
    model = loaded;
    session = restored;
    sessionTask = name;
    step = loaded.stepCount;
    const modelOptions = storedModelOptions(loaded.config as unknown as Record<string, unknown>) as SimpleRNNOptions;
    return { type: 'loaded' as const, paramCount: loaded.paramCount, stepCount: step, ...(name ? { task: name } : {}), vocab: restored?.vocab, modelOptions };
  };

  const sampleText = (request: SampleRequest) => {
    const api = 'Trainer.sample';
    if (!model || !session?.sample) {
      const why = model && sessionTask ? `: the ${sessionTask} task does not sample text` : '';
      throw stateError(api, `no text model yet${why}; start a text job or load() a text checkpoint first`);
    }
    return session.sample(api, model, request, step);
  };

  const handle = (raw: unknown) => {
    let msg: HostMessage;
    try {
      msg = readMessage(raw);
    } catch (e) {
      const id = (raw as { id?: unknown } | null)?.id;
      fail(e, typeof id === 'number' ? id : undefined);
      return;
    }
    switch (msg.type) {
      case 'start':
        if (running) {
          fail(stateError('Trainer.start', 'a job is already running in this worker; stop() it first'));
          return;
        }
        running = true;
        stopRequested = false;
        disposeRequested = false;
        run(msg.job, msg.data)
          .catch((e) => fail(e))
          .finally(() => {
            running = false;
            if (disposeRequested) disposeModel();
          });
        return;
      case 'stop':
        stopRequested = true;
        return;
      case 'sample': {
        const { type: _t, id, ...request } = msg;
        try {
          const { text, temperature } = sampleText(request);
          post({ type: 'sample', id, step, text, temperature });
        } catch (e) {
          fail(e, id);
        }
        return;
      }
      case 'load':
        if (running) {
          fail(stateError('Trainer.load', 'a job is running in this worker; stop() it first'), msg.id);
          return;
        }
        loadCheckpoint(msg.checkpoint).then(
          (e) => post({ ...e, id: msg.id }),
          (e) => fail(e, msg.id),
        );
        return;
      case 'dispose':
        stopRequested = true;
        if (running) disposeRequested = true; // the job ends at its next batch boundary, then the model is freed
        else disposeModel();
        return;
    }
  };
  ep.listen(handle);
}
