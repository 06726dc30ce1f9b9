// simple-rnn/worker: the host side of the trainer (no Node or DOM imports; the worker scripts are separate entries:
// simple-rnn/worker/web for a browser Web Worker, simple-rnn/worker/node for a Node worker_thread).
export { Trainer, modelFrom } from './trainer.js';
export type { TrainerEvents, TrainResult, SampleRequest, WorkerLike } from './trainer.js';
export { serve, resolveJob } from './serve.js';
export type {
  AdditionJob, BackendChoice, DoneEvent, ErrorEvent, EvaluationEvent, HostMessage, Job, JobBase, ProgressEvent,
  LoadedEvent, SampleEvent, SnapshotEvent, StartedEvent, TextJob, WorkerEndpoint, WorkerMessage,
} from './protocol.js';
