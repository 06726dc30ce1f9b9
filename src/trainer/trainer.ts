// The host side: a Trainer drives one worker (a browser Web Worker or a Node worker_threads Worker) with the same
// API. It posts the job, turns the worker's messages into events and promises, and never trains on its own thread.
// What a job may hold depends on the tasks its worker serves, so the worker reads the job (src/trainer/serve.ts);
// here the requests whose keys are known (sample) are checked before they are posted.
import { typeError } from '../errors.js';
import { SimpleRNN } from '../model.js';
import { readOptions } from '../options.js';
import {
  SAMPLE_KEYS, type DoneEvent, type ErrorEvent, type EvaluationEvent, type HostMessage, type Job, type LoadedEvent,
  type ProgressEvent, type SampleEvent, type SampleRequest, type SnapshotEvent, type StartedEvent, type WorkerMessage,
} from './protocol.js';

export type { SampleRequest } from './protocol.js';

/** A browser Worker (EventTarget) or a Node worker_threads Worker (EventEmitter). */
export type WorkerLike = WebWorkerLike | NodeWorkerLike;

/** The part of a browser Worker a Trainer uses. */
export interface WebWorkerLike {
  /** Sends a message to the worker. */
  postMessage(m: unknown): void;
  /** Listens to 'message', 'error' and 'messageerror'. */
  addEventListener(type: string, fn: (e: any) => void): void;
  /** Ends the worker. */
  terminate(): unknown;
}

/** The part of a Node worker_threads Worker a Trainer uses. */
export interface NodeWorkerLike {
  /** Sends a message to the worker. */
  postMessage(m: unknown): void;
  /** Listens to 'message', 'error' and 'exit'. */
  on(type: string, fn: (...a: any[]) => void): unknown;
  /** Ends the worker. */
  terminate(): unknown;
}

/** The events of a Trainer, by name (Trainer.on). */
export interface TrainerEvents {
  /** The job's model is built. */
  started: StartedEvent;
  /** Training progress. */
  progress: ProgressEvent;
  /** A task's evaluation (addition: accuracy per length). */
  evaluation: EvaluationEvent;
  /** Text from the model (periodic, or a request's answer). */
  sample: SampleEvent;
  /** The parameters, every snapshotEvery steps. */
  snapshot: SnapshotEvent;
  /** The job ended. */
  done: DoneEvent;
  /** A job, message or request failed. */
  error: ErrorEvent;
  /** A checkpoint was loaded. */
  loaded: LoadedEvent;
}

const EVENTS: readonly (keyof TrainerEvents)[] = ['started', 'progress', 'evaluation', 'sample', 'snapshot', 'done', 'error', 'loaded'];

/** What start() resolves to: the `done` event plus a way back to a live model on this thread. */
export interface TrainResult extends DoneEvent {
  /** The trained model on the caller's thread: from the checkpoint when there is one, else create() + setParams(). */
  toModel(): Promise<SimpleRNN>;
}

function errorOf(e: { name?: string; message: string }): Error {
  const err = e.name === 'RangeError' ? new RangeError(e.message) : e.name === 'TypeError' ? new TypeError(e.message) : new Error(e.message);
  if (e.name && !['Error', 'RangeError', 'TypeError'].includes(e.name)) err.name = e.name;
  return err;
}

/**
 * Trains a model in a worker (a browser Web Worker running `simple-rnn/worker/web`, or a Node worker_thread from
 * `createNodeTrainer()`) and reports on this thread: events, and promises for the job, samples and loads.
 */
export class Trainer {
  private readonly worker: WorkerLike;
  private readonly listeners = new Map<keyof TrainerEvents, Set<(e: any) => void>>();
  private job: { resolve: (r: TrainResult) => void; reject: (e: Error) => void } | null = null;
  private readonly pending = new Map<number, { resolve: (t: any) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  /** Wraps a worker that runs the trainer script: `simple-rnn/worker/web` in a browser, `simple-rnn/worker/node` in Node. */
  constructor(worker: WorkerLike) {
    const w = worker as Partial<Record<'postMessage' | 'terminate' | 'addEventListener' | 'on', unknown>> | null;
    if (w === null || typeof w !== 'object' || typeof w.postMessage !== 'function' || typeof w.terminate !== 'function' ||
      (typeof w.addEventListener !== 'function' && typeof w.on !== 'function')) {
      throw typeError('Trainer', 'worker', 'a Worker (postMessage, terminate, and addEventListener or on)', worker);
    }
    this.worker = worker;
    const onMessage = (m: WorkerMessage) => this.receive(m);
    const onFailure = (what: string) => (e: unknown) => {
      const msg = typeof e === 'string' ? e : (e as { message?: string })?.message;
      // a browser reports a worker script that failed to load with a bare Event (no message)
      const why = msg || 'its script could not be loaded or failed at startup (check the worker URL and the console)';
      this.die(new Error(`SimpleRNN.Trainer: the worker ${what}: ${why}`));
    };
    if ('addEventListener' in worker) {
      worker.addEventListener('message', (e: MessageEvent) => onMessage(e.data));
      worker.addEventListener('error', (e: { preventDefault?: () => void; message?: string }) => {
        e.preventDefault?.();
        onFailure('failed')(e);
      });
      worker.addEventListener('messageerror', onFailure('sent a message that could not be read'));
    } else {
      worker.on('message', onMessage);
      worker.on('error', onFailure('failed'));
      worker.on('exit', (code: number) => onFailure('exited')(`exit code ${code}`));
    }
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof TrainerEvents>(type: K, fn: (e: TrainerEvents[K]) => void): () => void {
    if (!EVENTS.includes(type)) throw typeError('Trainer.on', 'type', `one of ${EVENTS.map((e) => `'${e}'`).join(', ')}`, type);
    if (typeof fn !== 'function') throw typeError('Trainer.on', 'fn', 'a function', fn);
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** True between start() and the job's end. */
  get running(): boolean {
    return this.job !== null;
  }

  /**
   * Starts a job in the worker; resolves when it ends (completed, stopped or out of time) with the parameters and the
   * checkpoint bytes. `data` is what the job's task trains on (a text job: the text). Rejects on a bad job (the worker
   * reads it: an unknown key is refused by name) or a worker failure.
   */
  start<J extends Job>(job: J, data?: unknown): Promise<TrainResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.job) return Promise.reject(new Error('SimpleRNN.Trainer.start: a job is already running; await it or stop() it first'));
    if (job === null || typeof job !== 'object' || Array.isArray(job)) return Promise.reject(typeError('Trainer.start', 'job', 'a job object { task, ... }', job));
    return new Promise<TrainResult>((resolve, reject) => {
      this.job = { resolve, reject };
      this.send({ type: 'start', job, data });
    });
  }

  /** Asks the job to stop at its next batch boundary; start() then resolves with reason 'stopped'. */
  stop(): void {
    if (this.job && !this.dead) this.send({ type: 'stop' });
  }

  /** Generates text from the current model of a text job (during or after training). */
  sample(request?: SampleRequest): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    let r: SampleRequest;
    try {
      r = readOptions('Trainer.sample', request, SAMPLE_KEYS, 'request') as SampleRequest;
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'sample', id, ...r });
    });
  }

  /**
   * Loads checkpoint bytes (model.save()) into the worker in place of its model, so that sample() uses it. A text
   * job's checkpoint carries its characters in the metadata.
   */
  load(checkpoint: Uint8Array): Promise<LoadedEvent> {
    if (this.dead) return Promise.reject(this.dead);
    if (!(checkpoint instanceof Uint8Array)) return Promise.reject(typeError('Trainer.load', 'checkpoint', 'a Uint8Array (model.save() bytes)', checkpoint));
    const id = this.nextId++;
    return new Promise<LoadedEvent>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'load', id, checkpoint });
    });
  }

  /** Ends the worker; pending promises reject. */
  async terminate(): Promise<void> {
    if (!this.dead) this.die(new Error('SimpleRNN.Trainer: terminated'));
    await this.worker.terminate();
  }

  private send(m: HostMessage): void {
    this.worker.postMessage(m);
  }

  private emit<K extends keyof TrainerEvents>(type: K, e: TrainerEvents[K]): void {
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }

  private die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    this.job?.reject(err);
    this.job = null;
    for (const s of this.pending.values()) s.reject(err);
    this.pending.clear();
  }

  private receive(m: WorkerMessage): void {
    switch (m.type) {
      case 'done': {
        const result: TrainResult = { ...m, toModel: () => modelFrom(m) };
        const job = this.job;
        this.job = null;
        this.emit('done', m);
        job?.resolve(result);
        return;
      }
      case 'error': {
        this.emit('error', m);
        if (m.id !== undefined) {
          this.pending.get(m.id)?.reject(errorOf(m));
          this.pending.delete(m.id);
        } else {
          const job = this.job;
          this.job = null;
          job?.reject(errorOf(m));
        }
        return;
      }
      case 'sample':
        if (m.id !== 0) {
          this.pending.get(m.id)?.resolve(m.text);
          this.pending.delete(m.id);
        }
        this.emit('sample', m);
        return;
      case 'loaded':
        this.pending.get(m.id)?.resolve(m);
        this.pending.delete(m.id);
        this.emit('loaded', m);
        return;
      default:
        this.emit(m.type, m as never);
    }
  }
}

/** Rebuilds a trained model on the caller's thread from a `done` event (its checkpoint). */
export function modelFrom(done: DoneEvent): Promise<SimpleRNN> {
  return SimpleRNN.load(done.checkpoint);
}
