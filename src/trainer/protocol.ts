// The message protocol between a Trainer (host: the page, or a Node main thread) and its worker (a Web Worker or a
// Node worker_thread). Messages are plain structured-clone data; parameters travel as Float32Array (transferred).
//
//   host -> worker   start { job, data }   stop   sample { id, prompt, length, temperature, topK, seed }
//                    load { id, checkpoint }   dispose
//   worker -> host   started   progress*   evaluation*   snapshot*   sample   done | error   loaded
//
// One job at a time per worker. After `done` the worker keeps the trained model, so `sample` still works until the
// next `start` or `dispose`. What a job trains on is its task's business (src/trainer/task.ts): the worker script
// serves the tasks it was given, and the job names one of them.
import type { Params, SimpleRNNOptions } from '../model.js';

/** Which backend a job asks for: 'auto' (default) picks 'wasm' where WebAssembly SIMD validates, else 'js'. */
export type BackendChoice = 'auto' | 'wasm' | 'js';

/** Options shared by every job, whatever its task. An unknown key (neither these nor the task's) is refused. */
export interface JobBase {
  /** Optimizer steps (batches) to run. Default 500. */
  steps?: number;
  /** Stop after this many milliseconds even if `steps` are not done. Default: no limit. */
  timeBudgetMs?: number;
  /** Sequences per batch. Default 16. */
  batchSize?: number;
  /**
   * H: one size for every layer, or one per layer (e.g. [64, 32] with modelOptions.layers = 2). Default: the task's
   * (text 128, addition 64).
   */
  hiddenSize?: number | readonly number[];
  /** Learning rate. Default: the task's (text 0.1, addition 0.01). */
  learningRate?: number;
  /** Seed of initialisation, batch sampling and text sampling. Default 1. */
  seed?: number;
  /** Default 'auto'. The choice and its reason are reported in the `started` event, never silently. */
  backend?: BackendChoice;
  /**
   * More SimpleRNN.create options (e.g. optimizer, clipNorm, schedule, threads, layers, dropout, recurrentDropout). The
   * options the job sets (hiddenSize, learningRate, backend, seed), those its task fixes (sizes, activations,
   * returnSequences) and those it cannot train (a text job: bidirectional, goBackwards) are refused here.
   */
  modelOptions?: Partial<SimpleRNNOptions>;
  /** Minimum milliseconds between `progress` events (the training loop also yields to messages this often). Default 100. */
  progressIntervalMs?: number;
  /** When set, the parameters are also posted with this period (in steps) as `snapshot` events. Default 0 (never). */
  snapshotEvery?: number;
}

/**
 * A job: the common options, `task` (the name of a task the worker serves) and that task's own options (TextJob and
 * AdditionJob describe the two tasks of the package's worker scripts).
 */
export interface Job extends JobBase {
  /** The name of a task the worker serves (the package's scripts: 'text' or 'addition'). */
  task: string;
}

/** What Trainer.sample asks for (a task that samples text reads it; see the task's documentation for defaults). */
export interface SampleRequest {
  /** Text fed to the model first (its characters must be in the model's vocabulary). Default '': a fresh start. */
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

/** The keys of a SampleRequest (an unknown key is refused). */
export const SAMPLE_KEYS = ['prompt', 'length', 'temperature', 'topK', 'seed'] as const;

/** Starts a job (Trainer.start). */
export interface StartMessage {
  /** The message kind. */
  type: 'start';
  /** The job, read by the worker (an unknown key is refused). */
  job: Job;
  /** What the job's task trains on (a text job: the text). */
  data?: unknown;
}

/** Ends the running job at its next batch boundary (Trainer.stop). */
export interface StopMessage {
  /** The message kind. */
  type: 'stop';
}

/** Asks for text from the current model (Trainer.sample); answered by a `sample` event with the same id. */
export interface SampleMessage extends SampleRequest {
  /** The message kind. */
  type: 'sample';
  /** The request's id (an integer >= 1), repeated in the answer. */
  id: number;
}

/** Loads checkpoint bytes in place of the worker's model (Trainer.load); answered by a `loaded` event. */
export interface LoadMessage {
  /** The message kind. */
  type: 'load';
  /** The request's id (an integer >= 1), repeated in the answer. */
  id: number;
  /** model.save() bytes. */
  checkpoint: Uint8Array;
}

/** Frees the worker's model (after the running job, if one runs). */
export interface DisposeMessage {
  /** The message kind. */
  type: 'dispose';
}

/** What a host posts to its worker. */
export type HostMessage = StartMessage | StopMessage | SampleMessage | LoadMessage | DisposeMessage;

/** The keys each host message may carry (serve() refuses any other, naming it). */
export const MESSAGE_KEYS: { readonly [T in HostMessage['type']]: readonly string[] } = {
  start: ['type', 'job', 'data'],
  stop: ['type'],
  sample: ['type', 'id', ...SAMPLE_KEYS],
  load: ['type', 'id', 'checkpoint'],
  dispose: ['type'],
};

/** The job's model is built and training starts. */
export interface StartedEvent {
  /** The event kind. */
  type: 'started';
  /** The job's task. */
  task: string;
  /** The backend the model runs on ('auto' resolved). */
  backend: 'wasm' | 'js';
  /** Why this backend: e.g. "WebAssembly SIMD validated" or "WebAssembly SIMD is not supported here". */
  backendReason: string;
  /** Parameters of the model. */
  paramCount: number;
  /** Tasks over tokens: the text of each token id, index = id. */
  vocab?: string[];
  /** Optimizer steps the job will run (unless stopped or out of time). */
  steps: number;
}

/** Training progress, at most every progressIntervalMs. */
export interface ProgressEvent {
  /** The event kind. */
  type: 'progress';
  /** Optimizer steps done. */
  step: number;
  /** Optimizer steps of the job. */
  steps: number;
  /** Mean training loss of the steps since the previous event (nats per token: per character for text jobs). */
  loss: number;
  /** Input tokens (characters, or digit pairs) processed per second since the previous event. */
  tokensPerSecond: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

/** A task's test: the fraction of test sequences exactly right, per tested length, and one example. */
export interface EvaluationEvent {
  /** The event kind. */
  type: 'evaluation';
  /** Optimizer steps done. */
  step: number;
  /** Fraction of test sequences exactly right (addition: whole sums), per tested length. */
  accuracy: LengthAccuracy[];
  /** Example: one test sequence of the job's exampleLength (addition: digits most significant first). */
  example?: EvaluationExample;
}

/** The accuracy at one tested length. */
export interface LengthAccuracy {
  /** The tested length (addition: digits per number). */
  length: number;
  /** Fraction of the test sequences of that length exactly right. */
  accuracy: number;
}

/** One test of an evaluation (addition: a + b, digits most significant first). */
export interface EvaluationExample {
  /** The first operand. */
  a: string;
  /** The second operand. */
  b: string;
  /** What the model answered. */
  predicted: string;
  /** The right answer. */
  expected: string;
}

/** Text from the model: a periodic sample (id 0) or the answer to a sample request. */
export interface SampleEvent {
  /** The event kind. */
  type: 'sample';
  /** The id of the request, or 0 for a periodic sample. */
  id: number;
  /** Optimizer steps done when it was generated. */
  step: number;
  /** The generated text (the prompt not included). */
  text: string;
  /** The temperature it was sampled at. */
  temperature: number;
}

/** The parameters, every snapshotEvery steps. */
export interface SnapshotEvent {
  /** The event kind. */
  type: 'snapshot';
  /** Optimizer steps done. */
  step: number;
  /** A copy of the parameters (transferred). */
  params: Params;
}

/** The job ended: its model's parameters and checkpoint. */
export interface DoneEvent {
  /** The event kind. */
  type: 'done';
  /** Why it ended: every step done, stop(), or timeBudgetMs. */
  reason: 'completed' | 'stopped' | 'time';
  /** Optimizer steps done. */
  step: number;
  /** Mean loss of the last reported interval. */
  loss: number;
  /** Milliseconds of training. */
  elapsedMs: number;
  /** SimpleRNN.create options that rebuild the model (with setParams(params)). */
  modelOptions: SimpleRNNOptions;
  /** The trained parameters (transferred). */
  params: Params;
  /** The checkpoint: model.save(the task's metadata) bytes (SimpleRNN.load restores it exactly). */
  checkpoint: Uint8Array;
  /** Tasks over tokens: the text of each token id, index = id. */
  vocab?: string[];
}

/** A job, a message or a request failed; the worker keeps serving. */
export interface ErrorEvent {
  /** The event kind. */
  type: 'error';
  /** The error's name: 'TypeError', 'RangeError', 'Error', or another error class's. */
  name: string;
  /** The library's message, naming the API and the field: `SimpleRNN.Trainer.start: job.stepz is not an option; ...`. */
  message: string;
  /** The id of a failed sample or load request; absent when the job (or a message) failed. */
  id?: number;
}

/** A checkpoint was loaded into the worker (sample() then uses it). */
export interface LoadedEvent {
  /** The event kind. */
  type: 'loaded';
  /** The id of the load request. */
  id: number;
  /** Parameters of the loaded model. */
  paramCount: number;
  /** Optimizer steps the checkpoint had trained. */
  stepCount: number;
  /** The task that recognised the checkpoint's metadata, if one did. */
  task?: string;
  /** The token texts of that task's vocabulary, when it has one. */
  vocab?: string[];
  /** SimpleRNN.create options of the loaded model. */
  modelOptions: SimpleRNNOptions;
}

/** What a worker posts to its host. */
export type WorkerMessage = LoadedEvent | StartedEvent | ProgressEvent | EvaluationEvent | SampleEvent | SnapshotEvent | DoneEvent | ErrorEvent;

/** What the worker code needs from its side of the channel (a Web Worker's `self`, or Node's parentPort). */
export interface WorkerEndpoint {
  /** Posts a message to the host, transferring `transfer`. */
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  /** Calls `handler` with every message from the host. */
  listen(handler: (message: HostMessage) => void): void;
}
