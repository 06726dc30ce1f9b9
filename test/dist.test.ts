// The built package (dist/, wasm inlined) in Node: ESM import and CJS require, in fresh processes. The main entry
// carries the strict build only; the relaxed-SIMD and threads builds are chunks loaded by the models that ask.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const dist = resolve(root, 'dist');
const script = (load: string) => `
  ${load}
  (async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 6, outputSize: 3, seed: 2 });
    const p = m.predict([[1, 2, 3], [4]]);
    const loss = m.trainBatch([[1, 2, 3], [4]], [0, 2]);
    m.dispose();
    console.log(JSON.stringify({ p, loss }));
  })();`;

describe.runIf(existsSync(resolve(root, 'dist/index.js')))('dist/ in Node', () => {
  it('ESM import and CJS require give the same predictions as the source', async () => {
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', script(`import { SimpleRNN } from ${JSON.stringify(resolve(root, 'dist/index.js'))};`)], { encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', script(`const { SimpleRNN } = require(${JSON.stringify(resolve(root, 'dist/index.cjs'))});`)], { encoding: 'utf8' });
    const a = JSON.parse(esm);
    expect(JSON.parse(cjs)).toEqual(a);
    const { SimpleRNN } = await import('../src/index.js');
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 6, outputSize: 3, seed: 2 });
    expect(m.predict([[1, 2, 3], [4]])).toEqual(a.p);
    m.dispose();
  });
});

describe.runIf(existsSync(resolve(root, 'dist/node.js')))('dist/ entries simple-rnn/node and simple-rnn/keras in Node', () => {
  // saves a model as ONNX and loads it back through the built Node entry, and reads a Keras fixture through the built
  // Keras entry: the model they return is the main entry's own SimpleRNN (one class, one wasm instance)
  const entryScript = (load: string, dir: string) => `
    ${load}
    (async () => {
      const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 6, outputSize: 3, seed: 2 });
      const path = ${JSON.stringify(dir)} + '/m-' + process.pid + '.onnx';
      await saveModel(m, path);
      const back = await loadModel(path);
      const k = await fromKerasFile(readFileSync(${JSON.stringify(resolve(root, 'test/fixtures/keras/stacked.keras'))}));
      const out = { same: back instanceof SimpleRNN && k instanceof SimpleRNN, p: back.predict([[1, 2, 3], [4]]), q: m.predict([[1, 2, 3], [4]]), layers: k.config.layers };
      m.dispose(); back.dispose(); k.dispose(); unlinkSync(path);
      console.log(JSON.stringify(out));
    })();`;
  it('ESM import and CJS require: a saved model loads back as the same SimpleRNN class with the same predictions', () => {
    const dir = tmpdir();
    const q = (f: string) => JSON.stringify(resolve(root, f));
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', entryScript(
      `import { SimpleRNN } from ${q('dist/index.js')}; import { loadModel, saveModel } from ${q('dist/node.js')}; import { fromKerasFile } from ${q('dist/keras.js')}; import { readFileSync, unlinkSync } from 'node:fs';`, dir)], { encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', entryScript(
      `const { SimpleRNN } = require(${q('dist/index.cjs')}); const { loadModel, saveModel } = require(${q('dist/node.cjs')}); const { fromKerasFile } = require(${q('dist/keras.cjs')}); const { readFileSync, unlinkSync } = require('node:fs');`, dir)], { encoding: 'utf8' });
    for (const r of [JSON.parse(esm), JSON.parse(cjs)]) {
      expect(r.same).toBe(true);
      expect(r.p).toEqual(r.q);
      expect(r.layers).toBe(2);
    }
  });
});

/** Windows of a build's base64 (as the binary loader inlines it) that occur in no other build's base64. */
function markers(build: string, others: string[]): string[] {
  const b64 = (f: string) => readFileSync(resolve(root, 'build', f)).toString('base64');
  const mine = b64(build);
  const theirs = others.map(b64);
  const out: string[] = [];
  for (let at = 0; at + 48 <= mine.length && out.length < 8; at += 48) {
    const w = mine.slice(at, at + 48);
    if (theirs.every((t) => !t.includes(w))) out.push(w);
  }
  return out;
}

/** An ESM entry and the chunks it imports statically (import … from, export … from, import "…"), not import(). */
function eagerEsm(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s*(?:[\w*{}\s,$]*?\sfrom\s*)?["'](\.[^"']+)["']/gm)) visit(join(dirname(file), m[1]));
  };
  visit(resolve(dist, entry));
  return [...seen];
}

const WASM = ['simple-rnn.wasm', 'simple-rnn-relaxed.wasm', 'simple-rnn-threads.wasm', 'simple-rnn-threads-relaxed.wasm'];
const wasmBuilt = WASM.every((f) => existsSync(resolve(root, 'build', f)));

describe.runIf(existsSync(resolve(dist, 'index.js')) && wasmBuilt)('dist/ bundle: only the strict build is loaded up front', () => {
  const [strict, relaxed, threads, threadsRelaxed] = WASM.map((f, k) => ({ name: f, marks: markers(f, WASM.filter((_, j) => j !== k)) }));
  const has = (files: string[], marks: string[]) => files.some((f) => marks.some((w) => readFileSync(f, 'latin1').includes(w)));

  it('each build has markers that tell it from the others', () => {
    for (const b of [strict, relaxed, threads, threadsRelaxed]) expect(b.marks.length, b.name).toBeGreaterThan(0);
  });

  it('dist/index.js and its static chunks hold the strict build and none of the relaxed and threads builds', () => {
    const files = eagerEsm('index.js');
    expect(has(files, strict.marks)).toBe(true);
    for (const b of [relaxed, threads, threadsRelaxed]) expect(has(files, b.marks), b.name).toBe(false);
    // the others are in chunks of their own, which dist/ ships
    const all = readdirSync(dist).filter((f) => f.endsWith('.js')).map((f) => resolve(dist, f));
    for (const b of [relaxed, threads, threadsRelaxed]) expect(has(all.filter((f) => !files.includes(f)), b.marks), b.name).toBe(true);
  });

  it('CJS: require("dist/index.cjs") loads neither; a threaded model loads the threads chunk, a relaxed model the relaxed one', () => {
    const out = execFileSync(process.execPath, ['-e', `
      const { SimpleRNN } = require(${JSON.stringify(resolve(dist, 'index.cjs'))});
      const loaded = () => Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(dist)}));
      (async () => {
        const eager = loaded();
        const t = await SimpleRNN.create({ inputSize: 3, hiddenSize: 8, outputSize: 2, seed: 1, threads: 2 });
        const threads = t.threads;
        t.trainBatch([[[1, 0, 0], [0, 1, 0]], [[0, 0, 1]]], [0, 1]);
        t.dispose();
        const afterThreads = loaded();
        const r = await SimpleRNN.create({ inputSize: 3, hiddenSize: 8, outputSize: 2, seed: 1, simd: 'relaxed' });
        const simd = [r.simd, r.simdFallback];
        r.dispose();
        console.log(JSON.stringify({ eager, threads, afterThreads, simd, afterRelaxed: loaded() }));
      })();`], { encoding: 'utf8' });
    const r = JSON.parse(out) as { eager: string[]; threads: number; afterThreads: string[]; simd: [string, string | null]; afterRelaxed: string[] };
    expect(has(r.eager, strict.marks)).toBe(true);
    expect(has(r.eager, relaxed.marks)).toBe(false);
    expect(has(r.eager, threads.marks)).toBe(false);
    expect(r.threads).toBe(2);
    expect(has(r.afterThreads, threads.marks)).toBe(true);
    expect(has(r.afterThreads, relaxed.marks)).toBe(false);
    expect(r.simd).toEqual(['relaxed', null]); // Node 20: the flag is turned on at run time (src/backends/wasm.ts)
    expect(has(r.afterRelaxed, relaxed.marks)).toBe(true);
  });

  it('ESM: a threaded model and a relaxed model from dist/index.js load their chunks and train', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
      import { SimpleRNN } from ${JSON.stringify(resolve(dist, 'index.js'))};
      const t = await SimpleRNN.create({ inputSize: 3, hiddenSize: 8, outputSize: 2, seed: 1, threads: 2 });
      const loss = t.trainBatch([[[1, 0, 0], [0, 1, 0]], [[0, 0, 1]]], [0, 1]);
      const threads = t.threads;
      t.dispose();
      const r = await SimpleRNN.create({ inputSize: 3, hiddenSize: 8, outputSize: 2, seed: 1, simd: 'relaxed' });
      console.log(JSON.stringify({ threads, loss, simd: [r.simd, r.simdFallback] }));
      r.dispose();`], { encoding: 'utf8' });
    const r = JSON.parse(out);
    expect(r.threads).toBe(2);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.simd).toEqual(['relaxed', null]);
  });
});
