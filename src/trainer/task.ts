// The task interface: what a Trainer job trains on. The worker's loop (serve.ts) owns the model, the steps, the
// clock and the events; a task owns its data: its own job options, the model shape it needs, its batches, its
// periodic reports, its checkpoint metadata and, if it has text, sampling. The package's worker scripts serve the
// demo tasks (src/demos/tasks.ts: text, addition); serve(endpoint, tasks) serves any others.
import type { Inputs, Targets } from '../batch.js';
import type { SimpleRNN, SimpleRNNOptions } from '../model.js';
import type { Rng } from '../random.js';
import type { EvaluationEvent, SampleEvent, SampleRequest } from './protocol.js';

/** One training batch of a task, and how many input tokens (steps) it holds (for tokens per second). */
export interface TaskBatch {
  /** The batch's input sequences (trainBatch's first argument). */
  inputs: Inputs;
  /** Their targets (trainBatch's second argument). */
  targets: Targets;
  /** Input tokens (steps) in the batch. */
  tokens: number;
}

/** A task at work: on the data of one job, or on a loaded checkpoint (restore). */
export interface TaskSession {
  /** The SimpleRNN.create options this task fixes (sizes, activations, returnSequences); the job adds the rest. */
  readonly model: Partial<SimpleRNNOptions>;
  /** Tasks over tokens: the text of each token id, index = id (reported in the started, done and loaded events). */
  readonly vocab?: string[];
  /** A training batch of `batchSize` sequences (rng: the job's batch stream). Jobs only, not restored sessions. */
  batch(rng: Rng, batchSize: number): TaskBatch;
  /** True when report() has something to say after `step` (the training slice then ends at that step). */
  due(step: number): boolean;
  /** The task's events after the progress event of `step` (a periodic sample, an evaluation). */
  report(model: SimpleRNN, step: number): (SampleEvent | EvaluationEvent)[];
  /** Events once the job has ended at `step` (e.g. a last evaluation when the last step was not a periodic one). */
  finish(model: SimpleRNN, step: number): (SampleEvent | EvaluationEvent)[];
  /** What the checkpoint stores next to the model (model.save(metadata)); restore() reads it back. */
  metadata(): unknown;
  /** Text from the model, for Trainer.sample (tasks with a vocabulary of characters only). `api` names the caller. */
  sample?(api: string, model: SimpleRNN, request: SampleRequest, step: number): TaskSample;
}

/** A sample's text and the temperature it was drawn at. */
export interface TaskSample {
  /** The generated text. */
  text: string;
  /** The temperature used (the request's, or the job's default). */
  temperature: number;
}

/** The defaults of the common job options that depend on the task. */
export interface TaskDefaults {
  /** job.hiddenSize when the job leaves it out. */
  hiddenSize: number;
  /** job.learningRate when the job leaves it out. */
  learningRate: number;
}

/**
 * A kind of job a worker can run: its name, its own options and how to start a session on a job's data (`O` is its
 * resolved options). serve(endpoint, tasks) serves a list of them.
 */
export interface TrainerTask<O = unknown> {
  /** The `task` value of the jobs it serves. */
  readonly name: string;
  /** Its own job options (besides JobBase's); any other key of a job is refused. */
  readonly keys: readonly string[];
  /** The SimpleRNN.create options its sessions fix: job.modelOptions may not set them. */
  readonly fixes: readonly (keyof SimpleRNNOptions)[];
  /** Its defaults of the common options that depend on the task. */
  readonly defaults: TaskDefaults;
  /**
   * Refuses create options (job.modelOptions, already checked against create's keys) that the task cannot train,
   * e.g. a bidirectional model for a next-token task; throws naming job.modelOptions.<key>. Optional.
   */
  checkModel?(api: string, modelOptions: Readonly<Partial<SimpleRNNOptions>>): void;
  /** Reads its own options from the job (a snapshot whose keys are already checked); throws naming job.<key>. */
  resolve(api: string, job: Readonly<Record<string, unknown>>): O;
  /** A session on the job's data (the second argument of Trainer.start), seeded with the job's seed. */
  start(api: string, options: O, data: unknown, seed: number): TaskSession;
  /**
   * A session on a loaded model when its checkpoint metadata is this task's (else null; throws when the metadata is
   * this task's but does not fit the model). Restored sessions sample and report their vocabulary; they do not train.
   */
  restore?(api: string, model: SimpleRNN): TaskSession | null;
}
