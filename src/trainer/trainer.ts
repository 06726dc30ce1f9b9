// The host side: a Trainer drives one worker (a browser Web Worker or a Node worker_threads Worker) with the same
// API. It posts the job, turns the worker's messages into events and promises, and never trains on its own thread.
import { SimpleRNN } from '../model.js';
import type {
  DoneEvent, ErrorEvent, EvaluationEvent, HostMessage, Job, LoadedEvent, ProgressEvent, SampleEvent, SnapshotEvent,
  StartedEvent, WorkerMessage,
} from './protocol.js';

/** A browser Worker (EventTarget) or a Node worker_threads Worker (EventEmitter). */
export type WorkerLike =
  | { postMessage(m: unknown): void; addEventListener(type: string, fn: (e: any) => void): void; terminate(): unknown }
  | { postMessage(m: unknown): void; on(type: string, fn: (...a: any[]) => void): unknown; terminate(): unknown };

export interface TrainerEvents {
  started: StartedEvent;
  progress: ProgressEvent;
  evaluation: EvaluationEvent;
  sample: SampleEvent;
  snapshot: SnapshotEvent;
  done: DoneEvent;
  error: ErrorEvent;
  loaded: LoadedEvent;
}

/** What start() resolves to: the `done` event plus a way back to a live model on this thread. */
export interface TrainResult extends DoneEvent {
  /** The trained model on the caller's thread: from the checkpoint when there is one, else create() + setParams(). */
  toModel(): Promise<SimpleRNN>;
}

export interface SampleRequest {
  /** Text fed to the model first (its characters must occur in the training text). Default '': start after a newline. */
  prompt?: string;
  /** Characters to generate. Default: the job's sampleLength (200). */
  length?: number;
  /** Softmax temperature; 0 is greedy. Default: the job's temperature (0.8). */
  temperature?: number;
  /** Sample among the topK most likely characters only; 0 = all. Default 0. */
  topK?: number;
  /** Seed of the sampling. Default: the current step + 1. */
  seed?: number;
}

function errorOf(e: { name?: string; message: string }): Error {
  const err = e.name === 'RangeError' ? new RangeError(e.message) : e.name === 'TypeError' ? new TypeError(e.message) : new Error(e.message);
  if (e.name && !['Error', 'RangeError', 'TypeError'].includes(e.name)) err.name = e.name;
  return err;
}

export class Trainer {
  private readonly worker: WorkerLike;
  private readonly listeners = new Map<keyof TrainerEvents, Set<(e: any) => void>>();
  private job: { resolve: (r: TrainResult) => void; reject: (e: Error) => void } | null = null;
  private readonly pending = new Map<number, { resolve: (t: any) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  /** Wraps a worker that runs the trainer script: `simple-rnn/worker/web` in a browser, `simple-rnn/worker/node` in Node. */
  constructor(worker: WorkerLike) {
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
   * checkpoint bytes. Rejects on a bad job or a worker failure.
   */
  start(job: Job, text?: string): Promise<TrainResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.job) return Promise.reject(new Error('SimpleRNN.Trainer.start: a job is already running; await it or stop() it first'));
    if (job?.task === 'text' && typeof text !== 'string') {
      return Promise.reject(new TypeError(`SimpleRNN.Trainer.start: a text job needs the text as the second argument; got ${typeof text}`));
    }
    return new Promise<TrainResult>((resolve, reject) => {
      this.job = { resolve, reject };
      this.send({ type: 'start', job, text });
    });
  }

  /** Asks the job to stop at its next batch boundary; start() then resolves with reason 'stopped'. */
  stop(): void {
    if (this.job && !this.dead) this.send({ type: 'stop' });
  }

  /** Generates text from the current model of a text job (during or after training). */
  sample(request: SampleRequest = {}): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'sample', id, ...request });
    });
  }

  /**
   * Loads checkpoint bytes (model.save()) into the worker in place of its model, so that sample() uses it. A text
   * job's checkpoint carries its characters in the metadata.
   */
  load(checkpoint: Uint8Array): Promise<LoadedEvent> {
    if (this.dead) return Promise.reject(this.dead);
    if (!(checkpoint instanceof Uint8Array)) return Promise.reject(new TypeError('SimpleRNN.Trainer.load: checkpoint must be a Uint8Array'));
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
