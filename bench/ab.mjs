// A/B of two wasm builds on the bench configs, interleaved step by step in one process so that both see the same
// machine load: node bench/ab.mjs old.wasm new.wasm [LM CLS ...]. Prints the best and median ms per step.
import { lib } from './lib.mjs';
const { Rng } = lib;
import { CONFIGS, makeData } from './configs.mjs';
import { backendFromFile, modelOn } from './devbackend.mjs';

const [fa, fb, ...names] = process.argv.slice(2);
const bes = [await backendFromFile(fa), await backendFromFile(fb)];
for (const cfg of CONFIGS.filter((c) => names.length === 0 || names.includes(c.name))) {
  const data = makeData(cfg, new Rng(7));
  const models = [];
  for (const be of bes) models.push(await modelOn(be, { ...cfg.model, seed: 1 }));
  const run = (m) => (cfg.kind === 'train' ? m.trainBatch(data.inputs, data.targets) : m.predict(data.inputs));
  const losses = models.map((m) => run(m));
  for (let w = 0; w < 3; w++) models.forEach(run);
  const ts = [[], []];
  const reps = Math.max(5, Math.round(3000 / Math.max(1, cfg.B * cfg.T * cfg.model.hiddenSize ** 2 / 2e6)));
  for (let r = 0; r < Math.min(reps, 40); r++) {
    for (let q = 0; q < 2; q++) {
      const t0 = performance.now();
      run(models[q]);
      ts[q].push(performance.now() - t0);
    }
  }
  const s = ts.map((t) => t.sort((x, y) => x - y));
  const f = (t) => `best ${t[0].toFixed(2)}  median ${t[t.length >> 1].toFixed(2)} ms`;
  console.log(`${cfg.name.padEnd(9)} A: ${f(s[0])}   B: ${f(s[1])}   B/A best ${(s[0][0] / s[1][0]).toFixed(2)}x  (loss ${typeof losses[0] === 'number' ? losses[0].toFixed(5) + ' / ' + losses[1].toFixed(5) : '-'})`);
  models.forEach((m) => m.dispose());
}
