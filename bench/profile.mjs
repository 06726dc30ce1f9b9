// Where a training step's time goes, per kernel call site, for the bench configs (wasm backend, one thread).
// Usage: node bench/profile.mjs [LM|CLS|BIG ...]. Wraps the shared wasm backend's kernels with timers.
import { lib } from './lib.mjs';
const { SimpleRNN, Rng } = lib;
import { CONFIGS, makeData } from './configs.mjs';
import { backendFromFile, modelOn } from './devbackend.mjs';

const devBe = process.env.WASM ? await backendFromFile(process.env.WASM) : null;

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const cfg of CONFIGS.filter((c) => (c.kind === 'train' || c.kind === 'infer') && (names.length === 0 || names.includes(c.name)))) {
  const model = devBe ? await modelOn(devBe, cfg.model) : await SimpleRNN.create({ ...cfg.model, backend: 'wasm', seed: 1 });
  const data = makeData(cfg, new Rng(7));
  const be = model.be;
  const times = new Map();
  const orig = {};
  for (const k of ['matmulForward', 'transpose', 'rnnForward', 'rnnBackward', 'embeddingForward', 'embeddingBackward',
    'biasBackward', 'lossForwardBackward', 'outputForward', 'sgdUpdate', 'sumSquares', 'zero', 'broadcastRows']) {
    if (typeof be[k] !== 'function') continue;
    orig[k] = be[k];
    let call = 0;
    be[k] = (...args) => {
      const t0 = performance.now();
      const r = orig[k].apply(be, args);
      const dt = performance.now() - t0;
      const key = k === 'matmulForward' ? `matmul M=${args[4]} K=${args[5]} N=${args[6]} aRow=${args[7]} aCol=${args[8]}` : k;
      times.set(key, (times.get(key) ?? 0) + dt);
      return r;
    };
  }
  const run = () => (cfg.kind === 'train' ? model.trainBatch(data.inputs, data.targets) : model.predict(data.inputs));
  for (let w = 0; w < 3; w++) run();
  times.clear();
  const steps = 30;
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) run();
  const total = (performance.now() - t0) / steps;
  for (const k of Object.keys(orig)) be[k] = orig[k];
  console.log(`\n${cfg.name}: ${total.toFixed(2)} ms/step, ${(cfg.tokens / total * 1e3 / 1e3).toFixed(1)}k tokens/s`);
  const rows = [...times].sort((a, b) => b[1] - a[1]);
  let inKernels = 0;
  for (const [k, v] of rows) {
    inKernels += v / steps;
    console.log(`  ${(v / steps).toFixed(3).padStart(8)} ms  ${((100 * v) / steps / total).toFixed(1).padStart(5)}%  ${k}`);
  }
  console.log(`  ${(total - inKernels).toFixed(3).padStart(8)} ms  ${((100 * (total - inKernels)) / total).toFixed(1).padStart(5)}%  JS (validation, input packing, output arrays)`);
  model.dispose();
}
