// The message protocol between a Trainer (host: the page, or a Node main thread) and its worker (a Web Worker or a
// Node worker_thread). Messages are plain structured-clone data; parameters travel as Float32Array (transferred).
//
//   host -> worker   start { job }   stop   sample { id, prompt, length, temperature, topK, seed }   load { id, checkpoint }
//                    dispose
//   worker -> host   started   progress*   evaluation*   snapshot*   sample   done | error   loaded
//
// One job at a time per worker. After `done` the worker keeps the trained model, so `sample` still works until the
// next `start` or `dispose`.
import type { Params, SimpleRNNOptions } from '../model.js';

/** Which backend a job asks for: 'auto' (default) picks 'wasm' where WebAssembly SIMD validates, else 'js'. */
export type BackendChoice = 'auto' | 'wasm' | 'js';

/** Options shared by every job. */
export interface JobBase {
  /** Optimizer steps (batches) to run. Default 500. */
  steps?: number;
  /** Stop after this many milliseconds even if `steps` are not done. Default: no limit. */
  timeBudgetMs?: number;
  /** Sequences per batch. Default 16. */
  batchSize?: number;
  /** H. Default 128 (text), 64 (addition). */
  hiddenSize?: number;
  /** Learning rate. Default 0.1 (text), 0.01 (addition). */
  learningRate?: number;
  /** Seed of initialisation, batch sampling and text sampling. Default 1. */
  seed?: number;
  /** Default 'auto'. The choice and its reason are reported in the `started` event, never silently. */
  backend?: BackendChoice;
  /**
   * More SimpleRNN.create options, passed through as they are (e.g. the optimizer or clipping options of the
   * training issue). They cannot override what the job fixes (sizes, activations, returnSequences, backend, seed).
   */
  modelOptions?: Partial<SimpleRNNOptions> & Record<string, unknown>;
  /** Minimum milliseconds between `progress` events (the training loop also yields to messages this often). Default 100. */
  progressIntervalMs?: number;
  /** When set, the parameters are also posted with this period (in steps) as `snapshot` events. Default 0 (never). */
  snapshotEvery?: number;
}

/** A character-level language model on a text: predicts each next character. */
export interface TextJob extends JobBase {
  task: 'text';
  /** Characters per training window (truncated BPTT length). Default 32. */
  seqLength?: number;
  /** Post a generated sample every this many steps (0: never). Default 0. */
  sampleEvery?: number;
  /** Characters per periodic sample. Default 200. */
  sampleLength?: number;
  /** Temperature of periodic samples. Default 0.8. */
  temperature?: number;
}

/**
 * The addition task of `npm start` (src/demos/addition.ts encodes it): two decimal numbers digit by digit, least
 * significant first, one step per digit pair (20 one-hot inputs), the sum's digit at every step (10 classes).
 */
export interface AdditionJob extends JobBase {
  task: 'addition';
  /** Training numbers have 1..maxDigits digits. Default 8. */
  maxDigits?: number;
  /** Lengths (digits) tested by the `evaluation` events. Default [8, 16, 32, 64]. */
  testLengths?: number[];
  /** Sums per tested length. Default 100. */
  testCount?: number;
  /** Evaluate every this many steps (and at the end). Default 200. */
  evalEvery?: number;
  /** The evaluation's example sum comes from this tested length. Default: the longest. */
  exampleLength?: number;
}

export type Job = TextJob | AdditionJob;

export type HostMessage =
  | { type: 'start'; job: Job; text?: string }
  | { type: 'stop' }
  | { type: 'sample'; id: number; prompt?: string; length?: number; temperature?: number; topK?: number; seed?: number }
  | { type: 'load'; id: number; checkpoint: Uint8Array }
  | { type: 'dispose' };

export interface StartedEvent {
  type: 'started';
  task: Job['task'];
  backend: 'wasm' | 'js';
  /** Why this backend: e.g. "WebAssembly SIMD validated" or "WebAssembly SIMD is not supported here". */
  backendReason: string;
  paramCount: number;
  /** Text jobs: the characters, index = token id. */
  vocab?: string[];
  steps: number;
}

export interface ProgressEvent {
  type: 'progress';
  /** Optimizer steps done. */
  step: number;
  steps: number;
  /** Mean training loss of the steps since the previous event (nats per character for text jobs). */
  loss: number;
  /** Input tokens (characters, or digit pairs) processed per second since the previous event. */
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface EvaluationEvent {
  type: 'evaluation';
  step: number;
  /** Fraction of whole sums exactly right, per tested length. */
  accuracy: { length: number; accuracy: number }[];
  /** Example: the first test sum of the job's exampleLength, as digits most significant first. */
  example?: { a: string; b: string; predicted: string; expected: string };
}

export interface SampleEvent {
  type: 'sample';
  /** The id of the request, or 0 for a periodic sample. */
  id: number;
  step: number;
  text: string;
  temperature: number;
}

export interface SnapshotEvent {
  type: 'snapshot';
  step: number;
  params: Params;
}

export interface DoneEvent {
  type: 'done';
  reason: 'completed' | 'stopped' | 'time';
  step: number;
  /** Mean loss of the last reported interval. */
  loss: number;
  elapsedMs: number;
  /** SimpleRNN.create options that rebuild the model (with setParams(params)). */
  modelOptions: SimpleRNNOptions;
  params: Params;
  /** The checkpoint: model.save({ task, vocab }) bytes (SimpleRNN.load restores it exactly). */
  checkpoint: Uint8Array;
  vocab?: string[];
}

export interface ErrorEvent {
  type: 'error';
  name: string;
  message: string;
  /** The id of a failed sample request; absent when the job failed. */
  id?: number;
}

/** A checkpoint was loaded into the worker (sample() then uses it). */
export interface LoadedEvent {
  type: 'loaded';
  id: number;
  paramCount: number;
  /** Optimizer steps the checkpoint had trained. */
  stepCount: number;
  /** From the checkpoint's metadata, when it was saved by a text job. */
  vocab?: string[];
  modelOptions: SimpleRNNOptions;
}

export type WorkerMessage = LoadedEvent | StartedEvent | ProgressEvent | EvaluationEvent | SampleEvent | SnapshotEvent | DoneEvent | ErrorEvent;

/** What the worker code needs from its side of the channel (a Web Worker's `self`, or Node's parentPort). */
export interface WorkerEndpoint {
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  listen(handler: (message: HostMessage) => void): void;
}
