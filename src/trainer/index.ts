// The Trainer room: a model trained off the UI thread (a Web Worker or a Node worker_thread) over a message protocol,
// on the tasks its worker script serves. No Node or DOM imports here (node.ts is the Node side, imported apart). The
// package's entries (src/demos/trainer*.ts) give the worker scripts the demo tasks.
export { Trainer, modelFrom } from './trainer.js';
export type { NodeWorkerLike, TrainerEvents, TrainResult, WebWorkerLike, WorkerLike } from './trainer.js';
export { serve, resolveJob, JOB_KEYS } from './serve.js';
export type { ResolvedJob } from './serve.js';
export { serveWebWorker, inWebWorker } from './web.js';
export type { TaskBatch, TaskDefaults, TaskSample, TaskSession, TrainerTask } from './task.js';
export { SAMPLE_KEYS } from './protocol.js';
export type {
  BackendChoice, DisposeMessage, DoneEvent, ErrorEvent, EvaluationEvent, EvaluationExample, HostMessage, Job, JobBase,
  LengthAccuracy, LoadMessage, LoadedEvent, ProgressEvent, SampleEvent, SampleMessage, SampleRequest, SnapshotEvent,
  StartMessage, StartedEvent, StopMessage, WorkerEndpoint, WorkerMessage,
} from './protocol.js';
