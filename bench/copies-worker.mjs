// One of the N independent copies of bench/threads.mjs's host check: a one-thread model of its own (its own wasm
// memory, nothing shared with the other copies), trained on the same batch one step per round. The main thread
// starts a round by moving ctrl[0]; this copy runs one step and publishes the round number in ctrl[1 + slot].
import { parentPort, workerData } from 'node:worker_threads';
import { lib } from './lib.mjs';
import { CONFIGS, makeData } from './configs.mjs';

const { name, opts, slot } = workerData;
const ctrl = new Int32Array(workerData.ctrl);
const cfg = CONFIGS.find((c) => c.name === name);
const model = await lib.SimpleRNN.create(opts);
const data = makeData(cfg, new lib.Rng(7));
for (let k = 0; k < 3; k++) model.trainBatch(data.inputs, data.targets);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  const round = Atomics.load(ctrl, 0);
  if (round === seen) continue;
  seen = round;
  if (round < 0) break;
  model.trainBatch(data.inputs, data.targets);
  Atomics.store(ctrl, 1 + slot, round);
  Atomics.notify(ctrl, 1 + slot);
}
model.dispose();
parentPort.close();
